// The test hook (page opened with ?test=1): each frame the console publishes where its named
// widgets are, so browser tests find them and then act only through mouse and keyboard.
//
//   window.__oat_widgets  {"signin.username": {"x":..,"y":..,"w":..,"h":..}, ...} CSS pixels
//   window.__oat_status   {"screen": "signin"|"tokens", "pending": 0, "rows": 3, ...}
//   window.__oat_frames   frames drawn so far
//
// Names: signin.username, signin.password, signin.submit, signin.error; topbar.org,
// topbar.org.option.<org>, topbar.theme, topbar.signout; tokens.filter,
// tokens.status.<all|active|inactive|expired>, tokens.refresh, tokens.generate,
// tokens.header.<label|status|created_by|created|last_used|expires>, tokens.row.<i> (display
// order, visible rows only), tokens.row.<i>.status.
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
// Adds a field to __oat_status.
void Status(std::string_view key, std::string_view value);
void Status(std::string_view key, long long value);

void BeginFrame();
void EndFrame();  // publishes

}  // namespace console::test_hook
