// Plans and quotas: Team 10 tokens, Business 100, Free none. Every token held
// counts, whatever its state, until it is deleted.
#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "oat/plan.h"
#include "test_support.h"

namespace {

using oat::ErrorCode;
using oat::Plan;

struct PlanRow {
  Plan plan;
  std::string_view name;
  std::string_view display;
  std::size_t quota;
};

const PlanRow kPlans[] = {
    {Plan::Free, "free", "Free", 0},
    {Plan::Team, "team", "Team", 10},
    {Plan::Business, "business", "Business", 100},
};

void PrintTo(const PlanRow& row, std::ostream* os) { *os << row.name; }

class PlanTable : public ::testing::TestWithParam<PlanRow> {};

TEST_P(PlanTable, HasItsName) { EXPECT_EQ(oat::plan_name(GetParam().plan), GetParam().name); }

TEST_P(PlanTable, HasItsDisplayName) {
  EXPECT_EQ(oat::plan_display_name(GetParam().plan), GetParam().display);
}

TEST_P(PlanTable, ParsesFromItsName) {
  EXPECT_EQ(oat::parse_plan(GetParam().name), GetParam().plan);
}

TEST_P(PlanTable, ParsesInAnyLetterCase) {
  EXPECT_EQ(oat::parse_plan(GetParam().display), GetParam().plan);
  std::string upper(GetParam().name);
  for (char& c : upper) c = static_cast<char>(c - 'a' + 'A');
  EXPECT_EQ(oat::parse_plan(upper), GetParam().plan);
}

TEST_P(PlanTable, HasItsQuota) { EXPECT_EQ(oat::token_quota(GetParam().plan), GetParam().quota); }

INSTANTIATE_TEST_SUITE_P(EveryPlan, PlanTable, ::testing::ValuesIn(kPlans),
                         [](const ::testing::TestParamInfo<PlanRow>& info) {
                           return std::string(info.param.display);
                         });

TEST(Plan, UnknownNamesDoNotParse) {
  for (std::string_view name : {"", "pro", "personal", "team ", "enterprise"}) {
    SCOPED_TRACE(name);
    EXPECT_FALSE(oat::parse_plan(name).has_value());
  }
}

TEST(Quota, TeamAllowsTheFirstToken) {
  EXPECT_FALSE(oat::check_can_create_token(Plan::Team, 0).has_value());
}

TEST(Quota, TeamAllowsTheTenthToken) {
  auto refusal = oat::check_can_create_token(Plan::Team, 9);
  EXPECT_FALSE(refusal.has_value()) << ::testing::PrintToString(*refusal);
}

TEST(Quota, TeamRefusesTheEleventh) {
  auto refusal = oat::check_can_create_token(Plan::Team, 10);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->code, ErrorCode::QuotaReached);
  EXPECT_FALSE(refusal->message.empty());
}

TEST(Quota, TeamRefusesAboveTheLimitToo) {
  // e.g. after a downgrade from Business
  auto refusal = oat::check_can_create_token(Plan::Team, 57);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->code, ErrorCode::QuotaReached);
}

TEST(Quota, BusinessAllowsTheHundredthToken) {
  auto refusal = oat::check_can_create_token(Plan::Business, 99);
  EXPECT_FALSE(refusal.has_value()) << ::testing::PrintToString(*refusal);
}

TEST(Quota, BusinessAllowsTheEleventhToken) {
  EXPECT_FALSE(oat::check_can_create_token(Plan::Business, 10).has_value());
}

TEST(Quota, BusinessRefusesTheHundredAndFirst) {
  auto refusal = oat::check_can_create_token(Plan::Business, 100);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->code, ErrorCode::QuotaReached);
  EXPECT_FALSE(refusal->message.empty());
}

TEST(Quota, FreeRefusesEvenTheFirstToken) {
  auto refusal = oat::check_can_create_token(Plan::Free, 0);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->code, ErrorCode::PlanHasNoTokens);
  EXPECT_FALSE(refusal->message.empty());
}

TEST(Quota, FreeRefusalIsAboutThePlanNotTheCount) {
  auto refusal = oat::check_can_create_token(Plan::Free, 3);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->code, ErrorCode::PlanHasNoTokens);
}

TEST(Quota, TheBoundaryFollowsTokenQuotaForEveryPlanWithTokens) {
  for (Plan plan : {Plan::Team, Plan::Business}) {
    SCOPED_TRACE(oat::plan_name(plan));
    std::size_t quota = oat::token_quota(plan);
    ASSERT_GT(quota, 0u);
    EXPECT_FALSE(oat::check_can_create_token(plan, quota - 1).has_value());
    EXPECT_TRUE(oat::check_can_create_token(plan, quota).has_value());
  }
}

}  // namespace
