// The console's glyphs, drawn by the browser.
//
// Dear ImGui draws text from a font atlas: a texture holding every glyph, with each one's place
// and advance. Instead of shipping font files and rasterizing them in WebAssembly, the atlas is
// filled by the browser's own text renderer (a 2D canvas: measureText and fillText), from the
// fonts the system has: Inter and JetBrains Mono where installed, else the system's interface
// and monospace faces. The download carries no font, any script the system can show is drawn,
// and text looks as the rest of the system's text does.
//
// The builder follows Dear ImGui's own (imgui_draw.cpp, and misc/freetype's): measure every
// glyph, pack the rectangles with stb_rect_pack beside Dear ImGui's own (the white pixel, the
// mouse cursors), draw them all into one canvas the size of the atlas, and read it back (RGBA).
#pragma once

#include <string_view>

#include "imgui.h"

struct ImFontBuilderIO;

namespace console::glyphs {

// A face as CSS names it: the families in order of preference, and the weight.
struct Face {
  const char* families;
  int weight;
};
inline constexpr Face kInterface{"Inter, system-ui, -apple-system, \"Segoe UI\", Roboto, \"Noto Sans\", sans-serif",
                                 400};
inline constexpr Face kInterfaceStrong{kInterface.families, 600};
inline constexpr Face kMono{"\"JetBrains Mono\", ui-monospace, SFMono-Regular, Menlo, Consolas, \"DejaVu Sans Mono\", monospace",
                            400};

// Zero-terminated pairs of first/last code points: the characters the atlas starts with
// (Latin-1, dashes and quotes, bullet, ellipsis, arrows, minus, check mark).
extern const ImWchar kRanges[];

// Text in other scripts (東京, Кирилл, עברית) is drawn too, without a font in the download: the
// console tells Notice what text it shows, the characters the atlas lacks are remembered, and
// the frame loop builds the atlas again with them (the browser draws them from the system's
// fonts, as it draws the rest). Until then they are drawn as Dear ImGui's fallback, '?', for a
// frame. Emoji are drawn too, in their own colours where the system's emoji font has them (the
// atlas is RGBA: white ink for text, tinted when drawn; a coloured glyph is drawn as it is), and
// past the Basic Multilingual Plane (ImWchar is 32 bits: IMGUI_USE_WCHAR32). At most kMaxAdded
// characters are added, which keeps the atlas's texture within what any WebGL allows.
inline constexpr int kMaxAdded = 1024;
void Notice(std::string_view text);
// Whether Notice found characters the atlas lacks since the last TakeAdded.
bool HasAdded();
// For the frame loop: true (once) when the atlas is to be built again; the next AddFont calls
// include the new characters.
bool TakeAdded();

// Adds `face` to the atlas, for the builder below to draw, sized as Dear ImGui sizes a font:
// its line (ascent plus descent) `size_pixels` high, in device pixels.
ImFont* AddFont(ImFontAtlas* atlas, const Face& face, float size_pixels);

// The atlas builder that has the browser draw the glyphs (ImFontAtlas::FontBuilderIO).
const ImFontBuilderIO* Builder();

}  // namespace console::glyphs
