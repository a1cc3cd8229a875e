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
// order, visible rows only), tokens.row.<i>.status, tokens.row.<i>.menu, tokens.generate.reason;
// the row menu: row.edit, row.deactivate, row.activate, row.delete; confirm.delete,
// confirm.cancel; nav.tokens, nav.activity;
// the generate/edit dialog: generate.label, generate.description, generate.description.counter,
// generate.expiry.<30|90|custom|never>, generate.expiry.input, generate.public, generate.all,
// generate.repo.add, generate.repo.search, generate.repo.picker.item.<name>, generate.repo.<i>,
// generate.repo.<i>.scope.<scope-name>, generate.repo.<i>.more, generate.repo.<i>.remove,
// generate.all.scope.<scope-name>, generate.org, generate.org.scope.<scope-name>,
// generate.error.<label|description|expires_at|resources|public|all|repo.<i>|org|server>,
// generate.submit (edit.submit when editing), generate.cancel;
// the token shown once: created.token, created.copy, created.login, created.copy_login,
// created.close; activity: activity.filter, activity.filter.all, activity.filter.<action>,
// activity.refresh.
// __oat_status also carries what tests must not read from pixels: tokens.row.<i>.label,
// .state and .last_used; generate.enabled and generate.refusal; generate.valid; the text of
// each generate.error.*; dialog ("generate", "edit", "created", "confirm-delete"); menu;
// confirm.error; activity.rows, activity.total, activity.row.<i>.action.
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
