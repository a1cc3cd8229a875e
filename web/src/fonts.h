// The fonts built into the console (generated from Debian's font packages by
// web/cmake/EmbedFonts.cmake): Inter for the interface, JetBrains Mono for tokens and ids.
#pragma once

#include "imgui.h"

namespace console::fonts {

struct EmbeddedFont {
  const unsigned char* data;
  unsigned size;
};

extern const EmbeddedFont inter_regular;
extern const EmbeddedFont inter_semibold;
extern const EmbeddedFont mono_regular;

// Zero-terminated pairs of first/last code points: every character the fonts were cut down to.
extern const ImWchar glyph_ranges[];

}  // namespace console::fonts
