// The organization's OIDC connections (docs/oidc.md): listed, created and edited from the
// connection editor, activated and deactivated, deleted, and each one's refused exchanges. For
// those who manage the organization's tokens. After each change the list is loaded again
// (nothing is changed optimistically).
#include <utility>

#include "client.h"
#include "client_internal.h"
#include "oat/oidc.h"
#include "oat/wire.h"

namespace console {

using nlohmann::json;
using namespace calls;

namespace {

std::string ConnectionsPath(const std::string& org) { return "/v2/orgs/" + org + "/oidc-connections"; }

std::string Quoted(const std::string& name) { return "\xE2\x80\x9C" + name + "\xE2\x80\x9D"; }

// The answer to the change in state.connection_action: false when it belongs to another (dropped)
// or was refused; a refusal's words stay with the action, and unless the server was out of reach
// the list reloads (the connection changed elsewhere).
bool ActionDone(State& state, const PendingCall& call, const net::Response& answer) {
  ConnectionAction& action = state.connection_action;
  if (call.token_id != action.connection_id || call.org != state.selected_org) return false;
  action.pending = false;
  if (answer.ok()) return true;
  action.error = answer.message();
  if (answer.status != 0) LoadOidcConnections(state);
  return false;
}

}  // namespace

void LoadOidcConnections(State& state) {
  const Organization* org = SelectedOrganization(state);
  if (!org || !org->can_manage_tokens) return;
  OidcConnections& list = state.connections;
  if (list.org != org->name) {
    const std::uint64_t generation = list.generation;
    list = OidcConnections{};
    list.generation = generation;
  }
  list.org = org->name;
  list.loading = true;
  list.generation++;
  PendingCall call = OrgCall(state, Call::OidcConnections, "GET", ConnectionsPath(org->name));
  call.list_generation = list.generation;
  Send(state, std::move(call));
}

void CreateConnection(State& state, std::string body) {
  ConnectionEditor& editor = state.connection_editor;
  if (editor.pending || state.selected_org.empty()) return;
  editor.pending = true;
  editor.server_errors.clear();
  editor.sent = editor.draft;
  Send(state, OrgCall(state, Call::CreateConnection, "POST", ConnectionsPath(state.selected_org), std::move(body)));
}

void EditConnection(State& state, std::string body) {
  ConnectionEditor& editor = state.connection_editor;
  if (editor.pending || !editor.editing() || state.selected_org.empty()) return;
  editor.pending = true;
  editor.server_errors.clear();
  editor.sent = editor.draft;
  PendingCall call = OrgCall(state, Call::EditConnection, "PATCH",
                             ConnectionsPath(state.selected_org) + "/" + editor.connection_id, std::move(body));
  call.token_id = editor.connection_id;
  Send(state, std::move(call));
}

void SetConnectionActive(State& state, const std::string& connection_id, const std::string& name, bool active) {
  if (state.connection_action.pending || connection_id.empty() || state.selected_org.empty()) return;
  state.connection_action = ConnectionAction{
      connection_id, name, active ? ConnectionActionKind::Activate : ConnectionActionKind::Deactivate, true, ""};
  PendingCall call = OrgCall(state, Call::SetConnectionActive, "PATCH",
                             ConnectionsPath(state.selected_org) + "/" + connection_id,
                             oat::json_text(json{{"active", active}}));
  call.token_id = connection_id;
  Send(state, std::move(call));
}

void DeleteConnection(State& state) {
  ConnectionAction& action = state.connection_action;
  if (action.pending || action.connection_id.empty() || state.selected_org.empty()) return;
  action.kind = ConnectionActionKind::Delete;
  action.pending = true;
  action.error.clear();
  PendingCall call = OrgCall(state, Call::DeleteConnection, "DELETE",
                             ConnectionsPath(state.selected_org) + "/" + action.connection_id);
  call.token_id = action.connection_id;
  Send(state, std::move(call));
}

void LoadOidcFailures(State& state, const std::string& connection_id) {
  if (state.selected_org.empty() || connection_id.empty()) return;
  OidcFailures& failures = state.failures;
  if (failures.connection_id != connection_id || failures.org != state.selected_org) {
    const std::uint64_t generation = failures.generation;
    failures = OidcFailures{};
    failures.generation = generation;
  }
  failures.org = state.selected_org;
  failures.connection_id = connection_id;
  failures.loading = true;
  failures.generation++;
  PendingCall call = OrgCall(state, Call::OidcFailures, "GET",
                             ConnectionsPath(state.selected_org) + "/" + connection_id + "/failures");
  call.token_id = connection_id;
  call.list_generation = failures.generation;
  Send(state, std::move(call));
}

namespace calls {

void OnOidcConnections(State& state, const PendingCall& call, const net::Response& answer) {
  OidcConnections& list = state.connections;
  if (call.org != list.org || call.list_generation != list.generation) return;
  list.loading = false;
  const auto fail = [&](std::string message) {
    list.error = std::move(message);
    list.error_status = answer.status;
  };
  if (!answer.ok()) return fail(answer.message());
  const json body = oat::parse_json_text(answer.body);
  const auto results = body.is_object() ? body.find("results") : body.end();
  if (!body.is_object() || results == body.end() || !results->is_array()) return fail(kUnreadable);
  std::vector<oat::OidcConnection> items;
  for (const json& item : *results) {
    // A connection the core cannot read is left out of the list.
    if (auto connection = oat::parse_oidc_connection_json(item)) items.push_back(std::move(connection).value());
  }
  list.items = std::move(items);
  list.loaded = true;
  list.error.clear();
  list.error_status = 0;
  list.loaded_at = state.now;
}

void OnConnectionSaved(State& state, const PendingCall& call, const net::Response& answer) {
  ConnectionEditor& editor = state.connection_editor;
  if (call.org != state.selected_org || call.token_id != editor.connection_id) return;
  editor.pending = false;
  if (!answer.ok()) {
    editor.server_errors = answer.errors;
    editor.reveal_errors = true;
    return;
  }
  const auto saved = oat::parse_oidc_connection_json(oat::parse_json_text(answer.body));
  const std::string name = saved ? saved->name : editor.draft.name;
  const bool created = call.call == Call::CreateConnection;
  if (saved) {
    state.ci.selected = saved->id;
    if (created) state.ci.tab = ConnectionTab::Setup;  // what to do with it next
  }
  state.connection_editor = ConnectionEditor{};
  if (state.dialog == Dialog::EditConnection) state.dialog = Dialog::None;
  Notify(state, (created ? "Created " : "Saved ") + Quoted(name) + ".");
  LoadOidcConnections(state);
}

void OnConnectionActiveSet(State& state, const PendingCall& call, const net::Response& answer) {
  if (!ActionDone(state, call, answer)) return;
  const ConnectionAction& action = state.connection_action;
  Notify(state, std::string(action.kind == ConnectionActionKind::Activate ? "Activated " : "Deactivated ") +
                    Quoted(action.name) + ".");
  state.connection_action = ConnectionAction{};
  LoadOidcConnections(state);
}

void OnConnectionDeleted(State& state, const PendingCall& call, const net::Response& answer) {
  if (!ActionDone(state, call, answer)) return;
  Notify(state, "Deleted " + Quoted(state.connection_action.name) + ".");
  state.connection_action = ConnectionAction{};
  if (state.ci.selected == call.token_id) state.ci.selected.clear();
  if (state.failures.connection_id == call.token_id) state.failures = OidcFailures{};
  if (state.dialog == Dialog::ConfirmDeleteConnection) state.dialog = Dialog::None;
  LoadOidcConnections(state);
}

void OnOidcFailures(State& state, const PendingCall& call, const net::Response& answer) {
  OidcFailures& failures = state.failures;
  if (call.org != failures.org || call.token_id != failures.connection_id ||
      call.list_generation != failures.generation) {
    return;
  }
  failures.loading = false;
  if (!answer.ok()) {
    failures.error = answer.message();
    return;
  }
  const json body = oat::parse_json_text(answer.body);
  const auto list = body.is_object() ? body.find("failures") : body.end();
  if (!body.is_object() || list == body.end() || !list->is_array()) {
    failures.error = kUnreadable;
    return;
  }
  std::vector<oat::OidcFailure> items;
  for (const json& item : *list) {
    if (auto failure = oat::parse_oidc_failure_json(item)) items.push_back(std::move(failure).value());
  }
  failures.items = std::move(items);
  failures.loaded = true;
  failures.error.clear();
}

}  // namespace calls
}  // namespace console
