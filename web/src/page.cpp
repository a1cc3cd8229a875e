#include "page.h"

#include <emscripten.h>
#include <emscripten/html5.h>

#include <cstdlib>

// Strings returned to C++ are malloc'ed copies; the callers below free them.

// clang-format off
EM_JS(void, oat_page_install, (), {
  var page = Module.oatPage = { pasted: "", hashChanged: false, wheelX: 0, wheelY: 0, activity: true };
  var touched = function() { page.activity = true; };
  ["mousemove", "mousedown", "mouseup", "mouseout", "wheel", "keydown", "keyup", "keypress",
   "touchstart", "touchmove", "touchend", "pointerdown", "pointerup", "pointermove", "paste",
   "resize", "focus", "blur", "hashchange", "visibilitychange"].forEach(function(type) {
    window.addEventListener(type, touched, { capture: true, passive: true });
  });
  window.addEventListener("paste", function(e) {
    if (e.clipboardData) page.pasted = e.clipboardData.getData("text/plain") || "";
  });
  // Back and Forward between the console's own entries (pushState) fire popstate, and
  // hashchange too when the hash differs; a hash typed fires hashchange.
  window.addEventListener("hashchange", function() { page.hashChanged = true; });
  window.addEventListener("popstate", function() { page.hashChanged = true; page.activity = true; });
  var canvas = Module.canvas;
  // GLFW in this emscripten passes raw, unsigned-flipped deltaY (pixels); normalize here:
  // one wheel notch (100 px, 3 lines) is one Dear ImGui step, and +y scrolls up.
  // On the canvas or on the elements over it (pointer.cpp, installed first, says which).
  var ours = Module.oatPointer.ours;
  window.addEventListener("wheel", function(e) {
    if (!ours(e.target)) return;
    e.preventDefault();
    var k = e.deltaMode === 1 ? 1 / 3 : (e.deltaMode === 2 ? 3 : 1 / 100);
    page.wheelX -= e.deltaX * k;
    page.wheelY -= e.deltaY * k;
  }, { passive: false });
  // The browser's own menu only over text, where it offers Copy (and Paste and spell-check in a
  // field); on the drawing, a right-click is the console's.
  window.addEventListener("contextmenu", function(e) {
    if (e.target === canvas || (ours(e.target) && e.target.tagName !== "INPUT" && e.target.tagName !== "TEXTAREA" &&
                                e.target.tagName !== "SPAN")) e.preventDefault();
  });
  // The system's theme and motion, read each frame; a change draws a frame, so the console
  // follows it at once.
  var query = function(q) { return window.matchMedia ? window.matchMedia(q) : null; };
  page.light = query("(prefers-color-scheme: light)");
  page.reducedMotion = query("(prefers-reduced-motion: reduce)");
  [page.light, page.reducedMotion].forEach(function(q) {
    if (q && q.addEventListener) q.addEventListener("change", touched);
  });
  // The console's other tabs say when they sign in or out (the session is one for all tabs).
  page.announced = "";
  if (typeof BroadcastChannel === "function") {
    page.channel = new BroadcastChannel("oat-console-session");
    page.channel.onmessage = function(e) {
      page.announced = String(e.data);
      page.activity = true;
    };
  }
});

EM_JS(void, oat_page_announce_session, (const char* event), {
  if (Module.oatPage.channel) Module.oatPage.channel.postMessage(UTF8ToString(event));
});

EM_JS(char*, oat_page_take_announcement, (), {
  var s = Module.oatPage.announced;
  Module.oatPage.announced = "";
  var n = lengthBytesUTF8(s) + 1;
  var p = _malloc(n);
  stringToUTF8(s, p, n);
  return p;
});

EM_JS(void, oat_page_copy, (const char* text), {
  var s = UTF8ToString(text);
  Module.oatPage.pasted = s;
  function viaCommand() {
    var area = document.createElement("textarea");
    area.value = s;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) {}
    document.body.removeChild(area);
  }
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(s).catch(viaCommand);
  } else {
    viaCommand();
  }
});

