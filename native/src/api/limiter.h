// The sign-in rate limiter: failed sign-ins counted per key (an identifier, a client address).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "oat/time.h"

namespace oatd {

using oat::Timestamp;

// Counts failed sign-ins per key (an identifier, a client address) in a sliding window.
// Thread-safe. Time comes in from the caller.
class SignInLimiter {
 public:
  struct Policy {
    std::size_t max_failures = 5;                // failures allowed per window
    std::chrono::seconds window{300};
  };
  explicit SignInLimiter(Policy policy) : policy_(policy) {}

  // Seconds until `key` may try again, or nullopt when it may try now.
  std::optional<std::int64_t> retry_after(const std::string& key, Timestamp now);
  void record_failure(const std::string& key, Timestamp now);
  void clear(const std::string& key);
  std::size_t limit() const { return policy_.max_failures; }
  std::size_t remaining(const std::string& key, Timestamp now);

 private:
  void prune(std::deque<Timestamp>& times, Timestamp now) const;
  Policy policy_;
  std::mutex mutex_;
  std::map<std::string, std::deque<Timestamp>> failures_;
};

}  // namespace oatd
