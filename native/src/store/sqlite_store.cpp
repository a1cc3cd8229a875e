// The SQLite store: one writer connection behind a mutex, a small pool of read-only
// connections, WAL so that readers never wait for the writer, synchronous=FULL so that a
// committed write survives a crash. Every statement is prepared once per connection and
// executed with bound parameters (store/sqlite/connection.h; the queries are store/sql/'s).
#include <pwd.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "log/log.h"
#include "store/migrations.h"
#include "store/sqlite/connection.h"
#include "store/sql/queries.h"
#include "store/store.h"

namespace oatd {
namespace {

using sqlite::Connection;
using sqlite::in_quotes;
using sqlite::Kind;
using sqlite::Stmt;

constexpr std::size_t kMaxIdleReaders = 4;
// A write meeting another process's lock is tried this many times, each waiting up to the
// connection's busy timeout.
constexpr int kWriteAttempts = 3;
// How much of the database file each read-only connection maps (SQLite's mmap_size).
constexpr std::int64_t kReaderMmapBytes = std::int64_t{1} << 30;
// How often change_version asks whether another process wrote to the file.
constexpr auto kOutsideCheck = std::chrono::milliseconds(100);

// The name of the user this process runs as, for messages ("oat", or "uid 998").
std::string process_user() {
  const uid_t uid = geteuid();
  if (const passwd* pw = getpwuid(uid); pw && pw->pw_name) return pw->pw_name;
  return "uid " + std::to_string(uid);
}

// Why oatd could not keep a database at `path`, in one sentence, or nothing. SQLite's own words
// ("unable to open database file", "attempt to write a readonly database") name neither the
// path nor the cause. WAL mode writes two files beside the database (-wal, -shm), so the folder
// must be writable, not only the file.
std::optional<std::string> location_problem(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path file = fs::absolute(path);
  const fs::path folder = file.parent_path();
  std::error_code ec;
  const auto quoted = [](const fs::path& p) { return in_quotes(p.string()); };
  if (!fs::exists(folder, ec)) return "the folder " + quoted(folder) + " does not exist";
  if (!fs::is_directory(folder, ec)) return quoted(folder) + " is not a folder";
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    return "the folder " + quoted(folder) + " is not writable by user " + process_user() +
           " (the database needs to write its -wal and -shm files there)";
  }
  for (const char* suffix : {"", "-wal", "-shm"}) {
    fs::path f = file;
    f += suffix;
    if (!fs::exists(fs::symlink_status(f, ec))) continue;
    if (fs::is_directory(f, ec)) return quoted(f) + " is a folder, not a database file";
    if (::access(f.c_str(), R_OK | W_OK) != 0) {
      return "the file " + quoted(f) + " is not readable and writable by user " + process_user();
    }
  }
  return std::nullopt;
}


[[noreturn]] void refuse_newer(const std::string& path, int version) {
  throw StoreError(Kind::Failure,
                   store::newer_schema_message(path, version, store::Dialect::SQLite));
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::string path) : path_(std::move(path)) {
    if (auto problem = location_problem(path_)) {
      throw StoreError(Kind::Failure, "cannot open database " + in_quotes(path_) + ": " + *problem);
    }
    try {
      open();
    } catch (const StoreError& e) {  // every start-up failure names the database
      if (std::string_view(e.what()).find(path_) != std::string_view::npos) throw;
      throw StoreError(e.kind(), "cannot open database " + in_quotes(path_) + ": " + e.what());
    }
  }

  void read(const std::function<void(Transaction&)>& work) override {
    std::unique_ptr<Connection> c = acquire_reader();
    c->run("BEGIN");
    try {
      sql::run_queries(*c, work);
    } catch (...) {
      if (c->rollback_quietly()) release_reader(std::move(c));
      throw;
    }
    try {
      c->run("COMMIT");
    } catch (const StoreError&) {
      if (c->rollback_quietly()) release_reader(std::move(c));
      throw;
    }
    release_reader(std::move(c));
  }

