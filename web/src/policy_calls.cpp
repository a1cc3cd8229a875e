// The organization's token policy: read for those who manage its tokens (the tokens table marks
// what it blocks, the generate dialog offers what it allows), changed on the policy page.
#include <utility>

#include "client.h"
#include "client_internal.h"
#include "oat/wire.h"

namespace console {

using nlohmann::json;
using namespace calls;

namespace {

std::string PolicyPath(const std::string& org) { return "/v2/orgs/" + org + "/access-token-policy"; }

// The page's fields for a stored policy.
PolicyForm FormOf(const oat::TokenPolicy& policy) {
  PolicyForm form;
  form.limit_lifetime = policy.max_lifetime_days.has_value();
  form.lifetime_days = policy.max_lifetime_days ? std::to_string(*policy.max_lifetime_days) : "";
  form.require_expiration = policy.require_expiration;
  form.limit_idle = policy.max_idle_days.has_value();
  form.idle_days = policy.max_idle_days ? std::to_string(*policy.max_idle_days) : "";
  return form;
}

// The policy an answer holds, stored with the page's form (unless the person has changed it).
bool TakePolicy(State& state, const net::Response& answer) {
  TokenPolicyState& policy = state.policy;
  auto read = oat::parse_token_policy_json(oat::parse_json_text(answer.body));
  if (!read) {
    policy.error = kUnreadable;
    policy.error_status = answer.status;
    return false;
  }
  // A first load fills the form; later ones only when the person has not changed it.
  const bool untouched = !policy.loaded || policy.form == policy.saved;
  policy.policy = *read;
  policy.loaded = true;
  policy.error.clear();
  policy.error_status = 0;
  policy.saved = FormOf(policy.policy);
  if (untouched) policy.form = policy.saved;
  return true;
}

}  // namespace

const oat::TokenPolicy* SelectedPolicy(const State& state) {
  const TokenPolicyState& policy = state.policy;
  if (!policy.loaded || policy.org != state.selected_org || state.selected_org.empty()) return nullptr;
  return &policy.policy;
}

void LoadTokenPolicy(State& state) {
  const Organization* org = SelectedOrganization(state);
  if (!org || !org->can_manage_tokens) return;
  TokenPolicyState& policy = state.policy;
  if (policy.org != org->name) policy = TokenPolicyState{};
  policy.org = org->name;
  policy.loading = true;
  Send(state, OrgCall(state, Call::TokenPolicy, "GET", PolicyPath(org->name)));
}

void SaveTokenPolicy(State& state, std::string body) {
  TokenPolicyState& policy = state.policy;
  if (policy.pending || state.selected_org.empty() || policy.org != state.selected_org) return;
  policy.pending = true;
  policy.server_errors.clear();
  Send(state, OrgCall(state, Call::SaveTokenPolicy, "PUT", PolicyPath(state.selected_org), std::move(body)));
}

namespace calls {

void OnTokenPolicy(State& state, const PendingCall& call, const net::Response& answer) {
  TokenPolicyState& policy = state.policy;
  if (call.org != policy.org) return;
  policy.loading = false;
  if (!answer.ok()) {
    policy.error = answer.message();
    policy.error_status = answer.status;
    return;
  }
  TakePolicy(state, answer);
}

void OnTokenPolicySaved(State& state, const PendingCall& call, const net::Response& answer) {
  TokenPolicyState& policy = state.policy;
  if (call.org != policy.org) return;
  policy.pending = false;
  if (!answer.ok()) {
    policy.server_errors = answer.errors;
    return;
  }
  policy.form = policy.saved;  // the answer's policy replaces the form
  if (TakePolicy(state, answer)) Notify(state, "Saved the token policy of " + call.org + ".");
}

}  // namespace calls
}  // namespace console
