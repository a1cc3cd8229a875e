// The toast: a short note at the bottom of the window after a change ("Deleted “CI”."), gone
// after a few seconds. It never covers a control; where it goes:
//  - Over a page: in the window's bottom band, at the right end of the page's column. The tokens
//    table's card and its footer end above that band (tokens_page.cpp), the footer's count is on
//    the left, and the policy form is narrower than the column. The activity page has its Load
//    buttons at the right end of its footer, so there the toast takes the left end.
//  - With a dialog or the drawer open, the page behind takes no input: the toast stays where it
//    would be if that leaves the dialog clear, else it moves beside the dialog in the same band
//    (right of it, else left of it: the drawer's case). Where the window leaves no room beside
//    it (the drawer in a narrow window, a tall dialog in a narrow one), the toast covers the
//    dialog's title: its header holds no other control than the close button, which the toast
//    leaves clear (the body has fields, the footer buttons).
// A text too long for the room is cut with an ellipsis.
#define IMGUI_DEFINE_MATH_OPERATORS
#include <algorithm>
#include <cmath>

#include "imgui.h"
#include "imgui_internal.h"
#include "redraw.h"
#include "test_hook.h"
#include "semantics.h"
#include "theme.h"
#include "views/views.h"
#include "widget_names.h"
#include "widgets.h"

namespace console {
namespace {

constexpr float kHeight = 44;
constexpr float kTextLeft = 38;           // after the check mark
constexpr float kPadRight = 14;
constexpr float kBottomMargin = 12;       // from the window's bottom edge
constexpr float kGap = 24;                // from a dialog's edges
constexpr float kCloseRoom = 64;          // a dialog header's close button is within 48 of its right edge

bool Overlaps(ImVec2 a, ImVec2 size, const ImRect& r) {
  return a.x < r.Max.x && r.Min.x < a.x + size.x && a.y < r.Max.y && r.Min.y < a.y + size.y;
}

// Where the toast of WANT (its text's room and padding) goes, and how wide it is: *width.
ImVec2 Place(const State& state, float want, float* width) {
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  const PageColumn column = PageColumnIn(viewport->Pos, viewport->Size);
  const float column_width = column.width;
  const float column_left = column.left;
  const float column_right = column_left + column_width;
  const float top = viewport->Pos.y + viewport->Size.y - kBottomMargin - kHeight;

  *width = std::min(want, column_width);
  const ImVec2 size(*width, kHeight);
  ImVec2 at(state.view == View::Activity ? column_left : column_right - *width, top);
  const ImGuiWindow* dialog = ImGui::GetTopMostPopupModal();
  if (!dialog) return at;
  const ImRect box(dialog->Pos - ImVec2(kGap, kGap), dialog->Pos + dialog->Size + ImVec2(kGap, kGap));
  if (!Overlaps(at, size, box)) return at;

  if (box.Max.x + *width <= viewport->Pos.x + viewport->Size.x - kGap) return ImVec2(box.Max.x, top);
  if (box.Min.x - *width >= viewport->Pos.x + kGap) return ImVec2(std::min(box.Min.x, column_right) - *width, top);

  // Over the dialog's header: it ends where its body (its child window, dialog.h) starts.
  float header_bottom = dialog->Pos.y + dialog->Size.y;
  for (const ImGuiWindow* child : dialog->DC.ChildWindows) header_bottom = std::min(header_bottom, child->Pos.y);
  *width = std::min(want, dialog->Size.x - kCloseRoom * 2);
  return ImVec2(std::floor(dialog->Pos.x + (dialog->Size.x - *width) * 0.5f),
                std::floor(dialog->Pos.y + (header_bottom - dialog->Pos.y - kHeight) * 0.5f));
}

}  // namespace

void DrawToast(State& state) {
  Toast& toast = state.toast;
  if (toast.text.empty()) return;
  semantics::Announce(toast.text);  // the live region says it
  if (state.clock >= toast.until) {
    toast = Toast{};
    return;
  }
  redraw::At(toast.until);
  // The last 0.3 s fade it out; with reduced motion it stays whole until it goes.
  const double left = toast.until - state.clock;
  const bool fading = left < 0.3 && !redraw::ReducedMotion();
  if (fading) redraw::Animate();
  const float alpha = fading ? static_cast<float>(std::clamp(left / 0.3, 0.0, 1.0)) : 1.0f;
  const theme::Palette& p = theme::Current();
  ImDrawList* draw = ImGui::GetForegroundDrawList();
  const char* begin = toast.text.c_str();
  const char* end = begin + toast.text.size();
  const ImVec2 text = ImGui::CalcTextSize(begin, end);
  float width = 0;
  const ImVec2 a = Place(state, std::floor(text.x + kTextLeft + kPadRight), &width);
  const ImVec2 size(width, kHeight);
  const ImVec4 bg = state.theme == Theme::Dark ? theme::Mix(p.surface_muted, p.border, 0.5f) : p.text;
  const ImVec4 fg = state.theme == Theme::Dark ? p.text : p.surface;
  draw->AddRectFilled(a + ImVec2(0, 3), a + size + ImVec2(0, 5), theme::U32(ImVec4(0, 0, 0, 0.25f * alpha)), 12);
  draw->AddRectFilled(a, a + size, theme::U32(theme::Alpha(bg, alpha)), 10);
  ui::DrawIcon(draw, ui::Icon::Check, a + ImVec2(22, size.y * 0.5f), 16, theme::U32(theme::Alpha(p.success, alpha)));
  const ImVec2 text_pos(a.x + kTextLeft, std::floor(a.y + (size.y - text.y) * 0.5f));
  const float text_right = a.x + width - kPadRight;
  ImGui::PushStyleColor(ImGuiCol_Text, theme::Alpha(fg, alpha));
  ImGui::RenderTextEllipsis(draw, text_pos, ImVec2(text_right, text_pos.y + text.y), text_right, text_right, begin,
                            end, &text);
  ImGui::PopStyleColor();
  test_hook::Mark(names::kToast, a, a + size);
  test_hook::Status(names::kToast, toast.text);
}

}  // namespace console
