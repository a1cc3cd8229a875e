#include "test_hook.h"

#include <cmath>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "focus.h"
#include "imgui_internal.h"
#include "oat/wire.h"
#include "page.h"

namespace console::test_hook {
namespace {

bool g_enabled = false;
int g_muted = 0;  // Muted objects alive
int g_frames = 0;
nlohmann::json g_widgets = nlohmann::json::object();
nlohmann::json g_status = nlohmann::json::object();
std::vector<std::pair<ImGuiID, std::string>> g_marked_items;  // this frame's, for "focus"

float Round(float v) { return std::round(v * 10.0f) / 10.0f; }  // 0.1 CSS pixel is plenty

}  // namespace

void SetEnabled(bool enabled) { g_enabled = enabled; }
bool Enabled() { return g_enabled; }

Muted::Muted() { ++g_muted; }
Muted::~Muted() { --g_muted; }

void Mark(std::string_view name, ImVec2 min, ImVec2 max) {
  if (!g_enabled || g_muted > 0) return;
  g_widgets[std::string(name)] = {
      {"x", Round(min.x)}, {"y", Round(min.y)}, {"w", Round(max.x - min.x)}, {"h", Round(max.y - min.y)}};
}

void MarkLastItem(std::string_view name) {
  if (!g_enabled || g_muted > 0) return;
  // A popup is laid out hidden in its first frame, maybe elsewhere: nothing there to click yet.
  const ImGuiWindow* window = GImGui->CurrentWindow;
  if (window && (window->Hidden || window->RootWindow->Hidden)) return;
  Mark(name, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
  if (const ImGuiID id = GImGui->LastItemData.ID) g_marked_items.emplace_back(id, name);
}

void MarkLastItem(std::string_view name, std::string_view text) {
  if (!g_enabled || g_muted > 0) return;
  MarkLastItem(name);
  auto it = g_widgets.find(std::string(name));
  if (it != g_widgets.end()) (*it)["text"] = std::string(text);
}

void Flag(std::string_view name, std::string_view key, bool value) {
  if (!g_enabled || g_muted > 0) return;
  auto it = g_widgets.find(std::string(name));
  if (it != g_widgets.end()) (*it)[std::string(key)] = value;
}

void Field(std::string_view name, std::string_view key, std::string_view value) {
  if (!g_enabled || g_muted > 0) return;
  auto it = g_widgets.find(std::string(name));
  if (it != g_widgets.end()) (*it)[std::string(key)] = std::string(value);
}

void ErrorShown(std::string_view name, std::string_view message) {
  if (!g_enabled || g_muted > 0) return;
  MarkLastItem(name, message);
  g_status[std::string(name)] = std::string(message);
  g_status["errors"][std::string(name)] = std::string(message);
}

void Status(std::string_view key, std::string_view value) {
  if (g_enabled && g_muted == 0) g_status[std::string(key)] = std::string(value);
}

void Status(std::string_view key, long long value) {
  if (g_enabled && g_muted == 0) g_status[std::string(key)] = value;
}

void BeginFrame() {
  if (!g_enabled) return;
  g_widgets = nlohmann::json::object();
  g_status = nlohmann::json::object();
  g_status["errors"] = nlohmann::json::object();
  g_marked_items.clear();
}

void IdleFrame() {
  if (!g_enabled) return;
  page::PublishFrameCount(++g_frames);
}

void EndFrame() {
  if (!g_enabled) return;
  ++g_frames;
  std::string focused;
  if (const ImGuiID id = focus::Focused()) {
    for (const auto& [item, name] : g_marked_items)
      if (item == id) focused = name;
  }
  g_status["focus"] = focused;
  using nlohmann::json;
  page::PublishTestHook(oat::json_text(g_widgets),
                        oat::json_text(g_status), g_frames);
}

}  // namespace console::test_hook
