// Beyond a token's own state: rotation with a grace window for the previous secret, the
// organization's token policy (maximum lifetime, required expiration, idle limit), and the
// report of leaked tokens.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "oat/api.h"
#include "oat/error.h"
#include "oat/lifecycle.h"
#include "oat/time.h"

namespace oat {

// ---- Rotation -------------------------------------------------------------------------------

// POST /v2/orgs/{org}/access-tokens/{id}/rotate and /v2/access-tokens/self/rotate:
// {"grace_period_seconds": 0..604800 (default 0), "expires_at": RFC 3339 | null (optional)}.
inline constexpr std::int64_t kMaxGracePeriodSeconds = 7 * 24 * 3600;
struct RotateTokenRequest {
  std::int64_t grace_period_seconds = 0;
  // Absent: the token keeps its expiry. Present: the new one (nullopt inside: never expires),
  // checked as at creation.
  std::optional<std::optional<Timestamp>> expires_at;
};
Result<RotateTokenRequest> parse_rotate_request(std::string_view body, Timestamp now);
std::string rotate_request_body(const RotateTokenRequest& request);

// Until when the secret replaced by a rotation at `now` keeps signing in: nullopt when the
// grace is 0 (it stops at once).
std::optional<Timestamp> previous_secret_expiry(std::int64_t grace_period_seconds, Timestamp now);
// Whether a previous secret whose grace ends at `expires_at` may sign in at `now`.
bool previous_secret_usable(std::optional<Timestamp> expires_at, Timestamp now);
// When a token's lifetime began: its last rotation, else its creation.
Timestamp lifetime_start(Timestamp created_at, std::optional<Timestamp> rotated_at);

// 403 of /v2/access-tokens/self/rotate for a token not created or edited with
// "allow_self_rotation": true.
inline constexpr std::string_view kSelfRotationNotAllowed =
    "This access token may not rotate itself; an owner can allow it by editing the token "
    "(\"allow_self_rotation\": true).";
// 403 of /v2/access-tokens/self/rotate for a bearer got with the secret a rotation replaced:
// only the current secret may rotate (else a leaked old secret could take the token over).
inline constexpr std::string_view kSelfRotationNeedsCurrentSecret =
    "This bearer was got with a secret that a rotation replaced; sign in with the token's "
    "current secret to rotate it.";
// 403 of /v2/access-tokens/self/rotate for a person's bearer.
inline constexpr std::string_view kSelfRotationIsForTokens =
    "Only an organization access token can rotate itself; sign in with the token "
    "(POST /v2/auth/token).";

// ---- Organization token policy -------------------------------------------------------------

// GET/PUT /v2/orgs/{org}/access-token-policy:
// {"max_lifetime_days": null|1..366, "require_expiration": bool, "max_idle_days": null|1..366}.
inline constexpr int kMaxPolicyDays = 366;
struct TokenPolicy {
  std::optional<int> max_lifetime_days;
  bool require_expiration = false;
  std::optional<int> max_idle_days;

  bool operator==(const TokenPolicy&) const = default;
  bool empty() const { return !max_lifetime_days && !require_expiration && !max_idle_days; }
};
// A PUT's body: the whole policy; an absent field takes its default (null, false, null).
Result<TokenPolicy> parse_token_policy_request(std::string_view body);
nlohmann::json token_policy_json(const TokenPolicy& policy);
Result<TokenPolicy> parse_token_policy_json(const nlohmann::json& value);
// The sentence describing a policy to people: "Tokens must expire, within 90 days; ...".
std::string describe_token_policy(const TokenPolicy& policy);

// An expiry chosen at `start` (a creation or a rotation now; for an existing token, the start
// of its lifetime) against the policy: required, and within the maximum lifetime. The error
// names the policy and, for `existing`, says to rotate.
enum class PolicyCheck { Choosing, Existing };
Status check_expiry_policy(const TokenPolicy& policy, std::optional<Timestamp> expires_at,
                           Timestamp start, PolicyCheck check = PolicyCheck::Choosing);
// The latest expiry the policy lets one choose at `now` (the core's one-year limit included).
Timestamp latest_allowed_expiry(const TokenPolicy& policy, Timestamp now);
// Whether a preset of the Generate dialog is one the policy allows at `now`.
bool expiry_preset_allowed(const TokenPolicy& policy, ExpiryPreset preset);

// Whether a PATCH must leave the token within the policy: only one that activates it (a
// deactivation, a rename or a narrower allow-list is always allowed).
bool update_needs_policy_check(const UpdateTokenRequest& update, bool is_active);

// What a rotation at `now` makes of a token in `state` whose expiry is `current_expiry`: the
// grace of the secret it replaces (nullopt: none) and the token's expiry. Refused for an expired
// token, and for an expiry the policy does not allow from now (a rotation starts the token's
// lifetime again). A deactivated token's replaced secret gets no grace whatever was asked: the
// token may have been deactivated because that secret leaked.
struct RotationPlan {
  std::optional<Timestamp> previous_expires_at;
  std::optional<Timestamp> expires_at;
};
Result<RotationPlan> plan_rotation(const RotateTokenRequest& request, TokenState state,
                                   std::optional<Timestamp> current_expiry,
                                   const TokenPolicy& policy, Timestamp now);

// At sign-in: a token older than the maximum lifetime (from its creation or last rotation) or
// unused longer than the idle limit (since its last use, else since its lifetime began) is
// refused with this error (status 401), though nothing of it changes: loosening the policy
// restores it. The console marks such tokens with the same sentence.
Status check_policy_at_use(const TokenPolicy& policy, Timestamp lifetime_start,
                           std::optional<Timestamp> last_used_at, Timestamp now);

// ---- Leaked tokens ---------------------------------------------------------------------------

// POST /v2/access-tokens/revoke {"tokens": ["dckr_oat_...", ...]} (1 to 1000 strings, none
// checked further: any that is not a well-formed, existing, active token is passed over).
inline constexpr std::size_t kMaxRevokedTokens = 1000;
Result<std::vector<std::string>> parse_revoke_request(std::string_view body);
// What a report does to the token whose secret (current, or `previous`: the one its last
// rotation replaced) was reported: deactivate an active token, end the grace of a replaced
// secret that still signs in, or only record the report (the secret already cannot sign in).
// Every report of an existing token is audited, so that its owners learn of the leak.
enum class LeakAction { Deactivate, EndGrace, RecordOnly };
LeakAction leaked_secret_action(bool previous, TokenState state,
                                std::optional<Timestamp> previous_expires_at, Timestamp now);
// {"received": N}: always, whatever was valid, so the answer tells nothing of the tokens.
nlohmann::json revoke_answer_json(std::size_t received);
// The per-address limit of reports: 60 an hour; the 429's sentence.
inline constexpr SignInPolicy kRevokeLimit{60, std::chrono::seconds(3600)};
std::string too_many_reports_message(long long seconds);

}  // namespace oat
