// The toast: a short note at the bottom of the window after a change ("Deleted “CI”."),
// gone after a few seconds.
#define IMGUI_DEFINE_MATH_OPERATORS
#include <algorithm>
#include <cmath>

#include "imgui.h"
#include "imgui_internal.h"
#include "redraw.h"
#include "test_hook.h"
#include "theme.h"
#include "views/views.h"
#include "widget_names.h"
#include "widgets.h"

namespace console {

void DrawToast(State& state) {
  Toast& toast = state.toast;
  if (toast.text.empty()) return;
  if (state.clock >= toast.until) {
    toast = Toast{};
    return;
  }
  redraw::At(toast.until);
  const double left = toast.until - state.clock;
  if (left < 0.3) redraw::Animate();  // fading out
  const float alpha = static_cast<float>(std::clamp(left / 0.3, 0.0, 1.0));
  const theme::Palette& p = theme::Current();
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImDrawList* draw = ImGui::GetForegroundDrawList();
  const ImVec2 text = ImGui::CalcTextSize(toast.text.c_str());
  const ImVec2 size(std::floor(text.x + 24 + 28), 44);
  const ImVec2 a(std::floor(viewport->Pos.x + (viewport->Size.x - size.x) * 0.5f),
                 viewport->Pos.y + viewport->Size.y - size.y - 28);
  const ImVec4 bg = state.theme == Theme::Dark ? theme::Mix(p.surface_muted, p.border, 0.5f) : p.text;
  const ImVec4 fg = state.theme == Theme::Dark ? p.text : p.surface;
  draw->AddRectFilled(a + ImVec2(0, 3), a + size + ImVec2(0, 5), theme::U32(ImVec4(0, 0, 0, 0.25f * alpha)), 12);
  draw->AddRectFilled(a, a + size, theme::U32(theme::Alpha(bg, alpha)), 10);
  ui::DrawIcon(draw, ui::Icon::Check, a + ImVec2(22, size.y * 0.5f), 16, theme::U32(theme::Alpha(p.success, alpha)));
  draw->AddText(ImVec2(a.x + 38, std::floor(a.y + (size.y - text.y) * 0.5f)), theme::U32(theme::Alpha(fg, alpha)),
                toast.text.c_str());
  test_hook::Mark(names::kToast, a, a + size);
  test_hook::Status(names::kToast, toast.text);
}

}  // namespace console
