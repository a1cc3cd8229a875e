// Rotation with a grace window, the organization's token policy, and leaked-token reports.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "oat/api.h"
#include "oat/audit.h"
#include "oat/token_policy.h"
#include "oat/wire.h"
#include "test_support.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using oat::ErrorCode;
using oat::TokenPolicy;
using oat_test::refused;

const oat::Timestamp kNow = oat_test::fixed_now();
constexpr auto kDay = std::chrono::days{1};

// ---- Rotation -------------------------------------------------------------------------------

TEST(Rotation, AnEmptyBodyIsNoGraceAndTheSameExpiry) {
  for (std::string_view body : {"", "  ", "{}"}) {
    auto r = oat::parse_rotate_request(body, kNow);
    ASSERT_TRUE(r.ok()) << body;
    EXPECT_EQ(r->grace_period_seconds, 0);
    EXPECT_FALSE(r->expires_at.has_value());
  }
}

TEST(Rotation, ReadsTheGraceAndANewExpiryOrNever) {
  auto r = oat::parse_rotate_request(
      R"({"grace_period_seconds": 604800, "expires_at": "2026-02-01T00:00:00Z"})", kNow);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  EXPECT_EQ(r->grace_period_seconds, 604800);
  ASSERT_TRUE(r->expires_at && *r->expires_at);
  EXPECT_EQ(oat::format_rfc3339(**r->expires_at), "2026-02-01T00:00:00Z");
  auto never = oat::parse_rotate_request(R"({"expires_at": null})", kNow);
  ASSERT_TRUE(never.ok());
  ASSERT_TRUE(never->expires_at.has_value());
  EXPECT_FALSE(never->expires_at->has_value());
  // What the console sends is what the server reads.
  auto again = oat::parse_rotate_request(oat::rotate_request_body(*r), kNow);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->grace_period_seconds, r->grace_period_seconds);
  EXPECT_EQ(again->expires_at, r->expires_at);
}

TEST(Rotation, RefusesABadGraceOrExpiryAndUnknownFields) {
  EXPECT_TRUE(refused(oat::parse_rotate_request(R"({"grace_period_seconds": 604801})", kNow),
                      ErrorCode::InvalidGracePeriod, "grace_period_seconds"));
  EXPECT_TRUE(refused(oat::parse_rotate_request(R"({"grace_period_seconds": -1})", kNow),
                      ErrorCode::InvalidGracePeriod, "grace_period_seconds"));
  EXPECT_TRUE(refused(oat::parse_rotate_request(R"({"grace_period_seconds": 1.5})", kNow),
                      ErrorCode::WrongType, "grace_period_seconds"));
  EXPECT_TRUE(refused(oat::parse_rotate_request(R"({"grace_period_seconds": "60"})", kNow),
                      ErrorCode::WrongType, "grace_period_seconds"));
  EXPECT_TRUE(refused(oat::parse_rotate_request(R"({"expires_at": "2020-01-01T00:00:00Z"})", kNow),
                      ErrorCode::ExpiryInPast, "expires_at"));
  EXPECT_TRUE(refused(oat::parse_rotate_request(R"({"expires_at": "2028-01-01T00:00:00Z"})", kNow),
                      ErrorCode::ExpiryTooFar, "expires_at"));
  EXPECT_TRUE(refused(oat::parse_rotate_request(R"({"expires_at": "soon"})", kNow),
                      ErrorCode::InvalidTime, "expires_at"));
  EXPECT_TRUE(refused(oat::parse_rotate_request(R"({"token": "x"})", kNow), ErrorCode::UnknownField,
                      "token"));
  EXPECT_TRUE(refused(oat::parse_rotate_request("[]", kNow), ErrorCode::MalformedBody));
}

TEST(Rotation, ThePreviousSecretSignsInUntilTheGraceEndsAndNotAtAllWithoutOne) {
  EXPECT_FALSE(oat::previous_secret_expiry(0, kNow));
  const auto until = oat::previous_secret_expiry(3600, kNow);
  ASSERT_TRUE(until);
  EXPECT_EQ(*until, kNow + 3600s);
  EXPECT_TRUE(oat::previous_secret_usable(until, kNow + 3599s));
  EXPECT_FALSE(oat::previous_secret_usable(until, kNow + 3600s));
  EXPECT_FALSE(oat::previous_secret_usable(std::nullopt, kNow));
}

