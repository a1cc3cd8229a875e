// The console's own widgets, built from Dear ImGui items and draw-list shapes: buttons in
// four weights, inputs with a focus ring, checkboxes, status badges, a segmented control, a
// spinner, icons drawn as vectors (no icon font to ship), banners and tooltips, and the parts
// both tables share (card, rows, empty state). Dialogs and the drawer are in dialog.h.
#pragma once

#include <cstddef>
#include <string>

#include "imgui.h"
#include "theme.h"

namespace console::ui {

enum class ButtonKind { Primary, Secondary, Ghost, Danger };

// A button; `size` as ImGui::Button (0 = fit). Shows the hand cursor when hovered.
bool Button(const char* label, ButtonKind kind, ImVec2 size = ImVec2(0, 0));

// A text field with a placeholder and a focus ring. Returns what ImGui::InputText returns
// (true when edited, or when Enter is pressed with ImGuiInputTextFlags_EnterReturnsTrue).
bool InputText(const char* id, std::string* value, const char* hint, float width,
               ImGuiInputTextFlags flags = 0, ImGuiInputTextCallback callback = nullptr,
               void* user_data = nullptr);
// A text field of several lines (Enter starts a new line), `size` in pixels, its hint shown
// while it is empty.
bool InputTextMultiline(const char* id, std::string* value, const char* hint, ImVec2 size);
// A single-line field with a magnifier on the left.
bool SearchInput(const char* id, std::string* value, const char* hint, float width);

// A checkbox: off, ticked, or ticked because something else includes it (shown ticked and
// locked; clicking it does nothing). Returns true when clicked while not locked.
enum class Check { Off, On, Included };
// NAME: what the page calls it, when the label alone does not say (default: the label).
bool Checkbox(const char* id, const char* label, Check check, ImFont* font = nullptr, const char* name = nullptr);
// How far right of a checkbox's box its label starts.
inline constexpr float kCheckboxLabelIndent = 24;

// A pill: a colored dot and a word, on a tint of the color. Occupies one text line.
void Badge(const char* text, const ImVec4& color);
// The width Badge(text, ...) takes.
float BadgeWidth(const char* text);

// Segmented control: `labels[i]` with `counts[i]` (or -1 for none). Returns the clicked
// index, or -1. `test_names[i]` names each segment for the test hook (may be null).
int Segmented(const char* id, const char* const* labels, const int* counts, int n, int selected,
              const char* const* test_names);

// A circular spinner of this radius at the cursor (advances it). Keeps frames coming; with
// reduced motion (redraw.h) it is three still dots instead and asks for none.
void Spinner(float radius, const ImVec4& color);

// Text clipped to `width` with an ellipsis; the full text as a tooltip when clipped.
void TextEllipsis(const std::string& text, float width, ImFont* font, const ImVec4& color);

// Text in another color / font.
void Text(const std::string& text, const ImVec4& color, ImFont* font = nullptr);

// A tooltip with the console's padding, when the last item is hovered.
void Tooltip(const std::string& text);

// The card behind a table, at the cursor: a rounded surface of `size` with a bordered header band
// one line of the small font high (plus `cell_pad_y` above and below). Returns the band's height.
float TableCard(ImVec2 size, float cell_pad_y);
// That header band's height.
float TableHeaderHeight(float cell_pad_y);
// The card's height when all `rows` rows show; with none, room for the empty state's words.
float TableNaturalHeight(std::size_t rows, float row_height, float cell_pad_y);
// In a row's first cell: whether the mouse is over the row (`row_min`, `row_size`) below the header
// (`body_top`, its bottom edge). A hovered row is tinted.
bool HighlightHoveredRow(ImVec2 row_min, ImVec2 row_size, float body_top);
// Moves the cursor down so that one text line sits in the middle of a row `row_height` high whose
// cells are padded `cell_pad_y` above and below.
void CenterLineInRow(float row_height, float cell_pad_y);

// A table's empty state: paragraphs centered in the card's body (`a` to `b`), wrapped at most
// `max_wrap` wide, starting `above_middle` above the body's middle (and at least 24 below its top).
struct CenteredColumn {
  float center_x = 0;
  float wrap = 0;
  float y = 0;  // where the next paragraph starts
  // Words centered on center_x from y down; y moves below them and a 6-pixel gap.
  void Paragraph(const std::string& text, ImFont* font, const ImVec4& color);
};
CenteredColumn EmptyStateColumn(ImVec2 a, ImVec2 b, float max_wrap, float above_middle);

// A tinted box with a message: errors (danger) or notices (primary).
void Banner(const std::string& message, const ImVec4& color, float width);

// Vector icons, drawn centered on `center` within a box of `size`.
enum class Icon {
  Search, Refresh, Sun, Moon, ChevronDown, ChevronRight, ChevronLeft, Check, Key, Plus, SignOut,
  Dots, Close, Trash, Copy, Calendar, Warning, Globe, Box,
};
void DrawIcon(ImDrawList* draw, Icon icon, ImVec2 center, float size, ImU32 color);

// A square ghost button holding an icon. `name` is what it is called on the page (semantics.h;
// default: the tooltip).
bool IconButton(const char* id, Icon icon, float size, const char* tooltip = nullptr, const char* name = nullptr);

// A 36-pixel refresh button at `pos` (screen coordinates), or while `loading` a spinner in its
// place. Returns true when clicked.
bool RefreshButton(ImVec2 pos, bool loading, const char* tooltip);

// A button with an icon before its label.
bool IconLabelButton(const char* label, Icon icon, ButtonKind kind, ImVec2 size);

// How long a copy button says "Copied" after a click.
inline constexpr double kCopiedSeconds = 2.0;

// Whether a copy button clicked at `copied_at` (a clock in seconds; negative: never) still says
// "Copied" at `now`.
inline bool StillCopied(double copied_at, double now) { return copied_at >= 0 && now - copied_at < kCopiedSeconds; }

// A copy button: "Copy", or "Copied" with a check while `copied`. One item under either label, so
// a press that began on "Copied" still clicks when the label turns back; published to tests as
// `test_name` with the label it shows. Returns true when clicked.
bool CopyButton(bool copied, ButtonKind kind, ImVec2 size, const char* test_name);

// A small pill of text on a tint ("Private", "Team"), one text line high, at the cursor.
void Chip(const std::string& text, const ImVec4& color);

// Red text under a field (wrapped to `width`), published to the test hook as `test_name`. A hint
// is the same words, muted: what is still missing, before the person got there.
void FieldError(const std::string& message, float width, const std::string& test_name, bool hint = false);

// The OAT mark: a rounded square with a key.
void Logo(float size);

}  // namespace console::ui
