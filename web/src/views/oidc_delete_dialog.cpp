// Deleting an OIDC connection, confirmed: the dialog names it and says what stops; Delete is
// pending until the server answers; a refusal is shown in the dialog, in the server's words.
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

constexpr float kWidth = 500;

void Close(State& state) {
  state.connection_action = ConnectionAction{};
  state.dialog = Dialog::None;
  ui::CloseDialog();
}

}  // namespace

void DrawConnectionDeleteDialog(State& state) {
  const theme::Palette& p = theme::Current();
  ConnectionAction& action = state.connection_action;
  if (!ui::BeginDialog("##confirm-delete-connection", kWidth)) return;
  const bool dismissed = ui::DialogHeader("Delete connection", "", names::kOidcConfirmClose);
  ui::BeginDialogBody();
  const float width = ui::DialogContentWidth();
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  ui::Text("Delete \xE2\x80\x9C" + action.name + "\xE2\x80\x9D?", p.text, theme::GetFonts().strong);
  test_hook::MarkLastItem(names::kOidcConfirmName, action.name);
  ui::Text("CI jobs that sign in through it are refused at once, and the access tokens it issued stop working. "
           "Its refused exchanges are forgotten. Deleting cannot be undone; to pause it instead, deactivate it.",
           p.text_muted);
  ImGui::PopTextWrapPos();
  if (!action.error.empty()) {
    ImGui::Dummy(ImVec2(0, 4));
    ui::Banner(action.error, p.danger, width);
    test_hook::ErrorShown(names::kOidcConfirmError, action.error);
  }
  ui::EndDialogBody();

  ui::BeginDialogFooter();
  ui::RightButtonX(164);
  const ImVec2 button = ImGui::GetCursorScreenPos();
  ImGui::BeginDisabled(action.pending);
  const bool confirmed = ui::Button(action.pending ? "Deleting\xE2\x80\xA6" : "Delete connection", ui::ButtonKind::Danger,
                                    ImVec2(164, 36));
  ImGui::EndDisabled();
  test_hook::MarkLastItem(names::kOidcConfirmDelete);
  if (action.pending) {
    ImGui::SetCursorScreenPos(ImVec2(button.x + 12, button.y + 9));
    ui::Spinner(9, p.on_primary);
  }
  ui::RightButtonX(96);
  const bool cancelled = ui::Button("Cancel", ui::ButtonKind::Secondary, ImVec2(96, 36));
  test_hook::MarkLastItem(names::kOidcConfirmCancel);
  ui::EndDialogFooter();

  if ((confirmed || ui::DialogEnterPressed()) && !action.pending) {
    DeleteConnection(state);
  } else if (!action.pending && (dismissed || cancelled || ui::DialogEscapePressed())) {
    Close(state);
  }
  ui::EndDialog();
}

}  // namespace console