TEST(Rotation, AnExpiredTokenCannotBeRotatedAnInactiveOneCan) {
  EXPECT_FALSE(oat::check_token_action(oat::TokenState::Active, oat::TokenAction::Rotate));
  EXPECT_FALSE(oat::check_token_action(oat::TokenState::Inactive, oat::TokenAction::Rotate));
  auto expired = oat::check_token_action(oat::TokenState::Expired, oat::TokenAction::Rotate);
  EXPECT_TRUE(refused(expired, ErrorCode::ActionNotAllowedInState));
  EXPECT_NE(expired->message.find("cannot be rotated"), std::string::npos);
}

TEST(Rotation, APlanKeepsOrReplacesTheExpiryAndGivesTheGraceToActiveTokensOnly) {
  oat::RotateTokenRequest keep;
  keep.grace_period_seconds = 3600;
  auto active = oat::plan_rotation(keep, oat::TokenState::Active, kNow + 5 * kDay, TokenPolicy{}, kNow);
  ASSERT_TRUE(active.ok());
  EXPECT_EQ(active->expires_at, kNow + 5 * kDay);
  EXPECT_EQ(active->previous_expires_at, kNow + 3600s);
  // A deactivated token may be so because its secret leaked: no grace for that secret.
  auto inactive = oat::plan_rotation(keep, oat::TokenState::Inactive, std::nullopt, TokenPolicy{}, kNow);
  ASSERT_TRUE(inactive.ok());
  EXPECT_FALSE(inactive->previous_expires_at);
  oat::RotateTokenRequest never;
  never.expires_at.emplace(std::nullopt);
  EXPECT_FALSE(oat::plan_rotation(never, oat::TokenState::Active, kNow + kDay, TokenPolicy{}, kNow)->expires_at);
  EXPECT_TRUE(refused(oat::plan_rotation(keep, oat::TokenState::Expired, kNow, TokenPolicy{}, kNow),
                      ErrorCode::ActionNotAllowedInState));
  // The policy is measured from the rotation: keeping a far expiry is refused, a near one kept.
  const TokenPolicy thirty{30, false, std::nullopt};
  EXPECT_TRUE(refused(oat::plan_rotation(keep, oat::TokenState::Active, kNow + 40 * kDay, thirty, kNow),
                      ErrorCode::PolicyLifetimeExceeded, "expires_at"));
  EXPECT_TRUE(oat::plan_rotation(keep, oat::TokenState::Active, kNow + 20 * kDay, thirty, kNow).ok());
}

TEST(Rotation, TheLifetimeStartsAtTheLastRotation) {
  EXPECT_EQ(oat::lifetime_start(kNow, std::nullopt), kNow);
  EXPECT_EQ(oat::lifetime_start(kNow, kNow + kDay), kNow + kDay);
}

// ---- Policy ---------------------------------------------------------------------------------

TEST(Policy, APutBodyIsTheWholePolicyWithDefaultsForAbsentFields) {
  auto p = oat::parse_token_policy_request(
      R"({"max_lifetime_days": 90, "require_expiration": true, "max_idle_days": null})");
  ASSERT_TRUE(p.ok()) << ::testing::PrintToString(p.errors());
  EXPECT_EQ(*p, (TokenPolicy{90, true, std::nullopt}));
  auto empty = oat::parse_token_policy_request("{}");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(oat::token_policy_json(*p),
            json::parse(R"({"max_lifetime_days":90,"require_expiration":true,"max_idle_days":null})"));
  EXPECT_EQ(*oat::parse_token_policy_json(oat::token_policy_json(*p)), *p);
}

