#include "api/usage.h"

#include <algorithm>

#include "log/log.h"

namespace oatd {

UsageRecorder::UsageRecorder(Store& store, std::function<Timestamp()> clock)
    : store_(store), clock_(std::move(clock)) {
  if (!clock_) {
    clock_ = [] {
      return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    };
  }
}

UsageRecorder::~UsageRecorder() {
  stop();
  try {
    flush();
  } catch (const std::exception& e) {
    log::error("could not record token use", {{"error", e.what()}});
  }
}

void UsageRecorder::note(const std::string& token_id, const std::string& org, Timestamp at,
                         const std::string& address, const std::vector<std::string>& repositories,
                         bool previous_secret) {
  std::lock_guard lock(mutex_);
  days_[{token_id, oat::usage_day(at)}].sign_ins += 1;
  Use& use = pending_[token_id];
  use.at = std::max(use.at, at);
  if (previous_secret) use.previous_at = std::max(use.previous_at.value_or(at), at);
  auto& a = use.addresses;
  a.erase(std::remove(a.begin(), a.end(), address), a.end());
  a.push_back(address);
  if (a.size() > 5) a.erase(a.begin());
  if (recent_.size() > 100000) recent_.clear();  // bounded; only the latest sign-ins matter
  for (const std::string& repository : repositories) {
    for (Grant* grant : {&recent_[{org, address, repository}], &grants_[{org, address, repository}]}) {
      if (grant->at <= at) *grant = {token_id, at};
    }
  }
}

void UsageRecorder::count(const std::string& token_id, std::int64_t pulls, std::int64_t pushes) {
  const std::int64_t day = oat::usage_day(clock_());
  std::lock_guard lock(mutex_);
  auto& c = counts_[token_id];
  c.first += pulls;
  c.second += pushes;
  Tally& tally = days_[{token_id, day}];
  tally.pulls += pulls;
  tally.pushes += pushes;
}

std::optional<std::string> UsageRecorder::recent_token(const std::string& org,
                                                       const std::string& address,
                                                       const std::string& repository) {
  std::optional<Grant> noted;
  {
    std::lock_guard lock(mutex_);
    const auto it = recent_.find({org, address, repository});
    if (it != recent_.end()) noted = it->second;
  }
  // Another server may have granted the same organization, address and repository to another
  // token since: the later grant is the one the registry's request used. Times are whole
  // seconds: in a tie this server's own grant wins (the store may still hold the one it
  // replaced, until the next flush).
  std::optional<Transaction::RecentGrant> stored;
  store_.read([&](Transaction& tx) { stored = tx.recent_grant(org, address, repository); });
  if (stored && (!noted || stored->at > noted->at)) return stored->token_id;
  if (noted) return noted->token_id;
  return std::nullopt;
}

void UsageRecorder::count_event(const std::string& org, const std::string& address,
                                const std::string& repository, std::int64_t pulls,
                                std::int64_t pushes) {
  if (const auto token = recent_token(org, address, repository)) return count(*token, pulls, pushes);
  std::lock_guard lock(mutex_);
  if (unattributed_.size() < 100000) unattributed_.push_back({{org, address, repository}, pulls, pushes, 0});
}

void UsageRecorder::flush() {
  std::lock_guard flushing(flush_mutex_);
  // Events whose grant another server may have written since.
  std::vector<Event> waiting;
  {
    std::lock_guard lock(mutex_);
    waiting.swap(unattributed_);
  }
  for (Event& e : waiting) {
    const auto& [org, address, repository] = e.key;
    std::optional<std::string> token;
    try {
      token = recent_token(org, address, repository);
    } catch (const StoreError&) {
      // the database is away: keep the event for the next flush (it still counts an attempt)
    }
    if (token) {
      count(*token, e.pulls, e.pushes);
    } else if (++e.attempts < kAttributionAttempts) {
      std::lock_guard lock(mutex_);
      unattributed_.push_back(std::move(e));
    }
  }

  std::map<std::string, Use> uses;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> counts;
  std::map<GrantKey, Grant> grants;
  std::map<std::pair<std::string, std::int64_t>, Tally> days;
  {
    std::lock_guard lock(mutex_);
    uses.swap(pending_);
    counts.swap(counts_);
    grants.swap(grants_);
    days.swap(days_);
  }
  if (uses.empty() && counts.empty() && grants.empty() && days.empty()) return;
  try {
    store_.write([&](Transaction& tx) {
      for (const auto& [key, grant] : grants) {
        const auto& [org, address, repository] = key;
        tx.note_recent_grant(org, address, repository, grant.token_id, grant.at);
      }
      for (const auto& [id, use] : uses) {
        try {
          for (const std::string& address : use.addresses) tx.record_token_use(id, use.at, address);
          if (use.previous_at) tx.record_previous_secret_use(id, *use.previous_at);
        } catch (const StoreError& e) {
          if (e.kind() != StoreError::Kind::NotFound) throw;  // deleted meanwhile: nothing to keep
        }
      }
      for (const auto& [id, c] : counts) {
        try {
          tx.add_token_counts(id, c.first, c.second);
        } catch (const StoreError& e) {
          if (e.kind() != StoreError::Kind::NotFound) throw;
        }
      }
      for (const auto& [key, tally] : days) {
        tx.add_usage_day(key.first, key.second, tally.pulls, tally.pushes, tally.sign_ins);
      }
    });
  } catch (...) {
    // Put the batch back so the next flush retries it, then report.
    std::lock_guard lock(mutex_);
    for (auto& [id, use] : uses) {
      Use& now = pending_[id];
      now.at = std::max(now.at, use.at);
      if (use.previous_at) now.previous_at = std::max(now.previous_at.value_or(*use.previous_at), *use.previous_at);
      for (const std::string& a : now.addresses) {
        use.addresses.erase(std::remove(use.addresses.begin(), use.addresses.end(), a),
                            use.addresses.end());
      }
      use.addresses.insert(use.addresses.end(), now.addresses.begin(), now.addresses.end());
      now.addresses = use.addresses;
    }
    for (const auto& [id, c] : counts) {
      counts_[id].first += c.first;
      counts_[id].second += c.second;
    }
    for (auto& [key, grant] : grants) {
      Grant& now = grants_[key];
      if (now.at <= grant.at) now = std::move(grant);
    }
    for (const auto& [key, tally] : days) {
      Tally& now = days_[key];
      now.pulls += tally.pulls;
      now.pushes += tally.pushes;
      now.sign_ins += tally.sign_ins;
    }
    throw;
  }
}

void UsageRecorder::housekeep(const Housekeeping& housekeeping) {
  const Timestamp now = housekeeping.clock();
  store_.write([&](Transaction& tx) {
    tx.forget_recent_grants(now - kGrantMemory);
    tx.forget_sign_in_failures(now - housekeeping.failure_memory);
    tx.forget_usage_days(oat::usage_day(now) - oat::kUsageDaysKept);
  });
}

void UsageRecorder::start(std::chrono::milliseconds period, Housekeeping housekeeping) {
  flusher_ = std::thread([this, period, housekeeping = std::move(housekeeping)] {
    std::unique_lock lock(mutex_);
    auto next_housekeeping = std::chrono::steady_clock::now();
    while (!stopping_) {
      wake_.wait_for(lock, period, [this] { return stopping_; });
      lock.unlock();
      try {
        flush();
      } catch (const std::exception& e) {
        log::warn("could not record token use; will retry", {{"error", e.what()}});
      }
      if (std::chrono::steady_clock::now() >= next_housekeeping) {
        next_housekeeping = std::chrono::steady_clock::now() + kHousekeepingPeriod;
        try {
          housekeep(housekeeping);
        } catch (const std::exception& e) {
          log::warn("could not forget old grants and sign-in failures; will retry",
                    {{"error", e.what()}});
        }
      }
      lock.lock();
    }
  });
}

void UsageRecorder::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (flusher_.joinable()) flusher_.join();
}

}  // namespace oatd
