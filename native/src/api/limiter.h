// The sign-in rate limiter: failed sign-ins counted per key (an identifier, a client address)
// in the database, so that every server of one database counts the same failures and a restart
// forgets none. The rule is the core's (oat::sign_in_retry_after).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "oat/api.h"
#include "store/store.h"

namespace oatd {

using oat::Timestamp;

class SignInLimiter {
 public:
  using Policy = oat::SignInPolicy;
  explicit SignInLimiter(Policy policy) : policy_(policy) {}

  // The times of `key`'s failures in the window that ends at `now`, oldest first.
  std::vector<Timestamp> failures(Transaction& tx, const std::string& key, Timestamp now) const {
    return tx.sign_in_failures(key, now - policy_.window);
  }
  // Seconds until a key with these `failures` may try again, or nullopt when it may try now.
  std::optional<std::int64_t> retry_after(const std::vector<Timestamp>& failures,
                                          Timestamp now) const {
    return oat::sign_in_retry_after(failures, policy_, now);
  }
  std::size_t limit() const { return policy_.max_failures; }
  std::chrono::seconds window() const { return policy_.window; }

 private:
  Policy policy_;
};

}  // namespace oatd