TEST(Policy, RefusesDaysOutOfRangeWrongTypesAndUnknownFields) {
  EXPECT_TRUE(refused(oat::parse_token_policy_request(R"({"max_lifetime_days": 0})"),
                      ErrorCode::InvalidPolicy, "max_lifetime_days"));
  EXPECT_TRUE(refused(oat::parse_token_policy_request(R"({"max_idle_days": 367})"),
                      ErrorCode::InvalidPolicy, "max_idle_days"));
  EXPECT_TRUE(refused(oat::parse_token_policy_request(R"({"max_idle_days": "30"})"),
                      ErrorCode::WrongType, "max_idle_days"));
  EXPECT_TRUE(refused(oat::parse_token_policy_request(R"({"require_expiration": 1})"),
                      ErrorCode::WrongType, "require_expiration"));
  EXPECT_TRUE(refused(oat::parse_token_policy_request(R"({"max_age": 3})"),
                      ErrorCode::UnknownField, "max_age"));
  EXPECT_TRUE(refused(oat::parse_token_policy_request("null"), ErrorCode::MalformedBody));
}

TEST(Policy, AChosenExpiryMustExistAndLieWithinTheMaximumLifetime) {
  const TokenPolicy none;
  const TokenPolicy required{std::nullopt, true, std::nullopt};
  const TokenPolicy ninety{90, false, std::nullopt};
  EXPECT_FALSE(oat::check_expiry_policy(none, std::nullopt, kNow));
  EXPECT_TRUE(refused(oat::check_expiry_policy(required, std::nullopt, kNow),
                      ErrorCode::PolicyRequiresExpiration, "expires_at"));
  EXPECT_FALSE(oat::check_expiry_policy(required, kNow + 300 * kDay, kNow));
  // A maximum lifetime implies an expiration.
  EXPECT_TRUE(refused(oat::check_expiry_policy(ninety, std::nullopt, kNow),
                      ErrorCode::PolicyRequiresExpiration, "expires_at"));
  EXPECT_FALSE(oat::check_expiry_policy(ninety, kNow + 90 * kDay, kNow));
  auto late = oat::check_expiry_policy(ninety, kNow + 90 * kDay + 1s, kNow);
  EXPECT_TRUE(refused(late, ErrorCode::PolicyLifetimeExceeded, "expires_at"));
  EXPECT_NE(late->message.find("at most 90 days; choose an expiration on or before 2026-04-15"),
            std::string::npos)
      << late->message;
  // An existing token is measured from its lifetime's start and told to rotate.
  auto existing = oat::check_expiry_policy(ninety, std::nullopt, kNow, oat::PolicyCheck::Existing);
  ASSERT_TRUE(existing);
  EXPECT_NE(existing->message.find("Rotate it"), std::string::npos) << existing->message;
}

TEST(Policy, TheGenerateDialogOffersOnlyWhatThePolicyAllows) {
  const TokenPolicy none, required{std::nullopt, true, std::nullopt}, sixty{60, false, std::nullopt};
  EXPECT_TRUE(oat::expiry_preset_allowed(none, oat::ExpiryPreset::Never));
  EXPECT_FALSE(oat::expiry_preset_allowed(required, oat::ExpiryPreset::Never));
  EXPECT_TRUE(oat::expiry_preset_allowed(required, oat::ExpiryPreset::Days90));
  EXPECT_FALSE(oat::expiry_preset_allowed(sixty, oat::ExpiryPreset::Never));
  EXPECT_TRUE(oat::expiry_preset_allowed(sixty, oat::ExpiryPreset::Days30));
  EXPECT_FALSE(oat::expiry_preset_allowed(sixty, oat::ExpiryPreset::Days90));
  EXPECT_TRUE(oat::expiry_preset_allowed(sixty, oat::ExpiryPreset::Custom));
  EXPECT_EQ(oat::latest_allowed_expiry(sixty, kNow), kNow + 60 * kDay);
  EXPECT_EQ(oat::latest_allowed_expiry(none, kNow), kNow + oat::kMaxCustomExpiry);
}

