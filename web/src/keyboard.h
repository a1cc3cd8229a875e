// Keyboard events in order, at most one change per key per frame.
//
// Dear ImGui 1.86's GLFW backend writes key state straight into io.KeysDown, so a key that goes
// down and up between two frames (a fast typist on a busy tab, a browser test's
// keyboard.press) is never seen, and two taps of a key in one frame count as one. Here key and
// character events wait in a queue; each frame takes events in order until one would change a
// key that already changed in this frame, and leaves the rest for the next frame.
#pragma once

struct GLFWwindow;

namespace console::keyboard {

// After ImGui_ImplGlfw_InitForOpenGL(window, true): takes over GLFW's key and character
// callbacks, and passes the events to Dear ImGui's from BeforeNewFrame().
void Install(GLFWwindow* window);

// Right before ImGui::NewFrame().
void BeforeNewFrame();

// Whether events wait for a later frame (a key that changed twice within one frame).
bool HasPending();

}  // namespace console::keyboard
