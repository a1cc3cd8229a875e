#include "oat/webhook.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "oat/api.h"
#include "oat/audit.h"

namespace oat {
namespace {

using nlohmann::json;

Error wrong_type(const std::string& field, std::string_view expected) {
  return {ErrorCode::WrongType, field, "\"" + field + "\" must be " + std::string(expected) + "."};
}

Error bad_url(std::string message) { return {ErrorCode::InvalidWebhookUrl, "url", std::move(message)}; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Parses a whole number in [min, max] from a query value; nullopt for anything else.
std::optional<long long> whole_number(std::string_view text, long long min, long long max) {
  if (text.empty() || text.size() > 6) return std::nullopt;
  long long n = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n < min || n > max) return std::nullopt;
  return n;
}

}  // namespace

// ---- Events ----------------------------------------------------------------------------------

const std::vector<std::string_view>& webhook_events() {
  static const std::vector<std::string_view> events = {
      webhook::kCreated,  webhook::kUpdated, webhook::kRotated,
      webhook::kDeactivated, webhook::kActivated, webhook::kDeleted,
      webhook::kExpiring, webhook::kExpired, webhook::kSignInRefused,
  };
  return events;
}

std::optional<std::string_view> webhook_event_for_audit(std::string_view action,
                                                        std::string_view reason) {
  if (action == audit::kTokenCreate) return webhook::kCreated;
  if (action == audit::kTokenUpdate) return webhook::kUpdated;
  if (action == audit::kTokenRotate) return webhook::kRotated;
  if (action == audit::kTokenDeactivate) return webhook::kDeactivated;
  // A leak report deactivates the token, unless its reason says what happened instead (the
  // previous secret's grace ended, or the secret could not sign in anyway).
  if (action == audit::kTokenRevokeLeaked) {
    return reason.empty() ? std::optional(webhook::kDeactivated) : std::nullopt;
  }
  if (action == audit::kTokenActivate) return webhook::kActivated;
  if (action == audit::kTokenDelete) return webhook::kDeleted;
  if (action == audit::kTokenSignInFailed) {
    // Failures where no token of the organization was refused: a wrong or unknown secret.
    for (const std::string_view nobody :
         {audit::kReasonNotAToken, audit::kReasonUnknownOrganization, audit::kReasonUnknownToken,
          audit::kReasonWrongAccount, audit::kReasonPreviousSecretEnded}) {
      if (reason == nobody) return std::nullopt;
    }
    if (reason.empty()) return std::nullopt;
    return webhook::kSignInRefused;
  }
  return std::nullopt;
}

// ---- Expiry warnings ---------------------------------------------------------------------------

std::optional<int> expiry_warning_due(Timestamp expires_at, Timestamp now, int warned_days) {
  if (now >= expires_at) return std::nullopt;
  std::optional<int> due;
  for (const int days : kExpiryWarningDays) {  // largest first: the last one crossed wins
    if (expires_at - now <= std::chrono::days{days}) due = days;
  }
  if (!due || (warned_days > 0 && *due >= warned_days)) return std::nullopt;
  return due;
}

Result<std::optional<int>> parse_expiring_within_days(std::optional<std::string_view> value) {
  if (!value) return std::optional<int>();
  if (const auto n = whole_number(*value, 1, kMaxExpiringWithinDays)) {
    return std::optional<int>(static_cast<int>(*n));
  }
  return Error{ErrorCode::InvalidPage, "expiring_within_days",
               "\"expiring_within_days\" must be a whole number of days from 1 to " +
                   std::to_string(kMaxExpiringWithinDays) + "."};
}

// ---- Webhooks ----------------------------------------------------------------------------------

Result<WebhookUrl> parse_webhook_url(std::string_view url) {
  const std::string allowed = "\"url\" must be an http:// or https:// URL with a host";
  if (url.empty()) return bad_url(allowed + ".");
  if (url.size() > kMaxWebhookUrlLength) {
    return bad_url("\"url\" must be at most " + std::to_string(kMaxWebhookUrlLength) + " characters.");
  }
  for (const char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return bad_url("\"url\" must not contain spaces or control characters.");
    }
  }
  WebhookUrl out;
  const auto colon = url.find("://");
  if (colon == std::string_view::npos) return bad_url(allowed + ".");
  out.scheme = lower(url.substr(0, colon));
  if (out.scheme != "http" && out.scheme != "https") {
    return bad_url(allowed + "; \"" + out.scheme + ":\" is not one.");
  }
  std::string_view rest = url.substr(colon + 3);
  if (rest.find('#') != std::string_view::npos) return bad_url("\"url\" must not have a #fragment.");
  const auto path_at = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_at);
  out.target = path_at == std::string_view::npos ? "/" : std::string(rest.substr(path_at));
  if (out.target.front() == '?') out.target.insert(out.target.begin(), '/');
  if (authority.find('@') != std::string_view::npos) {
    return bad_url("\"url\" must not hold a user name or password; the signature authenticates "
                   "deliveries.");
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad_url(allowed + ".");
    out.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad_url(allowed + ".");
      port_text = after.substr(1);
    }
    if (out.host.empty() || out.host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos) {
      return bad_url(allowed + ".");
    }
  } else {
    const auto port_colon = authority.rfind(':');
    out.host = lower(authority.substr(0, port_colon));
    if (port_colon != std::string_view::npos) port_text = authority.substr(port_colon + 1);
    if (out.host.empty() ||
        out.host.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-_") != std::string::npos) {
      return bad_url(allowed + ".");
    }
  }
  out.port = out.scheme == "https" ? 443 : 80;
  if (authority.find(':') != std::string_view::npos && authority.back() == ':') {
    return bad_url("\"url\" has a port that is not a number from 1 to 65535.");
  }
  if (!port_text.empty()) {
    const auto port = whole_number(port_text, 1, 65535);
    if (!port) return bad_url("\"url\" has a port that is not a number from 1 to 65535.");
    out.port = static_cast<std::uint16_t>(*port);
  }
  return out;
}

