// "Last used" bookkeeping for the registry token service: each successful sign-in is noted in
// memory at once and written to the store in batches, so the hot path never waits for a disk
// sync. flush() writes everything noted so far; the server calls it every kFlushPeriod and once
// more on shutdown, so a clean stop loses nothing. Which token signed in for an organization,
// address and repository is written too, so that a registry notification reaching another
// server of the same database is counted for the right token.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "store/store.h"

namespace oatd {

class UsageRecorder {
 public:
  static constexpr std::chrono::milliseconds kFlushPeriod{1000};
  // Grants older than this are forgotten: a registry notifies within seconds of a request.
  static constexpr std::chrono::hours kGrantMemory{24};
  // A registry event whose grant is not known yet is looked for again at this many flushes
  // (another server writes its grants within one period), then dropped.
  static constexpr int kAttributionAttempts = 3;
  // How often the background thread forgets old grants and sign-in failures.
  static constexpr std::chrono::seconds kHousekeepingPeriod{60};

  // What the background thread keeps tidy besides flushing: the clock, and how long sign-in
  // failures matter (the longest rate-limit window).
  struct Housekeeping {
    std::function<Timestamp()> clock;
    std::chrono::seconds failure_memory{300};
  };

  // `clock` dates the pulls and pushes counted (the day of the usage series they add to).
  explicit UsageRecorder(Store& store, std::function<Timestamp()> clock = nullptr);
  ~UsageRecorder();  // stops the background flusher, then flushes

  // Notes that token `token_id` of organization `org` signed in from `address` at `at`, and
  // was granted access to `repositories` (the names in its grant); `previous_secret`: with the
  // secret a rotation replaced (its own "last used" is kept too).
  void note(const std::string& token_id, const std::string& org, Timestamp at,
            const std::string& address, const std::vector<std::string>& repositories,
            bool previous_secret = false);
  // Pulls and pushes counted from registry events.
  void count(const std::string& token_id, std::int64_t pulls, std::int64_t pushes);
  // Pulls and pushes of a registry event, counted for recent_token(org, address, repository):
  // now when it is known, else at one of the next kAttributionAttempts flushes. Never waits.
  void count_event(const std::string& org, const std::string& address,
                   const std::string& repository, std::int64_t pulls, std::int64_t pushes);

  // Writes what is pending in one transaction. Safe to call from any thread.
  void flush();
  // Starts a thread that flushes every `period`, and does the housekeeping every
  // kHousekeepingPeriod, until the recorder is destroyed or stop().
  void start(std::chrono::milliseconds period, Housekeeping housekeeping);
  // Forgets grants older than kGrantMemory, sign-in failures older than failure_memory, and
  // days of the usage series older than oat::kUsageDaysKept.
  void housekeep(const Housekeeping& housekeeping);
  void stop();

 private:
  // The token that most recently signed in for `org` from `address` and was granted
  // `repository`: registry events name the organization, the client's address and the
  // repository, not the token. The newer of what this server noted and what any server wrote
  // to the store.
  std::optional<std::string> recent_token(const std::string& org, const std::string& address,
                                          const std::string& repository);
  struct Use {
    Timestamp at{};
    std::vector<std::string> addresses;  // in order of use, oldest first, distinct
    std::optional<Timestamp> previous_at;  // the latest sign-in with the replaced secret
  };
  Store& store_;
  std::function<Timestamp()> clock_;
  std::mutex mutex_;
  std::map<std::string, Use> pending_;
  // The daily series: (token, day) -> pulls, pushes, sign-ins not yet written.
  struct Tally {
    std::int64_t pulls = 0, pushes = 0, sign_ins = 0;
  };
  std::map<std::pair<std::string, std::int64_t>, Tally> days_;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> counts_;
  using GrantKey = std::tuple<std::string, std::string, std::string>;  // org, address, repository
  struct Grant {
    std::string token_id;
    Timestamp at{};
  };
  std::map<GrantKey, Grant> recent_;        // noted by this server
  std::map<GrantKey, Grant> grants_;        // not yet written
  struct Event {
    GrantKey key;
    std::int64_t pulls = 0, pushes = 0;
    int attempts = 0;
  };
  std::vector<Event> unattributed_;         // events waiting for their grant
  std::mutex flush_mutex_;  // one flush at a time, so writes land in order
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread flusher_;
};

}  // namespace oatd
