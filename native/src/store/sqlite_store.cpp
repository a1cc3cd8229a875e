// The SQLite store: one writer connection behind a mutex, a small pool of read-only
// connections, WAL so that readers never wait for the writer, synchronous=FULL so that a
// committed write survives a crash. Every statement is prepared once per connection and
// executed with bound parameters.
#include <pwd.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/migrations.h"
#include "store/store.h"

namespace oatd {
namespace {

using Kind = StoreError::Kind;

constexpr int kBusyTimeoutMs = 5000;
constexpr std::size_t kMaxIdleReaders = 4;

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::int64_t to_sql_count(std::size_t n) {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(std::min(n, kMax));
}

// The kind of a failed step: a taken unique key is a Conflict, a missing parent row NotFound,
// a full disk (or a file grown past what the system allows) StorageFull.
Kind kind_of(sqlite3* db, int extended_code) {
  if ((extended_code & 0xff) == SQLITE_FULL) return Kind::StorageFull;
  if ((extended_code & 0xff) == SQLITE_IOERR) {
    const int error = sqlite3_system_errno(db);
    if (error == ENOSPC || error == EFBIG || error == EDQUOT) return Kind::StorageFull;
  }
  switch (extended_code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Kind::Conflict;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Kind::NotFound;
    default:
      return Kind::Failure;
  }
}

// ---- Statements and connections -------------------------------------------------------------

// A prepared statement in use. Resets (and unbinds) it when done so the connection can reuse it.
class Stmt {
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
  // Runs a statement that returns no rows.
  void run() {
    while (step()) {
    }
  }

  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool boolean(int col) const { return int64(col) != 0; }
  Timestamp time(int col) const { return oat::from_unix(int64(col)); }
  std::optional<Timestamp> optional_time(int col) const {
    if (is_null(col)) return std::nullopt;
    return time(col);
  }
  std::optional<std::int64_t> optional_int64(int col) const {
    if (is_null(col)) return std::nullopt;
    return int64(col);
  }
  std::string text(int col) const {
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

// ---- Rows -----------------------------------------------------------------------------------

// JSON columns. nlohmann is used through its non-throwing API only: JSON_NOEXCEPTION (set by the
// core for every user) turns its exceptions into aborts, and stored text that does not parse
// must be a StoreError, not the end of the server.

std::string json_text(const std::vector<std::string>& strings) {
  return oat::json_text(nlohmann::json(strings));
}

// A token's last_addresses: a JSON array of strings.
std::vector<std::string> parse_addresses(const std::string& text, std::string_view token_id) {
  const auto value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  bool ok = value.is_array();
  std::vector<std::string> addresses;
  if (ok) {
    addresses.reserve(value.size());
    for (const auto& address : value) {
      if (!address.is_string()) {
        ok = false;
        break;
      }
      addresses.push_back(address.get_ref<const std::string&>());
    }
  }
  if (!ok) {  // the message is made only here: the caller is on every registry sign-in
    throw StoreError(Kind::Failure, "last_addresses of token " + in_quotes(token_id) +
                                        " is not a JSON array of strings");
  }
  return addresses;
}

std::string resources_text(const std::vector<oat::Resource>& resources) {
  return oat::json_text(oat::resources_json(resources));
}

std::vector<oat::Resource> parse_resources(const std::string& text, std::string_view token_id) {
  const auto value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    throw StoreError(Kind::Failure, "stored resources of token " + in_quotes(token_id) +
                                        " are not JSON");
  }
  auto parsed = oat::parse_resources_json(value);
  if (!parsed) {
    throw StoreError(Kind::Failure, "stored resources of token " + in_quotes(token_id) +
                                        " are invalid: " + parsed.error().message);
  }
  return std::move(parsed).value();
}

oat::Plan parse_stored_plan(const std::string& text, std::string_view org) {
  auto plan = oat::parse_plan(text);
  if (!plan) {
    throw StoreError(Kind::Failure,
                     "organization " + in_quotes(org) + " has an unknown plan " + in_quotes(text));
  }
  return *plan;
}

const std::string kUserColumns = "id, username, password_hash, created_at";
User read_user(const Stmt& s) {
  return User{s.int64(0), s.text(1), s.text(2), s.time(3)};
}

// "a, b" -> "t.a, t.b": a column list for a join.
std::string qualified(std::string_view table, std::string_view columns) {
  std::string out;
  while (!columns.empty()) {
    const auto comma = columns.find(',');
    std::string_view column = columns.substr(0, comma);
    while (column.starts_with(' ')) column.remove_prefix(1);
    if (!out.empty()) out += ", ";
    out.append(table).append(".").append(column);
    if (comma == std::string_view::npos) break;
    columns.remove_prefix(comma + 1);
  }
  return out;
}

// Readers take the index of their first column, so that a join can read two records from one row.
const std::string kOrganizationColumns = "id, name, plan, company_id";
constexpr int kOrganizationColumnCount = 4;
Organization read_organization(const Stmt& s, int first = 0) {
  Organization o;
  o.id = s.int64(first);
  o.name = s.text(first + 1);
  o.plan = parse_stored_plan(s.text(first + 2), o.name);
  o.company_id = s.optional_int64(first + 3);
  return o;
}

const std::string kRepositoryColumns = "org_id, name, is_public, created_at";
Repository read_repository(const Stmt& s) {
  return Repository{s.int64(0), s.text(1), s.boolean(2), s.time(3)};
}

const std::string kTokenColumns =
    "id, org_id, label, description, created_by, is_active, created_at, expires_at, "
    "last_used_at, last_addresses, resources, secret_hash, pull_count, push_count";
TokenRecord read_token(const Stmt& s, int first = 0) {
  TokenRecord t;
  t.id = s.text(first);
  t.org_id = s.int64(first + 1);
  t.label = s.text(first + 2);
  t.description = s.text(first + 3);
  t.created_by = s.text(first + 4);
  t.is_active = s.boolean(first + 5);
  t.created_at = s.time(first + 6);
  t.expires_at = s.optional_time(first + 7);
  t.last_used_at = s.optional_time(first + 8);
  t.last_addresses = parse_addresses(s.text(first + 9), t.id);
  t.resources = parse_resources(s.text(first + 10), t.id);
  t.secret_hash = s.text(first + 11);
  t.pull_count = s.int64(first + 12);
  t.push_count = s.int64(first + 13);
  return t;
}

const std::string kAuditColumns = "id, account, action, name, actor, data, timestamp";
AuditEvent read_audit_event(const Stmt& s) {
  return AuditEvent{s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.time(6)};
}

const std::string kSessionColumns = "id, user_id, secret_hash, created_at, expires_at, revoked";
Session read_session(const Stmt& s) {
  return Session{s.text(0), s.int64(1), s.text(2), s.time(3), s.time(4), s.boolean(5)};
}

// ---- Transaction ----------------------------------------------------------------------------

class SqliteTransaction final : public Transaction {
 public:
  explicit SqliteTransaction(Connection& c) : c_(c) {}