Result<WebhookRequest> parse_webhook_request(std::string_view body, bool create) {
  auto object = parse_request_object(body);
  if (!object) return object.errors();
  WebhookRequest request;
  Errors errors;
  for (const auto& [key, value] : object->items()) {
    if (key == "url") {
      if (!value.is_string()) {
        errors.push_back(wrong_type(key, "a string"));
      } else if (auto url = parse_webhook_url(value.get_ref<const std::string&>()); !url) {
        errors.push_back(url.error());
      } else {
        request.url = value.get<std::string>();
      }
    } else if (key == "events") {
      if (!value.is_array()) {
        errors.push_back(wrong_type(key, "a list of event names"));
        continue;
      }
      std::vector<std::string> events;
      for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string field = "events[" + std::to_string(i) + "]";
        if (!value[i].is_string()) {
          errors.push_back(wrong_type(field, "an event name"));
          continue;
        }
        const std::string& name = value[i].get_ref<const std::string&>();
        const auto& known = webhook_events();
        if (std::find(known.begin(), known.end(), name) == known.end()) {
          std::string list;
          for (const auto e : known) list += (list.empty() ? "" : ", ") + std::string(e);
          errors.push_back({ErrorCode::UnknownWebhookEvent, field,
                            "\"" + name + "\" is not an event; the events are " + list + "."});
        } else if (std::find(events.begin(), events.end(), name) != events.end()) {
          errors.push_back({ErrorCode::UnknownWebhookEvent, field, "\"" + name + "\" is listed twice."});
        } else {
          events.push_back(name);
        }
      }
      if (value.empty()) {
        errors.push_back({ErrorCode::WebhookEventsRequired, key,
                          "\"events\" must name at least one event."});
      }
      request.events = std::move(events);
    } else if (key == "active") {
      if (!value.is_boolean()) {
        errors.push_back(wrong_type(key, "true or false"));
      } else {
        request.active = value.get<bool>();
      }
    } else {
      errors.push_back({ErrorCode::UnknownField, key,
                        "\"" + key + "\" is not a field of a webhook (url, events, active)."});
    }
  }
  if (create) {
    if (!object->contains("url")) errors.push_back(bad_url("\"url\" is required."));
    if (!object->contains("events")) {
      errors.push_back({ErrorCode::WebhookEventsRequired, "events",
                        "\"events\" is required: the events to deliver."});
    }
    if (!request.active) request.active = true;
  } else if (object->empty()) {
    errors.push_back({ErrorCode::MalformedBody, "",
                      "Nothing to change: give url, events or active."});
  }
  if (!errors.empty()) return errors;
  return request;
}

json webhook_json(const Webhook& webhook, std::optional<std::string_view> secret) {
  json out = {{"id", webhook.id},
              {"url", webhook.url},
              {"events", webhook.events},
              {"active", webhook.active},
              {"created_at", format_rfc3339(webhook.created_at)},
              {"created_by", webhook.created_by}};
  if (secret) out["secret"] = std::string(*secret);
  return out;
}

std::string format_webhook_secret(std::string_view random) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out = "whsec_";
  // 62 symbols: a byte below 248 (= 4 * 62) maps evenly; others are skipped.
  for (const char c : random) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 248) continue;
    out += kAlphabet[byte % 62];
    if (out.size() == 6 + 32) break;
  }
  return out;
}

// ---- Deliveries --------------------------------------------------------------------------------

std::string_view delivery_status_name(DeliveryStatus status) {
  switch (status) {
    case DeliveryStatus::Pending: return "pending";
    case DeliveryStatus::Delivered: return "delivered";
    case DeliveryStatus::Failed: return "failed";
  }
  return "pending";
}

std::optional<DeliveryStatus> parse_delivery_status(std::string_view name) {
  for (const auto s : {DeliveryStatus::Pending, DeliveryStatus::Delivered, DeliveryStatus::Failed}) {
    if (delivery_status_name(s) == name) return s;
  }
  return std::nullopt;
}

