#include "store/postgres/connection.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace oatd::postgres {
namespace {

// libpq's messages end with a newline and may run over several lines ("connection to server
// ... failed: Connection refused\n\tIs the server running ...?"): the first line says it.
std::string one_line(std::string_view message) {
  while (!message.empty() && (message.front() == '\n' || message.front() == ' ')) {
    message.remove_prefix(1);
  }
  return std::string(message.substr(0, message.find('\n')));
}

// The kind of a failure by its SQLSTATE (PostgreSQL's Appendix A).
Kind kind_of(std::string_view state) {
  if (state == "23505") return Kind::Conflict;          // unique_violation
  if (state == "23503") return Kind::NotFound;          // foreign_key_violation
  if (state == "40001" || state == "40P01") return Kind::Busy;  // serialization, deadlock
  if (state == "53100") return Kind::StorageFull;       // disk_full
  if (state.starts_with("08") ||                        // connection exceptions
      state == "53300" ||                               // too_many_connections
      state == "57P01" || state == "57P02" || state == "57P03") {  // shutdown, starting up
    return Kind::Unavailable;
  }
  return Kind::Failure;
}

}  // namespace

std::string redacted(std::string_view uri) {
  std::string out(uri);
  // scheme://user:password@host...: hide what lies between the first ':' after the scheme and
  // the '@' that ends the user part.
  if (const auto scheme = out.find("://"); scheme != std::string::npos) {
    const auto start = scheme + 3;
    const auto at = out.find('@', start);
    const auto end = out.find_first_of("/?", start);
    const auto colon = out.find(':', start);
    if (at != std::string::npos && (end == std::string::npos || at < end) &&
        colon != std::string::npos && colon < at) {
      out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // ...?password=secret&...: the parameter's value.
  for (auto query = out.find('?'); query != std::string::npos;) {
    const auto name = out.find("password=", query);
    if (name == std::string::npos) break;
    const char before = out[name - 1];
    const auto value = name + 9;
    const auto value_end = std::min(out.find('&', value), out.size());
    if (before == '?' || before == '&') out.replace(value, value_end - value, "***");
    query = out.find('&', value);
  }
  return out;
}

std::string numbered_parameters(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int largest = 0;
  bool quoted = false;  // inside a '...' literal, where '?' is text
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') quoted = !quoted;
    if (c != '?' || quoted) {
      out += c;
      continue;
    }
    std::size_t end = i + 1;
    while (end < sql.size() && sql[end] >= '0' && sql[end] <= '9') ++end;
    int n = largest + 1;
    if (end > i + 1) std::from_chars(sql.data() + i + 1, sql.data() + end, n);
    largest = std::max(largest, n);
    out += '$';
    out += std::to_string(n);
    i = end - 1;
  }
  return out;
}

// -- Stmt --

Stmt& Stmt::set(int i, std::optional<std::string> value) {
  if (i < 1 || static_cast<std::size_t>(i) > values_.size()) {
    throw StoreError(Kind::Failure, "parameter " + std::to_string(i) + " out of range");
  }
  // Parameters travel as C strings: a NUL would silently cut the value short.
  if (value && value->find('\0') != std::string::npos) {
    throw StoreError(Kind::Failure, "a value with a NUL character cannot be stored");
  }
  values_[static_cast<std::size_t>(i - 1)] = std::move(value);
  return *this;
}

void Stmt::execute() {
  std::vector<const char*> values;
  values.reserve(values_.size());
  for (const auto& v : values_) values.push_back(v ? v->c_str() : nullptr);
  result_ = c_->check(PQexecPrepared(c_->conn_, name_->c_str(), static_cast<int>(values.size()),
                                     values.data(), nullptr, nullptr, /*resultFormat=*/0));
}

bool Stmt::step() {
  if (!result_) execute();
  return ++row_ < PQntuples(result_.get());
}

std::int64_t Stmt::run() {
  if (!result_) execute();
  const char* changed = PQcmdTuples(result_.get());
  std::int64_t n = 0;
  std::from_chars(changed, changed + std::char_traits<char>::length(changed), n);
  return n;
}

std::int64_t Stmt::int64(int col) const {
  const char* v = PQgetvalue(result_.get(), row_, col);
  std::int64_t n = 0;
  const auto end = v + PQgetlength(result_.get(), row_, col);
  if (std::from_chars(v, end, n).ptr != end) {
    throw StoreError(Kind::Failure, "column " + std::to_string(col) + " is not an integer");
  }
  return n;
}

bool Stmt::boolean(int col) const {
  const char* v = PQgetvalue(result_.get(), row_, col);
  return v[0] == 't' || v[0] == '1';
}

// -- Connection --

Connection::Connection(const std::string& uri) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), &error);
  if (!options) {
    std::string message = error ? one_line(error) : "out of memory";
    PQfreemem(error);
    throw StoreError(Kind::Failure, "not a valid PostgreSQL connection URI: " + message);
  }
  PQconninfoFree(options);
  // Defaults first: the URI's own settings (expanded from dbname) override them. Over TCP,
  // keepalives and a user timeout notice a server that vanished without closing the
  // connection (a crash of its machine, a network cut) within about half a minute.
  const char* const keywords[] = {"connect_timeout",  "application_name",    "client_encoding",
                                  "keepalives_idle",  "keepalives_interval", "keepalives_count",
                                  "tcp_user_timeout", "dbname",              nullptr};
  const char* const values[] = {"5", "oatd", "UTF8", "10", "5", "3", "30000", uri.c_str(), nullptr};
  conn_ = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (!conn_) throw StoreError(Kind::Unavailable, "out of memory connecting to PostgreSQL");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = one_line(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    // A refusal by a running server of who we are or what we ask for (no such database or
    // role, a wrong password, no pg_hba.conf entry) is not an outage; every other failure
    // (refused, timed out, the server shutting down or starting up, too many clients) is.
    const bool refused = message.find("does not exist") != std::string::npos ||
                         message.find("authentication failed") != std::string::npos ||
                         message.find("pg_hba.conf") != std::string::npos ||
                         message.find("permission denied") != std::string::npos;
    throw StoreError(refused ? Kind::Failure : Kind::Unavailable, message);
  }
}

