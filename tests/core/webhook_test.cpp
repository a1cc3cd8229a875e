// Webhooks, expiry warnings and usage series (oat/webhook.h).
#include <gtest/gtest.h>

#include "oat/audit.h"
#include "oat/webhook.h"

namespace {

using oat::ErrorCode;
using oat::Timestamp;
using namespace std::chrono_literals;

const Timestamp kNow = oat::from_unix(1'800'000'000);  // 2027-01-15T08:00:00Z

// ---- Events ----------------------------------------------------------------------------------

TEST(WebhookEvents, EveryTokenChangeIsAnEvent) {
  using oat::webhook_event_for_audit;
  namespace a = oat::audit;
  EXPECT_EQ(webhook_event_for_audit(a::kTokenCreate, ""), "access_token.created");
  EXPECT_EQ(webhook_event_for_audit(a::kTokenUpdate, ""), "access_token.updated");
  EXPECT_EQ(webhook_event_for_audit(a::kTokenRotate, ""), "access_token.rotated");
  EXPECT_EQ(webhook_event_for_audit(a::kTokenDeactivate, ""), "access_token.deactivated");
  EXPECT_EQ(webhook_event_for_audit(a::kTokenRevokeLeaked, ""), "access_token.deactivated");
  EXPECT_EQ(webhook_event_for_audit(a::kTokenRevokeLeaked, a::kReasonReportedSecretUnusable), std::nullopt);
  EXPECT_EQ(webhook_event_for_audit(a::kTokenRevokeLeaked, a::kReasonPreviousSecretReported), std::nullopt);
  EXPECT_EQ(webhook_event_for_audit(a::kTokenActivate, ""), "access_token.activated");
  EXPECT_EQ(webhook_event_for_audit(a::kTokenDelete, ""), "access_token.deleted");
  EXPECT_EQ(webhook_event_for_audit(a::kPolicyUpdate, ""), std::nullopt);
}

TEST(WebhookEvents, OnlyATokenThatExistsButMayNotSignInIsRefused) {
  using oat::webhook_event_for_audit;
  namespace a = oat::audit;
  for (const std::string_view reason :
       {std::string_view("This access token is deactivated."), std::string_view("This access token has expired."),
        a::kReasonAddressNotAllowed, std::string_view("This access token has not been used for 31 days.")}) {
    EXPECT_EQ(webhook_event_for_audit(a::kTokenSignInFailed, reason), "access_token.sign_in_refused") << reason;
  }
  for (const std::string_view reason :
       {a::kReasonNotAToken, a::kReasonUnknownOrganization, a::kReasonUnknownToken,
        a::kReasonWrongAccount, a::kReasonPreviousSecretEnded, std::string_view()}) {
    EXPECT_EQ(webhook_event_for_audit(a::kTokenSignInFailed, reason), std::nullopt) << reason;
  }
}

TEST(WebhookEvents, TheListHasEveryEventOnce) {
  const auto& events = oat::webhook_events();
  EXPECT_EQ(events.size(), 9u);
  for (const auto e : events) EXPECT_EQ(std::count(events.begin(), events.end(), e), 1) << e;
  EXPECT_EQ(std::count(events.begin(), events.end(), oat::webhook::kPing), 0);
}

// ---- Expiry warnings ---------------------------------------------------------------------------

TEST(ExpiryWarning, EachThresholdOnceLargestFirst) {
  const Timestamp expires = kNow + std::chrono::days{90};
  EXPECT_EQ(oat::expiry_warning_due(expires, kNow, 0), std::nullopt);  // 90 days left
  EXPECT_EQ(oat::expiry_warning_due(expires, expires - std::chrono::days{60}, 0), 60);
  EXPECT_EQ(oat::expiry_warning_due(expires, expires - std::chrono::days{59}, 60), std::nullopt);
  EXPECT_EQ(oat::expiry_warning_due(expires, expires - std::chrono::days{30}, 60), 30);
  EXPECT_EQ(oat::expiry_warning_due(expires, expires - std::chrono::days{7}, 30), 7);
  EXPECT_EQ(oat::expiry_warning_due(expires, expires - std::chrono::days{1}, 7), 1);
  EXPECT_EQ(oat::expiry_warning_due(expires, expires - 1s, 1), std::nullopt);
  EXPECT_EQ(oat::expiry_warning_due(expires, expires, 0), std::nullopt) << "expired is another event";
}

TEST(ExpiryWarning, ThresholdsPassedTogetherGiveOnlyTheSmallest) {
  const Timestamp expires = kNow + std::chrono::days{5};
  EXPECT_EQ(oat::expiry_warning_due(expires, kNow, 0), 7);
  EXPECT_EQ(oat::expiry_warning_due(expires, kNow, 7), std::nullopt);
  EXPECT_EQ(oat::expiry_warning_due(expires, kNow + std::chrono::days{4} + 1s, 7), 1);
}

TEST(ExpiryWarning, TheListFilter) {
  EXPECT_EQ(*oat::parse_expiring_within_days(std::nullopt), std::nullopt);
  EXPECT_EQ(*oat::parse_expiring_within_days("30"), 30);
  for (const std::string_view bad : {"0", "367", "-1", "7d", "", "1.5"}) {
    const auto r = oat::parse_expiring_within_days(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().field, "expiring_within_days");
  }
}

// ---- Webhook URLs and requests -----------------------------------------------------------------

TEST(WebhookUrl, HttpAndHttpsTakenApart) {
  auto u = oat::parse_webhook_url("https://hooks.example.com/oat?team=ci");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "hooks.example.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/oat?team=ci");
  u = oat::parse_webhook_url("HTTP://127.0.0.1:8081");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->port, 8081);
  EXPECT_EQ(u->target, "/");
  u = oat::parse_webhook_url("http://[::1]:9000/x");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9000);
}

