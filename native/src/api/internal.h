// Pieces the API handlers share: answers in Docker's shapes, the caller behind a request, and
// the caller's standing in an organization.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "api/service.h"

namespace oatd::api {

using nlohmann::json;

http::Response json_response(int status, const json& body);
// {"detail","message"} with the given status.
http::Response detail_response(int status, std::string_view message);
// Core errors: 400s as {"fields","text"}, others as {"detail","message"}, with the core's status.
http::Response errors_response(const oat::Errors& errors);
// 429 with Retry-After and X-RateLimit-* headers.
http::Response too_many_response(std::int64_t retry_after, std::size_t limit, Timestamp now);
// 404 that is identical for "no such organization" and "not yours to see".
http::Response org_not_found();

// Who is calling, proven by a management bearer.
struct Caller {
  bool is_access_token = false;
  std::optional<User> user;           // when !is_access_token
  std::optional<TokenRecord> token;   // when is_access_token
  std::string subject;                // username, or the organization name for an OAT
  std::optional<std::string> session_id;
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

// "http://host:port" for next/previous links.
std::string base_url(const http::Request& request, const Services& services);

// Audit event JSON as the API shows it.
json audit_event_json(const AuditEvent& event);

void add_auth_routes(http::Router& router, Services& services);
void add_token_routes(http::Router& router, Services& services);
void add_account_routes(http::Router& router, Services& services);

}  // namespace oatd::api
