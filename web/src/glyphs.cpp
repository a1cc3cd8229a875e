#include "glyphs.h"

#include <emscripten.h>

#include <algorithm>
#include <bitset>
#include <iterator>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "imgui_internal.h"
#include "misc/freetype/imgui_freetype.h"

// stb_rect_pack, as Dear ImGui's builders use it (its own copy is private to imgui_draw.cpp;
// the context it is handed is the same structure).
#define STBRP_STATIC
#define STB_RECT_PACK_IMPLEMENTATION
#include "imstb_rectpack.h"

// The browser's side: one 2D canvas that measures glyphs and then draws all of them where the
// atlas has room for them. Glyphs are drawn white on a transparent canvas, so their alpha is
// their coverage (grey-scale antialiasing: no colour fringes in a texture drawn anywhere); an
// emoji font's glyphs keep their own colours.
// clang-format off
// Measures each glyph of a face (CSS weight and families) for a line `size` pixels high: its
// advance, and its ink's box with a margin, from the pen on the baseline. As Dear ImGui sizes a
// font, `size` is the face's ascent plus descent, so the CSS size is a little smaller (metrics:
// ascent, descent, CSS size). A face is measured once, at a large size, and its sizes scaled from
// that: text metrics scale with the size, and the margin (two pixels) covers what rounding at a
// small size moves.
EM_JS(void, oat_glyphs_measure, (const char* face, float size, const int* codepoints, int count, float* out, float* metrics), {
  var g = Module.oatGlyphs || (Module.oatGlyphs = { faces: {} });
  if (!g.canvas) {
    g.canvas = document.createElement("canvas");
    g.ctx = g.canvas.getContext("2d", { willReadFrequently: true });
  }
  var ctx = g.ctx;
  var key = UTF8ToString(face);
  var REF = 100;
  var known = g.faces[key];
  if (!known) {
    known = g.faces[key] = { glyphs: {} };
    ctx.font = key.replace(" ", " " + REF + "px ");  // "600 Inter, ..." -> "600 100px Inter, ..."
    ctx.textBaseline = "alphabetic";
    var line = ctx.measureText("Hg");
    // The face's line (a browser without fontBoundingBox*: the ink of "Hg").
    known.ascent = line.fontBoundingBoxAscent > 0 ? line.fontBoundingBoxAscent : line.actualBoundingBoxAscent;
    known.descent = line.fontBoundingBoxDescent > 0 ? line.fontBoundingBoxDescent : line.actualBoundingBoxDescent;
    known.ctxFont = ctx.font;
  }
  var k = size / (known.ascent + known.descent);
  HEAPF32[(metrics >> 2)] = known.ascent * k;
  HEAPF32[(metrics >> 2) + 1] = known.descent * k;
  HEAPF32[(metrics >> 2) + 2] = REF * k;
  for (var i = 0; i < count; ++i) {
    var cp = HEAP32[(codepoints >> 2) + i];
    var m = known.glyphs[cp];
    if (!m) {
      if (ctx.font !== known.ctxFont) ctx.font = known.ctxFont;
      var t = ctx.measureText(String.fromCodePoint(cp));
      m = known.glyphs[cp] = [t.width, t.actualBoundingBoxLeft, t.actualBoundingBoxRight,
                              t.actualBoundingBoxAscent, t.actualBoundingBoxDescent];
    }
    var left = Math.ceil(m[1] * k), right = Math.ceil(m[2] * k);
    var up = Math.ceil(m[3] * k), down = Math.ceil(m[4] * k);
    var o = (out >> 2) + i * 5;
    HEAPF32[o] = m[0] * k;
    if (m[1] + m[2] <= 0 || m[3] + m[4] <= 0) {  // nothing to draw (a space)
      HEAPF32[o + 1] = HEAPF32[o + 2] = HEAPF32[o + 3] = HEAPF32[o + 4] = 0;
    } else {
      HEAPF32[o + 1] = -left - 2;
      HEAPF32[o + 2] = -up - 2;
      HEAPF32[o + 3] = left + right + 4;
      HEAPF32[o + 4] = up + down + 4;
    }
  }
});

EM_JS(void, oat_glyphs_begin, (int width, int height), {
  var g = Module.oatGlyphs;
  g.canvas.width = width;
  g.canvas.height = height;
  g.ctx.clearRect(0, 0, width, height);
});

