#include "oat/role.h"

#include <string>

#include "names.h"
#include "oat/resource.h"

namespace oat {

std::string_view org_role_name(OrgRole role) {
  switch (role) {
    case OrgRole::None: return "none";
    case OrgRole::Member: return "member";
    case OrgRole::Editor: return "editor";
    case OrgRole::Owner: return "owner";
    case OrgRole::Custom: return "custom";
  }
  return "none";
}

std::optional<OrgRole> parse_builtin_org_role(std::string_view name) {
  return parse_name(name, {OrgRole::Member, OrgRole::Editor, OrgRole::Owner}, org_role_name,
                    Case::Ignored);
}

bool may_manage_tokens(const Actor& actor) { return !check_may_manage_tokens(actor); }

Status check_may_manage_tokens(const Actor& actor) {
  if (actor.is_access_token) {
    return Error{ErrorCode::TokenCannotManageTokens, "",
                 "An organization access token cannot manage organization access tokens; "
                 "sign in as an owner."};
  }
  const bool allowed = actor.role == OrgRole::Owner || actor.is_company_owner ||
                       (actor.role == OrgRole::Custom && actor.custom_role_manages_tokens);
  if (!allowed) return manage_tokens_refusal();
  return std::nullopt;
}

Error manage_tokens_refusal() {
  return Error{ErrorCode::NotPermitted, "",
               "Only organization owners, company owners and roles with the \"Manage "
               "organization access tokens\" permission can manage access tokens."};
}

Status check_may_read_audit_log(const Actor& actor) {
  if (actor.is_access_token) {
    if (with_inclusions(actor.access_token_scopes).contains(Scope::ActivityRead)) {
      return std::nullopt;
    }
    return Error{ErrorCode::NotPermitted, "",
                 "This access token cannot read the activity log; it needs scope-activity-read."};
  }
  if (may_manage_tokens(actor)) return std::nullopt;
  return Error{ErrorCode::NotPermitted, "",
               "Only organization owners, company owners and roles with the \"Manage "
               "organization access tokens\" permission can read the activity log."};
}

bool is_affiliated(const Actor& actor) {
  return actor.role != OrgRole::None || actor.is_company_owner;
}

Result<std::string> validate_custom_role_name(std::string_view name) {
  name = trim_space(name);
  if (name.empty() || count_characters(name) > kMaxRoleNameLength) {
    return Error{ErrorCode::InvalidName, "name",
                 "A role name needs 1 to " + std::to_string(kMaxRoleNameLength) + " characters."};
  }
  if (has_control_character(name)) {
    return Error{ErrorCode::InvalidName, "name",
                 "A role name cannot contain control characters such as tabs or line breaks."};
  }
  if (parse_builtin_org_role(name)) {
    return Error{ErrorCode::InvalidName, "name",
                 "\"" + std::string(name) + "\" is a built-in role; choose another name."};
  }
  return std::string(name);
}

Result<bool> parse_role_permissions(const std::vector<std::string>& permissions) {
  for (const std::string& p : permissions) {
    if (p != kManageAccessTokensPermission) {
      return Error{ErrorCode::InvalidName, "permission",
                   "Unknown permission \"" + p + "\"; the only one is " +
                       std::string(kManageAccessTokensPermission) + "."};
    }
  }
  return !permissions.empty();
}

}  // namespace oat
