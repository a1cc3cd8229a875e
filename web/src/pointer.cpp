#include "pointer.h"

#include <GLFW/glfw3.h>
#include <emscripten.h>

#include <cfloat>
#include <cmath>

#include "imgui.h"

// clang-format off
EM_JS(void, oat_pointer_install, (double slop, int long_press_ms), {
  // queue: {t: "move", x, y} (CSS pixels from the canvas's corner), {t: "down"|"up", b} (Dear
  // ImGui's buttons: 0 left, 1 right, 2 middle), {t: "leave"}.
  var P = Module.oatPointer = { queue: [], x: -1, y: -1, inside: false, buttons: 0, dragX: 0, dragY: 0, touch: null };
  var canvas = Module.canvas;
  var imguiButton = [0, 2, 1];  // the DOM's 0 left, 1 middle, 2 right
  // Events on the canvas, or on what lies over it for the console (the page's elements that
  // stand for the console's widgets: they carry data-oat-pointer). page.cpp asks the same.
  var ours = P.ours = function(target) {
    return target === canvas || (target && target.closest && target.closest("[data-oat-pointer]") !== null);
  };
  // The canvas's box in CSS pixels, read again only after it may have changed: reading it makes
  // the browser lay out the page first, and each frame changes the elements over the canvas
  // (semantics.cpp), so a read each frame or event would lay the page out each time.
  var box = null;
  var stale = function() { box = null; };
  if (typeof ResizeObserver === "function") new ResizeObserver(stale).observe(canvas);
  window.addEventListener("resize", stale);
  window.addEventListener("scroll", stale, true);
  P.box = function() {
    if (!box) {
      var r = canvas.getBoundingClientRect();
      box = { left: r.left, top: r.top, width: r.width, height: r.height };
    }
    return box;
  };
  var at = function(e) {
    var b = P.box();
    return { t: "move", x: e.clientX - b.left, y: e.clientY - b.top };
  };
  var push = function(e) {
    var last = P.queue.length ? P.queue[P.queue.length - 1] : null;
    if (e.t === "move" && last && last.t === "move") P.queue[P.queue.length - 1] = e;  // only the latest
    else P.queue.push(e);
    if (Module.oatPage) Module.oatPage.activity = true;
  };
  // The cursor the console asks for (page.cpp) shows on the canvas and on the one element over it
  // that the pointer is on, set there alone: a change of an inherited property on the elements'
  // root would restyle every one of them (about a thousand with 100 tokens) at each change.
  P.cursor = "default";
  P.over = null;
  P.setCursor = function(c) {
    P.cursor = c;
    canvas.style.cursor = c;
    if (P.over) P.over.style.cursor = c;
  };
  var hover = function(e) {
    var el = e.target !== canvas && ours(e.target) ? e.target : null;
    if (el === P.over) return;
    if (P.over) P.over.style.cursor = "";
    P.over = el;
    if (el) el.style.cursor = P.cursor;
  };
  // Also when an element comes under a pointer that did not move (a scroll): the browser then
  // sends mouseover, not pointermove.
  window.addEventListener("pointerover", hover, true);
  window.addEventListener("mouseover", hover, true);
  var endTouch = function() {
    if (P.touch && P.touch.timer) clearTimeout(P.touch.timer);
    P.touch = null;
  };
  window.addEventListener("pointerdown", function(e) {
    if (!ours(e.target)) return;
    if (e.pointerType === "touch") {
      if (P.touch) return;  // one finger at a time
      var start = at(e);
      P.touch = { id: e.pointerId, x0: start.x, y0: start.y, x: start.x, y: start.y, dragging: false, long: false };
      var touch = P.touch;
      touch.timer = setTimeout(function() {
        if (P.touch !== touch || touch.dragging) return;
        touch.long = true;
        push({ t: "move", x: touch.x0, y: touch.y0 });
        push({ t: "down", b: 1 });
        push({ t: "up", b: 1 });
      }, long_press_ms);
      push(start);
      return;
    }
    push(at(e));
    push({ t: "down", b: imguiButton[e.button] !== undefined ? imguiButton[e.button] : e.button });
  }, true);
  window.addEventListener("pointermove", function(e) {
    if (e.pointerType === "touch") {
      var touch = P.touch;
      if (!touch || touch.id !== e.pointerId) return;
      var now = at(e);
      if (!touch.dragging && Math.hypot(now.x - touch.x0, now.y - touch.y0) > slop) {
        touch.dragging = true;
        if (touch.timer) clearTimeout(touch.timer);
      }
      if (touch.dragging) {
        P.dragX += now.x - touch.x;
        P.dragY += now.y - touch.y;
        if (Module.oatPage) Module.oatPage.activity = true;
      }
      touch.x = now.x;
      touch.y = now.y;
      return;
    }
    if (ours(e.target) || P.buttons !== 0) push(at(e));
  }, true);
  var up = function(e) {
    if (e.pointerType === "touch") {
      var touch = P.touch;
      if (!touch || touch.id !== e.pointerId) return;
      var tap = e.type === "pointerup" && !touch.dragging && !touch.long;
      endTouch();
      if (tap) {
        push({ t: "move", x: touch.x0, y: touch.y0 });
        push({ t: "down", b: 0 });
        push({ t: "up", b: 0 });
      }
      push({ t: "leave" });
      return;
    }
    push(at(e));
    if (e.type === "pointercancel") {
      for (var b = 0; b < 3; ++b) push({ t: "up", b: b });
    } else {
      push({ t: "up", b: imguiButton[e.button] !== undefined ? imguiButton[e.button] : e.button });
    }
  };
  window.addEventListener("pointerup", up, true);
  window.addEventListener("pointercancel", up, true);
  // The mouse left the page (not while a button is held: the page still gets that drag).
  document.addEventListener("mouseout", function(e) {
    if (!e.relatedTarget && P.buttons === 0) push({ t: "leave" });
  }, true);
});