  void write(const std::function<void(Transaction&)>& work) override {
    sql::WriteScope scope(this);  // before the mutex: a nested write would deadlock on it
    std::lock_guard lock(write_mutex_);
    for (int attempt = 1;; ++attempt) {
      writer_->rollback_quietly();  // in case an earlier failure left one open
      try {
        writer_->run("BEGIN IMMEDIATE");  // waits up to the busy timeout for another process
        sql::run_queries(*writer_, work);
        writer_->run("COMMIT");
        version_.fetch_add(1);
        return;
      } catch (const StoreError& e) {
        writer_->rollback_quietly();
        if (e.kind() != Kind::Busy || attempt == kWriteAttempts) throw;
        log::warn("the database was busy with another writer; trying the write again",
                  {{"database", path_}, {"attempt", attempt + 1}});
      } catch (...) {
        writer_->rollback_quietly();
        throw;
      }
    }
  }

  // This process's writes count at once. Other processes' (another oatd serve on the same
  // file, oatd admin) are seen through PRAGMA data_version of a connection of its own, which
  // changes with every commit of any other connection to the file; it begins and ends a read
  // transaction (a few microseconds, more under contention), so it is asked at most every
  // kOutsideCheck rather than on every call.
  std::uint64_t change_version() override {
    const std::int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
    if (now - outside_checked_.load(std::memory_order_relaxed) >= kOutsideCheckTicks) {
      std::lock_guard lock(watch_mutex_);
      if (now - outside_checked_.load(std::memory_order_relaxed) >= kOutsideCheckTicks) {
        check_outside();
        outside_checked_.store(now, std::memory_order_relaxed);
      }
    }
    return version_.load();
  }

  std::vector<QueryPlan> query_plans() {
    std::lock_guard write_lock(write_mutex_);
    std::set<std::string> statements;
    {
      std::lock_guard pool_lock(pool_mutex_);
      for (const auto& c : idle_readers_) {
        for (auto& sql : c->cached_sql()) statements.insert(std::move(sql));
      }
    }
    for (auto& sql : writer_->cached_sql()) statements.insert(std::move(sql));
    std::vector<QueryPlan> plans;
    for (const std::string& sql : statements) {
      if (sql.starts_with("PRAGMA") || sql.starts_with("EXPLAIN") || sql == "BEGIN" ||
          sql == "BEGIN IMMEDIATE" || sql == "COMMIT") {
        continue;
      }
      QueryPlan plan{sql, {}};
      Stmt s = writer_->prepare("EXPLAIN QUERY PLAN " + sql);
      while (s.step()) plan.steps.push_back(s.text(3));
      plans.push_back(std::move(plan));
    }
    return plans;
  }

 private:
  // Opens the writer connection, checks the schema version and migrates.
  void open() {
    writer_ = std::make_unique<Connection>(path_, /*read_only=*/false);
    // Check before changing anything in the file (journal mode is persistent), in one
    // transaction: another process may be creating the schema of a new file right now, and
    // its first step must not look like another application's tables.
    writer_->exec("BEGIN IMMEDIATE");
    int version = 0;
    std::int64_t tables = 0;
    try {
      version = writer_->user_version();
      Stmt s = writer_->prepare("SELECT COUNT(*) FROM sqlite_schema");
      if (s.step()) tables = s.int64(0);
    } catch (...) {
      writer_->rollback_quietly();
      throw;
    }
    writer_->rollback_quietly();
    if (version > store::latest_schema_version(store::Dialect::SQLite)) refuse_newer(path_, version);
    if (version == 0 && tables > 0) {
      throw StoreError(Kind::Failure, store::foreign_database_message(path_));
    }
    {
      Stmt s = writer_->prepare("PRAGMA journal_mode = WAL");
      if (!s.step() || s.text(0) != "wal") {
        throw StoreError(Kind::Failure,
                         "cannot switch database " + in_quotes(path_) + " to WAL journal mode");
      }
    }
    writer_->exec("PRAGMA synchronous = FULL");
    writer_->exec("PRAGMA foreign_keys = ON");
    migrate();
  }

