// The mouse, pen and touch, from the browser's pointer events.
//
// Emscripten's GLFW turns a `touchstart` into a mouse press before it knows where the finger is
// (it reads a field only SDL sets), so on a phone each tap pressed where the previous one landed.
// And Dear ImGui 1.86 reads the pointer as a state once a frame, so a press and release between
// two frames, or a press at a new place, can be seen in the wrong order. Here pointer events
// wait in a queue and are handed over a frame at a time: a move first, a press in a later frame
// than the move before it, and each button changes at most once a frame. So a press always lands
// where the pointer is, and a quick click is never lost.
//
// Touch acts as a finger does on any page:
//   - a tap (down and up within kDragSlop CSS pixels, before kLongPress) presses where it lands;
//   - a drag beyond kDragSlop scrolls what is under the finger, and presses nothing;
//   - a press held kLongPress in place is a right-click there (what a desktop's right button
//     does), and the lift after it presses nothing.
// After a tap the pointer leaves the page, so nothing stays hovered under a lifted finger.
#pragma once

namespace console::pointer {

inline constexpr double kDragSlop = 8;      // CSS pixels
inline constexpr int kLongPressMs = 500;

// Once, after GLFW's window exists: listens to pointer events on the page, and stops GLFW's
// mouse-button callback (Dear ImGui's backend would otherwise add its own presses).
void Install();

// Right after ImGui_ImplGlfw_NewFrame() (which writes io.MousePos and io.MouseDown from GLFW):
// writes them from the queue instead, in CSS pixels, and adds a finger's drag to the wheel.
void AfterBackendNewFrame();

// Whether events wait for a later frame.
bool HasPending();

}  // namespace console::pointer
