// Who may manage an organization's access tokens.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oat/error.h"
#include "oat/scope.h"

namespace oat {

// A person's role in one organization. Custom roles are defined per organization and carry
// permissions; the only one that matters here is "manage organization access tokens".
enum class OrgRole { None, Member, Editor, Owner, Custom };

// "owner", "editor", "member", "custom", "none"
std::string_view org_role_name(OrgRole role);
// "owner", "editor", "member" (any letter case); custom role names are the organization's own.
std::optional<OrgRole> parse_builtin_org_role(std::string_view name);

// A custom role's name: 1..100 characters (code points) after trimming, no control
// characters, and not the name of a built-in role. Returns the trimmed name.
inline constexpr std::size_t kMaxRoleNameLength = 100;
Result<std::string> validate_custom_role_name(std::string_view name);

// The one permission a custom role may carry: managing the organization's access tokens.
inline constexpr std::string_view kManageAccessTokensPermission = "manage-access-tokens";
// Whether a custom role with these permissions manages tokens, or why one is refused.
Result<bool> parse_role_permissions(const std::vector<std::string>& permissions);

// Everything the permission rule needs to know about the caller, relative to one organization.
struct Actor {
  bool is_access_token = false;            // authenticated with an OAT (never may manage OATs)
  OrgRole role = OrgRole::None;            // the caller's role in the organization
  bool custom_role_manages_tokens = false; // only meaningful when role == Custom
  bool is_company_owner = false;           // owner of the company the organization belongs to
  ScopeSet access_token_scopes;            // when is_access_token: its TYPE_ORG scopes
};

// Organization owners, owners of the organization's company, and custom roles with the
// permission may manage tokens; editors, members, outsiders and any OAT may not.
bool may_manage_tokens(const Actor& actor);

// The same, as a refusal with its message.
Status check_may_manage_tokens(const Actor& actor);
// The refusal of a person who may not manage tokens (a client told so by the server's
// can_manage_tokens shows it without knowing the role behind it).
Error manage_tokens_refusal();

// Who may read the organization's audit log: whoever may manage its tokens, and an access
// token holding scope-activity-read.
Status check_may_read_audit_log(const Actor& actor);

// Whether the caller belongs to the organization at all (member of any role or company owner).
// Used to decide how much a refusal may reveal.
bool is_affiliated(const Actor& actor);

}  // namespace oat