TEST(Policy, AtUseATokenBeyondItsLifetimeOrIdleTooLongIsRefusedWithItsOwnSentence) {
  const TokenPolicy policy{30, false, 7};
  const oat::Timestamp start = kNow - 10 * kDay;
  EXPECT_FALSE(oat::check_policy_at_use(policy, start, kNow - 1 * kDay, kNow));
  EXPECT_FALSE(oat::check_policy_at_use(TokenPolicy{}, kNow - 900 * kDay, std::nullopt, kNow));
  auto idle = oat::check_policy_at_use(policy, start, kNow - 8 * kDay, kNow);
  EXPECT_TRUE(refused(idle, ErrorCode::TokenIdleTooLong));
  EXPECT_EQ(oat::http_status(idle->code), 401);
  // Never used: idle since its lifetime began.
  EXPECT_TRUE(refused(oat::check_policy_at_use(policy, start, std::nullopt, kNow),
                      ErrorCode::TokenIdleTooLong));
  EXPECT_FALSE(oat::check_policy_at_use(policy, kNow - 6 * kDay, std::nullopt, kNow));
  auto old = oat::check_policy_at_use(policy, kNow - 31 * kDay, kNow - 1 * kDay, kNow);
  EXPECT_TRUE(refused(old, ErrorCode::TokenBeyondPolicyLifetime));
  EXPECT_EQ(oat::http_status(old->code), 401);
  EXPECT_NE(old->message, idle->message);
}

TEST(Policy, OnlyAnActivationMustLeaveATokenWithinThePolicy) {
  oat::UpdateTokenRequest rename;
  rename.label = "x";
  oat::UpdateTokenRequest activate;
  activate.is_active = true;
  oat::UpdateTokenRequest deactivate;
  deactivate.is_active = false;
  EXPECT_FALSE(oat::update_needs_policy_check(rename, false));
  EXPECT_FALSE(oat::update_needs_policy_check(deactivate, true));
  EXPECT_TRUE(oat::update_needs_policy_check(activate, false));
  EXPECT_FALSE(oat::update_needs_policy_check(activate, true));  // already active: nothing changes
}

TEST(Policy, IsDescribedInOneSentence) {
  EXPECT_EQ(oat::describe_token_policy(TokenPolicy{90, true, 30}),
            "Tokens must expire within 90 days of their creation or last rotation; a token "
            "unused for 30 days stops signing in.");
  EXPECT_EQ(oat::describe_token_policy(TokenPolicy{std::nullopt, true, std::nullopt}),
            "Tokens must have an expiration date.");
}

// ---- Leaked tokens ---------------------------------------------------------------------------

