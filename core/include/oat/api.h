// The Docker Hub management API shapes: request bodies parsed into validated values, and the
// JSON answers (token objects, lists, errors) serialized exactly as Docker names them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "oat/error.h"
#include "oat/resource.h"
#include "oat/time.h"

namespace oat {

// What a rule needs to know about the organization a request is for.
struct OrganizationContext {
  std::string org;                    // the organization's name
  RepositoryExists repository_exists; // its repositories
  Timestamp now;                      // the server's (or console's) current time
};

// A request body that must be a JSON object: MalformedBody when it is not JSON or not an object.
Result<nlohmann::json> parse_request_object(std::string_view body);

// POST /v2/orgs/{org}/access-tokens
struct CreateTokenRequest {
  std::string label;  // trimmed
  std::string description;
  std::vector<Resource> resources;
  std::optional<Timestamp> expires_at;  // nullopt: never expires
  bool allow_self_rotation = false;     // the token may rotate itself (POST .../self/rotate)
  std::vector<std::string> allowed_cidrs;  // canonical blocks; empty: any address
};

// PATCH /v2/orgs/{org}/access-tokens/{id}: any of the fields; expires_at is refused.
struct UpdateTokenRequest {
  std::optional<std::string> label;
  std::optional<std::string> description;
  std::optional<std::vector<Resource>> resources;
  std::optional<bool> is_active;
  std::optional<bool> allow_self_rotation;
  std::optional<std::vector<std::string>> allowed_cidrs;  // empty: any address

