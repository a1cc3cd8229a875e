#include "api/webhook_worker.h"

#include <openssl/crypto.h>

#include <optional>
#include <utility>

#include "api/internal.h"
#include "crypto/crypto.h"
#include "http/client.h"
#include "log/log.h"

namespace oatd {

DeliveryAttempt post_json(const std::string& url, const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          std::chrono::milliseconds timeout) {
  http::ClientRequest request;
  request.method = "POST";
  request.url = url;
  request.headers = headers;
  request.headers.emplace_back("Content-Type", "application/json");
  request.body = body;
  request.user_agent = "oatd-webhooks";
  request.timeout = timeout;
  const http::ClientAnswer answer = http::send(request);
  return {answer.status, answer.error};
}

void WebhookWorker::start() {
  thread_ = std::thread([this] {
    auto next_scan = std::chrono::steady_clock::now();
    for (;;) {
      bool asked = false;
      {
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, kPollPeriod, [this] { return woken_ || stopping_; });
        if (stopping_) return;
        woken_ = false;
        asked = std::exchange(scan_asked_, false);
      }
      const bool scan = asked || std::chrono::steady_clock::now() >= next_scan;
      if (scan) next_scan = std::chrono::steady_clock::now() + kExpiryScanPeriod;
      try {
        run_once(scan);
      } catch (const std::exception& e) {
        log::warn("webhook deliveries wait: the database cannot be used; will retry", {{"error", e.what()}});
      }
    }
  });
}

void WebhookWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookWorker::wake(bool expiries) {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
    scan_asked_ = scan_asked_ || expiries;
  }
  wake_.notify_all();
}

std::size_t WebhookWorker::run_once(bool expiries) {
  if (expiries) scan_expiries();
  std::size_t attempted = 0;
  // One at a time: each is held only for its own attempt, so a node that dies holds at most
  // one delivery back, for at most kLease.
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    const Timestamp now = services_.clock();
    // A read first: an idle node never takes the write lock (SQLite's is the database's).
    bool any = false;
    services_.store.read([&](Transaction& tx) { any = tx.has_due_delivery(now); });
    if (!any) break;
    std::vector<DueDelivery> due;
    services_.store.write([&](Transaction& tx) { due = tx.claim_due_deliveries(now, now + kLease, 1); });
    if (due.empty()) break;
    send(due.front());
    ++attempted;
  }
  return attempted;
}

void WebhookWorker::send(const DueDelivery& due) {
  DeliveryRecord d = due.delivery;
  d.attempts += 1;
  d.last_attempt_at = services_.clock();
  DeliveryAttempt attempt;
  if (auto secret = open_secret(services_.sealing_key, due.sealed_secret)) {
    const std::string signature = oat::signature_header_value(hmac_sha256_hex(*secret, d.body));
    OPENSSL_cleanse(secret->data(), secret->size());
    attempt = post_json(due.url, d.body,
                        {{std::string(oat::kEventHeader), d.event},
                         {std::string(oat::kDeliveryHeader), d.id},
                         {std::string(oat::kSignatureHeader), signature}},
                        oat::kDeliveryTimeout);
  } else {
    attempt = {0, "the webhook's secret cannot be read (it was sealed with another signing key); "
                  "create the webhook again"};
  }
  const Timestamp now = services_.clock();
  d.last_status = attempt.status ? std::optional<int>(attempt.status) : std::nullopt;
  d.last_error = attempt.error;
  if (attempt.status >= 200 && attempt.status < 300) {
    d.status = oat::DeliveryStatus::Delivered;
    d.delivered_at = now;
    d.next_attempt_at.reset();
    services_.counters.delivery("delivered");
  } else if (const auto next = oat::next_delivery_attempt(d.created_at, d.attempts, now)) {
    d.next_attempt_at = next;
    services_.counters.delivery("failed");
  } else {
    d.status = oat::DeliveryStatus::Failed;
    d.next_attempt_at.reset();
    services_.counters.delivery("abandoned");
    log::warn("a webhook delivery was given up after a day of attempts",
              {{"delivery", d.id}, {"event", d.event}, {"attempts", d.attempts}});
  }
  try {
    services_.store.write([&](Transaction& tx) { tx.finish_delivery(d); });
  } catch (const std::exception& e) {
    // The hold ends by itself: the delivery is attempted again then (the receiver may see it
    // twice, with the same X-OAT-Delivery).
    log::warn("could not record a webhook delivery's attempt", {{"delivery", d.id}, {"error", e.what()}});
  }
}

std::size_t WebhookWorker::scan_expiries() {
  const Timestamp now = services_.clock();
  std::size_t told = 0;
  services_.store.write([&](Transaction& tx) {
    told = 0;
    const Timestamp horizon = now + std::chrono::days{oat::kExpiryWarningDays.front()};
    // A token that expired more than a day ago is not news (a webhook added today is not told
    // of every token that ever expired).
    for (const ExpiryNotice& n : tx.expiry_notices(now - oat::kExpiredEventWindow, horizon, 200)) {
      if (now >= n.expires_at) {
        api::notify_webhooks(tx, n.org_id, n.org_name, oat::webhook::kExpired, "oatd",
                             oat::expiry_event_data(n.token_id, n.label, n.expires_at, std::nullopt), now);
        tx.set_expiry_notice(n.token_id, n.warned_days, true);
        ++told;
      } else if (const auto days = oat::expiry_warning_due(n.expires_at, now, n.warned_days)) {
        api::notify_webhooks(tx, n.org_id, n.org_name, oat::webhook::kExpiring, "oatd",
                             oat::expiry_event_data(n.token_id, n.label, n.expires_at, *days), now);
        tx.set_expiry_notice(n.token_id, *days, false);
        ++told;
      }
    }
    tx.forget_deliveries(now - oat::kDeliveryLogDays);
  });
  return told;
}

}  // namespace oatd
