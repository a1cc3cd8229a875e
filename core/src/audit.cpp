#include "oat/audit.h"

#include "oat/oidc.h"

namespace oat {

const std::vector<AuditAction>& audit_actions() {
  static const std::vector<AuditAction> actions = {
      {audit::kTokenCreate, "Access token created"},
      {audit::kTokenUpdate, "Access token updated"},
      {audit::kTokenDelete, "Access token deleted"},
      {audit::kTokenActivate, "Access token activated"},
      {audit::kTokenDeactivate, "Access token deactivated"},
      {audit::kTokenSignInFailed, "Sign-in with an access token failed"},
      {audit::kTokenRotate, "Access token rotated"},
      {audit::kTokenRevokeLeaked, "Access token revoked as leaked"},
      {audit::kPolicyUpdate, "Access token policy changed"},
      {audit::kOidcConnectionCreate, "CI sign-in connection created"},
      {audit::kOidcConnectionUpdate, "CI sign-in connection updated"},
      {audit::kOidcConnectionDelete, "CI sign-in connection deleted"},
      {audit::kOidcExchange, "CI job signed in with an ID token"},
      {audit::kOidcExchangeRefused, "CI job's ID token refused"},
  };
  return actions;
}

std::optional<std::string_view> audit_action_description(std::string_view name) {
  for (const AuditAction& a : audit_actions()) {
    if (a.name == name) return a.description;
  }
  return std::nullopt;
}

}  // namespace oat