EM_JS(void, oat_page_keep_gl_state, (), {
  var gl = typeof GLctx !== "undefined" ? GLctx : null;
  if (!gl || gl.oatKept) return;
  gl.oatKept = true;
  var held = [gl.SCISSOR_BOX, gl.BLEND_SRC_RGB, gl.BLEND_DST_RGB, gl.BLEND_SRC_ALPHA, gl.BLEND_DST_ALPHA,
              gl.BLEND_EQUATION_RGB, gl.BLEND_EQUATION_ALPHA];
  var kept = {};  // by parameter: its value, once read or set
  var get = gl.getParameter;
  gl.getParameter = function(p) {
    if (held.indexOf(p) < 0) return get.call(gl, p);
    if (!(p in kept)) kept[p] = get.call(gl, p);
    var v = kept[p];
    return v instanceof Int32Array ? new Int32Array(v) : v;
  };
  var after = function(name, note) {
    var f = gl[name];
    gl[name] = function() {
      f.apply(gl, arguments);
      note.apply(null, arguments);
    };
  };
  var blend = function(sr, dr, sa, da) {
    kept[gl.BLEND_SRC_RGB] = sr; kept[gl.BLEND_DST_RGB] = dr; kept[gl.BLEND_SRC_ALPHA] = sa; kept[gl.BLEND_DST_ALPHA] = da;
  };
  var equation = function(rgb, alpha) { kept[gl.BLEND_EQUATION_RGB] = rgb; kept[gl.BLEND_EQUATION_ALPHA] = alpha; };
  after("scissor", function(x, y, w, h) {
    if (w >= 0 && h >= 0) kept[gl.SCISSOR_BOX] = new Int32Array([x, y, w, h]);
    else delete kept[gl.SCISSOR_BOX];  // refused by WebGL: read again
  });
  after("blendFunc", function(s, d) { blend(s, d, s, d); });
  after("blendFuncSeparate", blend);
  after("blendEquation", function(m) { equation(m, m); });
  after("blendEquationSeparate", equation);
  // A lost context comes back with WebGL's defaults.
  if (gl.canvas && gl.canvas.addEventListener) gl.canvas.addEventListener("webglcontextrestored", function() { kept = {}; });
});

EM_JS(int, oat_page_take_activity, (), {
  var active = Module.oatPage.activity;
  Module.oatPage.activity = false;
  return active ? 1 : 0;
});

EM_JS(void, oat_page_forget_copied, (const char* text), {
  if (Module.oatPage.pasted === UTF8ToString(text)) Module.oatPage.pasted = "";
});

EM_JS(void, oat_page_publish_frames, (int frame), {
  window.__oat_frames = frame;
});

EM_JS(char*, oat_page_pasted, (), {
  var s = Module.oatPage.pasted;
  var n = lengthBytesUTF8(s) + 1;
  var p = _malloc(n);
  stringToUTF8(s, p, n);
  return p;
});

EM_JS(char*, oat_page_hash, (), {
  var s = window.location.hash;
  var n = lengthBytesUTF8(s) + 1;
  var p = _malloc(n);
  stringToUTF8(s, p, n);
  return p;
});

EM_JS(char*, oat_page_host, (), {
  var s = window.location.host;
  var n = lengthBytesUTF8(s) + 1;
  var p = _malloc(n);
  stringToUTF8(s, p, n);
  return p;
});

EM_JS(char*, oat_page_origin, (), {
  var s = window.location.origin;
  var n = lengthBytesUTF8(s) + 1;
  var p = _malloc(n);
  stringToUTF8(s, p, n);
  return p;
});

EM_JS(void, oat_page_replace_hash, (const char* hash), {
  var s = UTF8ToString(hash);
  if (window.location.hash === s) return;
  var url = window.location.pathname + window.location.search + s;
  window.history.replaceState(window.history.state, "", url);
});

EM_JS(void, oat_page_push_hash, (const char* hash), {
  var s = UTF8ToString(hash);
  if (window.location.hash === s) return;
  var url = window.location.pathname + window.location.search + s;
  window.history.pushState(null, "", url);
});

EM_JS(int, oat_page_take_hash_change, (), {
  var changed = Module.oatPage.hashChanged;
  Module.oatPage.hashChanged = false;
  return changed ? 1 : 0;
});

EM_JS(void, oat_page_take_wheel, (float* x, float* y), {
  var page = Module.oatPage;
  HEAPF32[x >> 2] = page.wheelX;
  HEAPF32[y >> 2] = page.wheelY;
  page.wheelX = 0;
  page.wheelY = 0;
});

EM_JS(void, oat_page_set_cursor, (const char* cursor), {
  Module.oatPointer.setCursor(UTF8ToString(cursor));  // pointer.cpp
});

EM_JS(int, oat_page_preferences, (), {
  var page = Module.oatPage;
  return (page.light && page.light.matches ? 1 : 0) | (page.reducedMotion && page.reducedMotion.matches ? 2 : 0);
});

