// The PostgreSQL store: a pool of connections shared by the server's threads, reads in
// REPEATABLE READ READ ONLY transactions, writes in SERIALIZABLE ones run again on a
// serialization failure, so that rules checked in a transaction (a plan's quota) hold with any
// number of servers on one database. Every statement is prepared once per connection
// (store/postgres/connection.h); the queries are store/sql/'s, shared with SQLite.
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "log/log.h"
#include "store/migrations.h"
#include "store/postgres/connection.h"
#include "store/sql/queries.h"
#include "store/store.h"

namespace oatd {
namespace {

using postgres::Connection;
using postgres::in_quotes;
using postgres::Kind;

// A write meeting a serialization failure (another transaction, on this server or another,
// touched what it read) is run again, after a pause, until this much time has gone by since it
// first began. The budget is time rather than a count of attempts: on a loaded machine every
// transaction lasts longer and meets more others, so a fixed count runs out where a little more
// patience succeeds.
constexpr auto kWriteRetryBudget = std::chrono::seconds(3);
// The pauses between attempts double from 2 ms up to this, each drawn at random below its bound
// ("full jitter"), so that writers that met spread apart instead of meeting again in step.
constexpr int kMaxPauseMs = 64;
// How long a request waits for a connection of the pool before it is refused.
constexpr auto kPoolWait = std::chrono::seconds(5);
// Serializes the schema migrations of every server starting on one database.
constexpr std::string_view kMigrationLock = "SELECT pg_advisory_xact_lock(7273461)";

// How often the change listener proves its connection alive when nothing arrives, and how long
// after its last proof change_version still promises that other nodes' writes are counted.
constexpr auto kListenProbe = std::chrono::milliseconds(250);
constexpr auto kListenTrust = std::chrono::seconds(1);
// The channel the triggers of migration 4 notify.
constexpr std::string_view kChangeChannel = "oat_changes";

// Counts other nodes' writes into `version`: a change to the tables a sign-in reads notifies
// oat_changes (triggers of migration 4), which PostgreSQL delivers when it commits, and a
// connection of the listener's own LISTENs. A connection that cannot be trusted (lost, not
// answering) ends the promise within kListenTrust: trusted() turns false, and change_version
// gives a new number on every call until the listener is back.
class ChangeListener {
 public:
  ChangeListener(std::string uri, std::string shown, std::atomic<std::uint64_t>& version)
      : uri_(std::move(uri)), shown_(std::move(shown)), version_(version),
        wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)), thread_([this] { run(); }) {}
  ChangeListener(const ChangeListener&) = delete;
  ChangeListener& operator=(const ChangeListener&) = delete;
  ~ChangeListener() {
    stopping_ = true;
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_, &one, sizeof one);
    thread_.join();
    ::close(wake_);
  }

  bool trusted() const {
    return std::chrono::steady_clock::now().time_since_epoch().count() - proven_.load() <
           std::chrono::duration_cast<std::chrono::steady_clock::duration>(kListenTrust).count();
  }

 private:
  void prove() { proven_ = std::chrono::steady_clock::now().time_since_epoch().count(); }

  // Reads what arrived; true when a notification was among it. Throws when the connection is
  // gone.
  static bool take_notifications(Connection& c) {
    if (PQconsumeInput(c.raw()) != 1) {
      throw StoreError(Kind::Unavailable, std::string(PQerrorMessage(c.raw())));
    }
    bool any = false;
    while (PGnotify* n = PQnotifies(c.raw())) {
      any = true;
      PQfreemem(n);
    }
    return any;
  }

  void run() {
    bool lost = false;
    while (!stopping_) {
      try {
        Connection c(uri_);
        c.exec("LISTEN " + std::string(kChangeChannel));
        version_.fetch_add(1);  // what other nodes wrote while nobody listened
        prove();
        if (lost) log::info("listening for other nodes' changes again", {{"database", shown_}});
        lost = false;
        auto probed = std::chrono::steady_clock::now();
        while (!stopping_) {
          pollfd fds[2] = {{PQsocket(c.raw()), POLLIN, 0}, {wake_, POLLIN, 0}};
          ::poll(fds, 2, static_cast<int>(kListenProbe.count()));
          if (stopping_) break;
          if (take_notifications(c)) {
            version_.fetch_add(1);
            prove();
          }
          if (std::chrono::steady_clock::now() - probed >= kListenProbe) {
            c.exec("SELECT 1");  // an answer proves that nothing sent before it was lost
            if (take_notifications(c)) version_.fetch_add(1);
            prove();
            probed = std::chrono::steady_clock::now();
          }
        }
      } catch (const StoreError& e) {
        if (!lost) {
          log::warn("cannot listen for other nodes' changes; the sign-in cache is off until "
                    "the database answers again",
                    {{"database", shown_}, {"error", e.what()}});
        }
        lost = true;
        pollfd wake{wake_, POLLIN, 0};
        ::poll(&wake, 1, 1000);
      }
    }
  }

  const std::string uri_, shown_;
  std::atomic<std::uint64_t>& version_;
  std::atomic<std::int64_t> proven_{std::numeric_limits<std::int64_t>::min() / 2};
  std::atomic<bool> stopping_{false};
  int wake_;
  std::thread thread_;  // last: started once the rest is ready
};

