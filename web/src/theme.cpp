#include "theme.h"

#include "glyphs.h"

namespace console::theme {
namespace {

ImVec4 Hex(unsigned rgb, float a = 1.0f) {
  return ImVec4(((rgb >> 16) & 0xff) / 255.0f, ((rgb >> 8) & 0xff) / 255.0f, (rgb & 0xff) / 255.0f, a);
}

const Palette kDark = {
    .background = Hex(0x0E1116),
    .surface = Hex(0x151A21),
    .surface_muted = Hex(0x1B2129),
    .border = Hex(0x252C36),
    .border_strong = Hex(0x333C48),
    .text = Hex(0xE7EAEE),
    .text_muted = Hex(0x9AA4B2),
    .text_faint = Hex(0x677282),
    .primary = Hex(0x4F7CFF),
    .primary_hover = Hex(0x6A90FF),
    .primary_active = Hex(0x3E69E6),
    .on_primary = Hex(0xFFFFFF),
    .success = Hex(0x3CCB91),
    .warning = Hex(0xF2AC4E),
    .danger = Hex(0xF47272),
    .neutral = Hex(0x8E98A7),
    .input = Hex(0x0F1318),
    .accent = Hex(0xB08CFF),
};

const Palette kLight = {
    .background = Hex(0xF4F5F7),
    .surface = Hex(0xFFFFFF),
    .surface_muted = Hex(0xF1F3F6),
    .border = Hex(0xE2E5EA),
    .border_strong = Hex(0xCBD1D9),
    .text = Hex(0x161A20),
    .text_muted = Hex(0x596372),
    .text_faint = Hex(0x8A93A1),
    .primary = Hex(0x2F62F5),
    .primary_hover = Hex(0x4673F7),
    .primary_active = Hex(0x234FD6),
    .on_primary = Hex(0xFFFFFF),
    .success = Hex(0x0E9F66),
    .warning = Hex(0xB86E0A),
    .danger = Hex(0xD63B3B),
    .neutral = Hex(0x6B7482),
    .input = Hex(0xFFFFFF),
    .accent = Hex(0x7A4FE0),
};

Fonts g_fonts;
const Palette* g_current = &kDark;
float g_pixel_ratio = 0;

}  // namespace

Theme Shown(std::optional<Theme> choice, Theme system) { return choice ? *choice : system; }

std::optional<Theme> ParseChoice(std::string_view saved) {
  if (saved == "light") return Theme::Light;
  if (saved == "dark") return Theme::Dark;
  return std::nullopt;
}

const char* Name(Theme theme) { return theme == Theme::Light ? "light" : "dark"; }

const Palette& PaletteFor(Theme theme) { return theme == Theme::Light ? kLight : kDark; }

ImVec4 Mix(const ImVec4& a, const ImVec4& b, float t) {
  return ImVec4(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, a.z + (b.z - a.z) * t,
                a.w + (b.w - a.w) * t);
}

void ApplyStyle(Theme theme) {
  const Palette& p = PaletteFor(theme);
  g_current = &p;
  ImGuiStyle& s = ImGui::GetStyle();
  s = ImGuiStyle();
  // Thin lines drawn as geometry, not from the atlas's baked lines: with the atlas the browser's
  // glyphs make (glyphs.h), a rounded border's corners came out as two broken arcs.
  s.AntiAliasedLinesUseTex = false;

  s.WindowPadding = ImVec2(12, 10);  // popups and tooltips; the root window uses none
  s.WindowRounding = 0;
  s.WindowBorderSize = 0;
  s.ChildRounding = 10;
  s.ChildBorderSize = 0;
  s.PopupRounding = 8;
  s.PopupBorderSize = 1;
  s.FramePadding = ImVec2(12, 9);
  s.FrameRounding = 6;
  s.FrameBorderSize = 1;
  s.ItemSpacing = ImVec2(10, 10);
  s.ItemInnerSpacing = ImVec2(8, 6);
  s.CellPadding = ImVec2(16, 14);
  s.IndentSpacing = 16;
  s.ScrollbarSize = 10;
  s.ScrollbarRounding = 6;
  s.GrabMinSize = 24;
  s.GrabRounding = 6;
  s.TabRounding = 6;
  s.SelectableTextAlign = ImVec2(0, 0.5f);
  s.WindowMinSize = ImVec2(1, 1);
  s.DisabledAlpha = 0.42f;

  ImVec4* c = s.Colors;
  const ImVec4 clear(0, 0, 0, 0);
  c[ImGuiCol_Text] = p.text;
  c[ImGuiCol_TextDisabled] = p.text_faint;
  c[ImGuiCol_WindowBg] = p.background;
  c[ImGuiCol_ChildBg] = clear;
  c[ImGuiCol_PopupBg] = p.surface;
  c[ImGuiCol_Border] = p.border;
  c[ImGuiCol_BorderShadow] = clear;
  c[ImGuiCol_FrameBg] = p.input;
  c[ImGuiCol_FrameBgHovered] = p.input;
  c[ImGuiCol_FrameBgActive] = p.input;
  c[ImGuiCol_TitleBg] = p.surface;
  c[ImGuiCol_TitleBgActive] = p.surface;
  c[ImGuiCol_TitleBgCollapsed] = p.surface;
  c[ImGuiCol_MenuBarBg] = p.surface;
  c[ImGuiCol_ScrollbarBg] = clear;
  c[ImGuiCol_ScrollbarGrab] = p.border_strong;
  c[ImGuiCol_ScrollbarGrabHovered] = p.text_faint;
  c[ImGuiCol_ScrollbarGrabActive] = p.text_muted;
  c[ImGuiCol_CheckMark] = p.primary;
  c[ImGuiCol_SliderGrab] = p.primary;
  c[ImGuiCol_SliderGrabActive] = p.primary_active;
  c[ImGuiCol_Button] = p.surface;
  c[ImGuiCol_ButtonHovered] = p.surface_muted;
  c[ImGuiCol_ButtonActive] = Mix(p.surface_muted, p.border, 0.5f);
  c[ImGuiCol_Header] = Alpha(p.primary, 0.14f);
  c[ImGuiCol_HeaderHovered] = p.surface_muted;
  c[ImGuiCol_HeaderActive] = Alpha(p.primary, 0.22f);
  c[ImGuiCol_Separator] = p.border;
  c[ImGuiCol_SeparatorHovered] = p.border_strong;
  c[ImGuiCol_SeparatorActive] = p.primary;
  c[ImGuiCol_ResizeGrip] = clear;
  c[ImGuiCol_ResizeGripHovered] = clear;
  c[ImGuiCol_ResizeGripActive] = clear;
  c[ImGuiCol_Tab] = p.surface;
  c[ImGuiCol_TabHovered] = p.surface_muted;
  c[ImGuiCol_TabActive] = p.surface_muted;
  c[ImGuiCol_PlotHistogram] = p.primary;
  c[ImGuiCol_TableHeaderBg] = clear;
  c[ImGuiCol_TableBorderStrong] = p.border;
  c[ImGuiCol_TableBorderLight] = p.border;
  c[ImGuiCol_TableRowBg] = clear;
  c[ImGuiCol_TableRowBgAlt] = clear;
  c[ImGuiCol_TextSelectedBg] = Alpha(p.primary, 0.35f);
  c[ImGuiCol_DragDropTarget] = p.primary;
  c[ImGuiCol_NavHighlight] = ImVec4(0, 0, 0, 0);  // focus.cpp draws the one focus ring
  c[ImGuiCol_NavWindowingHighlight] = p.primary;
  c[ImGuiCol_NavWindowingDimBg] = ImVec4(0, 0, 0, 0.4f);
  c[ImGuiCol_ModalWindowDimBg] = ImVec4(0.02f, 0.03f, 0.05f, theme == Theme::Dark ? 0.6f : 0.35f);
}

const Palette& Current() { return *g_current; }

const Fonts& GetFonts() { return g_fonts; }
float LoadedPixelRatio() { return g_pixel_ratio; }

void LoadFonts(float pixel_ratio) {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  io.Fonts->FontBuilderIO = glyphs::Builder();  // the browser draws the glyphs (glyphs.h)
  ImFontAtlas* atlas = io.Fonts;
  g_fonts.body = glyphs::AddFont(atlas, glyphs::kInterface, 14.0f * pixel_ratio);
  g_fonts.strong = glyphs::AddFont(atlas, glyphs::kInterfaceStrong, 14.0f * pixel_ratio);
  g_fonts.title = glyphs::AddFont(atlas, glyphs::kInterfaceStrong, 22.0f * pixel_ratio);
  g_fonts.heading = glyphs::AddFont(atlas, glyphs::kInterfaceStrong, 18.0f * pixel_ratio);
  g_fonts.small = glyphs::AddFont(atlas, glyphs::kInterfaceStrong, 12.0f * pixel_ratio);
  g_fonts.mono = glyphs::AddFont(atlas, glyphs::kMono, 13.0f * pixel_ratio);
  g_fonts.mono_large = glyphs::AddFont(atlas, glyphs::kMono, 16.0f * pixel_ratio);
  atlas->Build();
  io.FontDefault = g_fonts.body;
  io.FontGlobalScale = 1.0f / pixel_ratio;
  g_pixel_ratio = pixel_ratio;
}

bool Narrow() { return ImGui::GetIO().DisplaySize.x < kNarrowWidth; }

}  // namespace console::theme