TEST(WebhookUrl, AnythingElseIsAClear400OnUrl) {
  for (const std::string_view bad :
       {"", "ftp://example.com/", "javascript:alert(1)", "file:///etc/passwd", "example.com/hook",
        "https://", "https://user:pw@example.com/", "https://example.com:0/", "https://example.com:70000/",
        "https://example.com:/", "https://exa mple.com/", "https://example.com/#frag",
        "https://[::1/", "http://ex%41mple.com/"}) {
    const auto r = oat::parse_webhook_url(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::InvalidWebhookUrl) << bad;
    EXPECT_EQ(r.error().field, "url") << bad;
    EXPECT_EQ(oat::http_status(r.error().code), 400);
  }
  EXPECT_FALSE(oat::parse_webhook_url("https://example.com/" + std::string(3000, 'a')).ok());
}

TEST(WebhookRequest, CreateNeedsUrlAndEvents) {
  auto r = oat::parse_webhook_request(R"({"url": "https://h.example/x", "events": ["access_token.created"]})", true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->active, true);
  EXPECT_EQ(r->events, (std::vector<std::string>{"access_token.created"}));

  r = oat::parse_webhook_request("{}", true);
  ASSERT_FALSE(r.ok());
  std::vector<std::string> fields;
  for (const auto& e : r.errors()) fields.push_back(e.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"url", "events"}));
}

TEST(WebhookRequest, EveryBadFieldIsReported) {
  const auto r = oat::parse_webhook_request(
      R"({"url": "gopher://x", "events": ["access_token.created", "token.made", "access_token.created", 3], "active": "yes", "secret": "x"})",
      true);
  ASSERT_FALSE(r.ok());
  std::vector<std::string> fields;
  for (const auto& e : r.errors()) fields.push_back(e.field);
  // In the order of the object's keys (nlohmann keeps them sorted).
  EXPECT_EQ(fields, (std::vector<std::string>{"active", "events[1]", "events[2]", "events[3]", "secret", "url"}));
  EXPECT_NE(r.errors()[1].message.find("\"token.made\" is not an event; the events are access_token.created"),
            std::string::npos)
      << r.errors()[1].message;
}

TEST(WebhookRequest, PatchTakesAnySomeButNotNone) {
  auto r = oat::parse_webhook_request(R"({"active": false})", false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->active, false);
  EXPECT_FALSE(r->url.has_value());
  EXPECT_FALSE(oat::parse_webhook_request("{}", false).ok());
  EXPECT_FALSE(oat::parse_webhook_request(R"({"events": []})", false).ok());
  EXPECT_FALSE(oat::parse_webhook_request("[]", false).ok());
}

TEST(WebhookJson, TheSecretOnlyWhenGiven) {
  oat::Webhook w{"wh-1", "https://h.example/x", {"access_token.created"}, true, kNow, "owner"};
  EXPECT_FALSE(oat::webhook_json(w).contains("secret"));
  EXPECT_EQ(oat::webhook_json(w, "whsec_x")["secret"], "whsec_x");
  EXPECT_EQ(oat::webhook_json(w)["created_at"], "2027-01-15T08:00:00Z");
}

TEST(WebhookSecret, ThirtyTwoCharactersOfTheAlphabet) {
  std::string random;
  for (int i = 0; i < 64; ++i) random += static_cast<char>(i * 4);
  const std::string secret = oat::format_webhook_secret(random);
  EXPECT_EQ(secret.size(), 6u + 32u);
  EXPECT_EQ(secret.substr(0, 6), "whsec_");
  EXPECT_EQ(secret.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 6),
            std::string::npos);
}

