// The modal named by state.dialog. When the state names another dialog than the one drawn last
// frame (an answer opened the secret, a drawer's button opened the editor), the old popup is
// closed first so the new one opens in its place.
#include "imgui.h"
#include "imgui_internal.h"
#include "test_hook.h"
#include "views/views.h"

namespace console {
namespace {

const char* Name(Dialog dialog) {
  switch (dialog) {
    case Dialog::None: return "";
    case Dialog::GenerateToken: return "generate";
    case Dialog::EditToken: return "edit";
    case Dialog::ShowToken: return "created";
    case Dialog::ConfirmDelete: return "confirm-delete";
    case Dialog::TokenDetails: return "details";
  }
  return "";
}

}  // namespace

void DrawDialogs(State& state) {
  static Dialog drawn = Dialog::None;
  if (state.dialog != drawn) {
    if (drawn != Dialog::None && ImGui::GetCurrentContext()->OpenPopupStack.Size > 0) {
      ImGui::ClosePopupToLevel(0, true);
    }
    drawn = state.dialog;
  }
  switch (state.dialog) {
    case Dialog::None:
      break;
    case Dialog::GenerateToken:
    case Dialog::EditToken:
      DrawEditorDialog(state);
      break;
    case Dialog::ShowToken:
      DrawCreatedDialog(state);
      break;
    case Dialog::ConfirmDelete:
      DrawDeleteDialog(state);
      break;
    case Dialog::TokenDetails:
      DrawDetailsDrawer(state);
      break;
  }
  // A dialog may have closed itself this frame.
  if (state.dialog == Dialog::None) drawn = Dialog::None;
  test_hook::Status("dialog", Name(state.dialog));
}

}  // namespace console
