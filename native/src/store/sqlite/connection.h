// SQLite underneath the store: a prepared statement in use (Stmt), one connection with its
// cache of prepared statements (Connection), and how SQLite's failures map to StoreError.
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/sql/row.h"
#include "store/store.h"

namespace oatd::sqlite {

using Kind = StoreError::Kind;
using sql::in_quotes;
// The kind of a failed step: a taken unique key is a Conflict, a missing parent row NotFound,
// a full disk (or a file grown past what the system allows) StorageFull, another process's
// lock held past the busy timeout Busy.
Kind kind_of(sqlite3* db, int extended_code);

// How long a connection waits for another process's lock before giving up.
inline constexpr int kBusyTimeoutMs = 5000;

// A prepared statement in use. Resets (and unbinds) it when done so the connection can reuse it.
class Stmt final : public sql::Row {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt, bool* busy) : db_(db), stmt_(stmt), busy_(busy) {}
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    if (busy_) {
      *busy_ = false;
    } else {
      sqlite3_finalize(stmt_);  // a one-off copy (the cached one was in use)
    }
  }

  Stmt& bind(int i, std::int64_t v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
  Stmt& bind(int i, bool v) { return bind(i, std::int64_t{v ? 1 : 0}); }
  Stmt& bind(int i, Timestamp t) { return bind(i, std::int64_t{oat::to_unix(t)}); }
  Stmt& bind(int i, std::string_view v) {
    return check(sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  Stmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, std::optional<Timestamp> t) {
    return t ? bind(i, *t) : check(sqlite3_bind_null(stmt_, i));
  }
  Stmt& bind(int i, const std::optional<std::string>& v) {
    return v ? bind(i, *v) : check(sqlite3_bind_null(stmt_, i));
  }
  Stmt& bind(int i, std::optional<std::int64_t> v) {
    return v ? bind(i, *v) : check(sqlite3_bind_null(stmt_, i));
  }

  // True when a row is ready, false when the statement is done. Throws StoreError (Conflict,
  // NotFound or Failure, see kind_of) with SQLite's message.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    int code = sqlite3_extended_errcode(db_);
    std::string message = sqlite3_errmsg(db_);
    sqlite3_reset(stmt_);
    throw StoreError(kind_of(db_, code), message);
  }
  // Runs a statement to its end; returns how many rows it changed.
  std::int64_t run() {
    while (step()) {
    }
    return sqlite3_changes64(db_);
  }

  bool is_null(int col) const override {
    return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
  }
  std::int64_t int64(int col) const override { return sqlite3_column_int64(stmt_, col); }
  bool boolean(int col) const override { return int64(col) != 0; }
  std::string text(int col) const override {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    int n = sqlite3_column_bytes(stmt_, col);
    return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
  }

 private:
  Stmt& check(int rc) {
    if (rc != SQLITE_OK) throw StoreError(Kind::Failure, sqlite3_errmsg(db_));
    return *this;
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool* busy_;  // the cache slot's flag, or nullptr for a one-off statement
};

class Connection {
 public:
  // How a query names one row of a table when it looks it up twice (the sign-in's token): the
  // rowid, one B-tree descent fewer than the text primary key's own index.
  static constexpr std::string_view kRowKey = "rowid";

  Connection(const std::string& path, bool read_only) {
    int flags = SQLITE_OPEN_NOMUTEX;  // one thread at a time uses a connection (see SqliteStore)
    flags |= read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close_v2(db_);
      db_ = nullptr;
      throw StoreError(Kind::Failure, "cannot open database " + in_quotes(path) + ": " + message);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    for (auto& [sql, slot] : cache_) sqlite3_finalize(slot.stmt);
    sqlite3_close_v2(db_);
  }

  sqlite3* db() const { return db_; }

  // Runs constant SQL (pragmas, BEGIN/COMMIT, migration scripts). Never used with values.
  void exec(std::string_view sql) {
    std::string text(sql);
    char* error = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
      std::string message = error ? error : sqlite3_errmsg(db_);
      sqlite3_free(error);
      throw StoreError(kind_of(db_, sqlite3_extended_errcode(db_)), message);
    }
  }

  // The cached prepared statement for `sql` (prepared on first use).
  Stmt prepare(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      it = cache_.emplace(sql, Slot{prepare_raw(sql, SQLITE_PREPARE_PERSISTENT), false}).first;
    }
    if (it->second.busy) return Stmt(db_, prepare_raw(sql, 0), nullptr);  // re-entered
    it->second.busy = true;
    return Stmt(db_, it->second.stmt, &it->second.busy);
  }

  // Runs a constant statement through the cache (BEGIN, COMMIT: on every request, so they are
  // not parsed again each time).
  void run(const std::string& sql) { prepare(sql).run(); }

  // Runs `statements`; when one fails, SQLite has undone that statement alone and the
  // transaction goes on (the queries may catch the error and continue).
  template <class Statements>
  void guarded(const Statements& statements) {
    statements();
  }

  // SQLite gives a new row the largest rowid (or AUTOINCREMENT's) plus one by itself; the
  // tokens' creation order continues after the largest copied.
  void continue_ids(std::string_view table) {
    if (table != "tokens") return;
    exec("UPDATE sequences SET last = (SELECT COALESCE(MAX(created_seq), 0) FROM tokens) "
         "WHERE name = 'tokens'");
  }

  // The next number of the tokens' creation order: a row of the table `sequences` (one writer
  // at a time: no contention).
  std::int64_t next_token_seq() {
    Stmt s = prepare("UPDATE sequences SET last = last + 1 WHERE name = 'tokens' RETURNING last");
    if (!s.step()) throw StoreError(Kind::Failure, "the tokens' sequence is missing");
    return s.int64(0);
  }

  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

  std::vector<std::string> cached_sql() const {
    std::vector<std::string> out;
    for (const auto& [sql, slot] : cache_) out.push_back(sql);
    return out;
  }

  // Ends an open transaction without throwing; true when none is left open.
  bool rollback_quietly() {
    if (in_transaction()) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return !in_transaction();
  }

  int user_version() {
    Stmt s = prepare("PRAGMA user_version");
    s.step();
    return static_cast<int>(s.int64(0));
  }

 private:
  struct Slot {
    sqlite3_stmt* stmt;
    bool busy;
  };

  sqlite3_stmt* prepare_raw(const std::string& sql, unsigned flags) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), flags, &stmt,
                                nullptr);
    if (rc != SQLITE_OK) {
      throw StoreError(Kind::Failure,
                       std::string("cannot prepare statement: ") + sqlite3_errmsg(db_));
    }
    return stmt;
  }

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, Slot> cache_;
};

}  // namespace oatd::sqlite