class PostgresStore final : public Store {
 public:
  PostgresStore(std::string uri, std::size_t connections)
      : uri_(std::move(uri)), shown_(postgres::redacted(uri_)),
        max_connections_(std::max<std::size_t>(1, connections)) {
    try {
      auto c = connect();
      migrate(*c);
      idle_.push_back(std::move(c));
      ++open_;
    } catch (const StoreError& e) {
      throw StoreError(e.kind(), "cannot open database " + in_quotes(shown_) + ": " + e.what());
    }
  }

  // This node's writes count at once; other nodes' through the listener (started on the first
  // call, so that short-lived processes such as oatd admin never start one).
  std::uint64_t change_version() override {
    std::call_once(listener_started_,
                   [this] { listener_ = std::make_unique<ChangeListener>(uri_, shown_, version_); });
    if (!listener_->trusted()) return version_.fetch_add(1) + 1;
    return version_.load();
  }

  void read(const std::function<void(Transaction&)>& work) override {
    std::unique_ptr<Connection> c = begin("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    try {
      sql::run_queries(*c, work);
      c->exec("COMMIT");
    } catch (...) {
      end(std::move(c));
      throw;
    }
    end(std::move(c));
  }

  void write(const std::function<void(Transaction&)>& work) override {
    sql::WriteScope scope(this);
    const auto give_up_at = std::chrono::steady_clock::now() + kWriteRetryBudget;
    for (int attempt = 1;; ++attempt) {
      std::unique_ptr<Connection> c = begin("BEGIN ISOLATION LEVEL SERIALIZABLE");
      bool committing = false;
      try {
        sql::run_queries(*c, work);
        if (c->met_serialization_failure()) {  // caught inside `work`: it must not commit
          throw StoreError(Kind::Busy, "a serialization failure was caught inside the write");
        }
        committing = true;
        c->exec("COMMIT");  // other nodes hear of it through the tables' triggers
        end(std::move(c));
        version_.fetch_add(1);  // this node's caches at once
        return;
      } catch (const StoreError& e) {
        // A statement of `work` that met the failure may have been caught inside it; the
        // connection remembers, so the whole transaction is run again.
        const bool conflict = e.kind() == Kind::Busy || c->met_serialization_failure();
        const bool lost_at_commit = committing && e.kind() == Kind::Unavailable;
        end(std::move(c));
        if (conflict && std::chrono::steady_clock::now() < give_up_at) {
          pause_before(attempt);
          continue;
        }
        if (conflict) throw StoreError(Kind::Busy, e.what());
        if (lost_at_commit) {
          throw StoreError(Kind::Unavailable,
                           std::string("the connection was lost while committing, so the change "
                                       "may or may not have been kept: ") +
                               e.what());
        }
        throw;
      } catch (...) {
        end(std::move(c));
        throw;
      }
    }
  }

 private:
  std::unique_ptr<Connection> connect() { return std::make_unique<Connection>(uri_); }

  // Takes a connection from the pool and begins a transaction on it with `begin_sql`. An idle
  // connection may have died while it waited (the database server restarted): then every idle
  // one is dropped and a new connection made, once; a failure to begin changed nothing, so this
  // is always safe.
  std::unique_ptr<Connection> begin(const char* begin_sql) {
    for (int attempt = 1;; ++attempt) {
      auto [c, reused] = acquire();
      try {
        c->begin(begin_sql);
        return std::move(c);
      } catch (const StoreError& e) {
        const bool dead = !c->usable();
        release(std::move(c));
        if (dead && reused && attempt == 1) {
          drop_idle();
          continue;
        }
        throw;
      }
    }
  }

  // Ends a transaction begin() began: the connection goes back to the pool when it is fit for
  // another transaction, and is closed otherwise.
  void end(std::unique_ptr<Connection> c) {
    c->rollback_quietly();
    release(std::move(c));
  }

