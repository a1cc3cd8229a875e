#include "oat/error.h"

namespace oat {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::MalformedBody: return "malformed_body";
    case ErrorCode::WrongType: return "wrong_type";
    case ErrorCode::UnknownField: return "unknown_field";
    case ErrorCode::FieldNotEditable: return "field_not_editable";
    case ErrorCode::LabelRequired: return "label_required";
    case ErrorCode::LabelTooLong: return "label_too_long";
    case ErrorCode::LabelControlCharacter: return "label_control_character";
    case ErrorCode::DescriptionTooLong: return "description_too_long";
    case ErrorCode::DescriptionNulCharacter: return "description_nul_character";
    case ErrorCode::ResourcesRequired: return "resources_required";
    case ErrorCode::TooManyRepositories: return "too_many_repositories";
    case ErrorCode::UnknownResourceType: return "unknown_resource_type";
    case ErrorCode::UnknownScope: return "unknown_scope";
    case ErrorCode::ScopeWrongType: return "scope_wrong_type";
    case ErrorCode::ScopesRequired: return "scopes_required";
    case ErrorCode::DuplicateResource: return "duplicate_resource";
    case ErrorCode::InvalidRepositoryPath: return "invalid_repository_path";
    case ErrorCode::ForeignNamespace: return "foreign_namespace";
    case ErrorCode::RepositoryNotFound: return "repository_not_found";
    case ErrorCode::PublicPullOnly: return "public_pull_only";
    case ErrorCode::OrgPathMismatch: return "org_path_mismatch";
    case ErrorCode::InvalidTime: return "invalid_time";
    case ErrorCode::ExpiryInPast: return "expiry_in_past";
    case ErrorCode::ExpiryTooFar: return "expiry_too_far";
    case ErrorCode::InvalidGracePeriod: return "invalid_grace_period";
    case ErrorCode::InvalidPolicy: return "invalid_policy";
    case ErrorCode::PolicyRequiresExpiration: return "policy_requires_expiration";
    case ErrorCode::PolicyLifetimeExceeded: return "policy_lifetime_exceeded";
    case ErrorCode::TokenBeyondPolicyLifetime: return "token_beyond_policy_lifetime";
    case ErrorCode::TokenIdleTooLong: return "token_idle_too_long";
    case ErrorCode::InvalidAddress: return "invalid_address";
    case ErrorCode::TooManyAddresses: return "too_many_addresses";
    case ErrorCode::TooManyTokens: return "too_many_tokens";
    case ErrorCode::PlanHasNoTokens: return "plan_has_no_tokens";
    case ErrorCode::QuotaReached: return "quota_reached";
    case ErrorCode::NotPermitted: return "not_permitted";
    case ErrorCode::TokenCannotManageTokens: return "token_cannot_manage_tokens";
    case ErrorCode::TokenExpired: return "token_expired";
    case ErrorCode::TokenInactive: return "token_inactive";
    case ErrorCode::ActionNotAllowedInState: return "action_not_allowed_in_state";
    case ErrorCode::TokenBadPrefix: return "token_bad_prefix";
    case ErrorCode::TokenBadLength: return "token_bad_length";
    case ErrorCode::TokenBadCharacter: return "token_bad_character";
    case ErrorCode::TokenBadChecksum: return "token_bad_checksum";
    case ErrorCode::InvalidScopeString: return "invalid_scope_string";
    case ErrorCode::InvalidName: return "invalid_name";
    case ErrorCode::InvalidPassword: return "invalid_password";
    case ErrorCode::InvalidPage: return "invalid_page";
    case ErrorCode::InvalidWebhookUrl: return "invalid_webhook_url";
    case ErrorCode::UnknownWebhookEvent: return "unknown_webhook_event";
    case ErrorCode::WebhookEventsRequired: return "webhook_events_required";
    case ErrorCode::TooManyWebhooks: return "too_many_webhooks";
    case ErrorCode::InvalidOidcConnection: return "invalid_oidc_connection";
    case ErrorCode::IssuerNotAllowed: return "issuer_not_allowed";
    case ErrorCode::InvalidOidcRuleset: return "invalid_oidc_ruleset";
    case ErrorCode::InvalidOidcCondition: return "invalid_oidc_condition";
    case ErrorCode::OwnerNotPinned: return "owner_not_pinned";
    case ErrorCode::TooManyOidcConnections: return "too_many_oidc_connections";
    case ErrorCode::ServerRefused: return "server_refused";
  }
  return "unknown";
}

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::NotPermitted:
    case ErrorCode::TokenCannotManageTokens:
    case ErrorCode::PlanHasNoTokens:
      return 403;
    case ErrorCode::TokenExpired:
    case ErrorCode::TokenInactive:
    case ErrorCode::TokenBeyondPolicyLifetime:
    case ErrorCode::TokenIdleTooLong:
    case ErrorCode::TokenBadPrefix:
    case ErrorCode::TokenBadLength:
    case ErrorCode::TokenBadCharacter:
    case ErrorCode::TokenBadChecksum:
      return 401;
    case ErrorCode::ActionNotAllowedInState:
      return 409;
    default:
      return 400;
  }
}

}  // namespace oat
