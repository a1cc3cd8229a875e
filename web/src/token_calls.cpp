// The calls that change or show one token: create, edit, activate/deactivate, delete, details,
// rotate.
// After each change succeeds the list is loaded again (nothing is changed optimistically).
#include <utility>

#include "client.h"
#include "client_internal.h"
#include "draft.h"

namespace console {

using nlohmann::json;
using namespace calls;

namespace {

std::string Quoted(const std::string& label) { return "\xE2\x80\x9C" + label + "\xE2\x80\x9D"; }

// After a change: the list (and the drawer, when it shows this token) load again.
void Reload(State& state, const std::string& token_id) {
  LoadTokens(state);
  if (state.dialog == Dialog::TokenDetails && state.details.id == token_id) {
    LoadTokenDetails(state, token_id);
  }
}

// The answer to the row action in state.action (activate, deactivate, delete): false when it
// belongs to another action (dropped) or was refused. A refusal's words stay with the action,
// and unless the server was out of reach the list reloads: the token changed elsewhere (deleted,
// expired), and the table shows how it is now.
bool ActionDone(State& state, const PendingCall& call, const net::Response& answer) {
  TokenAction& action = state.action;
  if (call.token_id != action.token_id) return false;
  action.pending = false;
  if (answer.ok()) return true;
  action.error = answer.message();
  if (answer.status != 0) Reload(state, call.token_id);
  return false;
}

}  // namespace

// -----------------------------------------------------------------------------------------------
// Sending
// -----------------------------------------------------------------------------------------------

void CreateToken(State& state, std::string body, std::vector<ResourceSlot> slots) {
  TokenEditor& editor = state.editor;
  if (editor.pending || state.selected_org.empty()) return;
  editor.pending = true;
  editor.server_errors.clear();
  editor.sent_slots = std::move(slots);
  editor.sent = editor.draft;
  Send(state, OrgCall(state, Call::CreateToken, "POST", TokensPath(state.selected_org), std::move(body)));
}

void EditToken(State& state, std::string body, std::vector<ResourceSlot> slots) {
  TokenEditor& editor = state.editor;
  if (editor.pending || !editor.editing()) return;
  editor.pending = true;
  editor.server_errors.clear();
  editor.sent_slots = std::move(slots);
  editor.sent = editor.draft;
  PendingCall call = OrgCall(state, Call::EditToken, "PATCH",
                             TokensPath(state.selected_org) + "/" + editor.token_id, std::move(body));
  call.token_id = editor.token_id;
  Send(state, std::move(call));
}

void LoadTokenDetails(State& state, const std::string& token_id) {
  if (state.selected_org.empty() || token_id.empty()) return;
  TokenDetails& details = state.details;
  if (details.id != token_id) details = TokenDetails{};
  details.id = token_id;
  details.loading = true;
  PendingCall call = OrgCall(state, Call::TokenDetails, "GET", TokensPath(state.selected_org) + "/" + token_id);
  call.token_id = token_id;
  Send(state, std::move(call));
}

void SetTokenActive(State& state, const std::string& token_id, const std::string& label, bool active,
                    ActionOrigin origin) {
  if (state.action.pending || token_id.empty()) return;
  state.action = TokenAction{token_id, label,
                             active ? TokenActionKind::Activate : TokenActionKind::Deactivate, origin,
                             true, ""};
  PendingCall call = OrgCall(state, Call::SetTokenActive, "PATCH",
                             TokensPath(state.selected_org) + "/" + token_id, oat::activation_request_body(active));
  call.token_id = token_id;
  Send(state, std::move(call));
}

void DeleteToken(State& state) {
  TokenAction& action = state.action;
  if (action.pending || action.token_id.empty()) return;
  action.kind = TokenActionKind::Delete;
  action.pending = true;
  action.error.clear();
  PendingCall call = OrgCall(state, Call::DeleteToken, "DELETE",
                             TokensPath(state.selected_org) + "/" + action.token_id);
  call.token_id = action.token_id;
  Send(state, std::move(call));
}

void RotateToken(State& state, std::string body) {
  RotateForm& form = state.rotate;
  if (form.pending || form.token_id.empty() || state.selected_org.empty()) return;
  form.pending = true;
  form.server_errors.clear();
  PendingCall call = OrgCall(state, Call::RotateToken, "POST",
                             TokensPath(state.selected_org) + "/" + form.token_id + "/rotate", std::move(body));
  call.token_id = form.token_id;
  Send(state, std::move(call));
}

// -----------------------------------------------------------------------------------------------
// Answers
// -----------------------------------------------------------------------------------------------

namespace calls {

void OnTokenCreated(State& state, const PendingCall& call, const net::Response& answer) {
  TokenEditor& editor = state.editor;
  editor.pending = false;
  // A refusal is for the dialog it came from; a secret is shown once, even when the person has
  // moved to another organization meanwhile (Back), or it would be lost.
  if (!answer.ok()) {
    if (call.org != state.selected_org) return;
    editor.server_errors = answer.errors;
    editor.reveal_errors = true;
    LoadTokens(state);  // the count may have moved on (another client reached the quota)
    return;
  }
  json body = oat::parse_json_text(answer.body);
  auto created = oat::take_created_token(body);
  state.editor = TokenEditor{};
  if (!created) {
    if (state.dialog == Dialog::GenerateToken) state.dialog = Dialog::None;
    Notify(state, kUnreadable);
  } else {
    state.created.label = created->token.label;
    state.created.secret = std::move(created.value().secret);
    state.dialog = Dialog::ShowToken;
  }
  LoadTokens(state);
}

void OnTokenEdited(State& state, const PendingCall& call, const net::Response& answer) {
  TokenEditor& editor = state.editor;
  if (call.token_id != editor.token_id) return;
  editor.pending = false;
  if (!answer.ok()) {
    editor.server_errors = answer.errors;
    editor.reveal_errors = true;
    return;
  }
  const auto edited = oat::parse_token_json(oat::parse_json_text(answer.body));
  const std::string label = edited ? edited->label : editor.draft.label;
  const bool back = editor.return_to_details;
  state.editor = TokenEditor{};
  Notify(state, "Saved " + Quoted(label) + ".");
  if (state.dialog == Dialog::EditToken) state.dialog = back ? Dialog::TokenDetails : Dialog::None;
  Reload(state, call.token_id);
}

void OnTokenActiveSet(State& state, const PendingCall& call, const net::Response& answer) {
  if (!ActionDone(state, call, answer)) return;
  const TokenAction& action = state.action;
  Notify(state, std::string(action.kind == TokenActionKind::Activate ? "Activated " : "Deactivated ") +
                    Quoted(action.label) + ".");
  state.action = TokenAction{};
  Reload(state, call.token_id);
}

void OnTokenDeleted(State& state, const PendingCall& call, const net::Response& answer) {
  if (!ActionDone(state, call, answer)) return;
  const TokenAction& action = state.action;
  Notify(state, "Deleted " + Quoted(action.label) + ".");
  state.action = TokenAction{};
  if (state.details.id == call.token_id) state.details = TokenDetails{};
  if (state.dialog == Dialog::ConfirmDelete) state.dialog = Dialog::None;
  LoadTokens(state);
}

void OnTokenRotated(State& state, const PendingCall& call, const net::Response& answer) {
  RotateForm& form = state.rotate;
  if (call.token_id != form.token_id) return;
  form.pending = false;
  if (!answer.ok()) {
    if (call.org != state.selected_org) return;  // the secret of a success is shown wherever the person is
    form.server_errors = answer.errors;
    // Expired or deleted meanwhile: the table shows how the token is now.
    if (answer.status == 404 || answer.status == 409) Reload(state, call.token_id);
    return;
  }
  json body = oat::parse_json_text(answer.body);
  auto rotated = oat::take_created_token(body);
  const bool shown = state.dialog == Dialog::RotateToken;  // not closed by a move (Back) meanwhile
  const bool back = form.return_to_details && shown;
  state.rotate = RotateForm{};
  if (!rotated) {
    if (shown) state.dialog = back ? Dialog::TokenDetails : Dialog::None;
    Notify(state, kUnreadable);
  } else {
    state.created = CreatedToken{};
    state.created.label = rotated->token.label;
    state.created.secret = std::move(rotated.value().secret);
    state.created.rotated = true;
    state.created.previous_valid_until = rotated->token.previous_token_expires_at;
    state.created.return_to_details = back;
    state.dialog = Dialog::ShowToken;
  }
  LoadTokens(state);
  if (state.details.id == call.token_id) LoadTokenDetails(state, call.token_id);
}

void OnTokenDetails(State& state, const PendingCall& call, const net::Response& answer) {
  TokenDetails& details = state.details;
  if (call.token_id != details.id) return;
  details.loading = false;
  TokenEditor& editor = state.editor;
  const bool editor_waits = state.dialog == Dialog::EditToken && editor.loading &&
                            editor.token_id == call.token_id;
  if (!answer.ok()) {
    // The drawer of a token that is not there (a link to one deleted, or deleted elsewhere): the
    // list instead, reloaded, with a note saying so.
    if (answer.status == 404 && state.dialog == Dialog::TokenDetails && call.org == state.selected_org) {
      std::string label;
      for (const oat::AccessToken& t : state.tokens.items) {
        if (t.id == call.token_id) label = t.label;
      }
      state.tokens_notice = label.empty()
          ? call.org + " has no access token with the ID " + call.token_id + "; it may have been deleted."
          : "The access token " + Quoted(label) + " is no longer in " + call.org + "; it may have been deleted.";
      details = TokenDetails{};
      state.dialog = Dialog::None;
      if (state.action.origin == ActionOrigin::Details && !state.action.pending) state.action = TokenAction{};
      LoadTokens(state);
      return;
    }
    details.error = answer.message();
    if (editor_waits) {
      editor.loading = false;
      editor.server_errors = answer.errors;
    }
    return;
  }
  auto token = oat::parse_token_json(oat::parse_json_text(answer.body));
  if (!token) {
    details.error = kUnreadable;
    if (editor_waits) {
      editor.loading = false;
      editor.server_errors = {{oat::ErrorCode::ServerRefused, "", kUnreadable}};
    }
    return;
  }
  details.error.clear();
  details.token = std::move(token).value();
  if (editor_waits) {
    editor.loading = false;
    editor.draft = DraftFromToken(*details.token, state.selected_org);
    editor.original = editor.draft;
    editor.fixed_expiry = details.token->expires_at;
    editor.token_state = oat::derive_state(details.token->is_active, details.token->expires_at, state.now);
    editor.label_touched = true;
    editor.focus_label = true;
    editor.resources.org_open = !editor.draft.org_scopes.empty();
  }
}

}  // namespace calls
}  // namespace console
