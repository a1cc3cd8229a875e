// Webhooks: GET/POST /v2/orgs/{org}/webhooks, GET/PATCH/DELETE .../webhooks/{id}, a webhook's
// delivery log (GET .../deliveries) and test event (POST .../test), for those who manage the
// organization's tokens; the outbox every change writes into (notify_webhooks); the
// organization's daily usage (GET /v2/orgs/{org}/usage); and the counters /metrics shows.
#include <algorithm>

#include "api/internal.h"
#include "api/webhook_worker.h"
#include "crypto/crypto.h"
#include "http/metrics.h"

namespace oatd {

void EventCounters::sign_in(std::string_view result, std::string_view route) {
  std::lock_guard lock(mutex_);
  ++sign_ins_[{std::string(result), std::string(route)}];
}

void EventCounters::delivery(std::string_view result) {
  std::lock_guard lock(mutex_);
  ++deliveries_[std::string(result)];
}

std::string EventCounters::render() const {
  std::lock_guard lock(mutex_);
  std::string out =
      "# HELP oatd_token_sign_ins_total Sign-ins with an organization access token, by result and route.\n"
      "# TYPE oatd_token_sign_ins_total counter\n";
  for (const auto& [key, n] : sign_ins_) {
    out += "oatd_token_sign_ins_total{result=\"" + http::prometheus_label_escape(key.first) +
           "\",route=\"" + http::prometheus_label_escape(key.second) + "\"} " + std::to_string(n) + "\n";
  }
  out += "# HELP oatd_webhook_deliveries_total Webhook delivery attempts, by result.\n"
         "# TYPE oatd_webhook_deliveries_total counter\n";
  for (const auto& [result, n] : deliveries_) {
    out += "oatd_webhook_deliveries_total{result=\"" + http::prometheus_label_escape(result) + "\"} " +
           std::to_string(n) + "\n";
  }
  return out;
}

std::string webhook_sealing_key(const SigningKey& key) {
  return hmac_sha256_raw(key.private_key_pem(), "oat webhook secrets v1");
}

}  // namespace oatd

