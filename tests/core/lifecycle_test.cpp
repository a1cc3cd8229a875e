// Expiry and token states: the expiry is chosen once, at creation; a
// token is active, inactive (reversible) or expired (derived from expires_at, final).
#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "oat/lifecycle.h"
#include "test_support.h"

namespace {

using namespace std::chrono_literals;
using oat::ErrorCode;
using oat::ExpiryChoice;
using oat::ExpiryPreset;
using oat::TokenAction;
using oat::TokenState;

const oat::Timestamp kNow = oat_test::fixed_now();
constexpr auto kDay = std::chrono::seconds{86400};

ExpiryChoice custom(oat::Timestamp at) { return ExpiryChoice{ExpiryPreset::Custom, at}; }

// ---- Expiry ---------------------------------------------------------------------------------

TEST(Expiry, ThirtyDaysIsNowPlusThirtyDays) {
  auto r = oat::resolve_expiry({ExpiryPreset::Days30, std::nullopt}, kNow);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ(oat::to_unix(**r), oat::to_unix(kNow) + 30 * 86400);
}

TEST(Expiry, NinetyDaysIsNowPlusNinetyDays) {
  auto r = oat::resolve_expiry({ExpiryPreset::Days90, std::nullopt}, kNow);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ(oat::to_unix(**r), oat::to_unix(kNow) + 90 * 86400);
}

TEST(Expiry, PresetsAreRelativeToTheGivenNow) {
  oat::Timestamp later = kNow + 1000 * kDay;
  auto r = oat::resolve_expiry({ExpiryPreset::Days30, std::nullopt}, later);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ(**r, later + 30 * kDay);
}

TEST(Expiry, NeverGivesNoExpiry) {
  auto r = oat::resolve_expiry({ExpiryPreset::Never, std::nullopt}, kNow);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  EXPECT_FALSE(r->has_value());
}

TEST(Expiry, NeverIsTheDefaultChoice) {
  auto r = oat::resolve_expiry(ExpiryChoice{}, kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(Expiry, CustomOneSecondAheadIsAllowed) {
  auto r = oat::resolve_expiry(custom(kNow + 1s), kNow);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  EXPECT_EQ(*r, std::optional<oat::Timestamp>(kNow + 1s));
}

TEST(Expiry, CustomExactly365DaysAheadIsAllowed) {
  auto r = oat::resolve_expiry(custom(kNow + 365 * kDay), kNow);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  EXPECT_EQ(*r, std::optional<oat::Timestamp>(kNow + 365 * kDay));
}

TEST(Expiry, CustomOneSecondPast365DaysIsRefused) {
  EXPECT_TRUE(oat_test::refused(oat::resolve_expiry(custom(kNow + 365 * kDay + 1s), kNow),
                                ErrorCode::ExpiryTooFar));
}

TEST(Expiry, CustomEqualToNowIsRefused) {
  EXPECT_TRUE(oat_test::refused(oat::resolve_expiry(custom(kNow), kNow), ErrorCode::ExpiryInPast));
}

TEST(Expiry, CustomInThePastIsRefused) {
  EXPECT_TRUE(
      oat_test::refused(oat::resolve_expiry(custom(kNow - 1s), kNow), ErrorCode::ExpiryInPast));
}

TEST(Expiry, CustomLongAgoIsRefused) {
  EXPECT_TRUE(oat_test::refused(oat::resolve_expiry(custom(oat::from_unix(0)), kNow),
                                ErrorCode::ExpiryInPast));
}

TEST(Expiry, TheMaximumIsOneYearOf365Days) {
  EXPECT_EQ(oat::kMaxCustomExpiry, 365 * kDay);
}

TEST(ExpiresAt, FollowsTheCustomRule) {
  EXPECT_FALSE(oat::validate_expires_at(kNow + 1s, kNow).has_value());
  EXPECT_FALSE(oat::validate_expires_at(kNow + 365 * kDay, kNow).has_value());
}

TEST(ExpiresAt, RefusesNowAndThePast) {
  for (oat::Timestamp at : {kNow, kNow - 1s, kNow - 400 * kDay}) {
    SCOPED_TRACE(oat::to_unix(at));
    EXPECT_TRUE(oat_test::refused(oat::validate_expires_at(at, kNow), ErrorCode::ExpiryInPast));
  }
}

TEST(ExpiresAt, RefusesMoreThanAYearAhead) {
  for (oat::Timestamp at : {kNow + 365 * kDay + 1s, kNow + 366 * kDay, kNow + 3650 * kDay}) {
    SCOPED_TRACE(oat::to_unix(at));
    EXPECT_TRUE(oat_test::refused(oat::validate_expires_at(at, kNow), ErrorCode::ExpiryTooFar));
  }
}

// ---- States ---------------------------------------------------------------------------------

const std::vector<oat_test::Word<TokenState>> kTokenStates = {
    {TokenState::Active, "active"},
    {TokenState::Inactive, "inactive"},
    {TokenState::Expired, "expired"},
};

TEST(TokenState, HasItsName) {
  EXPECT_TRUE(oat_test::names_are(kTokenStates, oat::token_state_name));
}

TEST(TokenState, ParsesFromItsName) {
  EXPECT_TRUE(oat_test::parses_as(kTokenStates, oat::parse_token_state));
}

TEST(TokenState, UnknownNamesDoNotParse) {
  EXPECT_TRUE(
      oat_test::parses_none(oat::parse_token_state, {"", "deleted", "revoked", "activ"}));
}

TEST(DeriveState, AnActiveTokenWithoutExpiryIsActive) {
  EXPECT_EQ(oat::derive_state(true, std::nullopt, kNow), TokenState::Active);
}

TEST(DeriveState, ADeactivatedTokenIsInactive) {
  EXPECT_EQ(oat::derive_state(false, std::nullopt, kNow), TokenState::Inactive);
  EXPECT_EQ(oat::derive_state(false, kNow + kDay, kNow), TokenState::Inactive);
}

TEST(DeriveState, OneSecondBeforeExpiryIsStillActive) {
  EXPECT_EQ(oat::derive_state(true, kNow + 1s, kNow), TokenState::Active);
}

TEST(DeriveState, ExpiredFromTheInstantExpiresAtIsReached) {
  EXPECT_EQ(oat::derive_state(true, kNow, kNow), TokenState::Expired);
}

TEST(DeriveState, ExpiredAfterExpiresAt) {
  EXPECT_EQ(oat::derive_state(true, kNow - 1s, kNow), TokenState::Expired);
}

TEST(DeriveState, ExpiredWinsOverInactive) {
  EXPECT_EQ(oat::derive_state(false, kNow, kNow), TokenState::Expired);
  EXPECT_EQ(oat::derive_state(false, kNow - kDay, kNow), TokenState::Expired);
}

struct ActionRow {
  TokenState state;
  TokenAction action;
  bool allowed;
};

std::string action_name(TokenAction a) {
  switch (a) {
    case TokenAction::View: return "View";
    case TokenAction::Edit: return "Edit";
    case TokenAction::Activate: return "Activate";
    case TokenAction::Deactivate: return "Deactivate";
    case TokenAction::Delete: return "Delete";
    case TokenAction::Authenticate: return "Authenticate";
    case TokenAction::Rotate: return "Rotate";
  }
  return "?";
}

// The state x action matrix of the header, in full.
const ActionRow kMatrix[] = {
    {TokenState::Active, TokenAction::View, true},
    {TokenState::Active, TokenAction::Edit, true},
    {TokenState::Active, TokenAction::Activate, true},
    {TokenState::Active, TokenAction::Deactivate, true},
    {TokenState::Active, TokenAction::Delete, true},
    {TokenState::Active, TokenAction::Authenticate, true},
    {TokenState::Active, TokenAction::Rotate, true},
    {TokenState::Inactive, TokenAction::View, true},
    {TokenState::Inactive, TokenAction::Edit, true},
    {TokenState::Inactive, TokenAction::Activate, true},
    {TokenState::Inactive, TokenAction::Deactivate, true},
    {TokenState::Inactive, TokenAction::Delete, true},
    {TokenState::Inactive, TokenAction::Authenticate, false},
    {TokenState::Inactive, TokenAction::Rotate, true},
    {TokenState::Expired, TokenAction::View, true},
    {TokenState::Expired, TokenAction::Edit, false},
    {TokenState::Expired, TokenAction::Activate, false},
    {TokenState::Expired, TokenAction::Rotate, false},
    {TokenState::Expired, TokenAction::Deactivate, false},
    {TokenState::Expired, TokenAction::Delete, true},
    {TokenState::Expired, TokenAction::Authenticate, false},
};

void PrintTo(const ActionRow& row, std::ostream* os) {
  *os << oat::token_state_name(row.state) << " x " << action_name(row.action);
}

class StateAction : public ::testing::TestWithParam<ActionRow> {};

TEST_P(StateAction, IsAllowedOrRefusedPerTheMatrix) {
  auto refusal = oat::check_token_action(GetParam().state, GetParam().action);
  if (GetParam().allowed) {
    EXPECT_FALSE(refusal.has_value()) << ::testing::PrintToString(*refusal);
  } else {
    ASSERT_TRUE(refusal.has_value());
    EXPECT_FALSE(refusal->message.empty());
    EXPECT_TRUE(refusal->code == ErrorCode::TokenExpired ||
                refusal->code == ErrorCode::TokenInactive ||
                refusal->code == ErrorCode::ActionNotAllowedInState)
        << oat::error_code_name(refusal->code);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryStateAndAction, StateAction, ::testing::ValuesIn(kMatrix),
                         [](const ::testing::TestParamInfo<ActionRow>& info) {
                           std::string state(oat::token_state_name(info.param.state));
                           state[0] = static_cast<char>(state[0] - 'a' + 'A');
                           return state + action_name(info.param.action);
                         });

TEST(StateAction, AnInactiveTokenCannotSignInBecauseItIsInactive) {
  EXPECT_TRUE(
      oat_test::refused(oat::check_token_action(TokenState::Inactive, TokenAction::Authenticate),
                        ErrorCode::TokenInactive));
}

TEST(StateAction, AnExpiredTokenCannotSignInBecauseItIsExpired) {
  EXPECT_TRUE(
      oat_test::refused(oat::check_token_action(TokenState::Expired, TokenAction::Authenticate),
                        ErrorCode::TokenExpired));
}

TEST(StateAction, AnExpiredTokenCanBeDeletedAndNothingElseChanged) {
  int allowed_changes = 0;
  for (TokenAction a : {TokenAction::Edit, TokenAction::Activate, TokenAction::Deactivate,
                        TokenAction::Delete, TokenAction::Authenticate}) {
    if (!oat::check_token_action(TokenState::Expired, a).has_value()) {
      ++allowed_changes;
      EXPECT_EQ(action_name(a), "Delete");
    }
  }
  EXPECT_EQ(allowed_changes, 1);
}

TEST(LastAddresses, TheNewestComesFirstOnceAndTheOldestGoBeyondFive) {
  std::vector<std::string> addresses;
  for (const char* a : {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"}) {
    oat::note_last_address(addresses, a);
  }
  EXPECT_EQ(addresses, (std::vector<std::string>{"10.0.0.6", "10.0.0.5", "10.0.0.4", "10.0.0.3",
                                                 "10.0.0.2"}));
  oat::note_last_address(addresses, "10.0.0.3");  // seen again: moves to the front
  EXPECT_EQ(addresses, (std::vector<std::string>{"10.0.0.3", "10.0.0.6", "10.0.0.5", "10.0.0.4",
                                                 "10.0.0.2"}));
  oat::note_last_address(addresses, "");
  EXPECT_EQ(addresses.size(), oat::kMaxLastUsedAddresses);
  EXPECT_EQ(addresses.front(), "10.0.0.3");
}

}  // namespace
