#define IMGUI_DEFINE_MATH_OPERATORS
#include "semantics.h"

#include <emscripten.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "focus.h"
#include "glyphs.h"
#include "imgui_internal.h"
#include "redraw.h"
#include "test_hook.h"

// clang-format off
// The page's side: #oat-semantics over the canvas, one element per node, keyed by number.
EM_JS(void, oat_sem_install, (), {
  var S = Module.oatSemantics = { nodes: new Map(), events: [], editing: 0 };
  var root = S.root = document.createElement("div");
  root.id = "oat-semantics";
  root.setAttribute("data-oat-pointer", "");
  var live = S.live = document.createElement("div");
  live.className = "oat-live";
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  root.appendChild(live);
  root.setAttribute("role", "main");
  // The elements stand where the canvas draws: the browser's own scrolling of them into view (a
  // focused field under an on-screen keyboard) is undone; the console scrolls instead.
  root.addEventListener("scroll", function() { root.scrollTop = 0; root.scrollLeft = 0; });
  Module.canvas.insertAdjacentElement("afterend", root);
  // The elements stand for what the canvas draws: the canvas itself says nothing more.
  Module.canvas.setAttribute("aria-hidden", "true");
  var activity = function() { if (Module.oatPage) Module.oatPage.activity = true; };
  var keyOf = function(el) {
    while (el && el !== root) {
      if (el.oatKey !== undefined) return el;
      el = el.parentElement;
    }
    return null;
  };
  var isText = function(el) { return el && (el.tagName === "INPUT" && el.type !== "checkbox" || el.tagName === "TEXTAREA"); };
  S.isText = isText;
  // A click that no pointer made (a screen reader's, element.click(), Enter or Space on a
  // focused element) activates; a real one reached the console through pointer.h already.
  root.addEventListener("click", function(e) {
    var el = keyOf(e.target);
    if (!el) return;
    if (el.tagName === "A" && (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0)) return;  // a new tab
    if (!isText(el)) e.preventDefault();
    if (e.detail === 0 && !isText(el)) { S.events.push({ a: "click", k: el.oatKey }); activity(); }
  });
  // Enter and Space on a focused control are the console's (focus.h presses what has the
  // ring), not also the browser's click.
  root.addEventListener("keydown", function(e) {
    var el = keyOf(e.target);
    if (el && !isText(el) && (e.key === "Enter" || e.key === " ")) e.preventDefault();
    if (el && isText(el) && e.key === "Enter" && !e.isComposing && el.tagName !== "TEXTAREA") {
      S.events.push({ a: "enter", k: el.oatKey });
      activity();
    }
  });
  // The focus a pointer gives a control (a click, a tap) is Dear ImGui's business, through
  // pointer.h: telling it again would show the focus ring after a click, or close a menu the
  // press just opened. A text field's element takes the focus from a pointer too: it edits.
  S.pointerAt = -1e9;
  S.pointerOn = null;
  ["pointerdown", "pointerup"].forEach(function(type) {
    root.addEventListener(type, function(e) { S.pointerAt = performance.now(); S.pointerOn = keyOf(e.target); }, true);
  });
  root.addEventListener("focusin", function(e) {
    var el = keyOf(e.target);
    if (!el) return;
    if (!isText(el) && el === S.pointerOn && performance.now() - S.pointerAt < 1000) return;
    S.events.push({ a: "focus", k: el.oatKey });
    S.editing = isText(el) ? el.oatKey : 0;
    activity();
  });
  root.addEventListener("focusout", function(e) {
    var el = keyOf(e.target);
    if (el && S.editing === el.oatKey) { S.editing = 0; S.events.push({ a: "blur", k: el.oatKey }); activity(); }
  });
  root.addEventListener("input", function(e) {
    var el = keyOf(e.target);
    if (!el || !isText(el)) return;
    S.events.push({ a: "input", k: el.oatKey, v: el.value });
    activity();
  });
  // The keyboard: GLFW's listeners take every key on the window (and keep Backspace and Tab from
  // the page). While a text element has the page's focus, the element edits (input methods,
  // dead keys, the phone's keyboard, paste) and only Enter, Escape, Tab and the modifiers reach
  // the console.
  if (typeof GLFW !== "undefined") {
    var passed = { Enter: true, Escape: true, Tab: true, Shift: true, Control: true, Alt: true, Meta: true };
    var pass = function(e) {
      if (!(isText(e.target) && keyOf(e.target))) return true;
      if (e.isComposing || e.keyCode === 229) return false;  // an input method's own keys (Enter picks a word)
      return passed[e.key] === true && !(e.key === "Enter" && e.target.tagName === "TEXTAREA");  // a new line
    };
    [["keydown", GLFW.onKeydown], ["keyup", GLFW.onKeyup], ["keypress", GLFW.onKeyPress]].forEach(function(p) {
      window.removeEventListener(p[0], p[1], true);
      window.addEventListener(p[0], function(e) {
        if (pass(e) && !(p[0] === "keypress" && isText(e.target) && keyOf(e.target))) p[1](e);
      }, true);
    });
  }
});

