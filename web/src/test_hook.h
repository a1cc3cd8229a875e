// The test hook (page opened with ?test=1): each frame the console publishes where its named
// widgets are, so browser tests find them and then act only through mouse and keyboard.
//
//   window.__oat_widgets  {"signin.username": {"x","y","w","h"}, ...} CSS pixels; some carry
//                         "text" (what they show), and "disabled", "checked", "selected", "open"
//   window.__oat_status   {"screen": "signin"|"tokens"|"activity"|"no-organization",
//                          "pending", "loading", "org", "dialog", "errors": {name: message}, ...}
//   window.__oat_frames   animation frames handled. A frame in which nothing can have changed
//                         (no input, answer, animation or timer; redraw.h) draws nothing and
//                         keeps the last picture and the last published widgets and status.
//
// Widget names (<i>: display order; rows only while on screen):
//   sign-in     signin.username, signin.password, signin.submit, signin.error (text),
//               signin.notice (text: "You have signed out.", a session that ended)
//   top bar     topbar.org, topbar.org.option.<org>, topbar.theme, topbar.signout;
//               nav.tokens, nav.activity
//   tokens      tokens.filter, tokens.status.<all|active|inactive|expired>, tokens.refresh,
//               tokens.generate (disabled), tokens.generate.reason (text: the core's refusal),
//               tokens.action.error (text), tokens.retry, tokens.clear_filters,
//               tokens.header.<label|status|created_by|created|last_used|expires|actions>,
//               tokens.row.<i> (a click opens the details), tokens.row.<i>.label / .status /
//               .last_used / .expires (text), tokens.row.<i>.menu
//   row menu    row.details, row.edit, row.deactivate, row.activate, row.delete (only what
//               oat::check_token_action allows in the token's state)
//   editor      (generate and edit dialogs) generate.close, generate.label (text),
//               generate.description (text), generate.description.counter (text "0/200"),
//               generate.expiry.<30|90|custom|never> (selected),
//               generate.expiry.<year|month|day|hour|minute> (text; Tab between, Up/Down step),
//               generate.expiry.calendar, generate.expiry.calendar.<prev|next>,
//               generate.expiry.calendar.day.<1..31>, generate.expiry.summary (text),
//               generate.expiry.fixed (edit, text), generate.repo.count (text "2 of 50"),
//               generate.public, generate.all (checked), generate.all.scope.<scope-name>,
//               generate.repo.add (disabled), generate.repo.search,
//               generate.repo.picker.item.<repository>, generate.repo.error (text),
//               generate.repo.<i> (the row; valid), generate.repo.<i>.scope.<scope-name>
//               (checked; disabled = included by another scope), generate.repo.<i>.remove,
//               generate.org (open), generate.org.scope.<scope-name>,
//               generate.error.<label|description|expires_at|resources|public|all|repo.<i>|org>
//               and the same message under the core's field name
//               (generate.error.resources[2].scopes), generate.error.server (no field: the
//               dialog's bottom), generate.pending, generate.submit / edit.submit (disabled),
//               generate.cancel
//   secret      created.dismiss, created.warning, created.token (never its text),
//               created.copy (text "Copy"/"Copied"), created.login, created.copy_login,
//               created.close
//   delete      confirm.close, confirm.name (text), confirm.error (text), confirm.delete,
//               confirm.cancel
//   details     details.close, details.status / .created / .expires / .id / .last_used /
//               .last_used_exact / .addresses / .pulls / .pushes (text), details.error,
//               details.action.error (text), details.edit, details.deactivate,
//               details.activate, details.delete
//   activity    activity.refresh, activity.filter (text), activity.filter.all,
//               activity.filter.<action> (access_token.create, ...), activity.row.<i>,
//               activity.count (text), activity.more, activity.all, activity.retry,
//               activity.error (text)
//   toast       toast
// __oat_status also carries: focus (the name of the widget with the keyboard: the text field
// being edited, or the control with the focus ring; "" for none), tokens, rows,
// tokens.row.<i>.label / .state / .last_used, generate.enabled, generate.refusal,
// generate.valid, generate.pending, generate.repos, generate.description.counter,
// created.copied, details.loading, details.resources, menu, toast, activity.rows (loaded), activity.total (the server's count), activity.filter,
// activity.row.<i>.action, and each error shown under its widget name.
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
// An error message shown as `name`: the widget's text, __oat_status[name] and
// __oat_status.errors[name].
void ErrorShown(std::string_view name, std::string_view message);
// Adds a field to __oat_status.
void Status(std::string_view key, std::string_view value);
void Status(std::string_view key, long long value);

void BeginFrame();
void EndFrame();  // publishes
// A frame that drew nothing (redraw.h): only __oat_frames moves on; the rest stays as published.
void IdleFrame();

}  // namespace console::test_hook
