// [SECTION] Buttons
// [SECTION] Inputs
// [SECTION] Badges, segmented control, spinner
// [SECTION] Text, tooltips, banners
// [SECTION] Icons
#define IMGUI_DEFINE_MATH_OPERATORS
#include "widgets.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string_view>

#include "imgui_internal.h"
#include "imgui_stdlib.h"
#include "focus.h"
#include "redraw.h"
#include "semantics.h"
#include "test_hook.h"

namespace console::ui {
namespace {

constexpr float kPi = 3.14159265f;

ImVec2 Floor(ImVec2 v) { return ImVec2(std::floor(v.x), std::floor(v.y)); }

void HandCursorIfHovered() {
  if (ImGui::IsItemHovered()) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
}

// The last item's disabled state, for the semantic layer.
unsigned DisabledFlag() {
  return (GImGui->LastItemData.InFlags & ImGuiItemFlags_Disabled) ? semantics::kDisabled : 0u;
}

// A label's visible words: what comes before "##".
std::string_view Words(const char* label) {
  return std::string_view(label, static_cast<std::size_t>(ImGui::FindRenderedTextEnd(label) - label));
}

// Typed into a field's element on the page: what the field's flags would have let through.
std::string Filtered(std::string text, ImGuiInputTextFlags flags) {
  if (flags & ImGuiInputTextFlags_CharsNoBlank) {
    text.erase(std::remove_if(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t'; }), text.end());
  }
  if (flags & ImGuiInputTextFlags_CharsDecimal) {
    text.erase(std::remove_if(text.begin(), text.end(),
                              [](char c) { return !((c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-' || c == '*' || c == '/'); }),
               text.end());
  }
  return text;
}

// A text field's element on the page edits it while it has the page's focus (semantics.h):
// what was typed there comes in before the field is drawn, and Dear ImGui's own editing of it
// stops. It stops too when text comes in after the element has lost the focus (a password
// manager fills the username, then the password, between two frames): an active field keeps
// its own copy of the text and would write it back over what came in. True when the text
// changed.
bool FollowElement(const char* id, std::string* value, ImGuiInputTextFlags flags) {
  const ImGuiID field = ImGui::GetID(id);
  bool changed = false;
  std::optional<std::string> typed = semantics::TakeTyped(field);
  if (typed) {
    std::string text = Filtered(std::move(*typed), flags);
    changed = text != *value;
    *value = std::move(text);
  }
  if ((typed || semantics::Editing() == field) && GImGui->ActiveId == field) ImGui::ClearActiveID();
  return changed;
}

}  // namespace

// -----------------------------------------------------------------------------------------------
// [SECTION] Buttons
// -----------------------------------------------------------------------------------------------

bool Button(const char* label, ButtonKind kind, ImVec2 size) {
  const theme::Palette& p = theme::Current();
  const ImVec4 clear(0, 0, 0, 0);
  ImVec4 bg, hover, active, text, border;
  switch (kind) {
    case ButtonKind::Primary:
      bg = p.primary, hover = p.primary_hover, active = p.primary_active;
      text = p.on_primary, border = p.primary;
      break;
    case ButtonKind::Secondary:
      bg = p.surface, hover = p.surface_muted, active = theme::Mix(p.surface_muted, p.border, 0.6f);
      text = p.text, border = p.border_strong;
      break;
    case ButtonKind::Ghost:
      bg = clear, hover = p.surface_muted, active = theme::Mix(p.surface_muted, p.border, 0.6f);
      text = p.text_muted, border = clear;
      break;
    case ButtonKind::Danger:
      bg = theme::Mix(p.danger, ImVec4(0, 0, 0, 1), 0.22f), hover = theme::Mix(p.danger, ImVec4(0, 0, 0, 1), 0.1f);
      active = theme::Mix(p.danger, ImVec4(0, 0, 0, 1), 0.32f);
      text = p.on_primary, border = p.danger;
      break;
  }
  ImGui::PushStyleColor(ImGuiCol_Button, bg);
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, hover);
  ImGui::PushStyleColor(ImGuiCol_ButtonActive, active);
  ImGui::PushStyleColor(ImGuiCol_Text, text);
  ImGui::PushStyleColor(ImGuiCol_Border, border);
  ImGui::PushFont(theme::GetFonts().strong);
  const bool clicked = ImGui::Button(label, size);
  focus::TabStop();
  semantics::Item(semantics::Role::Button, Words(label), {}, DisabledFlag());
  ImGui::PopFont();
  ImGui::PopStyleColor(5);
  HandCursorIfHovered();
  return clicked;
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Inputs
// -----------------------------------------------------------------------------------------------

namespace {

void FocusRing() {
  const theme::Palette& p = theme::Current();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 a = ImGui::GetItemRectMin();
  const ImVec2 b = ImGui::GetItemRectMax();
  const float rounding = ImGui::GetStyle().FrameRounding;
  if (ImGui::IsItemActive()) {
    draw->AddRect(a - ImVec2(1.5f, 1.5f), b + ImVec2(1.5f, 1.5f), theme::U32(theme::Alpha(p.primary, 0.28f)),
                  rounding + 1.5f, 0, 3.0f);
    draw->AddRect(a, b, theme::U32(p.primary), rounding, 0, 1.0f);
  } else if (ImGui::IsItemHovered()) {
    draw->AddRect(a, b, theme::U32(p.text_faint), rounding, 0, 1.0f);
  }
}

}  // namespace

bool InputText(const char* id, std::string* value, const char* hint, float width,
               ImGuiInputTextFlags flags, ImGuiInputTextCallback callback, void* user_data) {
  const theme::Palette& p = theme::Current();
  ImGui::PushStyleColor(ImGuiCol_Border, p.border_strong);
  ImGui::PushStyleColor(ImGuiCol_TextDisabled, p.text_faint);  // the hint
  ImGui::SetNextItemWidth(width);
  const bool typed = FollowElement(id, value, flags);
  const ImGuiID field = ImGui::GetID(id);
  bool result = ImGui::InputTextWithHint(id, hint, value, flags, callback, user_data);
  if (typed) GImGui->LastItemData.StatusFlags |= ImGuiItemStatusFlags_Edited;  // ImGui::IsItemEdited()
  if (flags & ImGuiInputTextFlags_EnterReturnsTrue) {
    result = result || semantics::TakeEnter(field);
  } else {
    result = result || typed;
  }
  focus::TabStop(true);
  semantics::Item((flags & ImGuiInputTextFlags_Password) ? semantics::Role::Password : semantics::Role::TextField,
                  hint ? hint : "", *value, DisabledFlag());
  ImGui::PopStyleColor(2);
  FocusRing();
  return result;
}

bool InputTextMultiline(const char* id, std::string* value, const char* hint, ImVec2 size) {
  const theme::Palette& p = theme::Current();
  ImGui::PushStyleColor(ImGuiCol_Border, p.border_strong);
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const bool typed = FollowElement(id, value, 0);
  const bool result = ImGui::InputTextMultiline(id, value, size) || typed;
  const float width = ImGui::GetItemRectSize().x;
  // Scrolled out of view, Dear ImGui 1.86 leaves its group's id as the last item's: the field is
  // still the field (its element keeps the focus while it scrolls back, semantics.h).
  GImGui->LastItemData.ID = ImGui::GetID(id);
  if (typed) GImGui->LastItemData.StatusFlags |= ImGuiItemStatusFlags_Edited;
  focus::TabStop(true);
  semantics::Item(semantics::Role::TextField, hint ? hint : "", *value, DisabledFlag() | semantics::kMultiline);
  ImGui::PopStyleColor();
  FocusRing();
  // Dear ImGui 1.86 has no hint for a multi-line field: drawn here while it is empty, wrapped at
  // the field's inner edge (on a phone it takes more than one line).
  if (value->empty() && !ImGui::IsItemActive() && hint) {
    const ImVec2 padding = ImGui::GetStyle().FramePadding;
    ImGui::GetWindowDrawList()->AddText(ImGui::GetFont(), ImGui::GetFontSize(), pos + padding,
                                        theme::U32(p.text_faint), hint, nullptr, width - 2 * padding.x);
  }
  return result;
}

bool SearchInput(const char* id, std::string* value, const char* hint, float width) {
  const theme::Palette& p = theme::Current();
  const ImVec2 padding = ImGui::GetStyle().FramePadding;
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(34, padding.y));
  const bool changed = InputText(id, value, hint, width);
  ImGui::PopStyleVar();
  const ImVec2 a = ImGui::GetItemRectMin();
  const ImVec2 b = ImGui::GetItemRectMax();
  DrawIcon(ImGui::GetWindowDrawList(), Icon::Search, ImVec2(a.x + 18, (a.y + b.y) * 0.5f), 16,
           theme::U32(p.text_faint));
  return changed;
}

bool Checkbox(const char* id, const char* label, Check check, ImFont* font, const char* name) {
  const theme::Palette& p = theme::Current();
  if (font) ImGui::PushFont(font);
  const float box = 16, gap = kCheckboxLabelIndent - box;
  const float line = ImGui::GetTextLineHeight();
  const float height = std::max(box, line) + 6;
  const ImVec2 label_size = ImGui::CalcTextSize(label, nullptr, true);
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const bool clicked = ImGui::InvisibleButton(id, ImVec2(box + (label_size.x > 0 ? gap + label_size.x : 0), height));
  const bool hovered = ImGui::IsItemHovered();
  const bool locked = check == Check::Included;
  if (!locked) focus::TabStop();
  semantics::Item(semantics::Role::Checkbox, name ? std::string_view(name) : Words(label), {},
                  (check != Check::Off ? semantics::kChecked : 0u) | (locked ? semantics::kDisabled : DisabledFlag()));
  if (hovered && !locked) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 a(pos.x, std::floor(pos.y + (height - box) * 0.5f)), b = a + ImVec2(box, box);
  if (check == Check::Off) {
    draw->AddRectFilled(a, b, theme::U32(p.input), 4);
    draw->AddRect(a, b, theme::U32(hovered ? p.text_muted : p.border_strong), 4, 0, 1.2f);
  } else {
    const ImVec4 fill = locked ? theme::Mix(p.surface_muted, p.primary, 0.45f)
                               : (hovered ? p.primary_hover : p.primary);
    draw->AddRectFilled(a, b, theme::U32(fill), 4);
    DrawIcon(draw, Icon::Check, (a + b) * 0.5f, 14, theme::U32(locked ? theme::Alpha(p.on_primary, 0.75f) : p.on_primary));
  }
  if (label_size.x > 0) {
    const ImVec4 color = locked ? p.text_muted : (ImGui::GetStyle().Alpha < 1 ? p.text_faint : p.text);
    draw->AddText(ImVec2(a.x + box + gap, std::floor(pos.y + (height - line) * 0.5f)), theme::U32(color),
                  label, ImGui::FindRenderedTextEnd(label));
  }
  if (font) ImGui::PopFont();
  return clicked && !locked;
}

void Chip(const std::string& text, const ImVec4& color) {
  ImGui::PushFont(theme::GetFonts().small);
  const ImVec2 size = ImGui::CalcTextSize(text.c_str());
  const float line = ImGui::GetTextLineHeight();
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const float height = 20;
  ImGui::Dummy(ImVec2(size.x + 14, std::max(line, height)));
  semantics::Item(semantics::Role::Text, text);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float top = std::floor(pos.y + (std::max(line, height) - height) * 0.5f);
  draw->AddRectFilled(ImVec2(pos.x, top), ImVec2(pos.x + size.x + 14, top + height),
                      theme::U32(theme::Alpha(color, 0.13f)), 6);
  draw->AddText(ImVec2(pos.x + 7, std::floor(top + (height - size.y) * 0.5f)), theme::U32(color), text.c_str());
  ImGui::PopFont();
}

void FieldError(const std::string& message, float width, const std::string& test_name, bool hint) {
  const theme::Palette& p = theme::Current();
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const float icon = 14;
  ImGui::SetCursorScreenPos(ImVec2(pos.x + icon + 6, pos.y));
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width - icon - 6);  // window-relative
  const ImVec4 color = hint ? p.text_muted : p.danger;
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::TextUnformatted(message.c_str(), message.c_str() + message.size());
  semantics::Item(hint ? semantics::Role::Text : semantics::Role::Alert, message);
  ImGui::PopStyleColor();
  ImGui::PopTextWrapPos();
  test_hook::ErrorShown(test_name, message);
  DrawIcon(ImGui::GetWindowDrawList(), Icon::Warning,
           ImVec2(pos.x + icon * 0.5f, pos.y + ImGui::GetTextLineHeight() * 0.5f), icon, theme::U32(color));
}

float TableHeaderHeight(float cell_pad_y) {
  ImGui::PushFont(theme::GetFonts().small);
  const float height = ImGui::GetTextLineHeight() + cell_pad_y * 2;
  ImGui::PopFont();
  return height;
}

float TableNaturalHeight(std::size_t rows, float row_height, float cell_pad_y) {
  const float header_height = TableHeaderHeight(cell_pad_y);
  if (rows == 0) return header_height + 300;
  return std::floor(header_height + static_cast<float>(rows) * row_height + 2);
}

bool HighlightHoveredRow(ImVec2 row_min, ImVec2 row_size, float body_top) {
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const bool hovered = ImGui::IsWindowHovered() && mouse.y >= std::max(row_min.y, body_top) &&
                       mouse.y < row_min.y + row_size.y && mouse.x >= row_min.x && mouse.x < row_min.x + row_size.x;
  if (hovered) {
    ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, theme::U32(theme::Alpha(theme::Current().surface_muted, 0.7f)));
  }
  return hovered;
}

void CenterLineInRow(float row_height, float cell_pad_y) {
  const float line = ImGui::GetTextLineHeight();
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() + std::floor((row_height - cell_pad_y * 2 - line) * 0.5f));
}

float TableCard(ImVec2 size, float cell_pad_y) {
  const theme::Palette& p = theme::Current();
  const float header_height = TableHeaderHeight(cell_pad_y);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const ImVec2 end = pos + size;
  draw->AddRectFilled(pos, end, theme::U32(p.surface), 10);
  draw->AddRectFilled(pos, pos + ImVec2(size.x, header_height), theme::U32(p.surface_muted), 10,
                      ImDrawFlags_RoundCornersTop);
  draw->AddLine(ImVec2(pos.x, pos.y + header_height - 0.5f), ImVec2(end.x, pos.y + header_height - 0.5f),
                theme::U32(p.border));
  draw->AddRect(pos, end, theme::U32(p.border), 10);
  return header_height;
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Badges, segmented control, spinner
// -----------------------------------------------------------------------------------------------

namespace {
constexpr float kBadgePad = 9, kBadgeDot = 3, kBadgeGap = 6;
float BadgeWidthFor(float text_width) { return kBadgePad + kBadgeDot * 2 + kBadgeGap + text_width + kBadgePad + 1; }
}  // namespace

float BadgeWidth(const char* text) {
  ImGui::PushFont(theme::GetFonts().small);
  const float width = BadgeWidthFor(ImGui::CalcTextSize(text).x);
  ImGui::PopFont();
  return width;
}

void Badge(const char* text, const ImVec4& color) {
  const float line = ImGui::GetTextLineHeight();
  ImGui::PushFont(theme::GetFonts().small);
  const ImVec2 text_size = ImGui::CalcTextSize(text);
  const float pad = kBadgePad, dot = kBadgeDot, gap = kBadgeGap, height = 22;
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const ImVec2 size(BadgeWidthFor(text_size.x), line);
  ImGui::Dummy(size);
  semantics::Item(semantics::Role::Text, text);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float cy = std::floor(pos.y + line * 0.5f) + 0.5f;
  const ImVec2 a(pos.x, cy - height * 0.5f), b(pos.x + size.x, cy + height * 0.5f);
  draw->AddRectFilled(a, b, theme::U32(theme::Alpha(color, 0.14f)), height * 0.5f);
  draw->AddRect(a, b, theme::U32(theme::Alpha(color, 0.28f)), height * 0.5f);
  draw->AddCircleFilled(ImVec2(pos.x + pad + dot, cy), dot, theme::U32(color), 12);
  draw->AddText(Floor(ImVec2(pos.x + pad + dot * 2 + gap, cy - text_size.y * 0.5f)),
                theme::U32(color), text);
  ImGui::PopFont();
}

int Segmented(const char* id, const char* const* labels, const int* counts, int n, int selected,
              const char* const* test_names) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  ImGui::PushID(id);
  semantics::BeginGroup(semantics::Group::TabList, Words(id), id);
  const float pad = 3, inner = 14, gap = 7;
  const float height = ImGui::GetFrameHeight();
  const ImVec2 start = ImGui::GetCursorScreenPos();
  ImDrawList* draw = ImGui::GetWindowDrawList();

  // Widths first: label (strong) + count (small).
  float widths[8] = {};
  float total = pad * 2;
  for (int i = 0; i < n && i < 8; ++i) {
    ImGui::PushFont(fonts.strong);
    float w = ImGui::CalcTextSize(labels[i]).x;
    ImGui::PopFont();
    if (counts && counts[i] >= 0) {
      ImGui::PushFont(fonts.small);
      w += gap + ImGui::CalcTextSize(std::to_string(counts[i]).c_str()).x + 10;
      ImGui::PopFont();
    }
    widths[i] = std::floor(w + inner * 2);
    total += widths[i];
  }
  draw->AddRectFilled(start, start + ImVec2(total, height), theme::U32(p.surface_muted), 8);
  draw->AddRect(start, start + ImVec2(total, height), theme::U32(p.border), 8);

  int clicked = -1;
  float x = start.x + pad;
  for (int i = 0; i < n && i < 8; ++i) {
    const ImVec2 a(x, start.y + pad), size(widths[i], height - pad * 2);
    ImGui::SetCursorScreenPos(a);
    if (ImGui::InvisibleButton(labels[i], size)) clicked = i;
    focus::TabStop();
    {
      std::string words(Words(labels[i]));
      if (counts && counts[i] >= 0) words += " (" + std::to_string(counts[i]) + ")";
      semantics::Item(semantics::Role::Tab, words, {}, (i == selected ? semantics::kSelected : 0u) | DisabledFlag());
    }
    const bool hovered = ImGui::IsItemHovered();
    HandCursorIfHovered();
    if (test_names && test_names[i]) test_hook::MarkLastItem(test_names[i]);
    const bool on = i == selected;
    if (on) {
      draw->AddRectFilled(a, a + size, theme::U32(p.surface), 6);
      draw->AddRect(a, a + size, theme::U32(p.border_strong), 6);
    }
    const ImVec4 text = on || hovered ? p.text : p.text_muted;
    ImGui::PushFont(fonts.strong);
    const ImVec2 label_size = ImGui::CalcTextSize(labels[i]);
    const float ty = std::floor(a.y + (size.y - label_size.y) * 0.5f);
    draw->AddText(ImVec2(std::floor(a.x + inner), ty), theme::U32(text), labels[i]);
    ImGui::PopFont();
    if (counts && counts[i] >= 0) {
      ImGui::PushFont(fonts.small);
      const std::string count = std::to_string(counts[i]);
      const ImVec2 cs = ImGui::CalcTextSize(count.c_str());
      const ImVec2 ca(std::floor(a.x + inner + label_size.x + gap), std::floor(a.y + (size.y - 18) * 0.5f));
      draw->AddRectFilled(ca, ca + ImVec2(cs.x + 10, 18),
                          theme::U32(on ? theme::Alpha(p.primary, 0.16f) : p.background), 9);
      draw->AddText(Floor(ca + ImVec2(5, (18 - cs.y) * 0.5f)),
                    theme::U32(on ? p.primary : p.text_muted), count.c_str());
      ImGui::PopFont();
    }
    x += widths[i];
  }
  ImGui::SetCursorScreenPos(start);
  ImGui::Dummy(ImVec2(total, height));
  semantics::EndGroup();
  ImGui::PopID();
  return clicked;
}

void Spinner(float radius, const ImVec4& color) {
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(radius * 2, radius * 2));
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 center = pos + ImVec2(radius, radius);
  if (redraw::ReducedMotion()) {  // still: three dots, an ellipsis, asks for no frames
    const float dot = std::max(1.5f, std::floor(radius * 0.22f));
    for (int i = -1; i <= 1; ++i) {
      draw->AddCircleFilled(center + ImVec2(i * radius * 0.66f, 0), dot, theme::U32(color), 12);
    }
    return;
  }
  redraw::Animate();
  const float t = static_cast<float>(ImGui::GetTime());
  draw->AddCircle(center, radius - 1.5f, theme::U32(theme::Alpha(color, 0.2f)), 32, 2.5f);
  draw->PathClear();
  const float start = t * 5.0f;
  draw->PathArcTo(center, radius - 1.5f, start, start + kPi * 0.6f, 16);
  draw->PathStroke(theme::U32(color), 0, 2.5f);
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Text, tooltips, banners
// -----------------------------------------------------------------------------------------------

void Text(const std::string& text, const ImVec4& color, ImFont* font) {
  if (font) ImGui::PushFont(font);
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::TextUnformatted(text.c_str(), text.c_str() + text.size());
  // A page's or a dialog's title is a heading.
  const bool heading = font && (font == theme::GetFonts().title || font == theme::GetFonts().heading);
  semantics::Item(heading ? semantics::Role::Heading : semantics::Role::Text, text);
  ImGui::PopStyleColor();
  if (font) ImGui::PopFont();
}

void TextEllipsis(const std::string& text, float width, ImFont* font, const ImVec4& color) {
  if (font) ImGui::PushFont(font);
  const char* begin = text.c_str();
  const char* end = begin + text.size();
  const ImVec2 size = ImGui::CalcTextSize(begin, end);
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const float line = ImGui::GetTextLineHeight();
  width = std::max(width, 1.0f);
  ImGui::Dummy(ImVec2(std::min(size.x, width), line));
  semantics::Item(semantics::Role::Text, text);  // whole, also where the canvas cuts it short
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::RenderTextEllipsis(ImGui::GetWindowDrawList(), pos, pos + ImVec2(width, line), pos.x + width,
                            pos.x + width, begin, end, &size);
  ImGui::PopStyleColor();
  if (font) ImGui::PopFont();
  if (size.x > width) Tooltip(text);
}

void Tooltip(const std::string& text) {
  if (!ImGui::IsItemHovered() || text.empty()) return;
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(10, 7));
  ImGui::PushStyleVar(ImGuiStyleVar_PopupRounding, 6);
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
  ImGui::TextUnformatted(text.c_str(), text.c_str() + text.size());
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
  ImGui::PopStyleVar(2);
}

CenteredColumn EmptyStateColumn(ImVec2 a, ImVec2 b, float max_wrap, float above_middle) {
  CenteredColumn column;
  column.center_x = (a.x + b.x) * 0.5f;
  column.wrap = std::min(max_wrap, b.x - a.x - 48);
  column.y = a.y + std::max(24.0f, (b.y - a.y) * 0.5f - above_middle);
  return column;
}

void CenteredColumn::Paragraph(const std::string& text, ImFont* font, const ImVec4& color) {
  ImGui::PushFont(font);
  const ImVec2 size = ImGui::CalcTextSize(text.c_str(), nullptr, false, wrap);
  ImGui::SetCursorScreenPos(ImVec2(std::floor(center_x - size.x * 0.5f), y));
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + wrap);
  Text(text, color);
  ImGui::PopTextWrapPos();
  ImGui::PopFont();
  y += size.y + 6;
}

void Banner(const std::string& message, const ImVec4& color, float width) {
  const theme::Palette& p = theme::Current();
  const ImVec2 pad(14, 10);
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const float wrap = width - pad.x * 2;
  const ImVec2 text_size = ImGui::CalcTextSize(message.c_str(), nullptr, false, wrap);
  const ImVec2 size(width, std::floor(text_size.y + pad.y * 2));
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(pos, pos + size, theme::U32(theme::Alpha(color, 0.10f)), 8);
  draw->AddRect(pos, pos + size, theme::U32(theme::Alpha(color, 0.35f)), 8);
  ImGui::SetCursorScreenPos(pos + pad);
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + wrap);  // window-relative
  ImGui::PushStyleColor(ImGuiCol_Text, theme::Mix(color, p.text, 0.25f));
  ImGui::TextUnformatted(message.c_str(), message.c_str() + message.size());
  semantics::Item(semantics::Role::Text, message);
  ImGui::PopStyleColor();
  ImGui::PopTextWrapPos();
  ImGui::SetCursorScreenPos(pos);
  ImGui::Dummy(size);
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Icons
// -----------------------------------------------------------------------------------------------

namespace {

float Wrap(float a) {  // into [0, 2pi)
  a = std::fmod(a, 2 * kPi);
  return a < 0 ? a + 2 * kPi : a;
}

// Adds to the path an arc from angle `from` to `to` going the way that passes `through`.
void ArcThrough(ImDrawList* draw, ImVec2 center, float r, float from, float to, float through) {
  const float sweep = Wrap(to - from);
  if (Wrap(through - from) < sweep) {
    draw->PathArcTo(center, r, from, from + sweep, 24);
  } else {
    draw->PathArcTo(center, r, from, from - (2 * kPi - sweep), 24);
  }
}

float Angle(ImVec2 v) { return std::atan2(v.y, v.x); }

// What every icon draws with: `t` is the stroke's width.
struct Pen {
  ImDrawList* draw;
  ImU32 color;
  float t;
};

// One function per icon, centered on `c` within a box of size `s`.
namespace icons {

void Search(const Pen& pen, ImVec2 c, float s) {
  const ImVec2 o = c - ImVec2(s * 0.08f, s * 0.08f);
  const float r = s * 0.28f;
  pen.draw->AddCircle(o, r, pen.color, 24, pen.t);
  const ImVec2 d(0.7071f, 0.7071f);
  pen.draw->AddLine(o + d * (r + pen.t * 0.3f), c + ImVec2(s * 0.38f, s * 0.38f), pen.color, pen.t);
}

// A clockwise circle ending at the top in an arrowhead pointing right.
void Refresh(const Pen& pen, ImVec2 c, float s) {
  const float r = s * 0.32f;
  const float end = -kPi * 0.5f;
  pen.draw->PathClear();
  pen.draw->PathArcTo(c, r, end - kPi * 1.6f, end, 28);
  pen.draw->PathStroke(pen.color, 0, pen.t);
  const ImVec2 tip = c + ImVec2(0, -r);
  const float k = s * 0.16f;
  pen.draw->AddLine(tip, tip + ImVec2(-k, -k), pen.color, pen.t);
  pen.draw->AddLine(tip, tip + ImVec2(-k, k), pen.color, pen.t);
}

void Sun(const Pen& pen, ImVec2 c, float s) {
  pen.draw->AddCircle(c, s * 0.18f, pen.color, 24, pen.t);
  for (int i = 0; i < 8; ++i) {
    const float a = i * kPi / 4;
    const ImVec2 d(std::cos(a), std::sin(a));
    pen.draw->AddLine(c + d * (s * 0.31f), c + d * (s * 0.42f), pen.color, pen.t);
  }
}

// A crescent: the outer circle minus a circle shifted up and right.
void Moon(const Pen& pen, ImVec2 c, float s) {
  const float r = s * 0.34f;
  const ImVec2 c1 = c + ImVec2(-s * 0.02f, s * 0.03f);
  const ImVec2 d = ImVec2(0.55f, -0.55f) * r;
  const ImVec2 c2 = c1 + d;
  const float dist = std::sqrt(d.x * d.x + d.y * d.y);
  const ImVec2 m = c1 + d * 0.5f;
  const ImVec2 perp = ImVec2(-d.y, d.x) / dist;
  const float h = std::sqrt(r * r - dist * dist * 0.25f);
  const ImVec2 p1 = m + perp * h, p2 = m - perp * h;
  pen.draw->PathClear();
  ArcThrough(pen.draw, c1, r, Angle(p1 - c1), Angle(p2 - c1), Angle(ImVec2(0, 0) - d));
  ArcThrough(pen.draw, c2, r, Angle(p2 - c2), Angle(p1 - c2), Angle(ImVec2(0, 0) - d));
  pen.draw->PathStroke(pen.color, ImDrawFlags_Closed, pen.t);
}

// An open polyline through three points, each given as an offset from the center.
void Polyline3(const Pen& pen, ImVec2 c, ImVec2 a, ImVec2 b, ImVec2 d) {
  const ImVec2 pts[3] = {c + a, c + b, c + d};
  pen.draw->AddPolyline(pts, 3, pen.color, 0, pen.t);
}

void ChevronDown(const Pen& pen, ImVec2 c, float s) {
  Polyline3(pen, c, ImVec2(-s * 0.22f, -s * 0.1f), ImVec2(0, s * 0.12f), ImVec2(s * 0.22f, -s * 0.1f));
}

void ChevronRight(const Pen& pen, ImVec2 c, float s) {
  Polyline3(pen, c, ImVec2(-s * 0.1f, -s * 0.22f), ImVec2(s * 0.12f, 0), ImVec2(-s * 0.1f, s * 0.22f));
}

void ChevronLeft(const Pen& pen, ImVec2 c, float s) {
  Polyline3(pen, c, ImVec2(s * 0.1f, -s * 0.22f), ImVec2(-s * 0.12f, 0), ImVec2(s * 0.1f, s * 0.22f));
}

void Check(const Pen& pen, ImVec2 c, float s) {
  Polyline3(pen, c, ImVec2(-s * 0.26f, 0), ImVec2(-s * 0.08f, s * 0.18f), ImVec2(s * 0.26f, -s * 0.2f));
}

void Dots(const Pen& pen, ImVec2 c, float s) {
  for (int i = -1; i <= 1; ++i) {
    pen.draw->AddCircleFilled(c + ImVec2(i * s * 0.28f, 0), s * 0.075f + 0.6f, pen.color, 12);
  }
}

void Close(const Pen& pen, ImVec2 c, float s) {
  const float k = s * 0.26f;
  pen.draw->AddLine(c + ImVec2(-k, -k), c + ImVec2(k, k), pen.color, pen.t);
  pen.draw->AddLine(c + ImVec2(-k, k), c + ImVec2(k, -k), pen.color, pen.t);
}

void Trash(const Pen& pen, ImVec2 c, float s) {
  const float w = s * 0.24f, top = -s * 0.2f, bottom = s * 0.36f;
  pen.draw->AddLine(c + ImVec2(-s * 0.34f, top), c + ImVec2(s * 0.34f, top), pen.color, pen.t);
  const ImVec2 lid[4] = {c + ImVec2(-s * 0.12f, top), c + ImVec2(-s * 0.12f, -s * 0.34f),
                         c + ImVec2(s * 0.12f, -s * 0.34f), c + ImVec2(s * 0.12f, top)};
  pen.draw->AddPolyline(lid, 4, pen.color, 0, pen.t);
  const ImVec2 can[4] = {c + ImVec2(-w, top), c + ImVec2(-w * 0.85f, bottom), c + ImVec2(w * 0.85f, bottom),
                         c + ImVec2(w, top)};
  pen.draw->AddPolyline(can, 4, pen.color, 0, pen.t);
}

void Copy(const Pen& pen, ImVec2 c, float s) {
  const float k = s * 0.2f;
  pen.draw->AddRect(c + ImVec2(-k * 0.6f, -k * 0.6f), c + ImVec2(k * 1.6f, k * 1.6f), pen.color, 2.5f, 0, pen.t);
  Polyline3(pen, c, ImVec2(-k * 1.6f, k * 0.6f), ImVec2(-k * 1.6f, -k * 1.6f), ImVec2(k * 0.6f, -k * 1.6f));
}

// A rounded box from `a` to `b` with a band line `s * 0.2` below its top (calendar, box).
void BandedBox(const Pen& pen, ImVec2 a, ImVec2 b, float s) {
  pen.draw->AddRect(a, b, pen.color, 3, 0, pen.t);
  pen.draw->AddLine(ImVec2(a.x, a.y + s * 0.2f), ImVec2(b.x, a.y + s * 0.2f), pen.color, pen.t);
}

void Calendar(const Pen& pen, ImVec2 c, float s) {
  BandedBox(pen, c + ImVec2(-s * 0.34f, -s * 0.26f), c + ImVec2(s * 0.34f, s * 0.36f), s);
  pen.draw->AddLine(c + ImVec2(-s * 0.16f, -s * 0.38f), c + ImVec2(-s * 0.16f, -s * 0.16f), pen.color, pen.t);
  pen.draw->AddLine(c + ImVec2(s * 0.16f, -s * 0.38f), c + ImVec2(s * 0.16f, -s * 0.16f), pen.color, pen.t);
}

void Box(const Pen& pen, ImVec2 c, float s) {
  BandedBox(pen, c + ImVec2(-s * 0.34f, -s * 0.3f), c + ImVec2(s * 0.34f, s * 0.34f), s);
  pen.draw->AddLine(c + ImVec2(-s * 0.1f, -s * 0.0f), c + ImVec2(s * 0.1f, 0), pen.color, pen.t);
}

void Warning(const Pen& pen, ImVec2 c, float s) {
  const float r = s * 0.42f;
  pen.draw->AddCircle(c, r, pen.color, 24, pen.t * 0.9f);
  pen.draw->AddLine(c + ImVec2(0, -r * 0.5f), c + ImVec2(0, r * 0.12f), pen.color, pen.t);
  pen.draw->AddCircleFilled(c + ImVec2(0, r * 0.48f), pen.t * 0.62f, pen.color, 8);
}

void Globe(const Pen& pen, ImVec2 c, float s) {
  const float r = s * 0.38f;
  pen.draw->AddCircle(c, r, pen.color, 28, pen.t);
  pen.draw->AddLine(c + ImVec2(-r, 0), c + ImVec2(r, 0), pen.color, pen.t);
  for (const float side : {1.0f, -1.0f}) {  // the meridians, right then left
    pen.draw->AddBezierCubic(c + ImVec2(0, -r), c + ImVec2(side * r * 0.6f, -r * 0.5f),
                             c + ImVec2(side * r * 0.6f, r * 0.5f), c + ImVec2(0, r), pen.color, pen.t, 12);
  }
}

void Key(const Pen& pen, ImVec2 c, float s) {
  const ImVec2 ring = c + ImVec2(-s * 0.2f, 0);
  pen.draw->AddCircle(ring, s * 0.17f, pen.color, 24, pen.t);
  const float x0 = ring.x + s * 0.17f, x1 = c.x + s * 0.38f;
  pen.draw->AddLine(ImVec2(x0, c.y), ImVec2(x1, c.y), pen.color, pen.t);
  pen.draw->AddLine(ImVec2(x1 - pen.t * 0.5f, c.y), ImVec2(x1 - pen.t * 0.5f, c.y + s * 0.16f), pen.color, pen.t);
  pen.draw->AddLine(ImVec2(x1 - s * 0.16f, c.y), ImVec2(x1 - s * 0.16f, c.y + s * 0.12f), pen.color, pen.t);
}

void Plus(const Pen& pen, ImVec2 c, float s) {
  pen.draw->AddLine(c - ImVec2(s * 0.3f, 0), c + ImVec2(s * 0.3f, 0), pen.color, pen.t);
  pen.draw->AddLine(c - ImVec2(0, s * 0.3f), c + ImVec2(0, s * 0.3f), pen.color, pen.t);
}

void SignOut(const Pen& pen, ImVec2 c, float s) {
  const ImVec2 door[4] = {c + ImVec2(-s * 0.02f, -s * 0.34f), c + ImVec2(-s * 0.36f, -s * 0.34f),
                          c + ImVec2(-s * 0.36f, s * 0.34f), c + ImVec2(-s * 0.02f, s * 0.34f)};
  pen.draw->AddPolyline(door, 4, pen.color, 0, pen.t);
  pen.draw->AddLine(c + ImVec2(-s * 0.12f, 0), c + ImVec2(s * 0.38f, 0), pen.color, pen.t);
  pen.draw->AddLine(c + ImVec2(s * 0.38f, 0), c + ImVec2(s * 0.22f, -s * 0.16f), pen.color, pen.t);
  pen.draw->AddLine(c + ImVec2(s * 0.38f, 0), c + ImVec2(s * 0.22f, s * 0.16f), pen.color, pen.t);
}

}  // namespace icons
}  // namespace

void DrawIcon(ImDrawList* draw, Icon icon, ImVec2 c, float s, ImU32 color) {
  const Pen pen{draw, color, std::max(1.5f, s * 0.095f)};  // the stroke grows with the icon
  switch (icon) {
    case Icon::Search: return icons::Search(pen, c, s);
    case Icon::Refresh: return icons::Refresh(pen, c, s);
    case Icon::Sun: return icons::Sun(pen, c, s);
    case Icon::Moon: return icons::Moon(pen, c, s);
    case Icon::ChevronDown: return icons::ChevronDown(pen, c, s);
    case Icon::ChevronRight: return icons::ChevronRight(pen, c, s);
    case Icon::ChevronLeft: return icons::ChevronLeft(pen, c, s);
    case Icon::Check: return icons::Check(pen, c, s);
    case Icon::Key: return icons::Key(pen, c, s);
    case Icon::Plus: return icons::Plus(pen, c, s);
    case Icon::SignOut: return icons::SignOut(pen, c, s);
    case Icon::Dots: return icons::Dots(pen, c, s);
    case Icon::Close: return icons::Close(pen, c, s);
    case Icon::Trash: return icons::Trash(pen, c, s);
    case Icon::Copy: return icons::Copy(pen, c, s);
    case Icon::Calendar: return icons::Calendar(pen, c, s);
    case Icon::Warning: return icons::Warning(pen, c, s);
    case Icon::Globe: return icons::Globe(pen, c, s);
    case Icon::Box: return icons::Box(pen, c, s);
  }
}

bool IconButton(const char* id, Icon icon, float size, const char* tooltip, const char* name) {
  const theme::Palette& p = theme::Current();
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const bool clicked = ImGui::InvisibleButton(id, ImVec2(size, size));
  focus::TabStop();
  semantics::Item(semantics::Role::Button, name ? std::string_view(name) : tooltip ? std::string_view(tooltip) : Words(id), {},
                  DisabledFlag());
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  if (hovered || ImGui::IsItemActive()) {
    draw->AddRectFilled(pos, pos + ImVec2(size, size), theme::U32(p.surface_muted), 6);
  }
  DrawIcon(draw, icon, pos + ImVec2(size, size) * 0.5f, size * 0.55f,
           theme::U32(hovered ? p.text : p.text_muted));
  HandCursorIfHovered();
  if (tooltip) Tooltip(tooltip);
  return clicked;
}

bool RefreshButton(ImVec2 pos, bool loading, const char* tooltip) {
  if (loading) {  // in the button's middle
    ImGui::SetCursorScreenPos(ImVec2(pos.x + 9, pos.y + 9));
    Spinner(9, theme::Current().text_muted);
    return false;
  }
  ImGui::SetCursorScreenPos(pos);
  return IconButton("##refresh", Icon::Refresh, 36, tooltip);
}

bool IconLabelButton(const char* label, Icon icon, ButtonKind kind, ImVec2 size) {
  const theme::Palette& p = theme::Current();
  ImGui::PushFont(theme::GetFonts().strong);
  const float text_width = ImGui::CalcTextSize(label, nullptr, true).x;
  ImGui::PopFont();
  if (size.x <= 0) size.x = std::floor(12 + 16 + 8 + text_width + 14);
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  // The label moves right to make room for the icon: padding on the left only.
  ImGui::PushStyleVar(ImGuiStyleVar_ButtonTextAlign, ImVec2(0, 0.5f));
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(12 + 16 + 8, ImGui::GetStyle().FramePadding.y));
  const bool clicked = Button(label, kind, size);
  ImGui::PopStyleVar(2);
  const ImVec4 color = kind == ButtonKind::Primary || kind == ButtonKind::Danger ? p.on_primary
                       : kind == ButtonKind::Ghost                              ? p.text_muted
                                                                                : p.text;
  const float h = ImGui::GetItemRectSize().y;
  DrawIcon(ImGui::GetWindowDrawList(), icon, ImVec2(pos.x + 12 + 8, pos.y + h * 0.5f), 16,
           theme::U32(ImGui::GetStyle().Alpha < 1 ? theme::Alpha(color, 0.6f) : color));
  return clicked;
}

bool CopyButton(bool copied, ButtonKind kind, ImVec2 size, const char* test_name) {
  const char* words = copied ? "Copied" : "Copy";
  // One item under either label (###copy): the id does not follow the words.
  const bool clicked =
      IconLabelButton((std::string(words) + "###copy").c_str(), copied ? Icon::Check : Icon::Copy, kind, size);
  test_hook::MarkLastItem(test_name, words);
  return clicked;
}

void Logo(float size) {
  const theme::Palette& p = theme::Current();
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(size, size));
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(pos, pos + ImVec2(size, size), theme::U32(p.primary), size * 0.28f);
  DrawIcon(draw, Icon::Key, pos + ImVec2(size, size) * 0.5f, size * 0.7f, theme::U32(p.on_primary));
}

}  // namespace console::ui