EM_JS(void, oat_page_set_theme, (const char* name), {
  document.documentElement.setAttribute("data-theme", UTF8ToString(name));
});

EM_JS(void, oat_page_set_title, (const char* title), {
  document.title = UTF8ToString(title);
});

EM_JS(char*, oat_page_load_setting, (const char* key), {
  var s = "";
  try { s = window.localStorage.getItem(UTF8ToString(key)) || ""; } catch (e) {}
  var n = lengthBytesUTF8(s) + 1;
  var p = _malloc(n);
  stringToUTF8(s, p, n);
  return p;
});

EM_JS(void, oat_page_save_setting, (const char* key, const char* value), {
  try { window.localStorage.setItem(UTF8ToString(key), UTF8ToString(value)); } catch (e) {}
});

EM_JS(void, oat_page_publish, (const char* widgets, const char* status, int frame), {
  var rects = JSON.parse(UTF8ToString(widgets));
  var box = Module.oatPointer.box();
  for (var name in rects) {
    rects[name].x += box.left;
    rects[name].y += box.top;
  }
  window.__oat_widgets = rects;
  window.__oat_status = JSON.parse(UTF8ToString(status));
  window.__oat_frames = frame;
});
// The canvas's CSS size (pointer.cpp keeps it: no layout of the page for each frame's read).
EM_JS(void, oat_page_canvas_size, (double* width, double* height), {
  var box = Module.oatPointer ? Module.oatPointer.box() : Module.canvas.getBoundingClientRect();  // before pointer.h
  HEAPF64[width >> 3] = box.width;
  HEAPF64[height >> 3] = box.height;
});
// clang-format on

namespace console::page {
namespace {

std::string Take(char* owned) {
  std::string s(owned ? owned : "");
  std::free(owned);
  return s;
}

}  // namespace

void Install() { oat_page_install(); }

void KeepGlState() { oat_page_keep_gl_state(); }

void AnnounceSession(const char* event) { oat_page_announce_session(event); }

std::string TakeSessionAnnouncement() {
  char* s = oat_page_take_announcement();
  std::string out(s);
  std::free(s);
  return out;
}

bool TakeActivity() { return oat_page_take_activity() != 0; }

Viewport ReadViewport() {
  double width = 0, height = 0;
  oat_page_canvas_size(&width, &height);
  Viewport v;
  v.width = static_cast<float>(width);
  v.height = static_cast<float>(height);
  v.pixel_ratio = static_cast<float>(emscripten_get_device_pixel_ratio());
  if (v.pixel_ratio <= 0) v.pixel_ratio = 1;
  return v;
}

void SetCanvasPixelSize(int width, int height) {
  emscripten_set_canvas_element_size("#canvas", width, height);
}

void CopyToClipboard(const char* text) { oat_page_copy(text ? text : ""); }

const char* PastedText() {
  static std::string text;
  text = Take(oat_page_pasted());
  return text.c_str();
}

void ForgetCopied(const char* text) { oat_page_forget_copied(text ? text : ""); }

std::string Host() { return Take(oat_page_host()); }
std::string Origin() { return Take(oat_page_origin()); }
std::string Hash() { return Take(oat_page_hash()); }
void ReplaceHash(const std::string& hash) { oat_page_replace_hash(hash.c_str()); }
void PushHash(const std::string& hash) { oat_page_push_hash(hash.c_str()); }
bool TakeHashChange() { return oat_page_take_hash_change() != 0; }

void TakeWheel(float* x, float* y) { oat_page_take_wheel(x, y); }

void SetCursor(const char* css_cursor) { oat_page_set_cursor(css_cursor); }
void SetTitle(const std::string& title) { oat_page_set_title(title.c_str()); }

Preferences ReadPreferences() {
  const int bits = oat_page_preferences();
  Preferences p;
  p.light = (bits & 1) != 0;
  p.reduced_motion = (bits & 2) != 0;
  return p;
}

void SetPageTheme(const char* name) { oat_page_set_theme(name); }

std::string LoadSetting(const char* key) { return Take(oat_page_load_setting(key)); }
void SaveSetting(const char* key, const std::string& value) {
  oat_page_save_setting(key, value.c_str());
}

void PublishTestHook(const std::string& widgets_json, const std::string& status_json, int frame) {
  oat_page_publish(widgets_json.c_str(), status_json.c_str(), frame);
}

void PublishFrameCount(int frame) { oat_page_publish_frames(frame); }

}  // namespace console::page
