// Failed sign-ins per key in a sliding window (limiter.h).
#include "api/limiter.h"

#include <algorithm>
#include <iterator>

namespace oatd {

void SignInLimiter::prune(std::deque<Timestamp>& times, Timestamp now) const {
  while (!times.empty() && times.front() + policy_.window <= now) times.pop_front();
}

std::optional<std::int64_t> SignInLimiter::retry_after(const std::string& key, Timestamp now) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return std::nullopt;
  prune(it->second, now);
  if (it->second.size() < policy_.max_failures) return std::nullopt;
  return std::max<std::int64_t>(1, (it->second.front() + policy_.window - now).count());
}

std::size_t SignInLimiter::remaining(const std::string& key, Timestamp now) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return policy_.max_failures;
  prune(it->second, now);
  return policy_.max_failures - std::min(policy_.max_failures, it->second.size());
}

void SignInLimiter::record_failure(const std::string& key, Timestamp now) {
  std::lock_guard lock(mutex_);
  auto& times = failures_[key];
  prune(times, now);
  times.push_back(now);
  // Bound memory under a flood of distinct keys: forget windows that have fully passed.
  if (failures_.size() > 100000) {
    for (auto it = failures_.begin(); it != failures_.end();) {
      prune(it->second, now);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
  }
}

void SignInLimiter::clear(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

}  // namespace oatd
