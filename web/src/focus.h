// Keyboard focus: Tab and Shift+Tab move through every control, not only the text fields.
//
// Dear ImGui 1.86 tabs between text fields only, and with keyboard navigation off (the console
// leaves it off: arrow keys belong to the fields and lists) nothing else can take the keyboard.
// Here each control says after it is drawn that it is a Tab stop. Tab moves to the next stop of
// the window that has the focus (a dialog, while one is open), in the order they were drawn on
// the previous frame, wrapping around; Shift+Tab moves back. A text field reached by Tab takes
// the keyboard with its text selected; any other control gets a focus ring, and Space or Enter
// presses it as a click would. A mouse click moves the focus to what was clicked and hides the
// ring until the next Tab.
#pragma once

#include "imgui.h"

struct ImGuiWindow;

namespace console::focus {

// Right after an interactive item (button, checkbox, segment, text field, row): makes it a Tab
// stop and draws the focus ring when it has the keyboard focus. Disabled items are skipped.
void TabStop(bool text_field = false);

// Right before ImGui::NewFrame(), after the keyboard events of the frame were handed over:
// handles Tab, Shift+Tab, and Space / Enter on a control with the focus ring.
void BeforeNewFrame();

// Whether Enter was taken this frame to press the control with the focus ring (a dialog then
// does not take it as "submit").
bool EnterTaken();

// The item with the keyboard: the text field being edited (in Dear ImGui, or in its element on
// the page: semantics.h), or the control with the focus ring. 0 when none.
ImGuiID Focused();

// The page's focus moved to a control's element (semantics.h): it gets the keyboard and the
// ring, as by Tab.
void Give(ImGuiID id, ImGuiWindow* window);
// A control's element was activated: pressed in the next frame, as by Space.
void Activate(ImGuiID id, ImGuiWindow* window);
// Scrolls the control into view (its window, and the windows around it) when it is next drawn:
// the one the page's focus went to, or the field typed in when an on-screen keyboard came up.
void BringIntoView(ImGuiID id);

}  // namespace console::focus