// Draws each glyph with its pen at (x, y): places[2i], places[2i+1].
EM_JS(void, oat_glyphs_draw, (const char* font, const int* codepoints, int count, const float* places), {
  var ctx = Module.oatGlyphs.ctx;
  ctx.font = UTF8ToString(font);
  ctx.textBaseline = "alphabetic";
  ctx.fillStyle = "#fff";
  for (var i = 0; i < count; ++i) {
    var x = HEAPF32[(places >> 2) + 2 * i];
    if (x < 0) continue;
    ctx.fillText(String.fromCodePoint(HEAP32[(codepoints >> 2) + i]), x, HEAPF32[(places >> 2) + 2 * i + 1]);
  }
});

// The canvas into `pixels` (width * height RGBA, not premultiplied: white ink but where a glyph
// has colours of its own, an emoji); what is empty is transparent white, as Dear ImGui's own
// atlas is. The canvas is let go.
EM_JS(void, oat_glyphs_end, (unsigned char* pixels, int width, int height), {
  var g = Module.oatGlyphs;
  var out = HEAPU8.subarray(pixels, pixels + width * height * 4);
  out.set(g.ctx.getImageData(0, 0, width, height).data);
  for (var i = 3; i < out.length; i += 4) {
    if (out[i] === 0) out[i - 3] = out[i - 2] = out[i - 1] = 255;
  }
  g.canvas.width = g.canvas.height = 1;
});
// clang-format on

