// The modal named by state.dialog. When the state names another dialog than the one drawn last
// frame (an answer opened the secret, a drawer's button opened the editor), the old popup is
// closed first so the new one opens in its place.
#include "imgui.h"
#include "imgui_internal.h"
#include "test_hook.h"
#include "views/views.h"
#include "widget_names.h"

namespace console {
namespace {

// What the test hook calls each dialog, and what draws it.
struct DialogView {
  const char* name;
  void (*draw)(State&);
};

DialogView ViewOf(Dialog dialog) {
  switch (dialog) {
    case Dialog::None: return {names::kDialogNone, nullptr};
    case Dialog::GenerateToken: return {names::kDialogGenerate, DrawEditorDialog};
    case Dialog::EditToken: return {names::kDialogEdit, DrawEditorDialog};
    case Dialog::ShowToken: return {names::kDialogCreated, DrawCreatedDialog};
    case Dialog::ConfirmDelete: return {names::kDialogConfirmDelete, DrawDeleteDialog};
    case Dialog::TokenDetails: return {names::kDialogDetails, DrawDetailsDrawer};
    case Dialog::RotateToken: return {names::kDialogRotate, DrawRotateDialog};
    case Dialog::EditConnection: return {names::kDialogConnection, DrawConnectionEditor};
    case Dialog::ConfirmDeleteConnection: return {names::kDialogConfirmDeleteConnection, DrawConnectionDeleteDialog};
  }
  return {names::kDialogNone, nullptr};
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
  if (const DialogView view = ViewOf(state.dialog); view.draw) view.draw(state);
  // A dialog may have closed itself this frame.
  if (state.dialog == Dialog::None) drawn = Dialog::None;
  test_hook::Status(names::kStatusDialog, ViewOf(state.dialog).name);
}

}  // namespace console
