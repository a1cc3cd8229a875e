// How the console looks: the two palettes, Dear ImGui's style, and the fonts.
//
// Layout is in CSS pixels. Fonts are rasterized at size * devicePixelRatio and drawn at
// 1 / devicePixelRatio (io.FontGlobalScale), so text maps 1:1 onto device pixels at any ratio.
#pragma once

#include <optional>
#include <string_view>

#include "imgui.h"
#include "state.h"

namespace console::theme {

// Which theme shows: the owner's pick once made with the toggle, else the system's
// (prefers-color-scheme, followed live), so the console first looks like the rest of the
// person's screen and a pick outlasts any later change of the system. The one place this is
// decided (shell/loader.js does the same for the splash, before the program runs).
Theme Shown(std::optional<Theme> choice, Theme system);
// The owner's pick as saved ("oat.theme" in localStorage): "light" or "dark"; anything else
// (nothing saved) is no pick.
std::optional<Theme> ParseChoice(std::string_view saved);
const char* Name(Theme theme);  // "light", "dark": the saved words, <html data-theme>, the test hook

struct Palette {
  ImVec4 background;     // behind everything
  ImVec4 surface;        // cards, top bar, popups
  ImVec4 surface_muted;  // table header, hovered rows, segmented control track
  ImVec4 border;
  ImVec4 border_strong;  // inputs
  ImVec4 text;
  ImVec4 text_muted;
  ImVec4 text_faint;
  ImVec4 primary;
  ImVec4 primary_hover;
  ImVec4 primary_active;
  ImVec4 on_primary;  // text on primary
  ImVec4 success;
  ImVec4 warning;
  ImVec4 danger;
  ImVec4 neutral;  // inactive badges
  ImVec4 input;    // input field background
  ImVec4 accent;   // a third series beside primary and success (the usage charts' sign-ins)
};

const Palette& PaletteFor(Theme theme);

// Colors and metrics for Dear ImGui's own widgets; makes `theme` the one Current() answers.
void ApplyStyle(Theme theme);
// The palette last applied (what the console's own widgets draw with).
const Palette& Current();

// Drawn by the browser from the system's fonts (glyphs.h): Inter and JetBrains Mono where
// installed, else the system's interface and monospace faces.
struct Fonts {
  ImFont* body = nullptr;    // 14
  ImFont* strong = nullptr;  // semibold 14
  ImFont* title = nullptr;   // semibold 22
  ImFont* heading = nullptr; // semibold 18 (dialog titles)
  ImFont* small = nullptr;   // semibold 12 (table headers, badges)
  ImFont* mono = nullptr;    // monospace 13
  ImFont* mono_large = nullptr;  // monospace 16 (the secret shown once)
};
const Fonts& GetFonts();

// (Re)builds the font atlas for this pixel ratio and sets io.FontGlobalScale. Before the
// first frame, or between frames followed by the renderer's font texture being re-created.
void LoadFonts(float pixel_ratio);
float LoadedPixelRatio();

// Below kNarrowWidth CSS pixels (a phone) the console takes a narrow layout: the top bar's
// account menu, page headings and toolbars stacked, dialogs on the whole screen, narrower
// margins. Narrow(): this frame's window is that narrow.
inline constexpr float kNarrowWidth = 720;
bool Narrow();

// Helpers for colors.
inline ImU32 U32(const ImVec4& c) { return ImGui::ColorConvertFloat4ToU32(c); }
inline ImVec4 Alpha(ImVec4 c, float a) { return ImVec4(c.x, c.y, c.z, c.w * a); }
ImVec4 Mix(const ImVec4& a, const ImVec4& b, float t);

}  // namespace console::theme
