// What client.cpp shares with the files that hold the rest of the API calls (token_calls.cpp,
// audit_calls.cpp). Not for views: they use client.h.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "net.h"
#include "state.h"

namespace console::calls {

inline constexpr const char* kUnreadable = "The server's answer could not be read.";

// Sends `call` with the session's bearer (when call.authorized) and remembers it until answered.
void Send(State& state, PendingCall call);

// An authorized call about the selected organization.
PendingCall OrgCall(const State& state, Call kind, std::string method, std::string path,
                    std::string body = "");

// "/v2/orgs/acme/access-tokens"
std::string TokensPath(const std::string& org);

// Answers, by call (token_calls.cpp, audit_calls.cpp, policy_calls.cpp, usage_calls.cpp,
// oidc_calls.cpp).
void OnTokenCreated(State& state, const PendingCall& call, const net::Response& answer);
void OnTokenEdited(State& state, const PendingCall& call, const net::Response& answer);
void OnTokenActiveSet(State& state, const PendingCall& call, const net::Response& answer);
void OnTokenDeleted(State& state, const PendingCall& call, const net::Response& answer);
void OnTokenDetails(State& state, const PendingCall& call, const net::Response& answer);
void OnAuditPage(State& state, const PendingCall& call, const net::Response& answer);
void OnTokenRotated(State& state, const PendingCall& call, const net::Response& answer);
void OnTokenPolicy(State& state, const PendingCall& call, const net::Response& answer);
void OnTokenPolicySaved(State& state, const PendingCall& call, const net::Response& answer);
void OnUsage(State& state, const PendingCall& call, const net::Response& answer);
void OnExpiringCount(State& state, const PendingCall& call, const net::Response& answer);
void OnOidcConnections(State& state, const PendingCall& call, const net::Response& answer);
void OnConnectionSaved(State& state, const PendingCall& call, const net::Response& answer);
void OnConnectionActiveSet(State& state, const PendingCall& call, const net::Response& answer);
void OnConnectionDeleted(State& state, const PendingCall& call, const net::Response& answer);
void OnOidcFailures(State& state, const PendingCall& call, const net::Response& answer);

}  // namespace console::calls
