// PostgreSQL underneath the store, through libpq: one connection with its prepared statements
// (Connection), a prepared statement in use (Stmt), and how PostgreSQL's failures map to
// StoreError. Parameters and results travel as text; every value is bound, never spliced.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/sql/row.h"

namespace oatd::postgres {

using Kind = StoreError::Kind;
using sql::in_quotes;

// The URI with any password replaced by "***", for messages and logs.
std::string redacted(std::string_view uri);

// `sql` with SQLite's parameters (`?`, `?N`) as PostgreSQL's (`$N`), numbered as SQLite does:
// a bare `?` is one more than the largest number so far.
std::string numbered_parameters(std::string_view sql);

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

class Connection;

// A prepared statement in use: bind its parameters, then step() through its rows (it runs on
// the first step) or run() it.
class Stmt final : public sql::Row {
 public:
  Stmt(Connection& c, const std::string* name, int parameters)
      : c_(&c), name_(name), values_(static_cast<std::size_t>(parameters)) {}

  Stmt& bind(int i, std::int64_t v) { return set(i, std::to_string(v)); }
  Stmt& bind(int i, bool v) { return set(i, v ? "true" : "false"); }
  Stmt& bind(int i, Timestamp t) { return bind(i, std::int64_t{oat::to_unix(t)}); }
  Stmt& bind(int i, std::string_view v) { return set(i, std::string(v)); }
  Stmt& bind(int i, const std::string& v) { return set(i, v); }
  Stmt& bind(int i, const char* v) { return set(i, v); }
  Stmt& bind(int i, std::optional<Timestamp> t) {
    return t ? bind(i, *t) : set(i, std::nullopt);
  }
  Stmt& bind(int i, std::optional<std::int64_t> v) { return v ? bind(i, *v) : set(i, std::nullopt); }
  Stmt& bind(int i, const std::optional<std::string>& v) { return v ? bind(i, *v) : set(i, std::nullopt); }

  // True when a row is ready, false when there are no more. Throws StoreError (kind_of).
  bool step();
  // Runs the statement; returns how many rows it changed.
  std::int64_t run();

  bool is_null(int col) const override { return PQgetisnull(result_.get(), row_, col) != 0; }
  std::int64_t int64(int col) const override;
  bool boolean(int col) const override;
  std::string text(int col) const override {
    return std::string(PQgetvalue(result_.get(), row_, col),
                       static_cast<std::size_t>(PQgetlength(result_.get(), row_, col)));
  }

 private:
  Stmt& set(int i, std::optional<std::string> value);
  void execute();

  Connection* c_;
  const std::string* name_;
  std::vector<std::optional<std::string>> values_;
  Result result_;
  int row_ = -1;
};

class Connection {
 public:
  // How a query names one row of a table when it looks it up twice: its primary key.
  static constexpr std::string_view kRowKey = "id";

  // Connects to `uri` (any libpq connection string or URI). Throws StoreError Unavailable
  // with libpq's reason when the server cannot be reached, Failure when it refuses us.
  explicit Connection(const std::string& uri);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { PQfinish(conn_); }

  // The prepared statement for `sql` (prepared on this connection on first use).
  Stmt prepare(const std::string& sql);

  // Runs constant SQL (BEGIN, COMMIT, migration scripts): no parameters, any number of
  // statements.
  void exec(std::string_view sql);
  // Runs a query of constant SQL and returns its result (one statement).
  Result query(std::string_view sql);

  // Runs `statements` inside a savepoint: when one fails, PostgreSQL would abort the whole
  // transaction; rolling back to the savepoint undoes the failed part alone, so the queries
  // may catch the error and go on as on SQLite.
  template <class Statements>
  void guarded(const Statements& statements) {
    exec("SAVEPOINT oat_statement");
    try {
      statements();
    } catch (const StoreError&) {
      exec("ROLLBACK TO SAVEPOINT oat_statement");
      throw;
    }
    exec("RELEASE SAVEPOINT oat_statement");
  }

  // Begins a transaction with `begin_sql` ("BEGIN ISOLATION LEVEL ...").
  void begin(const char* begin_sql) {
    serialization_failure_ = false;
    exec(begin_sql);
  }
  // Whether a statement of the current transaction failed for a serialization conflict (or a
  // deadlock), even one the queries caught: the transaction must be run again.
  bool met_serialization_failure() const { return serialization_failure_; }

  // An identity column's sequence does not see ids inserted explicitly: set it past them (and
  // the tokens' creation order past the largest copied). `table` is one of the store's own.
  void continue_ids(std::string_view table);

  // The next number of the tokens' creation order: a PostgreSQL sequence, which concurrent
  // transactions draw from without waiting for each other (a counter row would make every
  // create of every node conflict with every other).
  std::int64_t next_token_seq();

  // Ends an open transaction without throwing; true when the connection is fit for reuse.
  bool rollback_quietly();
  // False once the server has gone (the connection cannot be used again).
  bool usable() const { return PQstatus(conn_) == CONNECTION_OK; }
  // True outside a transaction.
  bool idle() const { return PQtransactionStatus(conn_) == PQTRANS_IDLE; }

  // Throws the StoreError for a failed `result` (or for the connection, when it is null).
  [[noreturn]] void fail(const PGresult* result) const;
  // Checks a result: returns it when it succeeded, throws otherwise.
  Result check(PGresult* result) const;

  PGconn* raw() const { return conn_; }

 private:
  friend class Stmt;
  struct Prepared {
    std::string name;
    int parameters;
  };

  PGconn* conn_ = nullptr;
  mutable bool serialization_failure_ = false;
  std::unordered_map<std::string, Prepared> prepared_;
};

}  // namespace oatd::postgres