  bool empty() const {
    return !label && !description && !resources && !is_active && !allow_self_rotation &&
           !allowed_cidrs;
  }
};

// Parse and validate; every bad field is reported (field names as in the body).
Result<CreateTokenRequest> parse_create_request(std::string_view body,
                                                const OrganizationContext& context);
Result<UpdateTokenRequest> parse_update_request(std::string_view body,
                                                const OrganizationContext& context);

// Resources as JSON: [{"type":"TYPE_REPO","path":"acme/app","scopes":["scope-image-pull"]}].
nlohmann::json resources_json(const std::vector<Resource>& resources);
// Parses resource entries without checking them against an organization (shape, type and
// scope names only); used for answers from a server and by the request parsers.
Result<std::vector<Resource>> parse_resources_json(const nlohmann::json& value);

// A token as the API shows it.
struct AccessToken {
  std::string id;  // UUID
  std::string label;
  std::string description;
  std::string created_by;  // username
  bool is_active = true;
  Timestamp created_at{};
  std::optional<Timestamp> expires_at;
  std::optional<Timestamp> last_used_at;
  std::vector<Resource> resources;
  // Beyond Docker's shape, in single-token answers only: the last 5 distinct client addresses
  // the token signed in from (most recent first), and registry pulls and pushes counted.
  std::vector<std::string> last_used_addresses;
  long long pull_count = 0;
  long long push_count = 0;
  // Lifecycle (in every answer): the last rotation, and until when the secret it replaced
  // keeps signing in (null: no grace, or never rotated).
  std::optional<Timestamp> rotated_at;
  std::optional<Timestamp> previous_token_expires_at;
  // Single-token answers: when the previous secret last signed in, whether the token may
  // rotate itself, and the address blocks it may sign in from (empty: anywhere).
  std::optional<Timestamp> previous_token_last_used_at;
  bool allow_self_rotation = false;
  std::vector<std::string> allowed_cidrs;
};

// The token object. `with_resources` for single-token answers (lists carry none), which also
// carry last_used_addresses, pull_count and push_count; `secret` only in the answer to a create.
nlohmann::json token_json(const AccessToken& token, bool with_resources,
                          std::optional<std::string_view> secret = std::nullopt);
Result<AccessToken> parse_token_json(const nlohmann::json& value);

// Pagination: page >= 1, page_size 1..100 (default 1 and 10), and page * page_size countable
// (a size_t), so that a page's items never wrap around to another page's.
struct PageRequest {
  std::size_t page = 1;
  std::size_t page_size = 10;
};
inline constexpr std::size_t kMaxPageSize = 100;
// Values are the raw query parameters (absent = default).
Result<PageRequest> parse_page_request(std::optional<std::string_view> page,
                                       std::optional<std::string_view> page_size);

// {"total","next","previous","results"}. `base_url` is the list's URL, with its own filters
// as a query if it has any ("https://oat.example/v2/orgs/acme/access-tokens"); next/previous
// are full URLs (page and page_size added) or null.
nlohmann::json page_json(std::size_t total, const PageRequest& page, std::string_view base_url,
                         nlohmann::json results);

// POST /v2/auth/token {"identifier", "secret", "refresh"?} and the legacy POST /v2/users/login
// {"username", "password"}. Both text fields are required non-empty strings, "refresh" is true
// or false (absent: false; the legacy form has none). Fields a client may add beyond these are
// ignored, as Docker Hub does; a documented field of the wrong JSON type is a 400 naming it.
struct SignInRequest {
  std::string identifier;  // a username, or an organization name with an access token
  std::string secret;      // a password, or an organization access token
  bool refresh = false;    // also open a console session (a refresh token)
};
enum class SignInForm { Current, Legacy };
Result<SignInRequest> parse_sign_in_request(std::string_view body, SignInForm form);

// POST /v2/auth/refresh and /v2/auth/logout: {"refresh_token": "<id>.<secret>"}. For logout the
// body is optional (a bearer names the session instead): `required` false makes an empty body,
// or one without the field, an absent token (nullopt) rather than an error.
Result<std::optional<std::string>> parse_refresh_request(std::string_view body, bool required);

// The words of the sign-in and session refusals (401, detail_error_json): the server answers
// them, and the console shows kSessionEnded when its session cannot be renewed.
inline constexpr std::string_view kBadCredentials = "Incorrect username or password.";
inline constexpr std::string_view kBadBearer =
    "Authentication credentials were not provided or are not valid; sign in again.";
inline constexpr std::string_view kSessionEnded = "Your session has ended; sign in again.";
inline constexpr std::string_view kNoSession = "There is no session to sign out of.";
// An organization access token's sign-in refused (wrong, unknown, deactivated or expired: the
// client is not told which), on the management API and in the registry's shape on /token.
inline constexpr std::string_view kBadTokenCredentials =
    "Incorrect organization name or access token.";
inline constexpr std::string_view kRegistryBadCredentials =
    "Sign in with the organization's name and an active organization access token.";
// The legacy POST /v2/users/login is for people only.
inline constexpr std::string_view kLegacySignInIsForPeople =
    "Cannot log into an organization account";
// 429 of a sign-in refused for too many failures (with Retry-After: `seconds`).
std::string too_many_sign_ins_message(long long seconds);

// The sign-in rate limit of one key (an identifier, a client address): at most `max_failures`
// failed sign-ins in any `window`.
struct SignInPolicy {
  std::size_t max_failures = 5;
  std::chrono::seconds window{300};
};
// Seconds until a key may try again, given the times of its failures in the window that ends
// at `now` (oldest first), or nullopt when it may try now: once `max_failures` are in the
// window, until enough of them have left it.
std::optional<std::int64_t> sign_in_retry_after(const std::vector<Timestamp>& failures,
                                                const SignInPolicy& policy, Timestamp now);
// 503 with Retry-After (kStorageRetrySeconds): the server's disk is full; nothing was changed.
inline constexpr std::string_view kStorageFull =
    "The server's storage is full, so nothing was changed; try again later.";
inline constexpr int kStorageRetrySeconds = 60;
// 503 with Retry-After: 1: the database stayed busy with another writer; nothing was changed.
inline constexpr std::string_view kStorageBusy =
    "The server's database is busy, so nothing was changed; try again in a moment.";
// 503 with Retry-After (kDatabaseRetrySeconds): the server cannot reach its database (a
// database server that is down or restarting).
inline constexpr std::string_view kDatabaseUnavailable =
    "The server cannot reach its database right now; try again in a few seconds.";
inline constexpr int kDatabaseRetrySeconds = 5;

// 400: {"fields":{"label":["..."]},"text":"..."}
nlohmann::json field_errors_json(const Errors& errors);
// 401/403/404/...: {"detail":"...","message":"..."}
nlohmann::json detail_error_json(std::string_view message);
// The registry's shape: {"errors":[{"code":"UNAUTHORIZED","message":"...","detail":null}]}
nlohmann::json registry_error_json(std::string_view code, std::string_view message);

// Reads any of the error shapes above (as a client does) back into Errors; a body that is none
// of them becomes one Error whose message is `fallback`.
Errors parse_error_response(std::string_view body, std::string_view fallback);

}  // namespace oat