namespace console::glyphs {

const ImWchar kRanges[] = {
    0x0020, 0x007E, 0x00A0, 0x00FF,                  // Latin-1
    0x2013, 0x2014, 0x2018, 0x201D, 0x2022, 0x2022,  // dashes, quotes, bullet
    0x2026, 0x2026, 0x2190, 0x2193, 0x2212, 0x2212,  // ellipsis, arrows, minus
    0x2713, 0x2713,                                  // check mark
    0,
};

namespace {

// The characters beyond kRanges (sorted), and kRanges with them as Dear ImGui's ranges.
std::vector<ImWchar> g_added;
std::vector<ImWchar> g_ranges(std::begin(kRanges), std::end(kRanges));
bool g_has_added = false;

// One bit per code point (all of Unicode: 136 KiB): in the atlas, or about to be.
using CodePoints = std::bitset<IM_UNICODE_CODEPOINT_MAX + 1>;
CodePoints& Held() {
  static CodePoints held = [] {
    CodePoints bits;
    for (const ImWchar* r = kRanges; r[0] && r[1]; r += 2) {
      for (unsigned c = r[0]; c <= r[1]; ++c) bits.set(c);
    }
    return bits;
  }();
  return held;
}

// One font of the atlas: its face, what the browser measured, where its glyphs went.
struct Source {
  ImFontConfig* config = nullptr;
  std::string face;               // "600 Inter, system-ui, ..."
  std::string css;                // "600 18.17px Inter, system-ui, ...": as it is drawn
  std::vector<int> codepoints;
  std::vector<float> boxes;       // per glyph: advance, x0, y0 (from the pen), width, height
  float ascent = 0, descent = 0;  // the face's, as the browser lays out lines
  std::vector<stbrp_rect> rects;  // the inked glyphs' places in the atlas
};

// Whether the atlas's pixels in a rectangle have colour: some clearly inked pixel that is not
// white (text is drawn white, and tinted when drawn).
bool Coloured(const ImFontAtlas& atlas, int x, int y, int width, int height) {
  for (int row = y; row < y + height && row < atlas.TexHeight; ++row) {
    const unsigned int* p = atlas.TexPixelsRGBA32 + static_cast<std::size_t>(row) * atlas.TexWidth;
    for (int col = x; col < x + width && col < atlas.TexWidth; ++col) {
      const unsigned int c = p[col];
      const unsigned int r = c & 0xFF, g = (c >> 8) & 0xFF, b = (c >> 16) & 0xFF, a = c >> 24;
      if (a > 128 && std::min({r, g, b}) < 160) return true;
    }
  }
  return false;
}

std::string CssFace(const Face& face) { return std::to_string(face.weight) + " " + face.families; }
std::string CssFont(const Face& face, float css_pixels) {
  return std::to_string(face.weight) + " " + std::to_string(css_pixels) + "px " + face.families;
}

bool Build(ImFontAtlas* atlas) {
  ImFontAtlasBuildInit(atlas);
  atlas->TexID = nullptr;
  atlas->TexWidth = atlas->TexHeight = 0;
  atlas->TexUvScale = ImVec2(0, 0);
  atlas->TexUvWhitePixel = ImVec2(0, 0);
  atlas->ClearTexData();

  // 1. Measure.
  const int padding = atlas->TexGlyphPadding;
  std::vector<Source> sources(static_cast<std::size_t>(atlas->ConfigData.Size));
  int surface = 0;
  for (int i = 0; i < atlas->ConfigData.Size; ++i) {
    Source& src = sources[i];
    src.config = &atlas->ConfigData[i];
    const Face face = *static_cast<const Face*>(src.config->FontData);
    src.face = CssFace(face);
    const ImWchar* ranges = src.config->GlyphRanges ? src.config->GlyphRanges : kRanges;
    for (const ImWchar* r = ranges; r[0] && r[1]; r += 2) {
      for (ImWchar c = r[0]; c <= r[1]; ++c) src.codepoints.push_back(static_cast<int>(c));
    }
    const int count = static_cast<int>(src.codepoints.size());
    src.boxes.resize(static_cast<std::size_t>(count) * 5);
    float metrics[3] = {};
    oat_glyphs_measure(src.face.c_str(), src.config->SizePixels, src.codepoints.data(), count, src.boxes.data(),
                       metrics);
    src.ascent = metrics[0];
    src.descent = -metrics[1];
    src.css = CssFont(face, metrics[2]);
    src.rects.resize(static_cast<std::size_t>(count));
    for (int g = 0; g < count; ++g) {
      stbrp_rect& rect = src.rects[g];
      std::memset(&rect, 0, sizeof rect);
      rect.id = g;
      const float* box = &src.boxes[static_cast<std::size_t>(g) * 5];
      if (box[3] <= 0) continue;  // nothing to draw: no room taken
      rect.w = static_cast<stbrp_coord>(box[3] + padding);
      rect.h = static_cast<stbrp_coord>(box[4] + padding);
      surface += rect.w * rect.h;
    }
  }

  // 2. Pack, Dear ImGui's own rectangles first (upper left), in a texture as wide as Dear
  // ImGui's builders choose.
  const int side = static_cast<int>(std::sqrt(static_cast<float>(surface))) + 1;
  atlas->TexWidth = atlas->TexDesiredWidth > 0 ? atlas->TexDesiredWidth
                    : side >= 4096 * 0.7f      ? 4096
                    : side >= 2048 * 0.7f      ? 2048
                    : side >= 1024 * 0.7f      ? 1024
                                               : 512;
  constexpr int kMaxHeight = 1024 * 32;
  std::vector<stbrp_node> nodes(static_cast<std::size_t>(atlas->TexWidth - padding));
  stbrp_context pack;
  stbrp_init_target(&pack, atlas->TexWidth, kMaxHeight, nodes.data(), static_cast<int>(nodes.size()));
  ImFontAtlasBuildPackCustomRects(atlas, &pack);
  atlas->TexHeight = 0;
  for (Source& src : sources) {
    stbrp_pack_rects(&pack, src.rects.data(), static_cast<int>(src.rects.size()));
    for (const stbrp_rect& rect : src.rects) {
      if (!rect.was_packed) return false;  // past kMaxHeight: no font is that large
      atlas->TexHeight = std::max(atlas->TexHeight, rect.y + rect.h);
    }
  }
  atlas->TexHeight = (atlas->Flags & ImFontAtlasFlags_NoPowerOfTwoHeight) ? atlas->TexHeight + 1
                                                                          : ImUpperPowerOfTwo(atlas->TexHeight);
  atlas->TexUvScale = ImVec2(1.0f / atlas->TexWidth, 1.0f / atlas->TexHeight);

  // 3. Draw every glyph where it was packed, and read the atlas back.
  oat_glyphs_begin(atlas->TexWidth, atlas->TexHeight);
  for (const Source& src : sources) {
    std::vector<float> places(src.codepoints.size() * 2, -1.0f);
    for (std::size_t g = 0; g < src.codepoints.size(); ++g) {
      const stbrp_rect& rect = src.rects[g];
      if (rect.w == 0) continue;
      const float* box = &src.boxes[g * 5];
      places[2 * g] = static_cast<float>(rect.x + padding) - box[1];
      places[2 * g + 1] = static_cast<float>(rect.y + padding) - box[2];
    }
    oat_glyphs_draw(src.css.c_str(), src.codepoints.data(), static_cast<int>(src.codepoints.size()),
                    places.data());
  }
  const std::size_t pixels = static_cast<std::size_t>(atlas->TexWidth) * atlas->TexHeight;
  atlas->TexPixelsRGBA32 = static_cast<unsigned int*>(IM_ALLOC(pixels * 4));
  oat_glyphs_end(reinterpret_cast<unsigned char*>(atlas->TexPixelsRGBA32), atlas->TexWidth, atlas->TexHeight);

  // 4. The fonts: their lines, and each glyph's quad, texture coordinates and advance.
  for (Source& src : sources) {
    ImFontConfig& config = *src.config;
    ImFont* font = config.DstFont;
    ImFontAtlasBuildSetupFont(atlas, font, &config, src.ascent, src.descent);
    const float top = config.GlyphOffset.y + IM_ROUND(font->Ascent);
    for (std::size_t g = 0; g < src.codepoints.size(); ++g) {
      const float* box = &src.boxes[g * 5];
      const stbrp_rect& rect = src.rects[g];
      float x0 = 0, y0 = 0, x1 = 0, y1 = 0, u0 = 0, v0 = 0, u1 = 0, v1 = 0;
      if (rect.w != 0) {
        x0 = config.GlyphOffset.x + box[1];
        y0 = top + box[2];
        x1 = x0 + box[3];
        y1 = y0 + box[4];
        const float tx = static_cast<float>(rect.x + padding), ty = static_cast<float>(rect.y + padding);
        u0 = tx * atlas->TexUvScale.x;
        v0 = ty * atlas->TexUvScale.y;
        u1 = (tx + box[3]) * atlas->TexUvScale.x;
        v1 = (ty + box[4]) * atlas->TexUvScale.y;
      }
      font->AddGlyph(&config, static_cast<ImWchar>(src.codepoints[g]), x0, y0, x1, y1, u0, v0, u1, v1, box[0]);
      // A glyph with colours of its own (an emoji) is drawn as it is, not tinted as text.
      if (rect.w != 0 && src.codepoints[g] > 0xFF && font->Glyphs.Size > 0 &&
          font->Glyphs.back().Codepoint == static_cast<unsigned>(src.codepoints[g]) &&
          Coloured(*atlas, rect.x + padding, rect.y + padding, static_cast<int>(box[3]), static_cast<int>(box[4]))) {
        font->Glyphs.back().Colored = 1;
      }
    }
  }
  ImFontAtlasBuildFinish(atlas);
  return true;
}

}  // namespace

void Notice(std::string_view text) {
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    if (static_cast<unsigned char>(*p) < 0x80) {  // ASCII: always held
      ++p;
      continue;
    }
    unsigned int c = 0;
    const int length = ImTextCharFromUtf8(&c, p, end);
    p += length > 0 ? length : 1;
    if (c > IM_UNICODE_CODEPOINT_MAX || c == IM_UNICODE_CODEPOINT_INVALID || Held().test(c)) continue;
    if (static_cast<int>(g_added.size()) >= kMaxAdded) return;
    Held().set(c);
    g_added.insert(std::lower_bound(g_added.begin(), g_added.end(), static_cast<ImWchar>(c)),
                   static_cast<ImWchar>(c));
    g_has_added = true;
  }
}

