// The console's conversations with the OAT API (docs/api.md).
//
// Each function below changes the state at once (marks what is loading) and sends a request;
// Pump(), called once per frame, takes the answers and folds them into the state. A call that
// answers 401 while a refresh token is held triggers one POST /v2/auth/refresh and is retried
// with the new bearer; when that fails, the person is back at sign-in with a message.
#pragma once

#include <string>

#include "state.h"

namespace console {

// POST /v2/auth/token with the sign-in form (asking for a refresh token).
void SignIn(State& state);
// POST /v2/auth/logout, and back to sign-in at once.
void SignOut(State& state);

// GET /v2/user/orgs (all pages).
void LoadOrganizations(State& state);
// Makes `org` the selected organization and loads what its view needs.
void SelectOrganization(State& state, const std::string& org);
// GET /v2/orgs/{org}/access-tokens?page_size=100 (all pages) for the selected organization.
void LoadTokens(State& state);
// GET /v2/namespaces/{org}/repositories (all pages) for the selected organization.
void LoadRepositories(State& state);

// POST /v2/orgs/{org}/access-tokens with `body` (built and checked by the editor); on 201 the
// secret goes to state.created and the ShowToken dialog opens.
void CreateToken(State& state, std::string body);
// GET the token (with its resources) and open the edit dialog on it.
void OpenEditDialog(State& state, const std::string& token_id);
// PATCH the draft's token with `body` (the edit dialog); closes the dialog on success.
void EditToken(State& state, std::string body);
// PATCH {"is_active": active} / DELETE for the token named by state.action.
void SetTokenActive(State& state, bool active);
void DeleteToken(State& state);
// GET /v2/auditlogs/{org} (all pages, newest first) for the selected organization.
void LoadActivity(State& state);

// Folds every answer that arrived into the state. Call once per frame, before drawing.
void Pump(State& state);

// How many requests are waiting for an answer.
std::size_t PendingRequests(const State& state);

inline constexpr const char* kSessionEnded = "Your session has ended; sign in again.";

}  // namespace console