std::optional<Timestamp> next_delivery_attempt(Timestamp created_at, int attempts, Timestamp now) {
  std::chrono::seconds wait{1};
  for (int i = 1; i < attempts && wait < std::chrono::hours{1}; ++i) wait *= 2;
  wait = std::min<std::chrono::seconds>(wait, std::chrono::hours{1});
  const Timestamp next = now + wait;
  if (next > created_at + kDeliveryLifetime) return std::nullopt;
  return next;
}

json delivery_json(const WebhookDelivery& d) {
  const auto time_or_null = [](const std::optional<Timestamp>& t) {
    return t ? json(format_rfc3339(*t)) : json(nullptr);
  };
  return {{"id", d.id},
          {"event", d.event},
          {"status", delivery_status_name(d.status)},
          {"attempts", d.attempts},
          {"last_status", d.last_status ? json(*d.last_status) : json(nullptr)},
          {"last_error", d.last_error.empty() ? json(nullptr) : json(d.last_error)},
          {"created_at", format_rfc3339(d.created_at)},
          {"last_attempt_at", time_or_null(d.last_attempt_at)},
          {"next_attempt_at", time_or_null(d.next_attempt_at)},
          {"delivered_at", time_or_null(d.delivered_at)}};
}

std::string delivery_body(std::string_view delivery_id, std::string_view event,
                          std::string_view organization, std::string_view actor,
                          const json& data, Timestamp at) {
  return json{{"id", delivery_id},
              {"event", event},
              {"created_at", format_rfc3339(at)},
              {"organization", organization},
              {"actor", actor},
              {"data", data.is_object() ? data : json::object()}}
      .dump();
}

json expiry_event_data(std::string_view token_id, std::string_view label, Timestamp expires_at,
                       std::optional<int> days_left) {
  json data = {{"token_id", token_id}, {"label", label}, {"expires_at", format_rfc3339(expires_at)}};
  if (days_left) data["days_left"] = *days_left;
  return data;
}

json sign_in_refused_data(std::string_view token_id, std::string_view label, std::string_view reason,
                          std::string_view address, std::string_view service) {
  return {{"token_id", token_id}, {"label", label}, {"reason", reason}, {"address", address},
          {"service", service}};
}

json ping_data(std::string_view webhook_id) { return {{"webhook_id", webhook_id}}; }

std::string signature_header_value(std::string_view hmac_hex) { return "sha256=" + std::string(hmac_hex); }

// ---- Usage series ------------------------------------------------------------------------------

Result<int> parse_usage_days(std::optional<std::string_view> value) {
  if (!value) return kDefaultUsageDays;
  if (const auto n = whole_number(*value, 1, kUsageDaysKept)) return static_cast<int>(*n);
  return Error{ErrorCode::InvalidPage, "days",
               "\"days\" must be a whole number from 1 to " + std::to_string(kUsageDaysKept) + "."};
}

std::int64_t usage_day(Timestamp t) {
  const auto seconds = to_unix(t);
  return seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
}

std::string usage_date(std::int64_t day) { return format_rfc3339(from_unix(day * 86400)).substr(0, 10); }

std::vector<UsageDay> usage_series(const std::vector<std::pair<std::int64_t, UsageDay>>& stored,
                                   std::int64_t today, int days) {
  std::map<std::int64_t, UsageDay> by_day;
  for (const auto& [day, use] : stored) {
    if (day > today || day <= today - days) continue;
    UsageDay& sum = by_day[day];
    sum.pulls += use.pulls;
    sum.pushes += use.pushes;
    sum.sign_ins += use.sign_ins;
  }
  std::vector<UsageDay> out;
  for (std::int64_t day = today - days + 1; day <= today; ++day) {
    UsageDay entry = by_day.count(day) ? by_day[day] : UsageDay{};
    entry.date = usage_date(day);
    out.push_back(entry);
  }
  return out;
}

json usage_json(const std::vector<UsageDay>& days) {
  json list = json::array();
  for (const auto& d : days) {
    list.push_back({{"date", d.date}, {"pulls", d.pulls}, {"pushes", d.pushes}, {"sign_ins", d.sign_ins}});
  }
  return {{"days", list}};
}

Result<std::vector<UsageDay>> parse_usage_json(std::string_view body) {
  const json value = json::parse(body, nullptr, false);
  const Error malformed{ErrorCode::ServerRefused, "", "The server's usage answer is not understood."};
  if (!value.is_object() || !value.contains("days") || !value["days"].is_array()) return malformed;
  std::vector<UsageDay> out;
  for (const auto& d : value["days"]) {
    if (!d.is_object() || !d.value("date", json()).is_string()) return malformed;
    UsageDay day;
    day.date = d["date"].get<std::string>();
    for (auto [key, field] : {std::pair{"pulls", &day.pulls}, std::pair{"pushes", &day.pushes},
                              std::pair{"sign_ins", &day.sign_ins}}) {
      const auto it = d.find(key);
      if (it == d.end() || !it->is_number_integer()) return malformed;
      *field = it->get<std::int64_t>();
    }
    out.push_back(std::move(day));
  }
  return out;
}

}  // namespace oat