  // -- Users, companies, organizations, roles, memberships --

  std::int64_t add_user(const std::string& username, const std::string& password_hash,
                        Timestamp now) override {
    try {
      c_.prepare("INSERT INTO users (username, password_hash, created_at) VALUES (?, ?, ?)")
          .bind(1, username)
          .bind(2, password_hash)
          .bind(3, now)
          .run();
    } catch (const StoreError& e) {
      if (e.kind() == Kind::Conflict) conflict("user " + in_quotes(username) + " already exists");
      throw;
    }
    return sqlite3_last_insert_rowid(c_.db());
  }

  std::optional<User> find_user(std::string_view username) override {
    Stmt s = c_.prepare("SELECT " + kUserColumns + " FROM users WHERE username = ?");
    s.bind(1, username);
    if (!s.step()) return std::nullopt;
    return read_user(s);
  }

  std::optional<User> find_user_by_id(std::int64_t id) override {
    Stmt s = c_.prepare("SELECT " + kUserColumns + " FROM users WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_user(s);
  }

  std::int64_t add_company(const std::string& name) override {
    try {
      c_.prepare("INSERT INTO companies (name) VALUES (?)").bind(1, name).run();
    } catch (const StoreError& e) {
      if (e.kind() == Kind::Conflict) conflict("company " + in_quotes(name) + " already exists");
      throw;
    }
    return sqlite3_last_insert_rowid(c_.db());
  }

  std::optional<Company> find_company(std::string_view name) override {
    Stmt s = c_.prepare("SELECT id, name FROM companies WHERE name = ?");
    s.bind(1, name);
    if (!s.step()) return std::nullopt;
    return Company{s.int64(0), s.text(1)};
  }

  void add_company_owner(std::int64_t company_id, std::int64_t user_id) override {
    try {
      c_.prepare(
            "INSERT INTO company_owners (company_id, user_id) VALUES (?, ?) "
            "ON CONFLICT (company_id, user_id) DO NOTHING")
          .bind(1, company_id)
          .bind(2, user_id)
          .run();
    } catch (const StoreError& e) {
      if (e.kind() == Kind::NotFound) {
        require_exists("companies", "company", company_id);
        require_exists("users", "user", user_id);
      }
      throw;
    }
  }

  bool is_company_owner(std::int64_t company_id, std::int64_t user_id) override {
    Stmt s = c_.prepare("SELECT 1 FROM company_owners WHERE company_id = ? AND user_id = ?");
    s.bind(1, company_id).bind(2, user_id);
    return s.step();
  }

  std::int64_t add_organization(const std::string& name, oat::Plan plan,
                                std::optional<std::int64_t> company_id) override {
    try {
      c_.prepare("INSERT INTO organizations (name, plan, company_id) VALUES (?, ?, ?)")
          .bind(1, name)
          .bind(2, oat::plan_name(plan))
          .bind(3, company_id)
          .run();
    } catch (const StoreError& e) {
      if (e.kind() == Kind::Conflict) {
        conflict("organization " + in_quotes(name) + " already exists");
      }
      if (e.kind() == Kind::NotFound && company_id) {
        require_exists("companies", "company", *company_id);
      }
      throw;
    }
    return sqlite3_last_insert_rowid(c_.db());
  }

  std::optional<Organization> find_organization(std::string_view name) override {
    Stmt s = c_.prepare("SELECT " + kOrganizationColumns + " FROM organizations WHERE name = ?");
    s.bind(1, name);
    if (!s.step()) return std::nullopt;
    return read_organization(s);
  }

  std::optional<Organization> find_organization_by_id(std::int64_t id) override {
    Stmt s = c_.prepare("SELECT " + kOrganizationColumns + " FROM organizations WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_organization(s);
  }

  void add_custom_role(const CustomRole& role) override {
    try {
      c_.prepare("INSERT INTO custom_roles (org_id, name, manages_tokens) VALUES (?, ?, ?)")
          .bind(1, role.org_id)
          .bind(2, role.name)
          .bind(3, role.manages_tokens)
          .run();
    } catch (const StoreError& e) {
      if (e.kind() == Kind::Conflict) {
        conflict("role " + in_quotes(role.name) + " already exists in organization " +
                 org_label(role.org_id));
      }
      if (e.kind() == Kind::NotFound) require_exists("organizations", "organization", role.org_id);
      throw;
    }
  }

  std::optional<CustomRole> find_custom_role(std::int64_t org_id, std::string_view name) override {
    Stmt s = c_.prepare(
        "SELECT org_id, name, manages_tokens FROM custom_roles WHERE org_id = ? AND name = ?");
    s.bind(1, org_id).bind(2, name);
    if (!s.step()) return std::nullopt;
    return CustomRole{s.int64(0), s.text(1), s.boolean(2)};
  }

  void set_membership(const Membership& m) override {
    try {
      c_.prepare(
            "INSERT INTO memberships (org_id, user_id, role) VALUES (?, ?, ?) "
            "ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role")
          .bind(1, m.org_id)
          .bind(2, m.user_id)
          .bind(3, m.role)
          .run();
    } catch (const StoreError& e) {
      if (e.kind() == Kind::NotFound) {
        require_exists("organizations", "organization", m.org_id);
        require_exists("users", "user", m.user_id);
      }
      throw;
    }
  }

  std::optional<Membership> find_membership(std::int64_t org_id, std::int64_t user_id) override {
    Stmt s = c_.prepare(
        "SELECT org_id, user_id, role FROM memberships WHERE org_id = ? AND user_id = ?");
    s.bind(1, org_id).bind(2, user_id);
    if (!s.step()) return std::nullopt;
    return Membership{s.int64(0), s.int64(1), s.text(2)};
  }

  std::vector<Organization> organizations_of_user(std::int64_t user_id) override {
    Stmt s = c_.prepare(
        "SELECT " + kOrganizationColumns + " FROM organizations "
        "WHERE id IN (SELECT org_id FROM memberships WHERE user_id = ?1) "
        "   OR company_id IN (SELECT company_id FROM company_owners WHERE user_id = ?1) "
        "ORDER BY name");
    s.bind(1, user_id);
    std::vector<Organization> result;
    while (s.step()) result.push_back(read_organization(s));
    return result;
  }

  // -- Repositories --

  void add_repository(const Repository& r) override {
    try {
      c_.prepare(
            "INSERT INTO repositories (org_id, name, is_public, created_at) VALUES (?, ?, ?, ?)")
          .bind(1, r.org_id)
          .bind(2, r.name)
          .bind(3, r.is_public)
          .bind(4, r.created_at)
          .run();
    } catch (const StoreError& e) {
      if (e.kind() == Kind::Conflict) {
        auto org = find_organization_by_id(r.org_id);
        conflict("repository " + in_quotes((org ? org->name : "#" + std::to_string(r.org_id)) +
                                        "/" + r.name) +
                 " already exists");
      }
      if (e.kind() == Kind::NotFound) require_exists("organizations", "organization", r.org_id);
      throw;
    }
  }

  std::optional<Repository> find_repository(std::int64_t org_id, std::string_view name) override {
    Stmt s = c_.prepare("SELECT " + kRepositoryColumns +
                        " FROM repositories WHERE org_id = ? AND name = ?");
    s.bind(1, org_id).bind(2, name);
    if (!s.step()) return std::nullopt;
    return read_repository(s);
  }

  std::vector<Repository> list_repositories(std::int64_t org_id, std::size_t offset,
                                            std::size_t limit) override {
    Stmt s = c_.prepare("SELECT " + kRepositoryColumns +
                        " FROM repositories WHERE org_id = ? ORDER BY name LIMIT ? OFFSET ?");
    s.bind(1, org_id).bind(2, to_sql_count(limit)).bind(3, to_sql_count(offset));
    std::vector<Repository> result;
    while (s.step()) result.push_back(read_repository(s));
    return result;
  }

  std::size_t count_repositories(std::int64_t org_id) override {
    Stmt s = c_.prepare("SELECT COUNT(*) FROM repositories WHERE org_id = ?");
    s.bind(1, org_id);
    s.step();
    return static_cast<std::size_t>(s.int64(0));
  }

  // -- Tokens --

  void insert_token(const TokenRecord& t) override {
    try {
      c_.prepare("INSERT INTO tokens (" + kTokenColumns +
                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
          .bind(1, t.id)
          .bind(2, t.org_id)
          .bind(3, t.label)
          .bind(4, t.description)
          .bind(5, t.created_by)
          .bind(6, t.is_active)
          .bind(7, t.created_at)
          .bind(8, t.expires_at)
          .bind(9, t.last_used_at)
          .bind(10, json_text(t.last_addresses))
          .bind(11, resources_text(t.resources))
          .bind(12, t.secret_hash)
          .bind(13, t.pull_count)
          .bind(14, t.push_count)
          .run();
    } catch (const StoreError& e) {
      if (e.kind() == Kind::Conflict) {
        if (std::string_view(e.what()).find("secret_hash") != std::string_view::npos) {
          conflict("a token with the same secret hash already exists");
        }
        conflict("token " + in_quotes(t.id) + " already exists");
      }
      if (e.kind() == Kind::NotFound) require_exists("organizations", "organization", t.org_id);
      throw;
    }
  }

  void update_token(const TokenRecord& t) override {
    Stmt s = c_.prepare(
        "UPDATE tokens SET label = ?, description = ?, is_active = ?, resources = ? "
        "WHERE id = ? AND org_id = ?");
    s.bind(1, t.label)
        .bind(2, t.description)
        .bind(3, t.is_active)
        .bind(4, resources_text(t.resources))
        .bind(5, t.id)
        .bind(6, t.org_id)
        .run();
    if (sqlite3_changes(c_.db()) == 0) {
      not_found("token " + in_quotes(t.id) + " not found in organization " + org_label(t.org_id));
    }
  }

  bool delete_token(const std::string& id) override {
    c_.prepare("DELETE FROM tokens WHERE id = ?").bind(1, id).run();
    return sqlite3_changes(c_.db()) > 0;
  }

  std::optional<TokenRecord> find_token(std::int64_t org_id, const std::string& id) override {
    Stmt s = c_.prepare("SELECT " + kTokenColumns + " FROM tokens WHERE id = ? AND org_id = ?");
    s.bind(1, id).bind(2, org_id);
    if (!s.step()) return std::nullopt;
    return read_token(s);
  }

  std::optional<TokenRecord> find_token_by_hash(const std::string& secret_hash) override {
    Stmt s = c_.prepare("SELECT " + kTokenColumns + " FROM tokens WHERE secret_hash = ?");
    s.bind(1, secret_hash);
    if (!s.step()) return std::nullopt;
    return read_token(s);
  }

  std::optional<OrganizationToken> find_organization_token(
      std::string_view org_name, const std::string& secret_hash) override {
    // The organization by its unique name, then its token through the secret-hash index; the
    // token's columns are NULL when it has none with that hash. Built once: this runs on every
    // registry sign-in.
    static const std::string sql =
        "SELECT " + qualified("o", kOrganizationColumns) + ", " + qualified("t", kTokenColumns) +
        " FROM organizations AS o"
        " LEFT JOIN tokens AS t ON t.secret_hash = ?2 AND t.org_id = o.id"
        " WHERE o.name = ?1";
    Stmt s = c_.prepare(sql);
    s.bind(1, org_name).bind(2, secret_hash);
    if (!s.step()) return std::nullopt;
    OrganizationToken found{read_organization(s), std::nullopt};
    if (!s.is_null(kOrganizationColumnCount)) found.token = read_token(s, kOrganizationColumnCount);
    return found;
  }

  std::vector<TokenRecord> list_tokens(std::int64_t org_id, std::size_t offset,
                                       std::size_t limit) override {
    Stmt s = c_.prepare("SELECT " + kTokenColumns +
                        " FROM tokens WHERE org_id = ? "
                        "ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?");
    s.bind(1, org_id).bind(2, to_sql_count(limit)).bind(3, to_sql_count(offset));
    std::vector<TokenRecord> result;
    while (s.step()) result.push_back(read_token(s));
    return result;
  }

  std::size_t count_tokens(std::int64_t org_id) override {
    Stmt s = c_.prepare("SELECT COUNT(*) FROM tokens WHERE org_id = ?");
    s.bind(1, org_id);
    s.step();
    return static_cast<std::size_t>(s.int64(0));
  }

  TokenStateCounts count_tokens_by_state(Timestamp now) override {
    // The state is the core's rule (oat::derive_state): expired wins over the active flag.
    std::size_t kept[2][2] = {{0, 0}, {0, 0}};  // [is_active][expiry_counted]
    {
      Stmt s = c_.prepare("SELECT is_active, expiry_counted, n FROM token_counts");
      while (s.step()) {
        kept[s.boolean(0) ? 1 : 0][s.boolean(1) ? 1 : 0] = static_cast<std::size_t>(s.int64(2));
      }
    }
    std::size_t unsettled[2] = {0, 0};  // [is_active]: past their expiry, not settled yet
    {
      Stmt s = c_.prepare(
          "SELECT is_active, COUNT(*) FROM tokens "
          "WHERE expires_at IS NOT NULL AND expiry_counted = 0 AND expires_at <= ? "
          "GROUP BY is_active");
      s.bind(1, now);
      while (s.step()) unsettled[s.boolean(0) ? 1 : 0] = static_cast<std::size_t>(s.int64(1));
    }
    TokenStateCounts counts;
    counts.unsettled = unsettled[0] + unsettled[1];
    counts.active = kept[1][0] - std::min(kept[1][0], unsettled[1]);
    counts.inactive = kept[0][0] - std::min(kept[0][0], unsettled[0]);
    counts.expired = kept[0][1] + kept[1][1] + counts.unsettled;
    return counts;
  }

  std::size_t settle_token_expiries(Timestamp now) override {
    c_.prepare(
          "UPDATE tokens SET expiry_counted = 1 "
          "WHERE expires_at IS NOT NULL AND expiry_counted = 0 AND expires_at <= ?")
        .bind(1, now)
        .run();
    return static_cast<std::size_t>(sqlite3_changes(c_.db()));
  }

  void record_token_use(const std::string& id, Timestamp at, const std::string& address) override {
    std::vector<std::string> addresses;
    {
      Stmt s = c_.prepare("SELECT last_addresses FROM tokens WHERE id = ?");
      s.bind(1, id);
      if (!s.step()) not_found("token " + in_quotes(id) + " not found");
      addresses = parse_addresses(s.text(0), id);
    }
    oat::note_last_address(addresses, address);
    c_.prepare("UPDATE tokens SET last_used_at = ?, last_addresses = ? WHERE id = ?")
        .bind(1, at)
        .bind(2, json_text(addresses))
        .bind(3, id)
        .run();
  }

  void add_token_counts(const std::string& id, std::int64_t pulls, std::int64_t pushes) override {
    c_.prepare(
          "UPDATE tokens SET pull_count = pull_count + ?, push_count = push_count + ? "
          "WHERE id = ?")
        .bind(1, pulls)
        .bind(2, pushes)
        .bind(3, id)
        .run();
    if (sqlite3_changes(c_.db()) == 0) not_found("token " + in_quotes(id) + " not found");
  }

  // -- Audit log --

  void add_audit_event(const AuditEvent& e) override {
    c_.prepare(
          "INSERT INTO audit_events (account, action, name, actor, data, timestamp) "
          "VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, e.account)
        .bind(2, e.action)
        .bind(3, e.name)
        .bind(4, e.actor)
        .bind(5, e.data.empty() ? std::string("{}") : e.data)
        .bind(6, e.timestamp)
        .run();
  }

  std::vector<AuditEvent> list_audit_events(const AuditQuery& q) override {
    Stmt s = c_.prepare("SELECT " + kAuditColumns + " FROM audit_events" + audit_where(q) +
                        " ORDER BY timestamp DESC, id DESC LIMIT ? OFFSET ?");
    int next = bind_audit_filters(s, q);
    s.bind(next, to_sql_count(q.limit)).bind(next + 1, to_sql_count(q.offset));
    std::vector<AuditEvent> result;
    while (s.step()) result.push_back(read_audit_event(s));
    return result;
  }

  std::size_t count_audit_events(const AuditQuery& q) override {
    Stmt s = c_.prepare("SELECT COUNT(*) FROM audit_events" + audit_where(q));
    bind_audit_filters(s, q);
    s.step();
    return static_cast<std::size_t>(s.int64(0));
  }

  // -- Console sessions --

  void insert_session(const Session& session) override {
    try {
      c_.prepare("INSERT INTO sessions (" + kSessionColumns + ") VALUES (?, ?, ?, ?, ?, ?)")
          .bind(1, session.id)
          .bind(2, session.user_id)
          .bind(3, session.secret_hash)
          .bind(4, session.created_at)
          .bind(5, session.expires_at)
          .bind(6, session.revoked)
          .run();
    } catch (const StoreError& e) {
      if (e.kind() == Kind::Conflict) {
        conflict("session " + in_quotes(session.id) + " already exists");
      }
      if (e.kind() == Kind::NotFound) require_exists("users", "user", session.user_id);
      throw;
    }
  }

  std::optional<Session> find_session(const std::string& id) override {
    Stmt s = c_.prepare("SELECT " + kSessionColumns + " FROM sessions WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_session(s);
  }

  void revoke_session(const std::string& id) override {
    c_.prepare("UPDATE sessions SET revoked = 1 WHERE id = ?").bind(1, id).run();
    if (sqlite3_changes(c_.db()) == 0) not_found("session " + in_quotes(id) + " not found");
  }

 private:
  [[noreturn]] static void conflict(const std::string& message) {
    throw StoreError(Kind::Conflict, message);
  }
  [[noreturn]] static void not_found(const std::string& message) {
    throw StoreError(Kind::NotFound, message);
  }

  // After a foreign-key failure: throws NotFound naming the parent if it is the missing one.
  // `table` is one of our constant table names, never a value from outside.
  void require_exists(const std::string& table, const std::string& what, std::int64_t id) {
    Stmt s = c_.prepare("SELECT 1 FROM " + table + " WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) not_found(what + " " + std::to_string(id) + " does not exist");
  }

  // "\"acme\"" for an existing organization, "#7" otherwise (for messages).
  std::string org_label(std::int64_t org_id) {
    auto org = find_organization_by_id(org_id);
    return org ? in_quotes(org->name) : "#" + std::to_string(org_id);
  }

  // The WHERE clause for a query: fixed fragments chosen by which filters are present; the
  // values are bound by bind_audit_filters, in the same order.
  static std::string audit_where(const AuditQuery& q) {
    std::string where = " WHERE account = ?";
    if (q.action) where += " AND action = ?";
    if (q.from) where += " AND timestamp >= ?";
    if (q.to) where += " AND timestamp <= ?";
    return where;
  }
  // Returns the next free parameter index.
  static int bind_audit_filters(Stmt& s, const AuditQuery& q) {
    int i = 1;
    s.bind(i++, q.account);
    if (q.action) s.bind(i++, *q.action);
    if (q.from) s.bind(i++, *q.from);
    if (q.to) s.bind(i++, *q.to);
    return i;
  }

  Connection& c_;
};

// ---- Store ----------------------------------------------------------------------------------

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
                   "database " + in_quotes(path) + " has schema version " +
                       std::to_string(version) + ", newer than this oatd supports (" +
                       std::to_string(store::latest_schema_version()) +
                       "); it was written by a newer oatd: upgrade oatd to open it");
}

// Which store, if any, this thread is inside a write() of (to refuse a nested write rather than
// deadlock on the writer mutex).
thread_local const void* tl_writing_store = nullptr;

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
      SqliteTransaction tx(*c);
      work(tx);
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
    if (tl_writing_store == this) {
      throw StoreError(Kind::Failure, "write() called inside a write transaction of this store");
    }
    std::lock_guard lock(write_mutex_);
    WritingMark mark(this);
    writer_->rollback_quietly();  // in case an earlier failure left one open
    writer_->run("BEGIN IMMEDIATE");
    try {
      SqliteTransaction tx(*writer_);
      work(tx);
      writer_->run("COMMIT");
    } catch (...) {
      writer_->rollback_quietly();
      throw;
    }
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
    // Check before changing anything in the file (journal mode is persistent).
    if (int v = writer_->user_version(); v > store::latest_schema_version()) refuse_newer(path_, v);
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

  struct WritingMark {
    explicit WritingMark(const void* store) : previous(tl_writing_store) {
      tl_writing_store = store;
    }
    ~WritingMark() { tl_writing_store = previous; }
    const void* previous;
  };

  // Applies each pending migration in its own transaction. The version is read again inside
  // the transaction, so two processes opening the same file at once do not both migrate.
  void migrate() {
    const int latest = store::latest_schema_version();
    for (const store::Migration& m : store::migrations()) {
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
    return c;
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
