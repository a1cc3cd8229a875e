// Opening the token dialogs, and what the rule core allows: generating here (plan, quota,
// permission), each action on a token in its state, and what the token policy blocks.
#include <chrono>

#include "client.h"
#include "oat/plan.h"
#include "oat/role.h"
#include "oat/token_policy.h"
#include "views/editor.h"
#include "views/views.h"

namespace console {

oat::Status GenerateRefusal(const State& state) {
  const Organization* org = SelectedOrganization(state);
  if (!org) return std::nullopt;
  if (!org->can_manage_tokens) {
    // The server told us this person may not manage tokens here; the core says so in words.
    return oat::manage_tokens_refusal();
  }
  const bool listed = state.tokens.loaded && state.tokens.org == org->name;
  const std::size_t held = listed ? state.tokens.items.size() : org->token_count;
  return oat::check_can_create_token(org->plan, held);
}

bool Allows(oat::TokenState token_state, oat::TokenAction action) {
  return !oat::check_token_action(token_state, action);
}

oat::Status PolicyBlock(const State& state, const oat::AccessToken& token) {
  const oat::TokenPolicy* policy = SelectedPolicy(state);
  if (!policy || oat::derive_state(token.is_active, token.expires_at, state.now) != oat::TokenState::Active) {
    return std::nullopt;
  }
  return oat::check_policy_at_use(*policy, oat::lifetime_start(token.created_at, token.rotated_at),
                                  token.last_used_at, state.now);
}

void OpenGenerateDialog(State& state) {
  state.editor = TokenEditor{};
  // The expiration starts at one the organization's policy allows.
  if (const oat::TokenPolicy* policy = SelectedPolicy(state)) {
    state.editor.draft.expiry = editor::FirstAllowedPreset(*policy);
    if (state.editor.draft.expiry == oat::ExpiryPreset::Custom) {
      state.editor.draft.custom = editor::CustomStart(state.now, *policy);
    }
  }
  state.dialog = Dialog::GenerateToken;
  if (!state.repositories.loaded && !state.repositories.loading) LoadRepositories(state);
}

void OpenEditDialog(State& state, const std::string& token_id, bool from_details) {
  if (state.selected_org.empty() || token_id.empty()) return;
  state.editor = TokenEditor{};
  state.editor.token_id = token_id;
  state.editor.loading = true;
  state.editor.return_to_details = from_details;
  state.dialog = Dialog::EditToken;
  LoadTokenDetails(state, token_id);  // the list carries no resources
  if (!state.repositories.loaded && !state.repositories.loading) LoadRepositories(state);
}

void OpenTokenDetails(State& state, const std::string& token_id) {
  if (state.action.origin == ActionOrigin::Details && !state.action.pending) state.action = TokenAction{};
  LoadTokenDetails(state, token_id);
  LoadTokenUsage(state, token_id);
  state.dialog = Dialog::TokenDetails;
}

void OpenRotateDialog(State& state, const oat::AccessToken& token, bool from_details) {
  if (state.selected_org.empty() || state.rotate.pending) return;
  state.rotate = RotateForm{};
  state.rotate.token_id = token.id;
  state.rotate.label = token.label;
  state.rotate.current_expiry = token.expires_at;
  state.rotate.return_to_details = from_details;
  const oat::TokenPolicy* policy = SelectedPolicy(state);
  const oat::TokenPolicy rules = policy ? *policy : oat::TokenPolicy{};
  state.rotate.expiry = editor::FirstAllowedPreset(rules);
  if (state.rotate.expiry == oat::ExpiryPreset::Custom) state.rotate.custom = editor::CustomStart(state.now, rules);
  // A rotation restarts the token's lifetime: an expiry the policy does not allow from now on
  // must be chosen anew.
  state.rotate.new_expiry = static_cast<bool>(oat::check_expiry_policy(rules, token.expires_at, state.now));
  state.dialog = Dialog::RotateToken;
}

void OpenDeleteDialog(State& state, const std::string& token_id, const std::string& label,
                      ActionOrigin origin) {
  if (state.action.pending) return;
  state.action = TokenAction{token_id, label, TokenActionKind::Delete, origin, false, ""};
  state.dialog = Dialog::ConfirmDelete;
}

}  // namespace console
