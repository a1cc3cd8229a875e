// Deleting a token, confirmed: the dialog names the token; Delete is pending until the server
// answers; a refusal is shown in the dialog, in the server's words.
#include <cmath>

#include "client.h"
#include "dialog.h"
#include "imgui.h"
#include "test_hook.h"
#include "theme.h"
#include "views/views.h"
#include "widget_names.h"
#include "widgets.h"

namespace console {
namespace {

constexpr float kWidth = 480;

void Close(State& state) {
  const bool back = state.action.origin == ActionOrigin::Details;
  state.action = TokenAction{};
  state.dialog = back ? Dialog::TokenDetails : Dialog::None;
  ui::CloseDialog();
}

}  // namespace

void DrawDeleteDialog(State& state) {
  const theme::Palette& p = theme::Current();
  TokenAction& action = state.action;
  if (!ui::BeginDialog("##confirm-delete", kWidth)) return;
  const bool dismissed = ui::DialogHeader("Delete access token", "", names::kConfirmClose);
  ui::BeginDialogBody();
  const float width = ui::DialogContentWidth();
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  ui::Text("Delete \xE2\x80\x9C" + action.label + "\xE2\x80\x9D?", p.text, theme::GetFonts().strong);
  test_hook::MarkLastItem(names::kConfirmName, action.label);
  ui::Text("It stops working at once: jobs that sign in with it will fail. Deleting cannot be undone; "
           "to pause a token instead, deactivate it.",
           p.text_muted);
  ImGui::PopTextWrapPos();
  if (!action.error.empty()) {
    ImGui::Dummy(ImVec2(0, 4));
    ui::Banner(action.error, p.danger, width);
    test_hook::ErrorShown(names::kConfirmError, action.error);
  }
  ui::EndDialogBody();

  ui::BeginDialogFooter();
  const char* label = action.pending ? "Deleting\xE2\x80\xA6" : "Delete token";
  ui::RightButtonX(136);
  const ImVec2 button = ImGui::GetCursorScreenPos();
  ImGui::BeginDisabled(action.pending);
  const bool confirmed = ui::Button(label, ui::ButtonKind::Danger, ImVec2(136, 36));
  ImGui::EndDisabled();
  test_hook::MarkLastItem(names::kConfirmDelete);
  if (action.pending) {
    ImGui::SetCursorScreenPos(ImVec2(button.x + 12, button.y + 9));
    ui::Spinner(9, p.on_primary);
  }
  ui::RightButtonX(96);
  const bool cancelled = ui::Button("Cancel", ui::ButtonKind::Secondary, ImVec2(96, 36));
  test_hook::MarkLastItem(names::kConfirmCancel);
  ui::EndDialogFooter();

  if ((confirmed || ui::DialogEnterPressed()) && !action.pending) {
    DeleteToken(state);
  } else if (dismissed || cancelled || ui::DialogEscapePressed()) {
    Close(state);
  }
  ui::EndDialog();
}

}  // namespace console
