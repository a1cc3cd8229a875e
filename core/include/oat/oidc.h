// OIDC connections: keyless sign-in from CI (docs/oidc.md).
//
// A CI job presents its OpenID Connect ID token (GitHub Actions, GitLab CI, ...) and gets a
// short-lived access token in exchange (RFC 8693), which it uses as the password of
// `docker login -u <org>`. An organization's connections say which issuer and audience an ID
// token must have, and hold rulesets: conditions on the token's claims, and the resources granted
// when they hold. The rules (what a connection may hold, the presets that must pin an owner by its
// immutable id, how claims match, what an exchange request and an ID token's claims must be, the
// access token's claims, the shapes on the wire) are here; fetching keys, checking signatures and
// storing are the server's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "oat/error.h"
#include "oat/resource.h"
#include "oat/time.h"

namespace oat {

// ---- Limits --------------------------------------------------------------------------------------

inline constexpr std::size_t kMaxOidcConnections = 20;  // per organization
inline constexpr std::size_t kMaxOidcRulesets = 5;
inline constexpr std::size_t kMaxOidcConditions = 20;   // per ruleset
inline constexpr std::size_t kMaxOidcPatternLength = 500;
inline constexpr std::size_t kMaxOidcClaimNameLength = 100;
inline constexpr std::size_t kMaxOidcAudienceLength = 256;
inline constexpr std::size_t kMaxOidcIssuerLength = 512;
// An access token's lifetime: expires_in and max_lifetime_seconds lie in this range.
inline constexpr std::int64_t kMinOidcLifetime = 300;
inline constexpr std::int64_t kMaxOidcLifetime = 3600;
inline constexpr std::int64_t kDefaultOidcExpiresIn = 300;
inline constexpr std::size_t kMaxSubjectTokenBytes = 16 * 1024;
inline constexpr std::int64_t kOidcLeewaySeconds = 60;  // exp, iat, nbf
// The refused exchanges a connection keeps (newest first).
inline constexpr std::size_t kOidcFailureLogSize = 100;

// ---- Issuers and presets -------------------------------------------------------------------------

inline constexpr std::string_view kGitHubActionsIssuer = "https://token.actions.githubusercontent.com";
inline constexpr std::string_view kGitLabIssuer = "https://gitlab.com";

// The issuers organizations may use when the operator names none (oatd serve --oidc-issuer).
std::vector<std::string> default_oidc_issuers();

// An issuer: an https URL with a host, without user:password@, query or fragment; 400 "issuer"
// otherwise. (Whether the operator allows it is check_issuer_allowed's.)
Status validate_oidc_issuer(std::string_view issuer, std::string_view field = "issuer");
// 400 "issuer" unless `issuer` is one of `allowed` (exactly), with a sentence listing them.
Status check_issuer_allowed(std::string_view issuer, const std::vector<std::string>& allowed);

// What the console offers when a connection is made, and what the rules require of each.
struct OidcPreset {
  std::string_view key;           // "github", "gitlab"
  std::string_view name;          // "GitHub Actions"
  std::string_view issuer;        // the default issuer ("" for none)
  std::string_view owner_claim;   // the immutable id every ruleset must pin exactly
  std::string_view owner_hint;    // where to find that id
  // Claims a ruleset usually names, in the order the console proposes them (the owner first).
  std::vector<std::string_view> claims;
};
const std::vector<OidcPreset>& oidc_presets();
// The preset whose rules a connection of `issuer` whose rulesets name `claims` follows: GitHub
// Actions for its issuer; GitLab for gitlab.com, and for any issuer when a ruleset names one of
// GitLab's own claims (a self-managed GitLab); nullptr for another issuer.
const OidcPreset* oidc_preset_for(std::string_view issuer,
                                  const std::vector<std::string>& claims_named);

// ---- Connections ---------------------------------------------------------------------------------

struct OidcCondition {
  std::string claim;
  std::string pattern;
  bool operator==(const OidcCondition&) const = default;
};

struct OidcRuleset {
  std::string name;
  std::vector<OidcCondition> conditions;  // as given, in order
  std::vector<Resource> resources;
  std::int64_t max_lifetime_seconds = kMaxOidcLifetime;
  bool operator==(const OidcRuleset&) const = default;
};

// POST {"name", "issuer", "audience", "active", "rulesets"}: all but active required (active
// defaults to true). PATCH: any of them, at least one. Unknown fields are refused. The shape of
// each field is checked here; what depends on the organization and the operator (resources,
// the issuer list, the presets' pins) is validate_oidc_connection's.
struct OidcConnectionRequest {
  std::optional<std::string> name, issuer, audience;
  std::optional<bool> active;
  std::optional<std::vector<OidcRuleset>> rulesets;
};
Result<OidcConnectionRequest> parse_oidc_connection_request(std::string_view body, bool create);

// The rulesets as JSON (the API's and the store's shape), and back. parse_oidc_rulesets checks
// the shape and the rules that need nothing outside: 1..5 rulesets with unique names, 1..20
// conditions each, claim names and patterns, globs only on string claims, no condition on the
// claims the connection checks itself, max_lifetime_seconds in 300..3600. Fields are named
// "rulesets[1].conditions.ref" and so on.
nlohmann::json oidc_rulesets_json(const std::vector<OidcRuleset>& rulesets);
Result<std::vector<OidcRuleset>> parse_oidc_rulesets(const nlohmann::json& value);

// A connection whole (after a PATCH is applied): the issuer among `allowed_issuers`; every
// ruleset's resources valid for `org` (validate_resources); for a preset's issuer, every
// ruleset pins the owner's id exactly (digits). Every problem is reported.
Errors validate_oidc_connection(std::string_view issuer, const std::vector<OidcRuleset>& rulesets,
                                std::string_view org, const std::vector<std::string>& allowed_issuers,
                                const RepositoryExists& exists);

// A connection as the API shows it.
struct OidcConnection {
  std::string id;
  std::string name, issuer, audience;
  bool active = true;
  std::vector<OidcRuleset> rulesets;
  std::int64_t version = 1;  // moves on every change; the access tokens issued carry it
  Timestamp created_at{}, updated_at{};
  std::string created_by;
  std::optional<Timestamp> last_exchange_at;
};
nlohmann::json oidc_connection_json(const OidcConnection& connection);
Result<OidcConnection> parse_oidc_connection_json(const nlohmann::json& value);

// ---- Matching claims -----------------------------------------------------------------------------

// Whether a condition's pattern holds for a claim's value: a string equal to the pattern, or
// matching it as a glob when the pattern holds '*' (any run of characters); a number or a boolean
// whose JSON text equals the pattern. Anything else (absent, null, a list, an object) never.
bool oidc_pattern_matches(std::string_view pattern, const nlohmann::json* value);

// A condition that did not hold: `got` is the claim's value as text (JSON text for what is not
// a string), nullopt when the token has no such claim.
struct OidcMismatch {
  std::string ruleset, claim, expected;
  std::optional<std::string> got;
  bool operator==(const OidcMismatch&) const = default;
};

// What the rulesets say of a token's claims: the union of the matching rulesets' resources
// (scopes of one path merged), the smallest of their max_lifetime_seconds, and for each ruleset
// that did not match, the conditions that failed.
struct OidcMatch {
  std::vector<std::string> matched;  // ruleset names
  std::vector<Resource> resources;
  std::int64_t max_lifetime_seconds = 0;
  std::vector<OidcMismatch> mismatches;
};
OidcMatch match_oidc_rulesets(const std::vector<OidcRuleset>& rulesets, const nlohmann::json& claims);

// ---- The exchange --------------------------------------------------------------------------------

inline constexpr std::string_view kTokenExchangeGrant = "urn:ietf:params:oauth:grant-type:token-exchange";
inline constexpr std::string_view kIdTokenType = "urn:ietf:params:oauth:token-type:id_token";
inline constexpr std::string_view kAccessTokenType = "urn:ietf:params:oauth:token-type:access_token";

// A refusal in RFC 6749's shape {"error", "error_description"}.
struct OAuthError {
  std::string error;        // invalid_request, invalid_grant, unsupported_grant_type, invalid_target, ...
  std::string description;  // one sentence
  bool operator==(const OAuthError&) const = default;
};
nlohmann::json oauth_error_json(const OAuthError& error);

struct ExchangeRequest {
  std::string subject_token;
  std::string connection_id;
  std::int64_t expires_in = kDefaultOidcExpiresIn;
};
// The form's fields, in the order sent (a field may repeat: that is refused).
using FormFields = std::vector<std::pair<std::string, std::string>>;
std::variant<ExchangeRequest, OAuthError> parse_exchange_request(const FormFields& form);

// The pieces of a compact JWS, read but not verified: header and claims (JSON objects), the
// bytes signed ("header.payload") and the signature's bytes.
struct CompactJws {
  nlohmann::json header, claims;
  std::string signing_input;
  std::string signature;
};
// nullopt with `reason` for anything that is not a JWS of RS256 or ES256 with a JSON header and
// claims, no "crit", at most kMaxSubjectTokenBytes. The claims are read even when the algorithm
// is refused (`claims_out`, for the failures log), never the signature.
std::optional<CompactJws> read_compact_jws(std::string_view token, std::string* reason,
                                           nlohmann::json* claims_out = nullptr);
// base64url without padding, strictly (JWS's); nullopt for anything else.
std::optional<std::string> base64url_decode_strict(std::string_view text);

// Why an ID token's claims are refused for a connection of `issuer` and `audience` at `now`
// (a sentence), or nullopt: iss exact; aud the audience or a list holding it; exp a number
// after now - leeway; iat a number not after now + leeway; nbf, when present, not after
// now + leeway; jti a string of 1..256 characters.
std::optional<std::string> check_id_token_claims(const nlohmann::json& claims, std::string_view issuer,
                                                 std::string_view audience, std::int64_t now_unix);

// The sentences of refusals the server decides (the failures log's "reason").
namespace oidc {
inline constexpr std::string_view kReasonUnknownKey =
    "The ID token is signed with a key the issuer does not publish.";
inline constexpr std::string_view kReasonBadSignature = "The ID token's signature does not verify.";
inline constexpr std::string_view kReasonReplayed = "This ID token (its jti) was already exchanged.";
inline constexpr std::string_view kReasonNoRuleset = "The ID token's claims match no ruleset of the connection.";
inline constexpr std::string_view kReasonInactive = "The connection is inactive.";
inline constexpr std::string_view kReasonUnreachable = "The issuer's keys could not be fetched.";
inline constexpr std::string_view kUnknownConnection = "No connection has this id.";
inline constexpr std::string_view kConnectionChanged = "The connection changed; try again.";
inline constexpr std::string_view kConnectionNotFound = "Connection not found.";
}  // namespace oidc

// The exchange's 429: too many refused exchanges from one address ({"error": "slow_down"}).
OAuthError too_many_exchanges(std::int64_t retry_after_seconds);

// The lifetime to give: the request's, never above the matching rulesets' maximum.
std::int64_t oidc_lifetime(std::int64_t requested, std::int64_t rulesets_maximum);

// The 200 answer of the exchange.
nlohmann::json exchange_answer_json(std::string_view access_token, std::int64_t expires_in);

// ---- Access tokens issued ------------------------------------------------------------------------

// The audience of an exchanged access token (never a management bearer's or a registry token's).
inline constexpr std::string_view kExchangedTokenAudience = "oat-oidc-access";

struct ExchangedToken {
  std::string organization;
  std::string connection_id;
  std::int64_t connection_version = 0;
  std::vector<Resource> resources;
  std::int64_t expires_at = 0;  // unix seconds
};
// The claims the server signs: iss, aud, sub (the organization), cid, cver, res, iat, exp, jti.
std::string exchanged_token_claims(const ExchangedToken& token, std::string_view issuer,
                                   std::int64_t issued_at, std::string_view jti);
// Reads claims that a verified JWT carries back; nullopt unless they are an exchanged token's
// of `issuer` (so a management bearer or a registry token is never one).
std::optional<ExchangedToken> read_exchanged_token_claims(const nlohmann::json& claims,
                                                          std::string_view issuer);

// ---- Setting up a CI job -------------------------------------------------------------------------

// The copyable steps that make a CI job sign in through a connection (docs/oidc.md): ask the CI
// for an ID token of the connection's audience, exchange it at `server_url`/v2/oidc/token, and
// pipe the access token to `docker login REGISTRY -u ORG --password-stdin`.
enum class OidcSnippetKind {
  GitHubActions,  // a workflow's permissions and a step
  GitLabCi,       // a .gitlab-ci.yml job with id_tokens:
};
struct OidcSnippetInput {
  std::string_view server_url;     // where the API is: "https://oat.example.com" (no trailing /)
  std::string_view audience;       // the connection's
  std::string_view connection_id;
  std::string_view org;            // the docker login user name
  std::string_view registry_host;  // "registry.example.com[:port]"; "" for none
};
// The snippet's text (lines ending in '\n'), or nullopt without a registry host: a docker login
// without one signs in to Docker Hub (kNoRegistryHost says what sets it). The audience is
// percent-encoded in GitHub's request URL and quoted in GitLab's YAML when it needs to be.
std::optional<std::string> oidc_snippet(OidcSnippetKind kind, const OidcSnippetInput& input);

// ---- Audit and failures --------------------------------------------------------------------------

namespace audit {
inline constexpr std::string_view kOidcConnectionCreate = "oidc_connection.create";
inline constexpr std::string_view kOidcConnectionUpdate = "oidc_connection.update";
inline constexpr std::string_view kOidcConnectionDelete = "oidc_connection.delete";
inline constexpr std::string_view kOidcExchange = "oidc.exchange";
inline constexpr std::string_view kOidcExchangeRefused = "oidc.exchange_refused";
}  // namespace audit

// A connection change's audit data: {connection_id, name, issuer, active, version}.
nlohmann::json oidc_connection_audit_data(const OidcConnection& connection);

// An exchange's audit data: the connection, and from the claims the repository, ref, workflow
// and run id (GitHub's or GitLab's names), the lifetime given or the reason refused, the address.
nlohmann::json oidc_exchange_audit_data(std::string_view connection_id, std::string_view connection_name,
                                        const nlohmann::json& claims, std::optional<std::int64_t> expires_in,
                                        std::optional<std::string_view> reason, std::string_view address);
// Who an exchange's audit event names as its actor: "oidc:" and the token's sub (or the
// connection's name when it has none).
std::string oidc_actor(const nlohmann::json& claims, std::string_view connection_name);

struct OidcFailure {
  Timestamp at{};
  std::string reason;
  nlohmann::json claims = nlohmann::json::object();
  std::vector<OidcMismatch> mismatches;
};
nlohmann::json oidc_failure_json(const OidcFailure& failure);
Result<OidcFailure> parse_oidc_failure_json(const nlohmann::json& value);
nlohmann::json oidc_mismatches_json(const std::vector<OidcMismatch>& mismatches);
// The claims a failure keeps: at most 4 KiB of their JSON text (else {}), so a hostile token
// cannot fill the log.
nlohmann::json claims_to_keep(const nlohmann::json& claims);

}  // namespace oat