  // Applies each pending migration in its own transaction. The version is read again inside
  // the transaction, so two processes opening the same file at once do not both migrate.
  void migrate() {
    const int latest = store::latest_schema_version(store::Dialect::SQLite);
    for (const store::Migration& m : store::migrations(store::Dialect::SQLite)) {
      writer_->exec("BEGIN IMMEDIATE");
      int current = 0;
      try {
        current = writer_->user_version();
      } catch (...) {
        writer_->rollback_quietly();
        throw;
      }
      if (current > latest) {
        writer_->rollback_quietly();
        refuse_newer(path_, current);
      }
      if (current >= m.version) {  // applied already (perhaps just now, by another process)
        writer_->rollback_quietly();
        continue;
      }
      try {
        writer_->exec(m.sql);
        // A constant of this program, not a value from outside (PRAGMA takes no parameters).
        writer_->exec("PRAGMA user_version = " + std::to_string(m.version));
        writer_->exec("COMMIT");
      } catch (const StoreError& e) {
        writer_->rollback_quietly();
        throw StoreError(Kind::Failure, "database " + in_quotes(path_) + ": migration " +
                                            std::to_string(m.version) + " (" +
                                            std::string(m.name) + ") failed: " + e.what());
      }
    }
  }

  std::unique_ptr<Connection> acquire_reader() {
    {
      std::lock_guard lock(pool_mutex_);
      if (!idle_readers_.empty()) {
        auto c = std::move(idle_readers_.back());
        idle_readers_.pop_back();
        return c;
      }
    }
    auto c = std::make_unique<Connection>(path_, /*read_only=*/true);
    c->exec("PRAGMA foreign_keys = ON");
    // Pages read through a mapping of the file rather than a pread each: a look-up among a
    // million tokens then costs about what it costs among a hundred (bench/store_bench.cpp).
    // The writer keeps SQLite's default (no mapping).
    c->exec("PRAGMA mmap_size = " + std::to_string(kReaderMmapBytes));
    return c;
  }

  // Under watch_mutex_: counts a change when data_version moved (or cannot be read).
  void check_outside() {
    std::optional<std::int64_t> seen;
    try {
      if (!watcher_) watcher_ = std::make_unique<Connection>(path_, /*read_only=*/true);
      Stmt s = watcher_->prepare("PRAGMA data_version");
      if (s.step()) seen = s.int64(0);
    } catch (const StoreError&) {
      watcher_.reset();
    }
    if (!seen || seen != data_version_) version_.fetch_add(1);
    data_version_ = seen;
  }

  void release_reader(std::unique_ptr<Connection> c) {
    std::lock_guard lock(pool_mutex_);
    if (idle_readers_.size() < kMaxIdleReaders) idle_readers_.push_back(std::move(c));
  }

  std::string path_;
  std::mutex write_mutex_;
  std::unique_ptr<Connection> writer_;  // closed last (declared before the readers)
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;
  std::atomic<std::uint64_t> version_{0};  // change_version()
  static constexpr std::int64_t kOutsideCheckTicks =
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(kOutsideCheck).count();
  std::atomic<std::int64_t> outside_checked_{std::numeric_limits<std::int64_t>::min() / 2};
  std::mutex watch_mutex_;
  std::unique_ptr<Connection> watcher_;  // reads data_version
  std::optional<std::int64_t> data_version_;
};
}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path) {
  return std::make_unique<SqliteStore>(path);
}

std::vector<QueryPlan> sqlite_query_plans(Store& store) {
  auto* sqlite = dynamic_cast<SqliteStore*>(&store);
  return sqlite ? sqlite->query_plans() : std::vector<QueryPlan>{};
}

}  // namespace oatd
