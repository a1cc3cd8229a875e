#include <algorithm>
#include <cmath>

#include "imgui.h"
#include "theme.h"
#include "views/views.h"

namespace console {

PageColumn PageColumnIn(ImVec2 origin, ImVec2 size) {
  const float padding = size.x < theme::kNarrowWidth ? kNarrowPagePaddingX : kPagePaddingX;
  const float avail = size.x - padding * 2;
  PageColumn column;
  column.width = std::floor(std::min(kContentMaxWidth, avail));
  column.left = std::floor(origin.x + padding + (avail - column.width) * 0.5f);
  column.top = origin.y + kTopBarHeight + kPagePaddingTop;
  column.bottom = origin.y + size.y;
  return column;
}

PageColumn StartPageColumn() {
  const PageColumn column = PageColumnIn(ImGui::GetWindowPos(), ImGui::GetWindowSize());
  ImGui::SetCursorScreenPos(ImVec2(column.left, column.top));
  return column;
}

void DrawApp(State& state) {
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->Pos);
  ImGui::SetNextWindowSize(viewport->Size);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  constexpr ImGuiWindowFlags kRoot =
      ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
      ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoNavFocus;
  ImGui::Begin("##console", nullptr, kRoot);
  ImGui::PopStyleVar();

  if (!state.session.signed_in()) {
    DrawSignIn(state);
  } else {
    DrawTopBar(state);
    switch (state.view) {
      case View::Tokens:
        DrawTokensPage(state);
        break;
      case View::Activity:
        DrawActivityPage(state);
        break;
      case View::Policy:
        DrawPolicyPage(state);
        break;
      case View::CiSignIn:
        DrawCiSignInPage(state);
        break;
    }
  }
  ImGui::End();

  // Also when signed out: a dialog that was open when the session ended is closed there.
  DrawDialogs(state);
  if (state.session.signed_in()) DrawToast(state);
}

}  // namespace console
