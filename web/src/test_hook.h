// The test hook (page opened with ?test=1): each frame the console publishes where its named
// widgets are, so browser tests find them and then act only through mouse and keyboard.
//
//   window.__oat_widgets  {"signin.username": {"x","y","w","h"}, ...} CSS pixels; some carry
//                         "text" (what they show), and "disabled", "checked", "selected", "open",
//                         or more words ("state" and "hover" of a usage chart, chart.h)
//   window.__oat_status   {"screen": "signin"|"tokens"|"activity"|"no-organization",
//                          "pending", "loading", "org", "dialog", "theme": "light"|"dark",
//                          "input": 1 while pointer or key events wait for a later frame,
//                          "errors": {name: message}, ...}
//   window.__oat_frames   animation frames handled. A frame in which nothing can have changed
//                         (no input, answer, animation or timer; redraw.h) draws nothing and
//                         keeps the last picture and the last published widgets and status.
//
// Every name published (widgets, __oat_status keys, flags) is a constant in widget_names.h,
// grouped by screen; the views pass those constants, never bare strings. __oat_status also
// carries focus: the name of the widget with the keyboard (the text field being edited, or the
// control with the focus ring; "" for none), and each error shown under its widget name.
#pragma once

#include <string>
#include <string_view>

#include "imgui.h"

namespace console::test_hook {

void SetEnabled(bool enabled);
bool Enabled();

// Between BeginFrame and EndFrame: remembers a rectangle (Dear ImGui coordinates = CSS pixels).
void Mark(std::string_view name, ImVec2 min, ImVec2 max);
// The last item drawn (ImGui::GetItemRectMin/Max).
void MarkLastItem(std::string_view name);
// The same with the words it shows: {"x","y","w","h","text"} (errors, cells, counters).
void MarkLastItem(std::string_view name, std::string_view text);
// Adds a field to a widget already marked this frame: "disabled", "checked", "selected".
void Flag(std::string_view name, std::string_view key, bool value);
// The same with words ("hover": what a chart's tooltip says).
void Field(std::string_view name, std::string_view key, std::string_view value);
// An error message shown as `name`: the widget's text, __oat_status[name] and
// __oat_status.errors[name].
void ErrorShown(std::string_view name, std::string_view message);
// Adds a field to __oat_status.
void Status(std::string_view key, std::string_view value);
void Status(std::string_view key, long long value);
// While one is alive, nothing is marked or published (a row drawn out of sight, for the page's
// elements: semantics::BeginRow; the tests see the rows on the screen).
class Muted {
 public:
  Muted();
  ~Muted();
  Muted(const Muted&) = delete;
  Muted& operator=(const Muted&) = delete;
};

void BeginFrame();
void EndFrame();  // publishes
// A frame that drew nothing (redraw.h): only __oat_frames moves on; the rest stays as published.
void IdleFrame();

}  // namespace console::test_hook