  std::pair<std::unique_ptr<Connection>, bool> acquire() {
    std::unique_lock lock(mutex_);
    const auto deadline = std::chrono::steady_clock::now() + kPoolWait;
    for (;;) {
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return {std::move(c), true};
      }
      if (open_ < max_connections_) {
        ++open_;  // counted before connecting, so the pool never grows past its size
        lock.unlock();
        try {
          return {connect(), false};
        } catch (...) {
          lock.lock();
          --open_;
          available_.notify_one();
          throw;
        }
      }
      if (available_.wait_until(lock, deadline) == std::cv_status::timeout) {
        throw StoreError(Kind::Unavailable,
                         "all " + std::to_string(max_connections_) +
                             " connections to the database are in use");
      }
    }
  }

  void release(std::unique_ptr<Connection> c) {
    std::lock_guard lock(mutex_);
    if (c && c->usable() && c->idle()) {
      idle_.push_back(std::move(c));
    } else {
      --open_;
    }
    available_.notify_one();
  }

  void drop_idle() {
    std::vector<std::unique_ptr<Connection>> dropped;
    {
      std::lock_guard lock(mutex_);
      dropped.swap(idle_);
      open_ -= dropped.size();
    }
    if (!dropped.empty()) {
      log::warn("the database connection was lost; reconnecting",
                {{"database", shown_}, {"closed", dropped.size()}});
    }
  }

  // Sleeps before the next attempt of a write that met a serialization failure: between 0 and
  // min(2 ms × 2^(attempt-1), kMaxPauseMs), in microseconds, at random.
  static void pause_before(int attempt) {
    thread_local std::minstd_rand random(std::random_device{}());
    const int bound_ms = attempt >= 7 ? kMaxPauseMs : std::min(kMaxPauseMs, 2 << (attempt - 1));
    const auto us = random() % static_cast<unsigned>(bound_ms * 1000 + 1);
    std::this_thread::sleep_for(std::chrono::microseconds(us));
  }

  // Brings the schema to the current version in one transaction, holding an advisory lock so
  // that servers starting together migrate once. A database with tables but no oatd_schema is
  // another application's, and one with a newer version a newer oatd's: both are refused
  // before anything changes.
  void migrate(Connection& c) {
    using store::Dialect;
    const int latest = store::latest_schema_version(Dialect::PostgreSQL);
    c.exec("BEGIN ISOLATION LEVEL READ COMMITTED");
    try {
      c.exec(kMigrationLock);
      postgres::Result r = c.query(
          "SELECT to_regclass('oatd_schema') IS NOT NULL, "
          "(SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema())");
      const bool ours = PQgetvalue(r.get(), 0, 0)[0] == 't';
      const bool empty = std::string_view(PQgetvalue(r.get(), 0, 1)) == "0";
      if (!ours && !empty) throw StoreError(Kind::Failure, store::foreign_database_message(shown_));
      int current = 0;
      if (ours) {
        postgres::Result v = c.query("SELECT version FROM oatd_schema");
        if (PQntuples(v.get()) != 1) {
          throw StoreError(Kind::Failure, "the table oatd_schema must hold one row");
        }
        current = std::stoi(PQgetvalue(v.get(), 0, 0));
      } else {
        c.exec("CREATE TABLE oatd_schema (version integer NOT NULL); "
               "INSERT INTO oatd_schema (version) VALUES (0)");
      }
      if (current > latest) {
        throw StoreError(Kind::Failure,
                         store::newer_schema_message(shown_, current, Dialect::PostgreSQL));
      }
      for (const store::Migration& m : store::migrations(Dialect::PostgreSQL)) {
        if (m.version <= current) continue;
        try {
          c.exec(m.sql);
          // A constant of this program, not a value from outside.
          c.exec("UPDATE oatd_schema SET version = " + std::to_string(m.version));
        } catch (const StoreError& e) {
          throw StoreError(e.kind(), "migration " + std::to_string(m.version) + " (" +
                                         std::string(m.name) + ") failed: " + e.what());
        }
        if (current > 0 || m.version > 1) {
          log::info("database migrated", {{"database", shown_}, {"version", m.version}});
        }
      }
      c.exec("COMMIT");
    } catch (...) {
      c.rollback_quietly();
      throw;
    }
  }

  std::string uri_;
  std::string shown_;  // the URI without its password
  std::size_t max_connections_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;  // idle and in use
  std::atomic<std::uint64_t> version_{0};
  std::once_flag listener_started_;
  std::unique_ptr<ChangeListener> listener_;  // last: its thread stops before the rest goes
};

}  // namespace

std::unique_ptr<Store> open_postgres_store(const std::string& uri, std::size_t connections) {
  return std::make_unique<PostgresStore>(uri, connections);
}

}  // namespace oatd
