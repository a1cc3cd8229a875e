// The error vocabulary of OAT: every refusal any rule makes.
//
// An Error carries a stable code (for programs), the field it concerns (for forms and the API's
// "fields" map; empty when it concerns no single field) and one human message, written here
// once, that the server answers and the console shows verbatim.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oat {

enum class ErrorCode {
  // Request shape
  MalformedBody,      // not JSON, or not a JSON object
  WrongType,          // a field has the wrong JSON type
  UnknownField,       // a field the endpoint does not accept
  FieldNotEditable,   // e.g. expires_at in an update
  // Label and description
  LabelRequired,
  LabelTooLong,
  LabelControlCharacter,
  DescriptionTooLong,
  DescriptionNulCharacter,
  // Resources and scopes
  ResourcesRequired,
  TooManyRepositories,
  UnknownResourceType,
  UnknownScope,
  ScopeWrongType,       // a TYPE_ORG scope on TYPE_REPO or the reverse
  ScopesRequired,
  DuplicateResource,
  InvalidRepositoryPath,
  ForeignNamespace,     // a path in another organization's namespace
  RepositoryNotFound,   // org/repo that the organization does not have
  PublicPullOnly,       // */*/public with a scope other than image pull
  OrgPathMismatch,      // TYPE_ORG path is not the organization's name
  // Expiry
  InvalidTime,
  ExpiryInPast,
  ExpiryTooFar,
  // Rotation and the organization's token policy
  InvalidGracePeriod,
  InvalidPolicy,
  PolicyRequiresExpiration,   // creation, rotation, edit: no expiration under the policy
  PolicyLifetimeExceeded,     // creation, rotation, edit: beyond the maximum lifetime
  TokenBeyondPolicyLifetime,  // sign-in: older than the maximum lifetime
  TokenIdleTooLong,           // sign-in: unused longer than the idle limit
  // Address allow-lists
  InvalidAddress,
  TooManyAddresses,
  // Leaked-token reports
  TooManyTokens,
  // Plans and quotas
  PlanHasNoTokens,
  QuotaReached,
  // Permissions and state
  NotPermitted,
  TokenCannotManageTokens,
  TokenExpired,
  TokenInactive,
  ActionNotAllowedInState,
  // Token format
  TokenBadPrefix,
  TokenBadLength,
  TokenBadCharacter,
  TokenBadChecksum,
  // Registry scope strings
  InvalidScopeString,
  // Names of accounts and repositories
  InvalidName,
  InvalidPassword,
  // Pagination, and a query's numbers (days=, expiring_within_days=)
  InvalidPage,
  // Webhooks
  InvalidWebhookUrl,
  UnknownWebhookEvent,
  WebhookEventsRequired,
  TooManyWebhooks,
  // OIDC connections
  InvalidOidcConnection,  // name, issuer or audience of the wrong form
  IssuerNotAllowed,       // an issuer the operator has not allowed
  InvalidOidcRuleset,
  InvalidOidcCondition,
  OwnerNotPinned,         // a preset's ruleset without the owner's immutable id
  TooManyOidcConnections,
  // A refusal read back from a server's answer (the code is not carried over the wire)
  ServerRefused,
};

// A stable snake_case name for the code, e.g. "label_required".
std::string_view error_code_name(ErrorCode code);

// The HTTP status a server answers for a refusal of this kind (400, 403, 401 ...).
int http_status(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string field;    // "label", "resources[2].scopes", or "" when no single field
  std::string message;  // one sentence, shown to people as is

  bool operator==(const Error&) const = default;
};

using Errors = std::vector<Error>;

// Either a value or at least one Error. Rules that check several fields report every bad field.
template <class T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}                     // NOLINT: implicit by design
  Result(Error error) : errors_{std::move(error)} {}                // NOLINT
  Result(Errors errors) : errors_(std::move(errors)) {}             // NOLINT: REQUIRES non-empty

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  // REQUIRES: ok()
  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T& operator*() const& { return *value_; }
  const T* operator->() const { return &*value_; }
  // Empty when ok().
  const Errors& errors() const { return errors_; }
  // REQUIRES: !ok()
  const Error& error() const { return errors_.front(); }

 private:
  std::optional<T> value_;
  Errors errors_;
};

// The outcome of a check that produces no value: empty means allowed.
using Status = std::optional<Error>;

}  // namespace oat
