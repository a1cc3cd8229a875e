// Who may manage an organization's tokens: owners, company owners and custom
// roles with the permission; never editors, members, outsiders, nor anyone signed in with an OAT.
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "oat/role.h"
#include "test_support.h"

namespace {

using oat::Actor;
using oat::ErrorCode;
using oat::OrgRole;

Actor person(OrgRole role) {
  Actor a;
  a.role = role;
  return a;
}

Actor custom_role(bool manages_tokens) {
  Actor a;
  a.role = OrgRole::Custom;
  a.custom_role_manages_tokens = manages_tokens;
  return a;
}

Actor company_owner(OrgRole role_in_org) {
  Actor a;
  a.role = role_in_org;
  a.is_company_owner = true;
  return a;
}

Actor via_access_token(Actor a) {
  a.is_access_token = true;
  return a;
}

struct ActorRow {
  std::string_view who;
  Actor actor;
  bool may_manage;
  std::optional<ErrorCode> refusal;  // when !may_manage
};

const ActorRow kActors[] = {
    {"Owner", person(OrgRole::Owner), true, std::nullopt},
    {"CompanyOwnerOutsideTheOrganization", company_owner(OrgRole::None), true, std::nullopt},
    {"CompanyOwnerWhoIsAMember", company_owner(OrgRole::Member), true, std::nullopt},
    {"CustomRoleWithThePermission", custom_role(true), true, std::nullopt},
    {"Editor", person(OrgRole::Editor), false, ErrorCode::NotPermitted},
    {"Member", person(OrgRole::Member), false, ErrorCode::NotPermitted},
    {"Outsider", person(OrgRole::None), false, ErrorCode::NotPermitted},
    {"CustomRoleWithoutThePermission", custom_role(false), false, ErrorCode::NotPermitted},
    {"OwnerSignedInWithAnAccessToken", via_access_token(person(OrgRole::Owner)), false,
     ErrorCode::TokenCannotManageTokens},
    {"CompanyOwnerSignedInWithAnAccessToken", via_access_token(company_owner(OrgRole::Owner)),
     false, ErrorCode::TokenCannotManageTokens},
    {"CustomRoleSignedInWithAnAccessToken", via_access_token(custom_role(true)), false,
     ErrorCode::TokenCannotManageTokens},
    {"AccessTokenWithNoRole", via_access_token(person(OrgRole::None)), false,
     ErrorCode::TokenCannotManageTokens},
};

void PrintTo(const ActorRow& row, std::ostream* os) { *os << row.who; }

class ManageTokens : public ::testing::TestWithParam<ActorRow> {};

TEST_P(ManageTokens, MayManageTokensAnswersPerTheRule) {
  EXPECT_EQ(oat::may_manage_tokens(GetParam().actor), GetParam().may_manage);
}

TEST_P(ManageTokens, CheckRefusesWithTheRightCode) {
  auto refusal = oat::check_may_manage_tokens(GetParam().actor);
  if (GetParam().may_manage) {
    EXPECT_FALSE(refusal.has_value()) << ::testing::PrintToString(*refusal);
  } else {
    EXPECT_TRUE(oat_test::refused(refusal, *GetParam().refusal));
  }
}

INSTANTIATE_TEST_SUITE_P(Actors, ManageTokens, ::testing::ValuesIn(kActors),
                         [](const ::testing::TestParamInfo<ActorRow>& info) {
                           return std::string(info.param.who);
                         });

TEST(ManageTokens, ThePermissionFlagMeansNothingWithoutACustomRole) {
  Actor member = person(OrgRole::Member);
  member.custom_role_manages_tokens = true;
  EXPECT_FALSE(oat::may_manage_tokens(member));
  Actor editor = person(OrgRole::Editor);
  editor.custom_role_manages_tokens = true;
  EXPECT_FALSE(oat::may_manage_tokens(editor));
}

TEST(AuditLog, WhoeverMayManageTokensMayReadIt) {
  for (const ActorRow& row : kActors) {
    if (!row.may_manage) continue;
    SCOPED_TRACE(std::string(row.who));
    EXPECT_FALSE(oat::check_may_read_audit_log(row.actor).has_value());
  }
}

TEST(AuditLog, EditorsMembersAndOutsidersMayNot) {
  for (OrgRole role : {OrgRole::Editor, OrgRole::Member, OrgRole::None}) {
    SCOPED_TRACE(oat::org_role_name(role));
    EXPECT_TRUE(
        oat_test::refused(oat::check_may_read_audit_log(person(role)), ErrorCode::NotPermitted));
  }
  EXPECT_TRUE(oat::check_may_read_audit_log(custom_role(false)).has_value());
}

TEST(AuditLog, AnAccessTokenWithActivityReadMay) {
  Actor token = via_access_token(person(OrgRole::None));
  token.access_token_scopes = {oat::Scope::ActivityRead};
  EXPECT_FALSE(oat::check_may_read_audit_log(token).has_value());
}

TEST(AuditLog, AnAccessTokenWithoutActivityReadMayNot) {
  Actor token = via_access_token(person(OrgRole::None));
  token.access_token_scopes = {oat::Scope::MemberRead, oat::Scope::RepositoryList};
  auto refusal = oat::check_may_read_audit_log(token);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_FALSE(refusal->message.empty());
}

TEST(AuditLog, AnOwnersAccessTokenStillNeedsActivityRead) {
  // The token acts for the organization, not for the owner who made it.
  Actor token = via_access_token(person(OrgRole::Owner));
  EXPECT_TRUE(oat::check_may_read_audit_log(token).has_value());
  token.access_token_scopes = {oat::Scope::ActivityRead};
  EXPECT_FALSE(oat::check_may_read_audit_log(token).has_value());
}

TEST(OrgRole, HasItsName) {
  EXPECT_TRUE(oat_test::names_are<OrgRole>({{OrgRole::Owner, "owner"},
                                            {OrgRole::Editor, "editor"},
                                            {OrgRole::Member, "member"},
                                            {OrgRole::Custom, "custom"},
                                            {OrgRole::None, "none"}},
                                           oat::org_role_name));
}

TEST(OrgRole, ParsesBuiltinRolesInAnyLetterCase) {
  EXPECT_TRUE(oat_test::parses_as<OrgRole>(
      {{OrgRole::Owner, "owner"}, {OrgRole::Editor, "Editor"}, {OrgRole::Member, "MEMBER"}},
      oat::parse_builtin_org_role));
}

TEST(OrgRole, DoesNotParseOtherNames) {
  EXPECT_TRUE(oat_test::parses_none(oat::parse_builtin_org_role,
                                    {"", "admin", "owners", "billing-admin"}));
}

TEST(Affiliation, EveryRoleInTheOrganizationIsAffiliated) {
  for (OrgRole role : {OrgRole::Member, OrgRole::Editor, OrgRole::Owner, OrgRole::Custom}) {
    SCOPED_TRACE(oat::org_role_name(role));
    EXPECT_TRUE(oat::is_affiliated(person(role)));
  }
}

TEST(Affiliation, AnOutsiderIsNot) { EXPECT_FALSE(oat::is_affiliated(person(OrgRole::None))); }

TEST(Affiliation, ACompanyOwnerIsEvenWithoutARole) {
  EXPECT_TRUE(oat::is_affiliated(company_owner(OrgRole::None)));
}

TEST(CustomRoleName, IsTrimmedAndCountedInCharacters) {
  auto name = oat::validate_custom_role_name("  ci admins ");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(*name, "ci admins");
  // 100 characters of two bytes each: within the limit, which counts characters, not bytes.
  std::string wide;
  for (int i = 0; i < 100; ++i) wide += "\xC3\xA9";
  EXPECT_TRUE(oat::validate_custom_role_name(wide).ok());
  EXPECT_FALSE(oat::validate_custom_role_name(wide + "e").ok());
}

TEST(CustomRoleName, EmptyControlCharactersAndBuiltInNamesAreRefused) {
  for (std::string_view bad : {"", "   ", "ci\tadmins", "ci\nadmins", "a\x7F", "a\xC2\x85" "b", "Owner",
                               "editor", "MEMBER"}) {
    EXPECT_TRUE(
        oat_test::refused(oat::validate_custom_role_name(bad), ErrorCode::InvalidName, "name"))
        << bad;
  }
}

TEST(RolePermissions, OnlyManageAccessTokensIsKnown) {
  EXPECT_EQ(oat::parse_role_permissions({}).value(), false);
  EXPECT_EQ(oat::parse_role_permissions({"manage-access-tokens"}).value(), true);
  auto unknown = oat::parse_role_permissions({"manage-access-tokens", "delete-org"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("\"delete-org\""), std::string::npos);
}

}  // namespace