// ---- Deliveries --------------------------------------------------------------------------------

TEST(DeliveryRetry, DoublesFromOneSecondUpToAnHourForADay) {
  const Timestamp created = kNow;
  EXPECT_EQ(oat::next_delivery_attempt(created, 1, kNow), kNow + 1s);
  EXPECT_EQ(oat::next_delivery_attempt(created, 2, kNow), kNow + 2s);
  EXPECT_EQ(oat::next_delivery_attempt(created, 5, kNow), kNow + 16s);
  EXPECT_EQ(oat::next_delivery_attempt(created, 13, kNow), kNow + 3600s);
  EXPECT_EQ(oat::next_delivery_attempt(created, 40, kNow), kNow + 3600s);
  EXPECT_EQ(oat::next_delivery_attempt(created, 40, created + 23h), created + 24h);
  EXPECT_EQ(oat::next_delivery_attempt(created, 40, created + 23h + 1s), std::nullopt);
}

TEST(DeliveryBody, CarriesTheEventAndNeverMore) {
  const auto body = nlohmann::json::parse(oat::delivery_body(
      "d-1", "access_token.created", "acme", "owner", {{"token_id", "t-1"}, {"label", "ci"}}, kNow));
  EXPECT_EQ(body, (nlohmann::json{{"id", "d-1"},
                                  {"event", "access_token.created"},
                                  {"created_at", "2027-01-15T08:00:00Z"},
                                  {"organization", "acme"},
                                  {"actor", "owner"},
                                  {"data", {{"token_id", "t-1"}, {"label", "ci"}}}}));
  EXPECT_EQ(oat::signature_header_value("ab12"), "sha256=ab12");
}

TEST(DeliveryBody, TheDataOfTheEventsOatdRaises) {
  EXPECT_EQ(oat::expiry_event_data("t-1", "ci", kNow, 7),
            (nlohmann::json{{"token_id", "t-1"}, {"label", "ci"}, {"expires_at", "2027-01-15T08:00:00Z"}, {"days_left", 7}}));
  EXPECT_FALSE(oat::expiry_event_data("t-1", "ci", kNow, std::nullopt).contains("days_left"));
  EXPECT_EQ(oat::sign_in_refused_data("t-1", "ci", "why", "10.0.0.1", "registry")["service"], "registry");
  EXPECT_EQ(oat::ping_data("w-1"), (nlohmann::json{{"webhook_id", "w-1"}}));
}

TEST(DeliveryJson, StatusAndTimes) {
  oat::WebhookDelivery d;
  d.id = "d-1";
  d.event = "ping";
  d.status = oat::DeliveryStatus::Failed;
  d.attempts = 3;
  d.last_status = 500;
  d.created_at = kNow;
  const auto j = oat::delivery_json(d);
  EXPECT_EQ(j["status"], "failed");
  EXPECT_EQ(j["last_status"], 500);
  EXPECT_TRUE(j["delivered_at"].is_null());
  EXPECT_TRUE(j["last_error"].is_null());
  for (const auto s : {oat::DeliveryStatus::Pending, oat::DeliveryStatus::Delivered, oat::DeliveryStatus::Failed}) {
    EXPECT_EQ(oat::parse_delivery_status(oat::delivery_status_name(s)), s);
  }
}

// ---- Usage series ------------------------------------------------------------------------------

TEST(UsageSeries, EveryDayThroughTodayOldestFirstWithZeros) {
  const std::int64_t today = oat::usage_day(kNow);
  EXPECT_EQ(oat::usage_date(today), "2027-01-15");
  const auto series = oat::usage_series(
      {{today, {"", 3, 1, 2}}, {today - 2, {"", 5, 0, 1}}, {today - 2, {"", 1, 1, 1}}, {today - 9, {"", 9, 9, 9}}},
      today, 3);
  EXPECT_EQ(series, (std::vector<oat::UsageDay>{{"2027-01-13", 6, 1, 2}, {"2027-01-14", 0, 0, 0},
                                                {"2027-01-15", 3, 1, 2}}));
  const auto back = oat::parse_usage_json(oat::usage_json(series).dump());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, series);
}

TEST(UsageSeries, DaysParameter) {
  EXPECT_EQ(*oat::parse_usage_days(std::nullopt), 30);
  EXPECT_EQ(*oat::parse_usage_days("90"), 90);
  for (const std::string_view bad : {"0", "91", "x", ""}) EXPECT_FALSE(oat::parse_usage_days(bad).ok()) << bad;
  EXPECT_FALSE(oat::parse_usage_json("{\"days\": [{\"date\": 3}]}").ok());
  EXPECT_EQ(oat::usage_day(oat::from_unix(-1)), -1);
}

}  // namespace