Result Connection::check(PGresult* result) const {
  const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Result(result);
  Result owned(result);
  fail(result);
}

void Connection::fail(const PGresult* result) const {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = one_line(primary ? primary : PQerrorMessage(conn_));
  if (message.empty()) message = "the PostgreSQL server closed the connection";
  Kind kind = state ? kind_of(state) : Kind::Failure;
  if (PQstatus(conn_) != CONNECTION_OK) kind = Kind::Unavailable;
  if (kind == Kind::Busy) serialization_failure_ = true;
  throw StoreError(kind, message);
}

Stmt Connection::prepare(const std::string& sql) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string text = numbered_parameters(sql);
    int parameters = 0;
    for (std::size_t at = text.find('$'); at != std::string::npos; at = text.find('$', at + 1)) {
      int n = 0;
      std::from_chars(text.data() + at + 1, text.data() + text.size(), n);
      parameters = std::max(parameters, n);
    }
    std::string name = "oat_" + std::to_string(prepared_.size() + 1);
    check(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr));
    it = prepared_.emplace(sql, Prepared{std::move(name), parameters}).first;
  }
  return Stmt(*this, &it->second.name, it->second.parameters);
}

void Connection::exec(std::string_view sql) { query(sql); }

Result Connection::query(std::string_view sql) {
  return check(PQexec(conn_, std::string(sql).c_str()));
}

std::int64_t Connection::next_token_seq() {
  Stmt s = prepare("SELECT nextval('tokens_created_seq')");
  s.step();
  return s.int64(0);
}

void Connection::continue_ids(std::string_view table) {
  const std::string name(table);
  if (name == "tokens") {
    exec("SELECT setval('tokens_created_seq', MAX(created_seq)) FROM tokens "
         "HAVING MAX(created_seq) > 0");
    return;
  }
  Result r = query("SELECT pg_get_serial_sequence('" + name + "', 'id') IS NOT NULL "
                   "FROM information_schema.columns WHERE table_name = '" + name +
                   "' AND column_name = 'id' AND table_schema = current_schema()");
  if (PQntuples(r.get()) == 0 || PQgetvalue(r.get(), 0, 0)[0] != 't') return;
  exec("SELECT setval(pg_get_serial_sequence('" + name + "', 'id'), MAX(id)) FROM " + name +
       " HAVING MAX(id) IS NOT NULL");
}

bool Connection::rollback_quietly() {
  if (!usable()) return false;
  if (PQtransactionStatus(conn_) != PQTRANS_IDLE) {
    Result(PQexec(conn_, "ROLLBACK"));
  }
  return usable() && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

}  // namespace oatd::postgres
