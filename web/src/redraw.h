// When the console draws: only when something may have changed. An idle frame (no input, no
// answer, no animation, no timer due) skips Dear ImGui and WebGL altogether and the canvas keeps
// its last picture, so an open tab costs next to nothing. Views that animate (a spinner) or wait
// for a moment (a toast, "Copied") say so here.
#pragma once

namespace console::redraw {

// Draw the next frame too: something on screen is moving.
void Animate();
// Draw a frame once the monotonic clock (seconds, State::clock) reaches `clock`.
void At(double clock);

// For the frame loop: whether a view asked for a frame now (and forgets the request).
bool Due(double clock);

}  // namespace console::redraw
