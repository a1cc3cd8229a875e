#define IMGUI_DEFINE_MATH_OPERATORS
#include "focus.h"

#include <vector>

#include "imgui_internal.h"
#include "redraw.h"
#include "semantics.h"
#include "theme.h"

namespace console::focus {
namespace {

struct Stop {
  ImGuiID id = 0;
  ImGuiWindow* window = nullptr;
  bool text_field = false;
};

std::vector<Stop> g_drawn;    // this frame's stops, in the order they were drawn
std::vector<Stop> g_last;     // the previous frame's: what Tab moves along
ImGuiID g_bring_into_view = 0;
// The control that shows the ring. Dear ImGui's own highlight (NavDisableHighlight) is forced
// off every frame while its keyboard navigation is off, so the ring is kept here.
ImGuiID g_ring = 0;
bool g_enter_taken = false;

// A key that went down since the last frame (io.KeysDownDuration still holds last frame's).
bool KeyWentDown(ImGuiKey key) {
  const ImGuiIO& io = ImGui::GetIO();
  const int index = io.KeyMap[key];
  return index >= 0 && io.KeysDown[index] && io.KeysDownDuration[index] < 0.0f;
}

bool RingShown(ImGuiID id) {
  const ImGuiContext& g = *GImGui;
  return id != 0 && g_ring == id && g.NavId == id;
}

// The stops Tab moves along: those of the window tree that has the focus (the topmost dialog
// or popup), else those of the page.
std::vector<Stop> Candidates() {
  const ImGuiContext& g = *GImGui;
  std::vector<ImGuiWindow*> roots;
  if (g.NavWindow) roots.push_back(g.NavWindow->RootWindow);
  if (ImGuiWindow* modal = ImGui::GetTopMostPopupModal()) roots.push_back(modal);
  for (ImGuiWindow* root : roots) {
    std::vector<Stop> out;
    for (const Stop& s : g_last)
      if (s.window->RootWindow == root) out.push_back(s);
    if (!out.empty()) return out;
  }
  std::vector<Stop> out;
  for (const Stop& s : g_last)
    if (!(s.window->RootWindow->Flags & ImGuiWindowFlags_Popup)) out.push_back(s);
  return out;
}

// Tab (+1) or Shift+Tab (-1). False when there is nowhere to go (Dear ImGui then has the key).
bool Move(int direction) {
  ImGuiContext& g = *GImGui;
  const std::vector<Stop> stops = Candidates();
  if (stops.empty()) return false;
  const ImGuiID editing = semantics::Editing();  // a field typed into through the page
  const ImGuiID from = editing ? editing : g.ActiveId ? g.ActiveId : g.NavId;
  int at = -1;
  for (int i = 0; i < static_cast<int>(stops.size()); ++i)
    if (stops[i].id == from) at = i;
  const int n = static_cast<int>(stops.size());
  const int next = at < 0 ? (direction > 0 ? 0 : n - 1) : (at + direction + n) % n;
  const Stop& to = stops[next];
  semantics::StopEditing();  // the page's focus follows the console's (semantics::EndFrame)

  if (g.NavWindow != to.window) ImGui::FocusWindow(to.window);
  if (g.ActiveId != 0) ImGui::ClearActiveID();
  ImGui::SetFocusID(to.id, to.window);
  if (to.text_field) {
    // As Dear ImGui's own tabbing does: the field takes the keyboard, its text selected.
    g.NavNextActivateId = to.id;
    g.NavNextActivateFlags = ImGuiActivateFlags_PreferInput | ImGuiActivateFlags_TryToPreserveState;
    g_ring = 0;
  } else {
    g_ring = to.id;
  }
  g_bring_into_view = to.id;
  return true;
}

}  // namespace

void TabStop(bool text_field) {
  ImGuiContext& g = *GImGui;
  const ImGuiID id = g.LastItemData.ID;
  if (id == 0 || (g.LastItemData.InFlags & ImGuiItemFlags_Disabled)) return;
  ImGuiWindow* window = g.CurrentWindow;
  g_drawn.push_back({id, window, text_field});
  const ImRect rect = g.LastItemData.Rect;
  if (id == g_bring_into_view) {
    ImGui::ScrollToBringRectIntoView(window, rect);
    g_bring_into_view = 0;
    redraw::Animate();  // the scroll applies in the next frame
  }
  if (!text_field && RingShown(id)) {
    const theme::Palette& p = theme::Current();
    const float rounding = ImGui::GetStyle().FrameRounding + 2;
    window->DrawList->AddRect(rect.Min - ImVec2(3, 3), rect.Max + ImVec2(3, 3),
                              theme::U32(theme::Alpha(p.primary, 0.85f)), rounding, 0, 2.0f);
  }
}

void BeforeNewFrame() {
  ImGuiContext& g = *GImGui;
  ImGuiIO& io = g.IO;
  g_last.swap(g_drawn);
  g_drawn.clear();
  g_enter_taken = false;
  for (int button = 0; button < IM_ARRAYSIZE(io.MouseDown); ++button)
    if (io.MouseDown[button] && io.MouseDownDuration[button] < 0.0f) g_ring = 0;  // a click

  if (KeyWentDown(ImGuiKey_Tab) && !io.KeyCtrl && !io.KeyAlt && Move(io.KeyShift ? -1 : +1))
    io.KeysDown[io.KeyMap[ImGuiKey_Tab]] = false;  // taken: Dear ImGui's own tabbing does not see it

  // Space or Enter on the control with the ring: pressed, as by a click.
  if (g.ActiveId == 0 && RingShown(g.NavId)) {
    bool stop = false;
    for (const Stop& s : g_last) stop = stop || (s.id == g.NavId && !s.text_field);
    const bool enter = KeyWentDown(ImGuiKey_Enter) || KeyWentDown(ImGuiKey_KeyPadEnter);
    if (stop && (enter || KeyWentDown(ImGuiKey_Space))) {
      g.NavNextActivateId = g.NavId;
      g.NavNextActivateFlags = ImGuiActivateFlags_None;
      g_enter_taken = enter;
    }
  }
}

bool EnterTaken() { return g_enter_taken; }

void Give(ImGuiID id, ImGuiWindow* window) {
  ImGuiContext& g = *GImGui;
  if (!window || (g.NavId == id && g_ring == id)) return;
  if (g.NavWindow != window) ImGui::FocusWindow(window);
  if (g.ActiveId != 0 && g.ActiveId != id) ImGui::ClearActiveID();
  ImGui::SetFocusID(id, window);
  g_ring = id;
}

void Activate(ImGuiID id, ImGuiWindow* window) {
  ImGuiContext& g = *GImGui;
  if (!window) return;
  if (g.NavWindow != window) ImGui::FocusWindow(window);
  ImGui::SetFocusID(id, window);
  g.NavNextActivateId = id;
  g.NavNextActivateFlags = ImGuiActivateFlags_None;
}

void BringIntoView(ImGuiID id) { g_bring_into_view = id; }

ImGuiID Focused() {
  const ImGuiContext& g = *GImGui;
  if (const ImGuiID editing = semantics::Editing()) return editing;
  if (g.ActiveId != 0) {
    for (const Stop& s : g_drawn)
      if (s.id == g.ActiveId && s.text_field) return g.ActiveId;
  }
  return RingShown(g.NavId) ? g.NavId : 0;
}

}  // namespace console::focus
