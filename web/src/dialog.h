// Modal dialogs and the side drawer, in the console's look: a card with a title bar (title, a
// line under it, a close button), a middle that scrolls when it outgrows the window, and a
// footer for the buttons. Dear ImGui's modal popups underneath: the page behind is dimmed and
// takes no input.
//
//   if (ui::BeginDialog("##generate", 720)) {
//     if (ui::DialogHeader("Generate token", "...", names::kGenerateClose)) close = true;
//     ui::BeginDialogBody();  ...fields...  ui::EndDialogBody();
//     ui::BeginDialogFooter(); ...buttons, right to left... ui::EndDialogFooter();
//     ui::EndDialog();
//   }
#pragma once

#include <string>

#include "imgui.h"

namespace console::ui {

// A centered modal of `width` (CSS pixels); opens it when it is not open yet. Returns false
// when it is not shown this frame (then do not call EndDialog).
bool BeginDialog(const char* id, float width);
// A panel on the right edge, the window's full height.
bool BeginDrawer(const char* id, float width);

// Title and subtitle (may be empty), and a close button published as `close_name`. Returns true
// when the close button was clicked.
bool DialogHeader(const std::string& title, const std::string& subtitle, const char* close_name);

// The scrolling middle. Its content's height is remembered, so the dialog is as tall as its
// content, up to the window's height.
void BeginDialogBody();
void EndDialogBody();
// The inner width of the body (for fields that span it).
float DialogContentWidth();

// The footer: a top border and room for one row of 36-pixel buttons. RightButtonX(w) gives the
// x for the next button of width w, placed from the right edge leftwards.
void BeginDialogFooter();
float RightButtonX(float width);
// What the footer's buttons (the sum of their widths, and how many) are to be narrowed by to fit
// its width (a phone's): 1 when they fit.
float FooterFit(float widths, int buttons);
void EndDialogFooter();

void EndDialog();
// Closes the dialog being drawn (call between BeginDialog and EndDialog).
void CloseDialog();

// Enter / Escape pressed this frame while the dialog itself (not a popup above it) has the
// keyboard.
bool DialogEnterPressed();
bool DialogEscapePressed();

}  // namespace console::ui
