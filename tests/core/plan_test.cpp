// Plans and quotas: Team 10 tokens, Business 100, Free none. Every token held
// counts, whatever its state, until it is deleted.
#include <cstddef>
#include <optional>
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
  EXPECT_TRUE(
      oat_test::parses_none(oat::parse_plan, {"", "pro", "personal", "team ", "enterprise"}));
}

// Whether an organization of a plan, holding some tokens, may create one more.
struct QuotaRow {
  std::string_view name;
  Plan plan;
  std::size_t held;
  std::optional<ErrorCode> refusal;  // none: it may
};

const QuotaRow kQuotaRows[] = {
    {"TeamAllowsTheFirstToken", Plan::Team, 0, std::nullopt},
    {"TeamAllowsTheTenthToken", Plan::Team, 9, std::nullopt},
    {"TeamRefusesTheEleventh", Plan::Team, 10, ErrorCode::QuotaReached},
    // e.g. after a downgrade from Business
    {"TeamRefusesAboveTheLimitToo", Plan::Team, 57, ErrorCode::QuotaReached},
    {"BusinessAllowsTheHundredthToken", Plan::Business, 99, std::nullopt},
    {"BusinessAllowsTheEleventhToken", Plan::Business, 10, std::nullopt},
    {"BusinessRefusesTheHundredAndFirst", Plan::Business, 100, ErrorCode::QuotaReached},
    {"FreeRefusesEvenTheFirstToken", Plan::Free, 0, ErrorCode::PlanHasNoTokens},
    {"FreeRefusalIsAboutThePlanNotTheCount", Plan::Free, 3, ErrorCode::PlanHasNoTokens},
};

void PrintTo(const QuotaRow& row, std::ostream* os) { *os << row.name; }

class QuotaTable : public ::testing::TestWithParam<QuotaRow> {};

TEST_P(QuotaTable, AllowsOrRefusesOneMoreToken) {
  auto refusal = oat::check_can_create_token(GetParam().plan, GetParam().held);
  if (GetParam().refusal) {
    EXPECT_TRUE(oat_test::refused(refusal, *GetParam().refusal));
  } else {
    EXPECT_FALSE(refusal.has_value()) << ::testing::PrintToString(*refusal);
  }
}

INSTANTIATE_TEST_SUITE_P(Quota, QuotaTable, ::testing::ValuesIn(kQuotaRows), oat_test::RowName());

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
