// Pieces the API handlers share: answers in Docker's shapes, the caller behind a request, and
// the caller's standing in an organization.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/service.h"

namespace oatd::api {

using nlohmann::json;

http::Response json_response(int status, const json& body);
// {"detail","message"} with the given status.
http::Response detail_response(int status, std::string_view message);
// Core errors: 400s as {"fields","text"}, others as {"detail","message"}, with the core's status.
http::Response errors_response(const oat::Errors& errors);
// 404 that is identical for "no such organization" and "not yours to see".
http::Response org_not_found();

// Who is calling, proven by a management bearer.
struct Caller {
  bool is_access_token = false;
  std::optional<User> user;           // when !is_access_token
  std::optional<TokenRecord> token;   // when is_access_token
  std::string subject;                // username, or the organization name for an OAT
  std::optional<std::string> session_id;
  // An access token's bearer got with the secret its last rotation replaced (in the grace).
  bool previous_secret = false;
};

// Checks the Authorization header; the http::Response is the refusal (401).
std::variant<Caller, http::Response> authenticate(const http::Request& request,
                                                  Services& services);

// The caller's standing in `org`, for the core's permission rules.
oat::Actor actor_in(Transaction& tx, const Caller& caller, const Organization& org);

// Resolves the organization and checks the caller may manage its tokens. On refusal returns
// the response: 404 when the organization does not exist or the caller has nothing to do with
// it, 403 (core message) when the caller belongs to it without the permission.
std::variant<Organization, http::Response> organization_for_token_management(
    Transaction& tx, const Caller& caller, std::string_view org_name);

// Same, but only membership (any role) is needed: for reading the organization and its
// repositories.
std::variant<Organization, http::Response> organization_for_member(Transaction& tx,
                                                                   const Caller& caller,
                                                                   std::string_view org_name);

// Runs `work` (Transaction&, const Caller&, const Organization&) -> http::Response for an
// organization the caller may manage tokens of, inside a read or write transaction; refusals
// are answered without calling it.
template <class Work>
http::Response with_managed_org(Services& services, const http::Request& request,
                                const http::Params& params, bool write, Work work) {
  auto caller = authenticate(request, services);
  if (auto* refusal = std::get_if<http::Response>(&caller)) return *refusal;
  http::Response response;
  auto run = [&](Transaction& tx) {
    auto org = organization_for_token_management(tx, std::get<Caller>(caller), params.at("org"));
    if (auto* refusal = std::get_if<http::Response>(&org)) {
      response = *refusal;
      return;
    }
    response = work(tx, std::get<Caller>(caller), std::get<Organization>(org));
  };
  if (write) {
    services.store.write(run);
  } else {
    services.store.read(run);
  }
  return response;
}

// ---- Webhooks (webhooks.cpp) -------------------------------------------------------------------

// Writes, in the caller's transaction, one delivery of `event` about `data` for each active
// webhook of the organization that subscribes to it (the outbox: the deliveries commit or roll
// back with the change). Returns how many were written.
std::size_t notify_webhooks(Transaction& tx, std::int64_t org_id, std::string_view org_name,
                            std::string_view event, std::string_view actor, const json& data,
                            Timestamp now);
// Writes the change's audit event (`data`: its audit data, as JSON) and, when its action is a
// webhook event (oat::webhook_event_for_audit), its deliveries: in the change's transaction.
void record_change(Transaction& tx, std::int64_t org_id, AuditEvent event, const json& data);

// "http://host:port" for next/previous links.
std::string base_url(const http::Request& request, const Services& services);

// ---- Sign-in: rate limits and organization access tokens (token_signin.cpp) ----------------

// The two keys a failed sign-in counts against: the identifier (case-folded) and the address.
struct LimiterKeys {
  std::string identifier, address;
};
LimiterKeys limiter_keys(std::string_view identifier, std::string_view address);

// A sign-in refused for too many failures: seconds to wait, and the limit that was reached.
struct RateLimited {
  std::int64_t retry_after = 0;
  std::size_t limit = 0;
};
// What the limits say of a sign-in, read through `tx`: whether either key has reached its
// limit, and whether the identifier has failures in its window (a success forgets them).
struct LimitState {
  std::optional<RateLimited> limited;
  bool identifier_failed = false;
  bool address_failed = false;  // the address has failures in its window
};
LimitState limit_state(const Services& services, Transaction& tx, const LimiterKeys& keys,
                       Timestamp now);
// Counts a failure against both keys (inside a write), forgetting failures too old to count.
void record_failure(const Services& services, Transaction& tx, const LimiterKeys& keys,
                    Timestamp now);
// Retry-After and X-RateLimit-{Limit,Remaining,Reset}: on every 429 of a sign-in, whatever
// the shape of its body.
void add_rate_limit_headers(http::Response& response, const RateLimited& limited, Timestamp now);
// The management API's 429: {"detail","message"} with those headers.
http::Response too_many_response(const RateLimited& limited, Timestamp now);

// "This secret, presented as this organization, from this address, now".
struct TokenSignInRequest {
  std::string_view organization;   // the identifier, or the Basic username
  std::string_view secret;
  std::string_view address;        // the client's, for the limiter, the audit and last use
  Timestamp now;
  std::string_view service;        // "api" or "registry", recorded with a failure
  std::string_view refused_before; // a reason the route already has to refuse (audited as one)
};
struct TokenSignIn {
  Organization org;
  TokenRecord token;
  bool previous_secret = false;  // signed in with the secret a rotation replaced (in its grace)
};
// Neither value: wrong credentials (an unknown organization or token, a bad format, a
// deactivated or expired token, a secret past its rotation's grace, an address outside the
// token's allow-list: the client is not told which). rate_limited: too many failures.
// policy: the right secret, refused by the organization's token policy (the core's sentence,
// which the client is told).
struct TokenSignInRefusal {
  std::optional<RateLimited> rate_limited;
  std::optional<std::string> policy;
};
// Runs when the sign-in succeeds; returns the repositories granted, which the usage recorder
// keeps to attribute the registry's events.
using GrantOnSignIn = std::function<std::vector<std::string>(const TokenSignIn&)>;
// Checks the limits, the format, looks up the organization and its token with this secret's
// hash in one query (or finds them in services.sign_in_cache), applies the core's state
// rules; a failure is counted against both limiter keys and audited in the organization (when
// it exists); a success is recorded ("last used", the address) through the usage recorder.
// REQUIRES services.usage.
std::variant<TokenSignIn, TokenSignInRefusal> sign_in_with_token(
    Services& services, const TokenSignInRequest& request, const GrantOnSignIn& grant = {});

// ---- OIDC connections (oidc.cpp) ---------------------------------------------------------------

// A registry sign-in with an access token an OIDC exchange issued: the organization, and the
// resources the matching rulesets granted.
struct ExchangedSignIn {
  Organization org;
  std::vector<oat::Resource> resources;
  std::int64_t expires_at = 0;  // the access token's exp (Unix seconds)
};
// Whether a password is to be read as an exchanged access token (a JWT), not as an OAT.
bool looks_like_exchanged_token(std::string_view password);
// The sign-in when the token is ours, unexpired, for `username`, and its connection still exists,
// is active and has the version the token carries; nullopt otherwise.
std::optional<ExchangedSignIn> sign_in_with_exchanged_token(Services& services, std::string_view username,
                                                            std::string_view password, Timestamp now);

// A management bearer's fingerprint of the secret it was got with (claim "sh"), so that a
// rotation ends the bearers of the replaced secret with its grace.
std::string secret_fingerprint(std::string_view secret_hash);

// The token object as the API shows it.
oat::AccessToken api_view(const TokenRecord& record);
// Rotates `token` (inside a write): a new secret, the old one kept for the grace, the expiry
// the request gives, each checked against the state rules and `policy`; audited as `caller`.
// Answers 200 with the token and its new secret, or the refusal.
http::Response rotate_token(Transaction& tx, const Organization& org, TokenRecord token,
                            const oat::TokenPolicy& policy, std::string_view body,
                            std::string_view actor, Timestamp now);

// Audit event JSON as the API shows it.
json audit_event_json(const AuditEvent& event);

void add_auth_routes(http::Router& router, Services& services);
void add_token_routes(http::Router& router, Services& services);
void add_account_routes(http::Router& router, Services& services);
// Self-rotation, the organization's token policy, leaked-token reports (lifecycle.cpp).
void add_lifecycle_routes(http::Router& router, Services& services);
void add_webhook_routes(http::Router& router, Services& services);
// OIDC connections, their failures, and the exchange (oidc.cpp).
void add_oidc_routes(http::Router& router, Services& services);

}  // namespace oatd::api
