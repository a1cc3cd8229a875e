// The audit log's vocabulary: Docker's create/update/delete, plus activation,
// deactivation and failed sign-ins with a token.
#include <algorithm>
#include <set>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "oat/audit.h"

namespace {

bool listed(std::string_view name) {
  const auto& actions = oat::audit_actions();
  return std::any_of(actions.begin(), actions.end(),
                     [&](const oat::AuditAction& a) { return a.name == name; });
}

TEST(AuditActions, UseDockersNamesForCreateUpdateDelete) {
  EXPECT_EQ(oat::audit::kTokenCreate, "access_token.create");
  EXPECT_EQ(oat::audit::kTokenUpdate, "access_token.update");
  EXPECT_EQ(oat::audit::kTokenDelete, "access_token.delete");
}

TEST(AuditActions, ListEveryRecordedAction) {
  for (std::string_view name :
       {oat::audit::kTokenCreate, oat::audit::kTokenUpdate, oat::audit::kTokenDelete,
        oat::audit::kTokenActivate, oat::audit::kTokenDeactivate,
        oat::audit::kTokenSignInFailed}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(listed(name));
  }
}

TEST(AuditActions, AreListedOnceEach) {
  std::set<std::string_view> names;
  for (const auto& a : oat::audit_actions()) names.insert(a.name);
  EXPECT_EQ(names.size(), oat::audit_actions().size());
}

TEST(AuditActions, EachHasADescription) {
  for (const auto& a : oat::audit_actions()) {
    SCOPED_TRACE(a.name);
    EXPECT_FALSE(a.description.empty());
  }
}

TEST(AuditActions, DescriptionsAreDistinct) {
  std::set<std::string_view> descriptions;
  for (const auto& a : oat::audit_actions()) descriptions.insert(a.description);
  EXPECT_EQ(descriptions.size(), oat::audit_actions().size());
}

TEST(AuditActionDescription, MatchesTheList) {
  for (const auto& a : oat::audit_actions()) {
    SCOPED_TRACE(a.name);
    EXPECT_EQ(oat::audit_action_description(a.name), a.description);
  }
}

TEST(AuditActionDescription, IsAbsentForAnUnknownName) {
  for (std::string_view name : {"", "access_token", "access_token.read", "repo.create"}) {
    SCOPED_TRACE(name);
    EXPECT_FALSE(oat::audit_action_description(name).has_value());
  }
}

}  // namespace