namespace oatd::api {
namespace {

http::Response webhook_not_found() { return detail_response(404, "Webhook not found."); }

oat::Webhook api_view(const WebhookRecord& w) {
  return {w.id, w.url, w.events, w.active, w.created_at, w.created_by};
}

oat::WebhookDelivery api_view(const DeliveryRecord& d) {
  return {d.id, d.event, d.status, d.attempts, d.last_status, d.last_error,
          d.created_at, d.last_attempt_at, d.next_attempt_at, d.delivered_at};
}

bool subscribes(const WebhookRecord& w, std::string_view event) {
  return std::find(w.events.begin(), w.events.end(), event) != w.events.end();
}

DeliveryRecord new_delivery(const WebhookRecord& w, std::string_view event, std::string_view org_name,
                            std::string_view actor, const json& data, Timestamp now) {
  DeliveryRecord d;
  d.id = random_uuid();
  d.webhook_id = w.id;
  d.event = std::string(event);
  d.body = oat::delivery_body(d.id, event, org_name, actor, data, now);
  d.created_at = now;
  d.next_attempt_at = now;
  return d;
}

void wake(const Services& services, bool expiries = false) {
  if (services.webhooks) services.webhooks->wake(expiries);
}

http::Response create(Services& services, const http::Request& request, const http::Params& params) {
  auto parsed = oat::parse_webhook_request(request.body, true);
  if (!parsed) return errors_response(parsed.errors());
  auto answer = with_managed_org(services, request, params, true, [&](Transaction& tx, const Caller& caller,
                                                                      const Organization& org) {
    if (tx.list_webhooks(org.id).size() >= oat::kMaxWebhooksPerOrganization) {
      return errors_response({{oat::ErrorCode::TooManyWebhooks, "",
                               "An organization has at most " +
                                   std::to_string(oat::kMaxWebhooksPerOrganization) +
                                   " webhooks; delete one first."}});
    }
    std::string random(48, '\0');
    random_bytes(reinterpret_cast<std::uint8_t*>(random.data()), random.size());
    const std::string secret = oat::format_webhook_secret(random);
    WebhookRecord w;
    w.id = random_uuid();
    w.org_id = org.id;
    w.url = *parsed->url;
    w.events = *parsed->events;
    w.active = parsed->active.value_or(true);
    w.sealed_secret = seal_secret(services.sealing_key, secret);
    w.created_at = services.clock();
    w.created_by = caller.subject;
    tx.insert_webhook(w);
    return json_response(201, oat::webhook_json(api_view(w), secret));
  });
  // A new webhook hears of tokens already near their expiry at once, not at the next look.
  if (answer.status == 201) wake(services, true);
  return answer;
}

http::Response list(Services& services, const http::Request& request, const http::Params& params) {
  return with_managed_org(services, request, params, false, [&](Transaction& tx, const Caller&,
                                                                const Organization& org) {
    json results = json::array();
    for (const WebhookRecord& w : tx.list_webhooks(org.id)) results.push_back(oat::webhook_json(api_view(w)));
    return json_response(200, {{"results", results}});
  });
}

http::Response view(Services& services, const http::Request& request, const http::Params& params) {
  return with_managed_org(services, request, params, false, [&](Transaction& tx, const Caller&,
                                                                const Organization& org) {
    const auto w = tx.find_webhook(org.id, params.at("id"));
    if (!w) return webhook_not_found();
    return json_response(200, oat::webhook_json(api_view(*w)));
  });
}

http::Response edit(Services& services, const http::Request& request, const http::Params& params) {
  auto parsed = oat::parse_webhook_request(request.body, false);
  if (!parsed) return errors_response(parsed.errors());
  auto answer = with_managed_org(services, request, params, true, [&](Transaction& tx, const Caller&,
                                                                      const Organization& org) {
    auto w = tx.find_webhook(org.id, params.at("id"));
    if (!w) return webhook_not_found();
    if (parsed->url) w->url = *parsed->url;
    if (parsed->events) w->events = *parsed->events;
    if (parsed->active) w->active = *parsed->active;
    tx.update_webhook(*w);
    return json_response(200, oat::webhook_json(api_view(*w)));
  });
  if (answer.status == 200) wake(services, true);
  return answer;
}

http::Response remove(Services& services, const http::Request& request, const http::Params& params) {
  return with_managed_org(services, request, params, true, [&](Transaction& tx, const Caller&,
                                                               const Organization& org) {
    if (!tx.delete_webhook(org.id, params.at("id"))) return webhook_not_found();
    return http::Response::no_content();
  });
}

http::Response deliveries(Services& services, const http::Request& request, const http::Params& params) {
  return with_managed_org(services, request, params, false, [&](Transaction& tx, const Caller&,
                                                                const Organization& org) {
    if (!tx.find_webhook(org.id, params.at("id"))) return webhook_not_found();
    json results = json::array();
    for (const DeliveryRecord& d : tx.list_deliveries(params.at("id"), oat::kDeliveryLogSize)) {
      results.push_back(oat::delivery_json(api_view(d)));
    }
    return json_response(200, {{"results", results}});
  });
}

// POST .../webhooks/{id}/test: a "ping" delivery to this webhook, whatever it subscribes to and
// even while it is inactive (the owner is checking the receiver); 202 with the delivery.
http::Response test_event(Services& services, const http::Request& request, const http::Params& params) {
  auto answer = with_managed_org(services, request, params, true, [&](Transaction& tx, const Caller& caller,
                                                                      const Organization& org) {
    const auto w = tx.find_webhook(org.id, params.at("id"));
    if (!w) return webhook_not_found();
    const Timestamp now = services.clock();
    const DeliveryRecord d = new_delivery(*w, oat::webhook::kPing, org.name, caller.subject,
                                          oat::ping_data(w->id), now);
    tx.insert_delivery(d);
    return json_response(202, oat::delivery_json(api_view(d)));
  });
  if (answer.status == 202) wake(services);
  return answer;
}

// GET /v2/orgs/{org}/usage?days=N: the organization's daily pulls, pushes and sign-ins, summed
// over its tokens (deleted ones too, for the days they lived).
http::Response organization_usage(Services& services, const http::Request& request,
                                  const http::Params& params) {
  auto days = oat::parse_usage_days(request.query_value("days"));
  if (!days) return errors_response(days.errors());
  return with_managed_org(services, request, params, false, [&](Transaction& tx, const Caller&,
                                                                const Organization& org) {
    const std::int64_t today = oat::usage_day(services.clock());
    const auto stored = tx.organization_usage_days(org.id, today - *days + 1);
    return json_response(200, oat::usage_json(oat::usage_series(stored, today, *days)));
  });
}

}  // namespace

std::size_t notify_webhooks(Transaction& tx, std::int64_t org_id, std::string_view org_name,
                            std::string_view event, std::string_view actor, const json& data,
                            Timestamp now) {
  std::size_t written = 0;
  for (const WebhookRecord& w : tx.list_webhooks(org_id)) {
    if (!w.active || !subscribes(w, event)) continue;
    tx.insert_delivery(new_delivery(w, event, org_name, actor, data, now));
    ++written;
  }
  return written;
}

void record_change(Transaction& tx, std::int64_t org_id, AuditEvent event, const json& data) {
  event.data = oat::json_text(data);
  tx.add_audit_event(event);
  const std::string reason = data.value("reason", std::string());
  if (const auto webhook_event = oat::webhook_event_for_audit(event.action, reason)) {
    notify_webhooks(tx, org_id, event.account, *webhook_event, event.actor, data, event.timestamp);
  }
}

void add_webhook_routes(http::Router& router, Services& services) {
  constexpr const char* kList = "/v2/orgs/{org}/webhooks";
  constexpr const char* kItem = "/v2/orgs/{org}/webhooks/{id}";
  using Handler = http::Response (*)(Services&, const http::Request&, const http::Params&);
  const auto route = [&](const char* method, const char* pattern, Handler handler) {
    router.add(method, pattern, [&services, handler](const http::Request& r, const http::Params& p) {
      return handler(services, r, p);
    });
  };
  route("POST", kList, create);
  route("GET", kList, list);
  route("GET", kItem, view);
  route("PATCH", kItem, edit);
  route("DELETE", kItem, remove);
  route("GET", "/v2/orgs/{org}/webhooks/{id}/deliveries", deliveries);
  route("POST", "/v2/orgs/{org}/webhooks/{id}/test", test_event);
  route("GET", "/v2/orgs/{org}/usage", organization_usage);
}

}  // namespace oatd::api
