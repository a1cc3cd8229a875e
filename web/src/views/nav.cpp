#define IMGUI_DEFINE_MATH_OPERATORS
#include "client.h"
#include "focus.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "route.h"
#include "semantics.h"
#include "test_hook.h"
#include "theme.h"
#include "views/views.h"
#include "widget_names.h"
#include "widgets.h"

namespace console {

void DrawViewTabs(State& state, float left) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  struct Tab {
    const char* label;
    const char* name;
    View view;
  };
  static const Tab kTabs[] = {{"Access tokens", names::kNavTokens, View::Tokens},
                              {"Activity", names::kNavActivity, View::Activity},
                              {"Token policy", names::kNavPolicy, View::Policy},
                              {"CI sign-in", names::kNavCiSignIn, View::CiSignIn}};
  // The policy and CI sign-in are for those who manage the organization's tokens (the server
  // says so).
  const Organization* org = SelectedOrganization(state);
  const bool manages = org && org->can_manage_tokens;
  const float top = ImGui::GetCursorScreenPos().y;
  float x = left;
  ImDrawList* draw = ImGui::GetWindowDrawList();
  ImGui::PushFont(fonts.strong);
  semantics::BeginGroup(semantics::Group::Navigation, "Views");
  for (const Tab& tab : kTabs) {
    if ((tab.view == View::Policy || tab.view == View::CiSignIn) && !manages && state.view != tab.view) continue;
    const ImVec2 size = ImGui::CalcTextSize(tab.label);
    ImGui::SetCursorScreenPos(ImVec2(x, top));
    ImGui::PushID(tab.name);
    const bool clicked = ImGui::InvisibleButton("##tab", ImVec2(size.x + 4, size.y + 14));
    focus::TabStop();
    // A link to the view's URL: a new tab, or a link copied, opens the view.
    {
      Route route;
      route.org = state.selected_org;
      route.view = tab.view;
      semantics::Item(semantics::Role::Link, tab.label, FormatRoute(route),
                      state.view == tab.view ? semantics::kSelected : 0u);
    }
    ImGui::PopID();
    const bool hovered = ImGui::IsItemHovered();
    if (hovered) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
    test_hook::MarkLastItem(tab.name);
    const bool selected = state.view == tab.view;
    draw->AddText(ImVec2(x + 2, top + 2), theme::U32(selected || hovered ? p.text : p.text_muted), tab.label);
    if (selected) {
      draw->AddRectFilled(ImVec2(x, top + size.y + 10), ImVec2(x + size.x + 4, top + size.y + 12),
                          theme::U32(p.primary), 1);
    }
    if (clicked && !selected) {
      state.view = tab.view;
      if (tab.view == View::Activity) {
        LoadAuditLog(state);
        LoadOrgUsage(state);
      }
      if (tab.view == View::Tokens) {
        LoadTokens(state);
        LoadTokenPolicy(state);
      }
      if (tab.view == View::Policy) LoadTokenPolicy(state);
      if (tab.view == View::CiSignIn) {
        LoadOidcConnections(state);
        if (!state.repositories.loaded && !state.repositories.loading) LoadRepositories(state);
      }
    }
    x += size.x + (theme::Narrow() ? 16 : 28);
  }
  semantics::EndGroup();
  ImGui::PopFont();
  ImGui::SetCursorScreenPos(ImVec2(left, top + ImGui::GetTextLineHeight() + 28));
}

}  // namespace console
