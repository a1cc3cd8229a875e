// Opening the token dialogs, and what the rule core allows: generating here (plan, quota,
// permission) and each action on a token in its state.
#include <chrono>

#include "client.h"
#include "oat/plan.h"
#include "oat/role.h"
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

void OpenGenerateDialog(State& state) {
  state.editor = TokenEditor{};
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
  state.dialog = Dialog::TokenDetails;
}

void OpenDeleteDialog(State& state, const std::string& token_id, const std::string& label,
                      ActionOrigin origin) {
  if (state.action.pending) return;
  state.action = TokenAction{token_id, label, TokenActionKind::Delete, origin, false, ""};
  state.dialog = Dialog::ConfirmDelete;
}

}  // namespace console