EM_JS(void, oat_sem_apply, (const char* ops), {
  var S = Module.oatSemantics;
  var o = JSON.parse(UTF8ToString(ops));
  var tags = { button: "button", link: "a", text: "input", password: "input", checkbox: "input", tab: "button",
               menuitem: "button", label: "span", heading: "h2", alert: "div", columnheader: "span", dialog: "div",
               form: "form", navigation: "nav", tablist: "div", menu: "div", table: "div", row: "div", list: "div",
               listitem: "div" };
  var groups = { dialog: true, form: true, navigation: true, tablist: true, menu: true, table: true, row: true,
                 list: true, listitem: true };
  var make = function(n) {
    var tag = n.r === "text" && n.m ? "textarea" : tags[n.r];
    var el = document.createElement(tag);
    el.oatKey = n.k;
    el.oatRole = n.r;
    el.oatPlaced = !!n.pl;
    el.className = "oat-node";
    if (n.r === "button" || n.r === "tab" || n.r === "menuitem") el.type = (n.s & 32) ? "submit" : "button";
    if (groups[n.r]) el.className = n.pl ? "oat-group oat-placed" : "oat-group";
    if (n.r === "form") el.addEventListener("submit", function(e) { e.preventDefault(); });
    if (n.r === "tablist" || n.r === "menu" || n.r === "table" || n.r === "row" || n.r === "columnheader" ||
        n.r === "list" || n.r === "listitem") {
      el.setAttribute("role", n.r);
    }
    // In a table's row, each item is a cell's: text is the cell itself, a control is in one.
    el.oatCell = !!n.c;
    if (n.c && n.r === "label") {
      el.setAttribute("role", "cell");
    } else if (n.c) {
      var cell = document.createElement("div");
      cell.className = "oat-group";
      cell.setAttribute("role", "cell");
      cell.appendChild(el);
      el.oatBox = cell;
    }
    if (n.r === "tab") el.setAttribute("role", "tab");
    if (n.r === "link") el.draggable = false;  // a held finger is the console's long press, not a drag
    if (n.r === "menuitem") el.setAttribute("role", "menuitem");
    if (n.r === "text" && !n.m) el.type = "text";
    if (n.r === "password") el.type = "password";
    if (n.r === "checkbox") el.type = "checkbox";
    if (n.r === "alert") el.setAttribute("role", "alert");
    if (n.r === "dialog") { el.setAttribute("role", "dialog"); el.setAttribute("aria-modal", "true"); }
    if (n.r === "text" || n.r === "password") el.spellcheck = n.r === "text";
    return el;
  };
  var words = { button: true, link: true, tab: true, menuitem: true, label: true, heading: true, alert: true,
                columnheader: true };
  // T: the node's words (name, value, placeholder). FRESH: an element just made, which has no
  // attribute to take away and no place yet: its place is written in one go.
  var update = function(el, n, t, fresh) {
    var r = n.r;
    if (!groups[r] || n.pl) {
      if (fresh) el.style.cssText = "left:" + n.x + "px;top:" + n.y + "px;width:" + n.w + "px;height:" + n.h + "px";
      else { var style = el.style; style.left = n.x + "px"; style.top = n.y + "px"; style.width = n.w + "px"; style.height = n.h + "px"; }
    }
    if (words[r]) { if (el.textContent !== t.n) el.textContent = t.n; }
    else if (t.n) el.setAttribute("aria-label", t.n); else if (!fresh) el.removeAttribute("aria-label");
    if (r === "link") el.setAttribute("href", t.v || "#");
    if (r === "text" || r === "password") {
      el.setAttribute("autocomplete", n.ac || "off");
      if (t.ph) el.setAttribute("placeholder", t.ph); else if (!fresh) el.removeAttribute("placeholder");
      el.style.setProperty("--pad", (n.px || 10) + "px");  // the text starts where the field's does
    }
    if (r === "text" && document.activeElement !== el && el.value !== t.v) el.value = t.v;
    if (r === "password" && t.v === "" && el.value !== "") el.value = "";  // the console emptied it
    if (r === "checkbox") { el.checked = !!(n.s & 2); el.setAttribute("aria-checked", (n.s & 2) ? "true" : "false"); }
    if (r === "tab") el.setAttribute("aria-selected", (n.s & 4) ? "true" : "false");
    if (r === "menuitem") { if (n.s & 2) el.setAttribute("aria-current", "true"); else if (!fresh) el.removeAttribute("aria-current"); }
    if (n.s & 1) el.setAttribute("aria-disabled", "true"); else if (!fresh) el.removeAttribute("aria-disabled");
    if (n.s & 8) el.setAttribute("aria-expanded", "true"); else if (!fresh) el.removeAttribute("aria-expanded");
    if (r === "columnheader") {
      var sort = (n.s & 64) ? "ascending" : (n.s & 128) ? "descending" : "";
      if (sort) el.setAttribute("aria-sort", sort); else if (!fresh) el.removeAttribute("aria-sort");
      if (n.s & 256) el.tabIndex = 0; else if (!fresh) el.removeAttribute("tabindex");
    }
    if (fresh ? n.o : !!n.o !== el.classList.contains("oat-clipped")) el.classList.toggle("oat-clipped");
    if (r === "table" || r === "list") {
      el.oatClip = n.cl || null;
      scrolled(el, n.x, n.y);
    }
  };
  // A scrolled table or list: its rows stand as with no scroll, it moves (x, y: minus the scroll),
  // and is clipped to its window's visible part (oatClip, the screen's coordinates): what of it is
  // scrolled out is not where a pointer goes.
  var scrolled = function(el, x, y) {
    el.style.transform = x || y ? "translate(" + x + "px," + y + "px)" : "";
    var c = el.oatClip;
    el.style.clipPath = c ? "inset(" + (c[1] - y) + "px calc(100% - " + (c[2] - x) + "px) calc(100% - " +
                            (c[3] - y) + "px) " + (c[0] - x) + "px)" : "";
  };
  // What leaves with its container (a row's cells) goes with it: one removal.
  var gone = new Set(o.del || []);
  gone.forEach(function(k) {
    var el = S.nodes.get(k);
    if (!el) return;
    if (!gone.has(el.oatParent)) (el.oatBox || el).remove();
    S.nodes.delete(k);
  });
  // A node's words come only when they changed: the element keeps them (oatText).
  (o.set || []).forEach(function(n) {
    var el = S.nodes.get(n.k);
    var text = n.n !== undefined ? { n: n.n, v: n.v, ph: n.ph } : el && el.oatText;
    if (el && (el.oatRole !== n.r || el.oatCell !== !!n.c || el.oatPlaced !== !!n.pl || (n.r === "text" && (el.tagName === "TEXTAREA") !== !!n.m))) {
      (el.oatBox || el).remove();
      el = null;
    }
    var fresh = !el;
    if (fresh) { el = make(n); S.nodes.set(n.k, el); }
    el.oatText = text;
    el.oatParent = n.p || 0;
    update(el, n, text || { n: "", v: "", ph: "" }, fresh);
  });
  // Only moved (a scrolled list): key, x, y, width, height.
  var mv = o.mv || [];
  for (var i = 0; i + 4 < mv.length; i += 5) {
    var moved = S.nodes.get(mv[i]);
    if (moved && (moved.oatRole === "table" || moved.oatRole === "list")) { scrolled(moved, mv[i + 1], mv[i + 2]); continue; }
    if (!moved || (groups[moved.oatRole] && !moved.oatPlaced)) continue;  // a container has no place of its own
    var style = moved.style;
    style.left = mv[i + 1] + "px"; style.top = mv[i + 2] + "px"; style.width = mv[i + 3] + "px"; style.height = mv[i + 4] + "px";
  }
  // The tree in the console's order: each node in its dialog, or at the root.
  // Only what is out of place moves: a moved element loses the page's focus.
  var parentOf = function(el) { return el.oatParent ? S.nodes.get(el.oatParent) || S.root : S.root; };
  // The others kept their order: these (key, the key of the one before it in its parent or 0)
  // go in after the one before them, in the console's order.
  var ins = o.ins || [];
  for (var i = 0; i + 1 < ins.length; i += 2) {
    var el = S.nodes.get(ins[i]);
    if (!el) continue;
    var parent = parentOf(el);
    var prev = ins[i + 1] ? S.nodes.get(ins[i + 1]) : null;
    var want = prev ? (prev.oatBox || prev).nextSibling : parent === S.root ? S.live.nextSibling : parent.firstChild;
    if (want && want.parentNode !== parent) want = null;  // (the one before it elsewhere: at the end)
    var box = el.oatBox || el;
    if (box !== want) parent.insertBefore(box, want);
  }
  if (o.order) {
    var last = new Map([[S.root, S.live]]);
    o.order.forEach(function(k) {
      var el = S.nodes.get(k);
      if (!el) return;
      var parent = parentOf(el);
      var box = el.oatBox || el;
      var prev = last.get(parent) || null;
      var want = prev ? prev.nextSibling : parent.firstChild;
      if (box !== want) parent.insertBefore(box, want);
      last.set(parent, box);
    });
  }
  if (o.say !== undefined && S.live.textContent !== o.say) S.live.textContent = o.say;
  if (o.focus !== undefined) {
    var el = S.nodes.get(o.focus);
    if (el && document.activeElement !== el) el.focus({ preventScroll: true });
  }
});

