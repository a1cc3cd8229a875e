// [SECTION] What a token sign-in reads, kept on this node between writes: every docker pull and
// push signs in first, and nearly all of them find what the one before found.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "store/store.h"

namespace oatd {

// An organization with its token policy and the token of a secret's hash (the store's
// OrganizationToken), and the limiter keys that had no failures, as a read found them. They are
// kept for as long as the store's change_version() stays what it was before that read: any
// committed write empties the cache (this node's at once, another's as Store::change_version
// says). So a deactivated, deleted or rotated-away secret is refused exactly as without it, and
// expiry is decided from the kept row at each request's time. Keyed by the SHA-256 of the
// secret, as the database is: no secret is kept. Thread-safe.
class SignInCache {
 public:
  using Found = std::shared_ptr<const OrganizationToken>;
  // Bounds of what is kept: reaching one empties the cache (a deployment with more tokens in
  // use between two writes simply reads more).
  static constexpr std::size_t kMaxTokens = 50'000;
  static constexpr std::size_t kMaxClearKeys = 50'000;

  // What was kept at `version` for the organization and the secret's hash, when both limiter
  // keys are known to have no failures; nullptr otherwise.
  Found find(std::uint64_t version, std::string_view organization, std::string_view hash,
             std::string_view identifier_key, std::string_view address_key) {
    Found found;
    {
      std::lock_guard lock(mutex_);
      move_to(version);
      if (clear_keys_.contains(identifier_key) && clear_keys_.contains(address_key)) {
        const auto it = tokens_.find(key(organization, hash));
        if (it != tokens_.end()) found = it->second;
      }
    }
    return found;
  }

  // Counts a sign-in that found what it needed kept (find() gave it) or read it: once per
  // sign-in, by the caller, after its last wait point (a quick route run again calls find()
  // again).
  void count(bool hit) { (hit ? hits_ : misses_).fetch_add(1, std::memory_order_relaxed); }

  // Prometheus text: oatd_sign_in_cache_total{result="hit|miss"}, as count() counted.
  std::string render() const {
    return "# HELP oatd_sign_in_cache_total Token sign-ins that found what they read kept (hit) "
           "or read it from the database (miss).\n"
           "# TYPE oatd_sign_in_cache_total counter\n"
           "oatd_sign_in_cache_total{result=\"hit\"} " + std::to_string(hits_.load()) + "\n"
           "oatd_sign_in_cache_total{result=\"miss\"} " + std::to_string(misses_.load()) + "\n";
  }

  // Keeps what a read that began after change_version() gave `version` found: a token of the
  // organization, with both limiter keys free of failures. Nothing is kept when the version has
  // moved on meanwhile.
  void keep(std::uint64_t version, std::string_view organization, std::string_view hash,
            Found found, std::string_view identifier_key, std::string_view address_key) {
    std::lock_guard lock(mutex_);
    if (version != version_) return;
    if (tokens_.size() >= kMaxTokens) tokens_.clear();
    if (clear_keys_.size() + 2 > kMaxClearKeys) clear_keys_.clear();
    tokens_.insert_or_assign(key(organization, hash), std::move(found));
    clear_keys_.emplace(identifier_key);
    clear_keys_.emplace(address_key);
  }

 private:
  struct Hash : std::hash<std::string_view> {
    using is_transparent = void;
  };
  static std::string key(std::string_view organization, std::string_view hash) {
    std::string k;
    k.reserve(organization.size() + 1 + hash.size());
    k.append(organization).append(1, '\0').append(hash);
    return k;
  }
  // Under mutex_: a request that saw another version than what is kept belongs to starts the
  // cache over at its version. Versions only tell equal from different, which is enough: what
  // is kept at a version is only found by requests that saw that version.
  void move_to(std::uint64_t version) {
    if (version == version_) return;
    tokens_.clear();
    clear_keys_.clear();
    version_ = version;
  }

  std::atomic<std::uint64_t> hits_{0}, misses_{0};
  std::mutex mutex_;
  std::uint64_t version_ = 0;
  std::unordered_map<std::string, Found, Hash, std::equal_to<>> tokens_;
  std::unordered_set<std::string, Hash, std::equal_to<>> clear_keys_;
};

}  // namespace oatd
