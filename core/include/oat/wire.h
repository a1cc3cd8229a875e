// The management API's wire shapes beyond the token object (api.h): what the server writes and
// the console reads, each written and read here only, so the two sides cannot drift apart.
// Readers are lenient where a server may add fields and strict where the console relies on a
// value: a required field missing or of the wrong type is an error naming it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "oat/api.h"
#include "oat/error.h"
#include "oat/plan.h"
#include "oat/resource.h"
#include "oat/time.h"
#include "oat/token_policy.h"

namespace oat {

// The JSON text of a value as it goes on the wire or to storage: compact, and any invalid UTF-8
// (a label pasted into a field, a Host header) replaced rather than refused.
std::string json_text(const nlohmann::json& value);
// Parses JSON text without throwing: a value that is_discarded() when the text is not JSON.
nlohmann::json parse_json_text(std::string_view text);

// ---- Signing in -----------------------------------------------------------------------------

// POST /v2/auth/token: {"access_token","expires_in"} and, when a session was asked for,
// {"refresh_token","refresh_expires_at"}.
struct SignInAnswer {
  std::string access_token;
  long long expires_in = 0;  // seconds
  std::optional<std::string> refresh_token;
  std::optional<Timestamp> refresh_expires_at;
};
nlohmann::json sign_in_answer_json(const SignInAnswer& answer);
// Also reads the answer of POST /v2/auth/refresh (no refresh fields). access_token required.
Result<SignInAnswer> parse_sign_in_answer(std::string_view body);
// The legacy POST /v2/users/login answer: {"token"}.
nlohmann::json legacy_sign_in_answer_json(std::string_view token);

// The request bodies a client sends (parse_sign_in_request and parse_refresh_request read them).
std::string sign_in_request_body(const SignInRequest& request);
std::string refresh_request_body(std::string_view refresh_token);

// ---- The signed-in user, organizations, repositories ----------------------------------------

// GET /v2/user: {id, username, date_joined}.
struct UserInfo {
  std::int64_t id = 0;
  std::string username;
  Timestamp date_joined{};
};
nlohmann::json user_json(const UserInfo& user);
Result<UserInfo> parse_user_json(const nlohmann::json& value);

// GET /v2/orgs/{org} and the items of /v2/user/orgs: {id, orgname, plan, plan_name, role,
// is_company_owner, can_manage_tokens, token_quota, token_count}; role is null for a company
// owner who is not a member.
struct OrganizationInfo {
  std::int64_t id = 0;
  std::string name;
  Plan plan = Plan::Free;
  std::string role;  // "owner", "editor", "member", a custom role's name, or "" (none)
  bool is_company_owner = false;
  bool can_manage_tokens = false;
  std::size_t token_quota = 0;
  std::size_t token_count = 0;
};
nlohmann::json organization_json(const OrganizationInfo& org);
Result<OrganizationInfo> parse_organization_json(const nlohmann::json& value);

// The items of GET /v2/namespaces/{org}/repositories: {name, namespace, is_private,
// date_registered}.
struct RepositoryInfo {
  std::string name;       // "app"
  std::string namespace_; // "acme"
  bool is_private = true;
  Timestamp date_registered{};
};
nlohmann::json repository_json(const RepositoryInfo& repository);
Result<RepositoryInfo> parse_repository_json(const nlohmann::json& value);

// ---- The audit log ---------------------------------------------------------------------------

// What an event's `data` may hold, by action: the token's id and label (every token action),
// its resources and expiry (create; resources also on an update that changed them; a rotation's
// new expiry), the label it had before a rename, and for a failed sign-in the reason, the
// client's address and the service it came through ("api", "registry"); a leaked-token report
// records the reporter's address.
struct AuditData {
  std::optional<std::string> token_id, label, previous_label;
  std::optional<std::vector<Resource>> resources;
  // The expiry, when one was recorded: a time, or nullopt inside for "never expires".
  std::optional<std::optional<Timestamp>> expires_at;
  std::optional<std::string> reason, address, service;
  // A rotation's grace; a create's or update's allow-list and self-rotation flag (when they
  // changed); the policy a policy change set.
  std::optional<std::int64_t> grace_period_seconds;
  std::optional<std::vector<std::string>> allowed_cidrs;
  std::optional<bool> allow_self_rotation;
  std::optional<TokenPolicy> policy;
};
nlohmann::json audit_data_json(const AuditData& data);
// Reads what it knows of an event's data; fields of another shape are left out.
AuditData parse_audit_data(const nlohmann::json& value);

// The items of GET /v2/auditlogs/{org}: {account, action, name, actor, data, timestamp,
// action_description}. The description is the core's for a known action, else the action.
struct AuditEventInfo {
  std::string account, action, name, actor;
  nlohmann::json data = nlohmann::json::object();
  Timestamp timestamp{};
  std::string description;  // read back from action_description
};
nlohmann::json audit_event_json(const AuditEventInfo& event);
Result<AuditEventInfo> parse_audit_event_json(const nlohmann::json& value);

// GET /v2/auditlogs/{org}/actions.
nlohmann::json audit_actions_json();

// ---- Pages -----------------------------------------------------------------------------------

// A page of a list as read back: {"total","next","previous", ITEMS_KEY: [...]} where the
// items' key is "results" (tokens, organizations, repositories) or "logs" (the audit log).
struct PageAnswer {
  std::size_t total = 0;
  std::optional<std::string> next, previous;  // full URLs, or null
  nlohmann::json items = nlohmann::json::array();
};
inline constexpr std::string_view kResultsKey = "results";
inline constexpr std::string_view kLogsKey = "logs";
// Writes a page (page_json in api.h) with the items under `items_key`.
nlohmann::json page_json_as(std::string_view items_key, std::size_t total,
                            const PageRequest& page, std::string_view base_url,
                            nlohmann::json items);
// A whole list in one page (GET /v2/user/orgs).
nlohmann::json single_page_json(nlohmann::json items);
Result<PageAnswer> parse_page_json(std::string_view body, std::string_view items_key = kResultsKey);

// ---- Tokens ----------------------------------------------------------------------------------

// The answer to a create: the token object (api.h) and its secret, shown this once.
struct CreatedToken {
  AccessToken token;
  std::string secret;
};
// Overwrites a string's bytes before clearing it (a secret leaving memory).
void wipe_secret(std::string& text);
// Moves the secret out of `value` and overwrites its copy there, so that only the returned
// value holds it.
Result<CreatedToken> take_created_token(nlohmann::json& value);

// ---- Token requests a client sends -----------------------------------------------------------

// The create and update bodies (parse_create_request and parse_update_request read them):
// label, description and resources as given; expires_at only in a create (null: never).
nlohmann::json token_request_json(std::string_view label, std::string_view description,
                                  nlohmann::json resources);
// The same with what a token may do beyond its resources: rotate itself, and the address
// blocks it may sign in from, as given (the parsers check and canonicalize them; empty: any
// address).
nlohmann::json token_request_json(std::string_view label, std::string_view description,
                                  nlohmann::json resources, bool allow_self_rotation,
                                  const std::vector<std::string>& allowed_cidrs);
// {"is_active": true|false}: (re)activation and deactivation.
std::string activation_request_body(bool active);

}  // namespace oat