EM_JS(char*, oat_sem_take, (), {
  var S = Module.oatSemantics;
  if (!S.events.length) return 0;
  var s = JSON.stringify(S.events);
  S.events = [];
  var n = lengthBytesUTF8(s) + 1;
  var p = _malloc(n);
  stringToUTF8(s, p, n);
  return p;
});
// clang-format on

namespace console::semantics {
namespace {

const char* GroupName(Group group) {
  switch (group) {
    case Group::Form: return "form";
    case Group::Navigation: return "navigation";
    case Group::TabList: return "tablist";
    case Group::Menu: return "menu";
    case Group::Table: return "table";
    case Group::Row: return "row";
    case Group::List: return "list";
    case Group::ListItem: return "listitem";
  }
  return "group";
}

const char* RoleName(Role role) {
  switch (role) {
    case Role::Button: return "button";
    case Role::Link: return "link";
    case Role::TextField: return "text";
    case Role::Password: return "password";
    case Role::Checkbox: return "checkbox";
    case Role::Tab: return "tab";
    case Role::MenuItem: return "menuitem";
    case Role::Text: return "label";
    case Role::Heading: return "heading";
    case Role::Alert: return "alert";
    case Role::ColumnHeader: return "columnheader";
  }
  return "label";
}

// One element's worth of this frame. Its words are copied only when they differ from what the
// page has (most frames, most nodes: the same words), else left empty and not sent.
struct Node {
  ImGuiID key = 0;
  ImGuiID parent = 0;  // the form's or the dialog's key, or 0
  const char* role = "";
  ImGuiID text_hash = 0;  // of name, value and placeholder
  bool text = false;      // name, value and placeholder are filled in: to be sent
  std::string name, value, placeholder, autocomplete;
  float padding = 0;  // a text field's: where its text starts (Dear ImGui's frame padding)
  unsigned flags = 0;
  ImRect rect;
  ImGuiWindow* window = nullptr;
  bool control = false;  // a widget Dear ImGui knows by its id (it can be pressed and focused)
  bool cell = false;     // in a table's row: in a cell of its own
  bool clipped = false;  // scrolled out of its window: on the page, but not where a pointer goes
  bool placed = false;   // a group with a place of its own (a row, a card): its items stand in it
  bool given = false;    // its place given (BeginRow, KeepRow), not found around its items
  ImGuiID version = 0;   // a row's: what its items say (BeginRow)
  // A table or list whose rows are in a scrolled window: its rows stand where they would with no
  // scroll, and the element itself moves by the scroll (one element a scroll step, not each row).
  bool scrolls = false;
  ImVec2 scroll;
  // Its window's visible part (the screen's coordinates): the page clips the list's element to it,
  // so what of the list is scrolled out is not where a pointer goes.
  ImRect clip;
  // A row or card of a table or list (GroupNode): its list's clip, not a class, keeps the pointer
  // off it, and its items are not cut to what shows.
  bool in_list = false;
  bool kept = false;     // a row kept, not drawn (KeepRow)
};

// What the page has of a node: its words and the rest as hashes, its place apart (a scrolled
// list moves every element and changes nothing else of them).
struct Sent {
  const char* role = "";
  ImGuiWindow* window = nullptr;
  bool control = false;
  ImGuiID text_hash = 0;
  ImGuiID rest_hash = 0;
  ImGuiID place_hash = 0;
  unsigned frame = 0;  // the last frame that drew it
  ImGuiID parent = 0;
  unsigned shape = 0;         // Shape(): the page makes the element anew when it changes
  bool kept = false;          // a row kept in the last frame (KeepRow), not drawn
  bool has_items = false;     // a row: the page has its items, as of items_version
  ImGuiID items_version = 0;
  // A row's items, in order, as last drawn: while it is kept they stay on the page as they are,
  // and in the page's order, so a row kept or drawn again changes no order.
  std::vector<ImGuiID> items;
  unsigned placing_frame = 0;  // the last frame that placed it among its siblings (new, made anew, moved)
};

std::vector<Node> g_nodes;                  // this frame's
std::unordered_map<ImGuiID, Sent> g_sent;   // what the page has
// New elements a frame makes at most: a page's worth (a dialog opening, a table's first rows) or
// the rows a fast scroll brings arrive over a few frames, not as one long frame (each new element
// costs the page its creation, style and the layout of its words: about 0.05 ms here,
// docs/benchmarks-console.md). Of a row drawn out of sight for the page's sake (RowWanted), fewer:
// nobody waits for them.
constexpr int kMaxNewPerFrame = 16;
constexpr int kMaxNewOutOfSightPerFrame = 4;
unsigned g_frame = 0;
std::vector<ImGuiID> g_sent_order;
// This frame's rows drawn with their items (key, version).
std::vector<std::pair<ImGuiID, ImGuiID>> g_described;
ImGuiID g_row_in_view = 0;  // a kept row the page's focus went into: to be drawn, in view
ImGuiID g_click_later = 0;  // a click on an item of that row: pressed once the row is drawn

// The time spent in this layer (milliseconds), with the test hook on: summed over a frame's calls
// and left at Module.oatSemantics.spent at the end of each frame, for tests/browser/figures.mjs.
double g_spent = 0;
struct Timed {
  double start = test_hook::Enabled() ? emscripten_get_now() : -1;
  ~Timed() {
    if (start >= 0) g_spent += emscripten_get_now() - start;
  }
};

// How many id-less items of each key this frame has had. Sorted pairs (ImGuiStorage) emptied
// without freeing: a frame allocates nothing for them.
ImGuiStorage g_text_counts;
std::string g_say, g_said;
struct OpenGroup {
  ImGuiID key;
  Group group;
  ImGuiWindow* root;  // the window tree it was opened in
  std::size_t node;   // its node's index in g_nodes
};
std::vector<OpenGroup> g_groups;  // between BeginGroup and EndGroup, innermost last
std::string g_label;               // LabelNext's words, until a control takes or drops them
int g_quiet = 0;                   // Quiet objects alive

// Where an item of `window` goes: the innermost group opened in its window tree (a popup drawn
// from inside a table's row is not in the row), else its dialog, else the root.
const OpenGroup* GroupFor(ImGuiWindow* window) {
  ImGuiWindow* root = window ? window->RootWindow : nullptr;
  for (auto it = g_groups.rbegin(); it != g_groups.rend(); ++it)
    if (it->root == root) return &*it;
  return nullptr;
}
ImGuiID g_focus_sent = 0;

// The page's events for the views (ui::InputText asks for them) and for focus.h.
std::unordered_map<ImGuiID, std::string> g_typed;
std::unordered_map<ImGuiID, bool> g_entered;
ImGuiID g_editing = 0;  // the text field whose element has the page's focus
float g_height = 0;     // the screen's height in the last frame

float Round(float v) { return std::round(v * 10.0f) / 10.0f; }

// A node's place: its rectangle, to a tenth of a pixel.
ImGuiID PlaceHash(const Node& n) {
  const float numbers[4] = {Round(n.rect.Min.x), Round(n.rect.Min.y), Round(n.rect.GetWidth()),
                            Round(n.rect.GetHeight())};
  return ImHashData(numbers, sizeof numbers, 0);
}

// Whether the page marks the node as one the pointer passes through. Not a row of a scrolled
// list, which its list's clip covers when it is out of view: a class changed on a row restyles
// each of its elements (its rule reaches them), and a scroll step takes rows in and out.
bool ShownClipped(const Node& n) { return n.clipped && !n.in_list; }

// All else the page has of a node but its words and place.
ImGuiID RestHash(const Node& n) {
  ImGuiID h = ImHashStr(n.role, 0, n.parent);
  h = ImHashData(n.autocomplete.data(), n.autocomplete.size(), h);
  const float numbers[9] = {Round(n.padding), n.cell ? 1.0f : 0.0f, ShownClipped(n) ? 1.0f : 0.0f,
                            static_cast<float>(n.flags), n.placed ? 1.0f : 0.0f,
                            Round(n.clip.Min.x), Round(n.clip.Min.y), Round(n.clip.Max.x), Round(n.clip.Max.y)};
  return ImHashData(numbers, sizeof numbers, h);
}

// What decides which element the page makes for a node (oat_sem_apply's make): a node whose
// shape changed gets a new element, which has no place among its siblings yet.
unsigned Shape(const Node& n) {
  return ImHashStr(n.role, 0, (n.cell ? 1u : 0u) | (n.placed ? 2u : 0u) | ((n.flags & kMultiline) ? 4u : 0u));
}

// What changed, for the page (oat_sem_apply), written as JSON straight into one string, without
// a JSON document built first and then written out (that and the comparing took 0.5 ms of a frame
// that makes twenty elements, 0.2 ms of one that makes none: docs/benchmarks-console.md).
class Writer {
 public:
  std::string text;

