// The webhook worker: a background thread that sends the deliveries the outbox holds, and
// writes the expiry warnings that are due.
//
// Each round it takes, one at a time, the deliveries that are due and that no node holds,
// holding each for kLease (so that with several nodes on one database each delivery is sent by
// one), POSTs it (kDeliveryTimeout for the whole attempt), and writes how it went: delivered on a 2xx, else
// retried with the core's backoff until its day is over. A delivery is marked delivered only
// after a 2xx, and a crash before that mark sends it again (the same X-OAT-Delivery id, for the
// receiver to recognise): at least once, never lost.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "api/service.h"

namespace oatd {

class WebhookWorker {
 public:
  // How long a node holds the delivery it took: well past one attempt (kDeliveryTimeout).
  static constexpr std::chrono::seconds kLease{20};
  // How often it looks for due deliveries when nothing wakes it, and for expiry warnings.
  static constexpr std::chrono::milliseconds kPollPeriod{500};
  static constexpr std::chrono::seconds kExpiryScanPeriod{30};

  explicit WebhookWorker(Services& services) : services_(services) {}
  ~WebhookWorker() { stop(); }
  WebhookWorker(const WebhookWorker&) = delete;
  WebhookWorker& operator=(const WebhookWorker&) = delete;

  void start();
  // Finishes the attempt in progress (each is bounded by kDeliveryTimeout) and stops.
  void stop();
  // Looks for due deliveries now (a change just wrote some); with `expiries`, for expiry
  // warnings too (a webhook was just added or turned on).
  void wake(bool expiries = false);

  // One round: expiry warnings (when `expiries`), then the due deliveries. Returns how many
  // deliveries it attempted. For the thread, and for tests.
  std::size_t run_once(bool expiries);

 private:
  // Writes the expiry warnings and expired events due now, and forgets deliveries done more
  // than oat::kDeliveryLogDays ago; returns how many tokens it told of.
  std::size_t scan_expiries();
  void send(const DueDelivery& due);

  Services& services_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  bool scan_asked_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

// What one POST of a delivery came to: the receiver's status, or why there was none.
struct DeliveryAttempt {
  int status = 0;     // 0 when no answer came
  std::string error;  // "connection refused", "timed out", ... when status is 0
};

// POSTs `body` (JSON) to `url` (http or https; certificates checked against the system's
// authorities) with `headers`, all of it within `timeout`. Never throws.
DeliveryAttempt post_json(const std::string& url, const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          std::chrono::milliseconds timeout);

}  // namespace oatd