// One frame's share of the queue: moves until a button changes; a press or release only in a
// frame whose position did not move, and each button once. Returns what the frame sees.
EM_JS(int, oat_pointer_step, (float* x, float* y, float* drag_x, float* drag_y), {
  var P = Module.oatPointer;
  var moved = false, changed = 0;
  while (P.queue.length) {
    var e = P.queue[0];
    if (e.t === "move" || e.t === "leave") {
      if (changed) break;
      P.inside = e.t === "move";
      if (P.inside) { P.x = e.x; P.y = e.y; }
      moved = true;
    } else {
      var bit = 1 << e.b;
      if (moved || (changed & bit)) break;
      if (e.t === "down") P.buttons |= bit; else P.buttons &= ~bit;
      changed |= bit;
    }
    P.queue.shift();
  }
  HEAPF32[x >> 2] = P.x;
  HEAPF32[y >> 2] = P.y;
  HEAPF32[drag_x >> 2] = P.dragX;
  HEAPF32[drag_y >> 2] = P.dragY;
  P.dragX = 0;
  P.dragY = 0;
  return (P.inside ? 1 : 0) | (P.buttons << 1);
});

EM_JS(int, oat_pointer_pending, (), {
  return Module.oatPointer.queue.length > 0 ? 1 : 0;
});
// clang-format on

namespace console::pointer {

void Install() {
  if (GLFWwindow* window = glfwGetCurrentContext()) glfwSetMouseButtonCallback(window, nullptr);
  oat_pointer_install(kDragSlop, kLongPressMs);
}

void AfterBackendNewFrame() {
  float x = 0, y = 0, drag_x = 0, drag_y = 0;
  const int state = oat_pointer_step(&x, &y, &drag_x, &drag_y);
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = (state & 1) ? ImVec2(x, y) : ImVec2(-FLT_MAX, -FLT_MAX);
  for (int button = 0; button < IM_ARRAYSIZE(io.MouseDown); ++button)
    io.MouseDown[button] = button < 3 && ((state >> (1 + button)) & 1) != 0;
  // A finger's drag moves the content with it: one wheel step is what Dear ImGui 1.86 scrolls
  // for a notch (five lines of the current font).
  if (drag_x != 0 || drag_y != 0) {
    const float step = std::floor(5 * ImGui::GetFontSize());
    if (step > 0) {
      io.MouseWheel += drag_y / step;
      io.MouseWheelH += drag_x / step;
    }
  }
}

bool HasPending() { return oat_pointer_pending() != 0; }

}  // namespace console::pointer
