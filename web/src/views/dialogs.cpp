#include "views/views.h"

namespace console {

// Each dialog will be a file of its own (generate_dialog.cpp, token_dialog.cpp, ...) drawing a
// modal popup and closing it by setting state.dialog back to Dialog::None.
void DrawDialogs(State& state) {
  switch (state.dialog) {
    case Dialog::None:
      break;
    case Dialog::GenerateToken:
    case Dialog::ShowToken:
    case Dialog::EditToken:
    case Dialog::ConfirmDelete:
      state.dialog = Dialog::None;  // not built yet
      break;
  }
}

}  // namespace console
