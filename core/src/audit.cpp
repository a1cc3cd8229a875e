#include "oat/audit.h"

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
