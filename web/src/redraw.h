// When the console draws: only when something may have changed. An idle frame (no input, no
// answer, no animation, no timer due) skips Dear ImGui and WebGL altogether and the canvas keeps
// its last picture, so an open tab costs next to nothing. Views that animate (a spinner) or wait
// for a moment (a toast, "Copied") say so here, and ask here whether anything may move at all.
#pragma once

namespace console::redraw {

// Draw the next frame too: something on screen is moving.
void Animate();
// Draw a frame once the monotonic clock (seconds, State::clock) reaches `clock`.
void At(double clock);

// For the frame loop: whether a view asked for a frame now (and forgets the request).
bool Due(double clock);

// prefers-reduced-motion: reduce, set by the frame loop each frame. Then nothing on screen moves
// by itself: a spinner stands still (the words beside it say what is under way), the toast and
// a dialog's dimming come and go at once, the caret does not blink.
void SetReducedMotion(bool reduced);
bool ReducedMotion();

}  // namespace console::redraw
