// Webhooks, expiry warnings and usage series: what an organization is told about its tokens.
//
// An organization's webhooks (managed by those who manage its tokens) each subscribe to some of
// the events below. Every change to a token writes, in the same transaction, one delivery per
// subscribed active webhook; a worker POSTs each as JSON, signed with the webhook's secret, and
// retries with exponential backoff for a day. The rules (which events exist, what a request may
// hold, when to retry, when an expiry warning is due, the bodies and headers) are here; sending
// and storing are the server's.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "oat/error.h"
#include "oat/time.h"

namespace oat {

// ---- Events ----------------------------------------------------------------------------------

namespace webhook {
inline constexpr std::string_view kCreated = "access_token.created";
inline constexpr std::string_view kUpdated = "access_token.updated";
inline constexpr std::string_view kRotated = "access_token.rotated";
inline constexpr std::string_view kDeactivated = "access_token.deactivated";
inline constexpr std::string_view kActivated = "access_token.activated";
inline constexpr std::string_view kDeleted = "access_token.deleted";
inline constexpr std::string_view kExpiring = "access_token.expiring";
inline constexpr std::string_view kExpired = "access_token.expired";
inline constexpr std::string_view kSignInRefused = "access_token.sign_in_refused";
// "Send test event": delivered to the one webhook asked, whatever it subscribes to.
inline constexpr std::string_view kPing = "ping";
}  // namespace webhook

// The events a webhook may subscribe to, in the order documents list them.
const std::vector<std::string_view>& webhook_events();

// The webhook event an audit-log action is, or nullopt. `reason` is the event's (its audit
// data's). For a failed sign-in only a token that exists but may not sign in (deactivated,
// expired, outside its allow-list, or refused by the organization's policy) is
// access_token.sign_in_refused; a wrong secret or an unknown token is no event (nobody's token
// was refused). A leak report is access_token.deactivated when it deactivated the token (no
// reason), and no event when its reason says it did not.
std::optional<std::string_view> webhook_event_for_audit(std::string_view action,
                                                        std::string_view reason);

// access_token.expired is told of tokens that expired at most this long ago.
inline constexpr std::chrono::hours kExpiredEventWindow{24};

// A token refused at sign-in is told at most once in this interval.
inline constexpr std::chrono::hours kSignInRefusedInterval{1};

// ---- Expiry warnings ---------------------------------------------------------------------------

// access_token.expiring is sent this many days before expires_at, once each (largest first).
inline constexpr std::array<int, 4> kExpiryWarningDays{60, 30, 7, 1};

// The warning due for a token that expires at `expires_at`, at `now`, when the last warning
// sent was for `warned_days` days (0: none yet): the number of days of the smallest threshold
// crossed and not yet warned, or nullopt. A token that passes several thresholds between two
// looks (created 5 days before it expires, say) gets only the smallest one's warning. Nothing is
// due once it has expired (that is access_token.expired).
std::optional<int> expiry_warning_due(Timestamp expires_at, Timestamp now, int warned_days);

// The console's banner counts the active tokens that expire within this many days (the table
// marks those within 7).
inline constexpr int kExpiryBannerDays = 30;

// The tokens list's filter: `expiring_within_days=N` (1..366): active tokens that expire in the
// next N days. 400 for anything else.
inline constexpr int kMaxExpiringWithinDays = 366;
Result<std::optional<int>> parse_expiring_within_days(std::optional<std::string_view> value);

// ---- Webhooks ----------------------------------------------------------------------------------

inline constexpr std::size_t kMaxWebhookUrlLength = 2048;
inline constexpr std::size_t kMaxWebhooksPerOrganization = 20;

// A webhook's URL, taken apart: http or https, a host, a port (the scheme's by default) and the
// request target ("/path?query", "/" when empty).
struct WebhookUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // a name, an IPv4 address, or an IPv6 address without brackets
  std::uint16_t port = 0;
  std::string target;
};
// 400 "url" for anything else: another scheme, no host, a bad port, user:password@, a
// fragment, spaces or control characters, longer than kMaxWebhookUrlLength.
Result<WebhookUrl> parse_webhook_url(std::string_view url);

// POST {"url", "events": [...], "active": true}: url and events required, active defaults to
// true. PATCH: any of them; at least one. Unknown fields are refused.
struct WebhookRequest {
  std::optional<std::string> url;
  std::optional<std::vector<std::string>> events;
  std::optional<bool> active;
};
Result<WebhookRequest> parse_webhook_request(std::string_view body, bool create);

// A webhook as the API shows it. `secret` only in the answer that created it (shown once).
struct Webhook {
  std::string id;
  std::string url;
  std::vector<std::string> events;
  bool active = true;
  Timestamp created_at{};
  std::string created_by;
};
nlohmann::json webhook_json(const Webhook& webhook, std::optional<std::string_view> secret = std::nullopt);

