// The console's conversations with the OAT API (docs/api.md).
//
// Each function below changes the state at once (marks what is loading or pending) and sends a
// request; Pump(), called once per frame, takes the answers and folds them into the state. A
// call that answers 401 while the session is renewable triggers one POST /v2/auth/refresh and is
// retried with the new bearer; when that fails, the person is back at sign-in with a message.
// Nothing is changed optimistically: after a change succeeds, the list is loaded again.
#pragma once

#include <string>
#include <vector>

#include "state.h"

namespace console {

// ---- client.cpp ---------------------------------------------------------------------------------

// POST /v2/auth/token with the sign-in form (asking for a refresh token).
void SignIn(State& state);
// POST /v2/auth/logout, and back to sign-in at once; the console's other tabs follow.
void SignOut(State& state);
// On a page served by the API's own origin: POST /v2/auth/refresh with the session cookie a
// sign-in left (no body), to carry on signed in without the password (a reload, a new tab).
// Meanwhile the sign-in screen says it is resuming; without a session it shows the form.
void ResumeSession(State& state);
// What the console's other tabs said: one signed out (this one follows), or signed in (this
// one, at the sign-in screen, resumes the session).
void FollowOtherTabs(State& state);

// GET /v2/user/orgs (all pages).
void LoadOrganizations(State& state);
// Makes `org` the selected organization and loads what its view needs.
void SelectOrganization(State& state, const std::string& org);
// GET /v2/orgs/{org}/access-tokens?page_size=100 (all pages) for the selected organization.
void LoadTokens(State& state);
// GET /v2/namespaces/{org}/repositories (all pages) for the selected organization.
void LoadRepositories(State& state);

// Forgets the token shown once, overwriting its bytes first.
void WipeSecret(State& state);

// Folds every answer that arrived into the state. Call once per frame, before drawing.
// Returns whether any answer arrived.
bool Pump(State& state);

// How many requests are waiting for an answer.
std::size_t PendingRequests(const State& state);

// ---- token_calls.cpp -----------------------------------------------------------------------------

// POST /v2/orgs/{org}/access-tokens with `body` (built and checked by the core from the
// editor's draft; `slots` say which row each resource came from). On 201 the secret goes to
// state.created and the ShowToken dialog opens; a refusal goes to state.editor.server_errors.
void CreateToken(State& state, std::string body, std::vector<ResourceSlot> slots);
// PATCH the editor's token with `body` (label, description, resources).
void EditToken(State& state, std::string body, std::vector<ResourceSlot> slots);
// GET /v2/orgs/{org}/access-tokens/{id} into state.details (and into the editor, when it waits
// for this token's resources).
void LoadTokenDetails(State& state, const std::string& token_id);
// PATCH {"is_active": active}; state.action remembers it and where it was asked from.
void SetTokenActive(State& state, const std::string& token_id, const std::string& label, bool active,
                    ActionOrigin origin);
// DELETE the token named by state.action (the confirmation dialog's).
void DeleteToken(State& state);
// POST /v2/orgs/{org}/access-tokens/{id}/rotate for the token of state.rotate, with `body`
// (oat::rotate_request_body, checked by the core). On 200 the new secret goes to state.created
// and the ShowToken dialog opens; a refusal goes to state.rotate.server_errors.
void RotateToken(State& state, std::string body);

// ---- policy_calls.cpp ----------------------------------------------------------------------------

// GET /v2/orgs/{org}/access-token-policy for the selected organization, when this person may
// manage its tokens (else nothing: the policy stays unknown).
void LoadTokenPolicy(State& state);
// PUT the policy page's `body` (oat::token_policy_json of the form, checked by the core). On
// 200 the stored policy replaces the form; a refusal goes to state.policy.server_errors.
void SaveTokenPolicy(State& state, std::string body);

// ---- oidc_calls.cpp ------------------------------------------------------------------------------

// GET /v2/orgs/{org}/oidc-connections into state.connections, for the selected organization when
// this person may manage its tokens (the same permission).
void LoadOidcConnections(State& state);
// POST /v2/orgs/{org}/oidc-connections with `body` (built and checked by the core from the
// connection editor's draft). On 201 the editor closes and the new connection is selected; a
// refusal goes to state.connection_editor.server_errors.
void CreateConnection(State& state, std::string body);
// PATCH the editor's connection with `body`.
void EditConnection(State& state, std::string body);
// PATCH {"active": active}; state.connection_action remembers it.
void SetConnectionActive(State& state, const std::string& connection_id, const std::string& name, bool active);
// DELETE the connection named by state.connection_action (the confirmation dialog's).
void DeleteConnection(State& state);
// GET .../oidc-connections/{id}/failures into state.failures.
void LoadOidcFailures(State& state, const std::string& connection_id);

// ---- usage_calls.cpp -----------------------------------------------------------------------------

// GET /v2/orgs/{org}/access-tokens/{id}/usage?days=30 into state.token_usage (the drawer's chart).
void LoadTokenUsage(State& state, const std::string& token_id);
// GET /v2/orgs/{org}/usage?days=30 into state.org_usage (the activity page's chart).
void LoadOrgUsage(State& state);
// GET /v2/orgs/{org}/access-tokens?expiring_within_days=30&page_size=1 into state.expiring (the
// banner above the table); LoadTokens asks it each time.
void LoadExpiringCount(State& state);

// ---- audit_calls.cpp -----------------------------------------------------------------------------

// GET /v2/auditlogs/{org}?action=&page=1&page_size=100 for the selected organization, with
// state.audit.action as the filter; later pages follow up to kAuditAutoLoad events.
void LoadAuditLog(State& state);
// The next page (all = every remaining page).
void LoadMoreAuditLog(State& state, bool all);

}  // namespace console