TEST(RevokeReport, TakesOneToAThousandStringsAndChecksNothingElse) {
  auto ok = oat::parse_revoke_request(R"({"tokens": ["dckr_oat_x", "anything"]})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, (std::vector<std::string>{"dckr_oat_x", "anything"}));
  EXPECT_TRUE(refused(oat::parse_revoke_request(R"({"tokens": []})"), ErrorCode::TooManyTokens, "tokens"));
  json many = {{"tokens", json::array()}};
  for (int i = 0; i < 1001; ++i) many["tokens"].push_back("t");
  EXPECT_TRUE(refused(oat::parse_revoke_request(many.dump()), ErrorCode::TooManyTokens, "tokens"));
  EXPECT_TRUE(refused(oat::parse_revoke_request(R"({"tokens": "dckr_oat_x"})"), ErrorCode::WrongType, "tokens"));
  EXPECT_TRUE(refused(oat::parse_revoke_request(R"({"tokens": [1]})"), ErrorCode::WrongType, "tokens"));
  EXPECT_TRUE(refused(oat::parse_revoke_request(R"({"token": ["x"]})"), ErrorCode::UnknownField, "token"));
  EXPECT_EQ(oat::revoke_answer_json(3), json::parse(R"({"received":3})"));
}

TEST(RevokeReport, DeactivatesActiveTokensEndsGracesAndOtherwiseOnlyRecords) {
  using oat::LeakAction;
  using oat::TokenState;
  EXPECT_EQ(oat::leaked_secret_action(false, TokenState::Active, std::nullopt, kNow), LeakAction::Deactivate);
  EXPECT_EQ(oat::leaked_secret_action(false, TokenState::Inactive, std::nullopt, kNow), LeakAction::RecordOnly);
  EXPECT_EQ(oat::leaked_secret_action(false, TokenState::Expired, std::nullopt, kNow), LeakAction::RecordOnly);
  EXPECT_EQ(oat::leaked_secret_action(true, TokenState::Active, kNow + 60s, kNow), LeakAction::EndGrace);
  EXPECT_EQ(oat::leaked_secret_action(true, TokenState::Active, kNow, kNow), LeakAction::RecordOnly);
}

// ---- Token shapes -----------------------------------------------------------------------------

TEST(LifecycleFields, ACreateAndAnUpdateReadSelfRotationAndTheAllowList) {
  const oat::OrganizationContext acme{"acme", oat_test::acme_repositories(), kNow};
  auto create = oat::parse_create_request(
      R"({"label":"ci","resources":[{"type":"TYPE_REPO","path":"acme/app","scopes":["scope-image-pull"]}],
          "allow_self_rotation":true,"allowed_cidrs":["192.0.2.0/24"]})", acme);
  ASSERT_TRUE(create.ok()) << ::testing::PrintToString(create.errors());
  EXPECT_TRUE(create->allow_self_rotation);
  EXPECT_EQ(create->allowed_cidrs, std::vector<std::string>{"192.0.2.0/24"});
  auto update = oat::parse_update_request(R"({"allowed_cidrs":[],"allow_self_rotation":false})", acme);
  ASSERT_TRUE(update.ok());
  EXPECT_FALSE(update->empty());
  EXPECT_EQ(update->allowed_cidrs, std::vector<std::string>{});
  EXPECT_EQ(update->allow_self_rotation, false);
  EXPECT_TRUE(refused(oat::parse_update_request(R"({"allowed_cidrs":["300.0.0.0/8"]})", acme),
                      ErrorCode::InvalidAddress, "allowed_cidrs[0]"));
  EXPECT_TRUE(refused(oat::parse_update_request(R"({"allow_self_rotation":"yes"})", acme),
                      ErrorCode::WrongType, "allow_self_rotation"));
}

TEST(LifecycleFields, RoundTripThroughTheTokenObject) {
  oat::AccessToken t;
  t.id = "id";
  t.label = "ci";
  t.created_at = kNow;
  t.rotated_at = kNow + 1s;
  t.previous_token_expires_at = kNow + 3600s;
  t.previous_token_last_used_at = kNow + 60s;
  t.allow_self_rotation = true;
  t.allowed_cidrs = {"192.0.2.0/24"};
  auto back = oat::parse_token_json(oat::token_json(t, true));
  ASSERT_TRUE(back.ok()) << ::testing::PrintToString(back.errors());
  EXPECT_EQ(back->rotated_at, t.rotated_at);
  EXPECT_EQ(back->previous_token_expires_at, t.previous_token_expires_at);
  EXPECT_EQ(back->previous_token_last_used_at, t.previous_token_last_used_at);
  EXPECT_TRUE(back->allow_self_rotation);
  EXPECT_EQ(back->allowed_cidrs, t.allowed_cidrs);
  // Lists carry the rotation's times, not the single answer's details.
  const json listed = oat::token_json(t, false);
  EXPECT_TRUE(listed.contains("previous_token_expires_at"));
  EXPECT_FALSE(listed.contains("allowed_cidrs"));
}

TEST(LifecycleFields, AuditDataKeepsTheGraceTheAllowListAndThePolicy) {
  oat::AuditData data;
  data.grace_period_seconds = 3600;
  data.allowed_cidrs = std::vector<std::string>{"192.0.2.0/24"};
  data.allow_self_rotation = true;
  data.policy = TokenPolicy{90, true, std::nullopt};
  const auto back = oat::parse_audit_data(oat::audit_data_json(data));
  EXPECT_EQ(back.grace_period_seconds, 3600);
  EXPECT_EQ(back.allowed_cidrs, data.allowed_cidrs);
  EXPECT_EQ(back.allow_self_rotation, true);
  EXPECT_EQ(back.policy, data.policy);
  for (auto action : {oat::audit::kTokenRotate, oat::audit::kTokenRevokeLeaked, oat::audit::kPolicyUpdate}) {
    EXPECT_TRUE(oat::audit_action_description(action)) << action;
  }
}

}  // namespace