  Writer& Key(std::string_view key) {
    Comma();
    Quoted(key);
    text += ':';
    first_ = true;  // the value follows without a comma
    return *this;
  }
  Writer& Str(std::string_view v) {
    Comma();
    Quoted(v);
    return *this;
  }
  Writer& Int(std::uint64_t v) {
    Comma();
    text += std::to_string(v);
    return *this;
  }
  // A coordinate rounded to a tenth (Round): "12", "12.5", "-0.5".
  Writer& Tenths(float v) {
    Comma();
    long t = std::lround(static_cast<double>(v) * 10.0);
    if (t < 0) {
      text += '-';
      t = -t;
    }
    text += std::to_string(t / 10);
    if (t % 10) {
      text += '.';
      text += static_cast<char>('0' + t % 10);
    }
    return *this;
  }
  Writer& Raw(std::string_view json) {  // a value written by another Writer
    Comma();
    text += json;
    return *this;
  }
  Writer& Open(char bracket) {
    Comma();
    text += bracket;
    first_ = true;
    return *this;
  }
  Writer& Close(char bracket) {
    text += bracket;
    first_ = false;
    return *this;
  }

 private:
  bool first_ = true;
  void Comma() {
    if (!first_) text += ',';
    first_ = false;
  }
  void Quoted(std::string_view v) {
    text += '"';
    for (const char c : v) {
      if (c == '"' || c == '\\') {
        text += '\\';
        text += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        static constexpr char kHex[] = "0123456789abcdef";
        text += "\\u00";
        text += kHex[(c >> 4) & 0xf];
        text += kHex[c & 0xf];
      } else {
        text += c;  // UTF-8 as it is
      }
    }
    text += '"';
  }
};

// The dialog a window belongs to: the root of its tree when that is a modal popup.
ImGuiID DialogOf(ImGuiWindow* window) {
  ImGuiWindow* root = window ? window->RootWindow : nullptr;
  return root && (root->Flags & ImGuiWindowFlags_Modal) ? root->ID : 0;
}

const Sent* SentNode(ImGuiID key) {
  auto it = g_sent.find(key);
  return it == g_sent.end() ? nullptr : &it->second;
}

// Adds a node of this frame with its words: copied only when the page has other words for it.
void Push(Node&& n, std::string_view name, std::string_view value = {}, std::string_view placeholder = {}) {
  ImGuiID h = 0;
  for (const std::string_view text : {name, value, placeholder})
    h = ImHashData(text.data(), text.size(), h ^ static_cast<ImGuiID>(text.size()));
  n.text_hash = h;
  const Sent* sent = SentNode(n.key);
  if (!sent || sent->text_hash != h || sent->role != n.role) {
    n.text = true;
    n.name = std::string(name);
    n.value = std::string(value);
    n.placeholder = std::string(placeholder);
  }
  g_nodes.push_back(std::move(n));
}

}  // namespace

void Item(Role role, std::string_view name, std::string_view value, unsigned flags) {
  const Timed timed;
  // What is described is what is drawn: its characters, in the atlas (glyphs.h).
  glyphs::Notice(name);
  if (role != Role::Password) glyphs::Notice(value);
  if (g_quiet > 0) return;
  ImGuiContext& g = *GImGui;
  ImGuiWindow* window = g.CurrentWindow;
  if (!window || window->SkipItems || window->Hidden || window->RootWindow->Hidden) return;
  // An item scrolled out of its window is on the page all the same (a screen reader reads the
  // whole dialog, find-in-page finds it, the field typed in keeps the focus), where it would be,
  // and the pointer passes through it.
  const OpenGroup* group = GroupFor(window);
  // An item of a row in a scrolled list stays whole, as it will be on the screen, drawn out of
  // sight or in part: the list's clip keeps the pointer off what is scrolled out, and a row
  // scrolling in or out changes the row alone, not its items at the list's edges.
  const bool in_row = group && group->node < g_nodes.size() && g_nodes[group->node].in_list;
  ImRect rect = g.LastItemData.Rect;
  if (!in_row) rect.ClipWith(window->ClipRect);
  const bool clipped = rect.GetWidth() <= 0 || rect.GetHeight() <= 0;
  if (clipped) rect = g.LastItemData.Rect;
  Node n;
  n.control = role != Role::Text && role != Role::Heading && role != Role::Alert && g.LastItemData.ID != 0;
  if (n.control) {
    n.key = g.LastItemData.ID;
  } else {
    // Text in a group (a table's row, a card) is counted within it: a row scrolling out does not
    // renumber every "Never" of the rows below it (each would be a new element).
    const ImGuiID scope = group ? group->key : window->ID;
    const ImGuiID base = ImHashStr(name.data(), name.size(), scope ^ static_cast<ImGuiID>(role));
    int& count = *g_text_counts.GetIntRef(base, 0);
    n.key = ImHashData(&count, sizeof(int), base);
    ++count;
  }
  n.parent = group ? group->key : DialogOf(window);
  n.cell = group && group->group == Group::Row && role != Role::ColumnHeader;
  n.clipped = clipped;
  n.role = RoleName(role);
  n.flags = flags;
  n.rect = rect;
  n.window = window;
  const bool field = role == Role::TextField || role == Role::Password;
  if (field) n.padding = g.Style.FramePadding.x;
  if (role == Role::Password) value = value.empty() ? "" : "\x01";  // whether empty, no more
  // A field is named by the words above it (LabelNext); its own hint is the placeholder.
  if (n.control && field && !g_label.empty()) {
    const std::string label = std::move(g_label);
    g_label.clear();
    Push(std::move(n), label, value, name);
    return;
  }
  if (n.control) g_label.clear();
  Push(std::move(n), name, value);
}

void Dialog(std::string_view title) {
  const Timed timed;
  ImGuiWindow* window = GImGui->CurrentWindow;
  const ImGuiID key = DialogOf(window);
  if (!key) return;
  for (const Node& n : g_nodes)
    if (n.key == key) return;
  Node n;
  n.key = key;
  n.role = "dialog";
  n.window = window->RootWindow;
  n.rect = window->RootWindow->Rect();
  Push(std::move(n), title);
}

namespace {
ImGuiID GroupKey(Group group, std::string_view name, std::string_view key, ImGuiWindow* window) {
  const ImGuiID seed = ImHashStr(GroupName(group), 0, window ? window->RootWindow->ID : 0);
  return ImHashStr(key.empty() ? name.data() : key.data(), key.empty() ? name.size() : key.size(), seed);
}
}  // namespace

namespace {
// A group's node in the current window: in the group opened around it, else in its dialog.
Node GroupNode(Group group, std::string_view name, std::string_view key) {
  ImGuiWindow* window = GImGui->CurrentWindow;
  Node n;
  n.key = GroupKey(group, name, key, window);
  const OpenGroup* outer = GroupFor(window);
  n.parent = outer ? outer->key : DialogOf(window);
  n.role = GroupName(group);
  n.window = window;
  // A row or a card stands where its items are, and they stand within it: a scroll moves the
  // row's element alone.
  n.placed = group == Group::Row || group == Group::ListItem;
  // In a table or list: that moves by the window's scroll, the row stays (EndGroup).
  if (n.placed && outer && (outer->group == Group::Table || outer->group == Group::List) &&
      outer->node < g_nodes.size()) {
    Node& list = g_nodes[outer->node];
    n.in_list = true;
    list.scrolls = true;
    list.scroll = window->Scroll;
    list.clip = window->InnerClipRect;
  }
  return n;
}
}  // namespace

void BeginGroup(Group group, std::string_view name, std::string_view key) {
  const Timed timed;
  ImGuiWindow* window = GImGui->CurrentWindow;
  Node n = GroupNode(group, name, key);
  g_groups.push_back({n.key, group, window ? window->RootWindow : nullptr, g_nodes.size()});
  const std::string label = std::move(g_label);  // a tab list's name, when it has none
  g_label.clear();
  Push(std::move(n), group == Group::TabList && name.empty() ? std::string_view(label) : name);
}

void EndGroup() {
  if (g_groups.empty()) return;
  const OpenGroup open = g_groups.back();
  g_groups.pop_back();
  if (open.node < g_nodes.size() && g_nodes[open.node].scrolls) {
    // What stands in the list's element (its rows, and what is in it but in no row) is placed
    // as with no scroll; the element is moved by the scroll, its place (the page: `mv`).
    Node& list = g_nodes[open.node];
    const ImVec2 scroll(Round(list.scroll.x), Round(list.scroll.y));
    std::unordered_set<ImGuiID> in_frame{open.key};
    for (std::size_t i = open.node + 1; i < g_nodes.size(); ++i) {
      Node& n = g_nodes[i];
      if (!in_frame.count(n.parent)) continue;
      n.rect.Translate(scroll);
      if (!n.placed) in_frame.insert(n.key);  // a container the size of the list's (a cell's)
    }
    list.rect = ImRect(ImVec2(-scroll.x, -scroll.y), ImVec2(-scroll.x, -scroll.y));
    return;
  }
  if (open.node >= g_nodes.size() || !g_nodes[open.node].placed) return;
  // Its place: given, or around its items; theirs, from its corner.
  Node& group = g_nodes[open.node];
  bool any = false;
  for (std::size_t i = open.node + 1; i < g_nodes.size(); ++i) {
    if (g_nodes[i].parent != open.key) continue;
    if (!group.given) {
      if (!any) group.rect = g_nodes[i].rect;
      else group.rect.Add(g_nodes[i].rect);
    }
    any = true;
  }
  const ImVec2 corner(Round(group.rect.Min.x), Round(group.rect.Min.y));
  for (std::size_t i = open.node + 1; i < g_nodes.size(); ++i)
    if (g_nodes[i].parent == open.key) g_nodes[i].rect.Translate(ImVec2(-corner.x, -corner.y));
  if (group.given && any) g_described.emplace_back(group.key, group.version);
}

void BeginRow(Group group, std::string_view name, std::string_view key, ImVec2 pos, ImVec2 size, ImGuiID version) {
  BeginGroup(group, name, key);
  const Timed timed;
  Node& n = g_nodes[g_groups.back().node];
  n.given = true;
  n.version = version;
  n.rect = ImRect(pos, pos + size);
  // Drawn out of sight (a row drawn for the page's sake): the pointer passes through it.
  if (const ImGuiWindow* window = GImGui->CurrentWindow) n.clipped = !window->InnerClipRect.Overlaps(n.rect);
  if (n.key == g_row_in_view) g_row_in_view = 0;
}

void KeepRow(Group group, std::string_view name, std::string_view key, ImVec2 pos, ImVec2 size) {
  const Timed timed;
  Node n = GroupNode(group, name, key);
  n.placed = n.given = n.clipped = n.kept = true;
  n.rect = ImRect(pos, pos + size);
  Push(std::move(n), name);
}

Want RowWanted(Group group, std::string_view key, ImGuiID version) {
  const ImGuiID k = GroupKey(group, {}, key, GImGui->CurrentWindow);
  if (k == g_row_in_view) return Want::View;
  const Sent* sent = SentNode(k);
  return !sent || !sent->has_items || sent->items_version != version ? Want::Items : Want::Nothing;
}

namespace {
// The node of Dear ImGui's last item, when it was described.
Node* LastNode() {
  const ImGuiID id = GImGui->LastItemData.ID;
  return !g_nodes.empty() && id != 0 && g_nodes.back().key == id ? &g_nodes.back() : nullptr;
}
}  // namespace

void Autocomplete(std::string_view token) {
  if (Node* n = LastNode()) n->autocomplete = std::string(token);
}

void Submits() {
  if (Node* n = LastNode()) n->flags |= kSubmit;
}

void LabelNext(std::string_view words) { g_label = std::string(words); }

Quiet::Quiet() { ++g_quiet; }
Quiet::~Quiet() { --g_quiet; }

void Announce(std::string_view message) { g_say = std::string(message); }

void Install() { oat_sem_install(); }

void BeforeNewFrame() {
  const Timed timed;
  // The screen got shorter while a field is typed in: the on-screen keyboard came up (the page
  // follows the visual viewport, shell/loader.js), and the field is to stay above it.
  const float height = ImGui::GetIO().DisplaySize.y;
  if (g_editing && height < g_height - 0.5f) focus::BringIntoView(g_editing);
  g_height = height;
  g_nodes.clear();
  g_described.clear();
  g_text_counts.Data.resize(0);
  g_groups.clear();
  g_label.clear();
  g_say.clear();
  // A click on an item of a row that was scrolled out: pressed now that the row is drawn.
  if (const Sent* later = SentNode(g_click_later)) {
    const Sent* row = SentNode(later->parent);
    if (!row || !row->kept) {
      focus::Activate(g_click_later, later->window);
      g_click_later = 0;
    }
  } else {
    g_click_later = 0;
  }
  char* raw = oat_sem_take();
  if (!raw) return;
  const nlohmann::json events = nlohmann::json::parse(raw, nullptr, false);
  std::free(raw);
  if (!events.is_array()) return;
  for (const nlohmann::json& e : events) {
    const std::string a = e.value("a", "");
    const ImGuiID key = e.value("k", 0u);
    const Sent* node = SentNode(key);
    if (!node) continue;
    // An item of a row that is scrolled out: the row is drawn, in view, first.
    const Sent* row = SentNode(node->parent);
    const bool kept = row && row->kept;
    if (kept && (a == "focus" || a == "click")) g_row_in_view = node->parent;
    if (kept && a == "click" && node->control) {
      g_click_later = key;
      continue;
    }
    if (a == "input") {
      g_typed[key] = e.value("v", "");
    } else if (a == "enter") {
      g_entered[key] = true;
    } else if (a == "blur") {
      if (g_editing == key) g_editing = 0;
    } else if (a == "focus") {
      const bool text = std::string_view(node->role) == "text" || std::string_view(node->role) == "password";
      g_editing = text ? key : 0;
      if (node->control) focus::BringIntoView(key);  // one below a dialog's fold, say
      g_focus_sent = key;  // the page is there already
      if (node->control && !text) focus::Give(key, node->window);
    } else if (a == "click" && node->control) {
      focus::Activate(key, node->window);
    }
  }
}

std::optional<std::string> TakeTyped(ImGuiID id) {
  auto it = g_typed.find(id);
  if (it == g_typed.end()) return std::nullopt;
  std::string value = std::move(it->second);
  g_typed.erase(it);
  return value;
}

bool TakeEnter(ImGuiID id) { return g_entered.erase(id) > 0; }

ImGuiID Editing() { return g_editing; }

void StopEditing() { g_editing = 0; }

void EndFrame() {
  const double start = test_hook::Enabled() ? emscripten_get_now() : -1;
  ++g_frame;
  Writer set, moved, del;  // moved: key, x, y, w, h (only the place changed)
  set.Open('[');
  moved.Open('[');
  del.Open('[');
  // This frame's order of the page's elements (a kept row's items in it as they are), each
  // element's parent, and whether it is to be placed among its siblings: new, made anew, or in
  // another parent. Every element the page keeps is in it: what is not, is gone.
  std::vector<ImGuiID> order, parents;
  std::vector<char> placing;
  order.reserve(g_sent_order.size() + 16);
  parents.reserve(order.capacity());
  placing.reserve(order.capacity());
  bool any_replaced = false;  // a node the page has, to be placed anew (made anew, or in another parent)
  std::size_t alive = 0;  // entries of g_sent in this frame's order
  int created = 0, created_out = 0;
  bool deferred = false;
  std::unordered_set<ImGuiID> incomplete;  // rows some of whose items wait for a later frame
  Sent* row = nullptr;  // the row being drawn: its items are listed in it
  ImGuiID row_key = 0;
  bool row_out = false;  // that row is drawn out of sight
  for (Node& n : g_nodes) {
    const auto [at, fresh] = g_sent.try_emplace(n.key);
    Sent& sent = at->second;
    if (sent.frame == g_frame) continue;  // drawn twice (a popup's first frame): the first counts
    const bool out_of_sight = n.placed && !n.kept ? n.clipped : row && n.parent == row_key && row_out;
    if (fresh && (created >= kMaxNewPerFrame || (out_of_sight && created_out >= kMaxNewOutOfSightPerFrame) ||
                  (n.parent && !g_sent.count(n.parent)))) {  // the rest in the next frames, after their parent
      g_sent.erase(at);
      deferred = true;
      incomplete.insert(n.parent);
      continue;
    }
    created += fresh ? 1 : 0;
    created_out += fresh && out_of_sight ? 1 : 0;
    const bool known = !fresh;
    sent.frame = g_frame;
    const ImGuiID rest = RestHash(n);
    const ImGuiID place = PlaceHash(n);
    const unsigned shape = Shape(n);
    const bool place_it = fresh || shape != sent.shape || n.parent != sent.parent;
    any_replaced = any_replaced || (place_it && !fresh);
    if (!known || n.text || rest != sent.rest_hash) {
      Writer& j = set;
      j.Open('{');
      j.Key("k").Int(n.key).Key("r").Str(n.role).Key("s").Int(n.flags);
      j.Key("x").Tenths(n.rect.Min.x).Key("y").Tenths(n.rect.Min.y);
      j.Key("w").Tenths(n.rect.GetWidth()).Key("h").Tenths(n.rect.GetHeight());
      if (n.text) {  // the words, when they changed (the page keeps them otherwise)
        j.Key("n").Str(n.name).Key("v").Str(n.value).Key("ph").Str(n.placeholder);
      }
      if (n.parent) j.Key("p").Int(n.parent);
      if (n.flags & kMultiline) j.Key("m").Int(1);
      if (!n.autocomplete.empty()) j.Key("ac").Str(n.autocomplete);
      if (n.cell) j.Key("c").Int(1);
      if (ShownClipped(n)) j.Key("o").Int(1);
      if (n.scrolls) {
        j.Key("cl").Open('[').Tenths(n.clip.Min.x).Tenths(n.clip.Min.y).Tenths(n.clip.Max.x).Tenths(n.clip.Max.y);
        j.Close(']');
      }
      if (n.padding > 0) j.Key("px").Tenths(n.padding);
      if (n.placed) j.Key("pl").Int(1);
      j.Close('}');
    } else if (place != sent.place_hash) {
      moved.Int(n.key).Tenths(n.rect.Min.x).Tenths(n.rect.Min.y).Tenths(n.rect.GetWidth()).Tenths(n.rect.GetHeight());
    }
    sent.role = n.role;
    sent.window = n.window;
    sent.control = n.control;
    sent.text_hash = n.text_hash;
    sent.rest_hash = rest;
    sent.place_hash = place;
    sent.parent = n.parent;
    sent.shape = shape;
    sent.kept = n.kept;
    if (place_it) sent.placing_frame = g_frame;
    order.push_back(n.key);
    parents.push_back(n.parent);
    placing.push_back(place_it ? 1 : 0);
    ++alive;
    if (row && n.parent == row_key) row->items.push_back(n.key);
    if (n.kept) {  // its items as they were, where they were
      for (const ImGuiID item : sent.items) {
        order.push_back(item);
        parents.push_back(n.key);
        placing.push_back(0);
      }
      alive += sent.items.size();
    } else if (n.placed) {
      row = &sent;
      row_key = n.key;
      row_out = n.clipped;
      sent.items.clear();
    }
  }
  for (const auto& [key, version] : g_described) {
    auto it = g_sent.find(key);
    if (it == g_sent.end() || incomplete.count(key)) continue;
    it->second.has_items = true;
    it->second.items_version = version;
  }
  const bool any_gone = alive != g_sent.size();
  if (any_gone) {
    for (auto it = g_sent.begin(); it != g_sent.end();) {
      const Sent& s = it->second;
      const Sent* row_of = s.frame == g_frame ? nullptr : SentNode(s.parent);
      if (s.frame != g_frame && !(row_of && row_of->frame == g_frame && row_of->kept)) {  // not in a kept row
        del.Int(it->first);
        it = g_sent.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (deferred) redraw::Animate();
  Writer ops;
  ops.Open('{');
  const auto list = [&ops](const char* key, Writer& items) {
    if (items.text.size() > 1) ops.Key(key).Raw(items.Close(']').text);  // more than its "["
  };
  list("set", set);
  list("mv", moved);
  list("del", del);
  if (order != g_sent_order || std::find(placing.begin(), placing.end(), 1) != placing.end()) {
    // The elements that stay keep their order (the common case: rows made, a tooltip come or
    // gone): only the others are placed, each after the one before it in its parent (where it is
    // already, most often). Else the whole order, which the page walks.
    std::size_t a = 0, b = 0;
    bool kept_order = true;
    // Of the last order: not gone, not to be placed. When none is gone or placed anew (new
    // elements alone: rows made), every one stays, without a look-up each.
    const bool all_stay = !any_gone && !any_replaced;
    const auto stays = [all_stay](ImGuiID key) {
      if (all_stay) return true;
      const Sent* sent = SentNode(key);
      return sent && sent->placing_frame != g_frame;
    };
    while (kept_order) {
      while (a < g_sent_order.size() && !stays(g_sent_order[a])) ++a;
      while (b < order.size() && placing[b]) ++b;
      if (a == g_sent_order.size() || b == order.size()) {
        kept_order = a == g_sent_order.size() && b == order.size();
        break;
      }
      kept_order = g_sent_order[a++] == order[b++];
    }
    if (kept_order) {
      // The one before each: the nearest before it in the order with the same parent.
      ops.Key("ins").Open('[');
      for (std::size_t i = 0; i < order.size(); ++i) {
        if (!placing[i]) continue;
        ImGuiID before = 0;
        for (std::size_t j = i; j-- > 0;) {
          if (parents[j] == parents[i]) {
            before = order[j];
            break;
          }
        }
        ops.Int(order[i]).Int(before);
      }
      ops.Close(']');
    } else {
      ops.Key("order").Open('[');
      for (const ImGuiID key : order) ops.Int(key);
      ops.Close(']');
    }
  }
  if (g_say != g_said) {
    ops.Key("say").Str(g_say);
    g_said = g_say;
  }
  // The keyboard focus moved in the console: the page's focus follows.
  const ImGuiID focused = g_editing ? g_editing : focus::Focused();
  if (focused && focused != g_focus_sent && g_sent.count(focused)) {
    ops.Key("focus").Int(focused);
    g_focus_sent = focused;
  } else if (!focused) {
    g_focus_sent = 0;
  }
  g_sent_order = std::move(order);
  ops.Close('}');
  if (ops.text.size() > 2) oat_sem_apply(ops.text.c_str());
  if (start >= 0) {
    EM_ASM({ Module.oatSemantics.spent = $0; }, g_spent + (emscripten_get_now() - start));
    g_spent = 0;
  }
}

}  // namespace console::semantics