// The secret's form: "whsec_" and 32 characters of [A-Za-z0-9] made from `random` (32 bytes or
// more, from the caller's CSPRNG).
std::string format_webhook_secret(std::string_view random);

// ---- Deliveries --------------------------------------------------------------------------------

// Each attempt waits this long for an answer.
inline constexpr std::chrono::seconds kDeliveryTimeout{5};
// A delivery is retried until this long after it was written, then given up.
inline constexpr std::chrono::hours kDeliveryLifetime{24};
// The deliveries a webhook's log shows (newest first), and how long one that is done (delivered
// or failed) is kept.
inline constexpr std::size_t kDeliveryLogSize = 100;
inline constexpr std::chrono::days kDeliveryLogDays{30};

enum class DeliveryStatus { Pending, Delivered, Failed };
std::string_view delivery_status_name(DeliveryStatus status);
std::optional<DeliveryStatus> parse_delivery_status(std::string_view name);

// When to try again after `attempts` failed attempts of a delivery written at `created_at`:
// 1 s after the first failure, doubling up to an hour between attempts; nullopt once that
// would be past kDeliveryLifetime (the delivery is then failed for good).
std::optional<Timestamp> next_delivery_attempt(Timestamp created_at, int attempts, Timestamp now);

// A delivery as the webhook's log shows it.
struct WebhookDelivery {
  std::string id;
  std::string event;
  DeliveryStatus status = DeliveryStatus::Pending;
  int attempts = 0;
  std::optional<int> last_status;  // the receiver's last HTTP status
  std::string last_error;          // why the last attempt failed without one ("timed out", ...)
  Timestamp created_at{};
  std::optional<Timestamp> last_attempt_at, next_attempt_at, delivered_at;
};
nlohmann::json delivery_json(const WebhookDelivery& delivery);

// The body of a delivery: {"id": delivery id, "event", "created_at", "organization", "actor",
// "data"}. `data` is what the event is about (the token's id and label, ...), never a secret.
std::string delivery_body(std::string_view delivery_id, std::string_view event,
                          std::string_view organization, std::string_view actor,
                          const nlohmann::json& data, Timestamp at);

// The `data` of the events oatd itself raises (the changes' is their audit data):
// access_token.expiring {"token_id", "label", "expires_at", "days_left"} (days_left given),
// access_token.expired (without days_left), access_token.sign_in_refused {"token_id", "label",
// "reason", "address", "service"}, and ping {"webhook_id"}.
nlohmann::json expiry_event_data(std::string_view token_id, std::string_view label,
                                 Timestamp expires_at, std::optional<int> days_left);
nlohmann::json sign_in_refused_data(std::string_view token_id, std::string_view label,
                                    std::string_view reason, std::string_view address,
                                    std::string_view service);
nlohmann::json ping_data(std::string_view webhook_id);

// The headers every delivery carries.
inline constexpr std::string_view kEventHeader = "X-OAT-Event";
inline constexpr std::string_view kDeliveryHeader = "X-OAT-Delivery";
inline constexpr std::string_view kSignatureHeader = "X-OAT-Signature";
// "sha256=<hex>": the HMAC-SHA256 of the body with the webhook's secret, as hex.
std::string signature_header_value(std::string_view hmac_hex);

// ---- Usage series ------------------------------------------------------------------------------

// GET .../access-tokens/{id}/usage?days=N and GET /v2/orgs/{org}/usage?days=N: N in 1..90
// (default 30), {"days": [{"date": "2026-12-01", "pulls", "pushes", "sign_ins"}]}, oldest first,
// one entry per day through today (UTC), days without use included as zeros.
inline constexpr int kUsageDaysKept = 90;
inline constexpr int kDefaultUsageDays = 30;
Result<int> parse_usage_days(std::optional<std::string_view> value);

struct UsageDay {
  std::string date;  // "YYYY-MM-DD", UTC
  std::int64_t pulls = 0, pushes = 0, sign_ins = 0;
  bool operator==(const UsageDay&) const = default;
};
// The day number (days since 1970-01-01, UTC) of a time, and the date of a day number.
std::int64_t usage_day(Timestamp t);
std::string usage_date(std::int64_t day);
// The `days` days ending with `today` (a day number), from what was stored (any order, days
// outside the range ignored), with zeros where nothing was.
std::vector<UsageDay> usage_series(const std::vector<std::pair<std::int64_t, UsageDay>>& stored,
                                   std::int64_t today, int days);
nlohmann::json usage_json(const std::vector<UsageDay>& days);
Result<std::vector<UsageDay>> parse_usage_json(std::string_view body);

}  // namespace oat
