// The audit log's vocabulary: the actions recorded, and how each is described to people.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace oat {

struct AuditAction {
  std::string_view name;         // "access_token.create"
  std::string_view description;  // "Access token created"
};

// Every action the audit log records, in the order the console lists them. Docker's minimum
// (create, update, delete) plus activation, deactivation, failed sign-ins with a token,
// rotations, reports of leaked tokens and changes of the organization's token policy.
const std::vector<AuditAction>& audit_actions();

// The description of a known action; nullopt for a name that is not an action.
std::optional<std::string_view> audit_action_description(std::string_view name);

namespace audit {
inline constexpr std::string_view kTokenCreate = "access_token.create";
inline constexpr std::string_view kTokenUpdate = "access_token.update";
inline constexpr std::string_view kTokenDelete = "access_token.delete";
inline constexpr std::string_view kTokenActivate = "access_token.activate";
inline constexpr std::string_view kTokenDeactivate = "access_token.deactivate";
inline constexpr std::string_view kTokenSignInFailed = "access_token.sign_in_failed";
inline constexpr std::string_view kTokenRotate = "access_token.rotate";
inline constexpr std::string_view kTokenRevokeLeaked = "access_token.revoke_leaked";
inline constexpr std::string_view kPolicyUpdate = "access_token_policy.update";

// Why a sign-in with an access token failed, as its audit event's `reason` records it (beside
// the core's own refusals: a bad format, a deactivated or expired token).
inline constexpr std::string_view kReasonNotAToken = "not an organization access token";
inline constexpr std::string_view kReasonUnknownOrganization = "unknown organization";
inline constexpr std::string_view kReasonUnknownToken = "unknown token";
inline constexpr std::string_view kReasonWrongAccount = "the account does not match the username";
// The client's address is outside the token's allowed_cidrs (the event also records it).
inline constexpr std::string_view kReasonAddressNotAllowed = "address_not_allowed";
// The secret a rotation replaced, presented after its grace period ended.
inline constexpr std::string_view kReasonPreviousSecretEnded =
    "a secret replaced by a rotation, after its grace period";
// A leaked-token report's events: their actor (the reporter is anonymous), and the reason of
// one that ended the grace of a secret a rotation replaced.
inline constexpr std::string_view kLeakReportActor = "leaked-token report";
inline constexpr std::string_view kReasonPreviousSecretReported =
    "the secret its last rotation replaced was reported";
inline constexpr std::string_view kReasonReportedSecretUnusable =
    "the reported secret could no longer sign in (the token was deactivated or expired, or the "
    "secret was replaced)";
}  // namespace audit

}  // namespace oat