bool HasAdded() { return g_has_added; }

bool TakeAdded() {
  if (!g_has_added) return false;
  g_has_added = false;
  g_ranges.assign(std::begin(kRanges), std::end(kRanges) - 1);  // without the terminating 0
  for (std::size_t i = 0; i < g_added.size();) {
    std::size_t j = i;
    while (j + 1 < g_added.size() && g_added[j + 1] == g_added[j] + 1) ++j;  // a run
    g_ranges.push_back(g_added[i]);
    g_ranges.push_back(g_added[j]);
    i = j + 1;
  }
  g_ranges.push_back(0);
  return true;
}

ImFont* AddFont(ImFontAtlas* atlas, const Face& face, float size_pixels) {
  ImFontConfig config;
  // The face travels as the font's data (Dear ImGui keeps a copy); the builder reads it.
  config.FontData = const_cast<Face*>(&face);
  config.FontDataSize = sizeof(Face);
  config.FontDataOwnedByAtlas = false;
  config.SizePixels = size_pixels;
  config.GlyphRanges = g_ranges.data();
  config.PixelSnapH = true;  // drawn at whole pixels, as the browser drew them
  ImFormatString(config.Name, IM_ARRAYSIZE(config.Name), "%d %.0fpx", face.weight, size_pixels);
  return atlas->AddFont(&config);
}

const ImFontBuilderIO* Builder() {
  static const ImFontBuilderIO builder{Build};
  return &builder;
}

}  // namespace console::glyphs

// Built with IMGUI_ENABLE_FREETYPE (web/CMakeLists.txt), Dear ImGui leaves stb_truetype out
// and asks this function for its default builder: the browser's.
const ImFontBuilderIO* ImGuiFreeType::GetBuilderForFreeType() { return console::glyphs::Builder(); }
