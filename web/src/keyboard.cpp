#include "keyboard.h"

#include <GLFW/glfw3.h>

#include <bitset>
#include <deque>

#include "imgui_impl_glfw.h"

namespace console::keyboard {
namespace {

struct Event {
  bool is_char = false;
  unsigned codepoint = 0;  // characters
  int key = 0, scancode = 0, action = 0, mods = 0;
};

GLFWwindow* g_window = nullptr;
std::deque<Event> g_queue;

void OnKey(GLFWwindow*, int key, int scancode, int action, int mods) {
  g_queue.push_back({false, 0, key, scancode, action, mods});
}

void OnChar(GLFWwindow*, unsigned codepoint) { g_queue.push_back({true, codepoint, 0, 0, 0, 0}); }

}  // namespace

void Install(GLFWwindow* window) {
  g_window = window;
  glfwSetKeyCallback(window, OnKey);
  glfwSetCharCallback(window, OnChar);
}

bool HasPending() { return !g_queue.empty(); }

void BeforeNewFrame() {
  std::bitset<GLFW_KEY_LAST + 1> changed;
  while (!g_queue.empty()) {
    const Event& e = g_queue.front();
    if (e.is_char) {
      ImGui_ImplGlfw_CharCallback(g_window, e.codepoint);
    } else {
      const bool tracked = e.key >= 0 && e.key <= GLFW_KEY_LAST && e.action != GLFW_REPEAT;
      if (tracked) {
        if (changed.test(static_cast<std::size_t>(e.key))) break;  // the next frame's
        changed.set(static_cast<std::size_t>(e.key));
      }
      ImGui_ImplGlfw_KeyCallback(g_window, e.key, e.scancode, e.action, e.mods);
    }
    g_queue.pop_front();
  }
}

}  // namespace console::keyboard
