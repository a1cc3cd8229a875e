// The audit log's vocabulary: Docker's create/update/delete, plus activation,
// deactivation and failed sign-ins with a token.
#include <algorithm>
#include <ostream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "oat/audit.h"
#include "test_support.h"

namespace oat {
inline void PrintTo(const AuditAction& a, std::ostream* os) { *os << a.name; }
}  // namespace oat

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
  EXPECT_TRUE(oat_test::all_distinct(oat::audit_actions(),
                                     [](const oat::AuditAction& a) { return a.name; }));
}

TEST(AuditActions, DescriptionsAreDistinct) {
  EXPECT_TRUE(oat_test::all_distinct(oat::audit_actions(),
                                     [](const oat::AuditAction& a) { return a.description; }));
}

// Each listed action, named after it ("access_token_create").
class ListedAction : public ::testing::TestWithParam<oat::AuditAction> {};

TEST_P(ListedAction, HasADescription) { EXPECT_FALSE(GetParam().description.empty()); }

TEST_P(ListedAction, IsDescribedAsListed) {
  EXPECT_EQ(oat::audit_action_description(GetParam().name), GetParam().description);
}

INSTANTIATE_TEST_SUITE_P(AuditActions, ListedAction, ::testing::ValuesIn(oat::audit_actions()),
                         [](const ::testing::TestParamInfo<oat::AuditAction>& info) {
                           std::string name(info.param.name);
                           std::replace(name.begin(), name.end(), '.', '_');
                           return name;
                         });

TEST(AuditActionDescription, IsAbsentForAnUnknownName) {
  EXPECT_TRUE(oat_test::parses_none(oat::audit_action_description,
                                    {"", "access_token", "access_token.read", "repo.create"}));
}

}  // namespace
