// The Store interface, every test run against each backend (StoreTest.<Test>/<backend>: SQLite,
// a real database file, and PostgreSQL, a real server), in a fresh temporary folder (and
// database) per test. Then the SQLite backend's
// own tests (SqliteStore.<Test>), which read its file directly: schema and migrations, stored
// values, WAL files, query plans.
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <chrono>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <mutex>
#include <optional>
#include <set>
#include <ostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "oat/oat.h"
#include "store/migrations.h"
#include "store/postgres/connection.h"
#include "store/store.h"
#include "temp_dir.h"

namespace {

using oatd::AuditEvent;
using oatd::AuditQuery;
using oatd::DeliveryRecord;
using oatd::CustomRole;
using oatd::Membership;
using oatd::OidcConnectionRecord;
using oatd::Repository;
using oatd::SessionRecord;
using oatd::Store;
using oatd::StoreError;
using oatd::TokenRecord;
using oatd::Transaction;
using oatd::WebhookRecord;
using Kind = oatd::StoreError::Kind;
using oatd_test::TempDir;

oat::Timestamp at(long long seconds) { return oat::from_unix(seconds); }
constexpr long long kT0 = 1'760'000'000;  // an arbitrary instant in 2025

// A direct SQLite connection, to look at the file the way an operator would.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
      throw std::runtime_error("cannot open " + path);
    }
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // Every row's columns, as text (NULL as "NULL").
  std::vector<std::vector<std::string>> query(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sqlite3_errmsg(db_));
    }
    std::vector<std::vector<std::string>> rows;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
        row.emplace_back(text ? text : "NULL");
      }
      rows.push_back(std::move(row));
    }
    std::string error = sqlite3_errmsg(db_);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) throw std::runtime_error(error);
    return rows;
  }
  std::string scalar(const std::string& sql) { return query(sql).at(0).at(0); }

 private:
  sqlite3* db_ = nullptr;
};

// Runs `f` and returns the StoreError it throws (a test failure if it throws none).
template <class F>
StoreError store_error(F&& f) {
  try {
    f();
  } catch (const StoreError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a StoreError";
  return StoreError(Kind::Failure, "(none thrown)");
}

std::vector<oat::Resource> sample_resources() {
  return {
      {oat::ResourceType::Repo, "acme/app", {oat::Scope::ImagePush}},
      {oat::ResourceType::Repo, "acme/*", {oat::Scope::ImagePull, oat::Scope::TagRead}},
      {oat::ResourceType::Repo, "*/*/public", {oat::Scope::ImagePull}},
      {oat::ResourceType::Org, "acme", {oat::Scope::MemberRead, oat::Scope::RepositoryCreate}},
  };
}

TokenRecord make_token(std::int64_t org_id, const std::string& id, long long created_at,
                       const std::string& secret_hash) {
  TokenRecord t;
  t.id = id;
  t.org_id = org_id;
  t.label = "label " + id;
  t.description = "description " + id;
  t.created_by = "alice";
  t.created_at = at(created_at);
  t.resources = {{oat::ResourceType::Repo, "acme/*", {oat::Scope::ImagePull}}};
  t.secret_hash = secret_hash;
  return t;
}

// A token with every optional field set.
TokenRecord token_with_every_field(std::int64_t org_id, const std::string& id,
                                   const std::string& secret_hash) {
  TokenRecord t = make_token(org_id, id, kT0, secret_hash);
  t.expires_at = at(kT0 + 86400);
  t.last_used_at = at(kT0 + 60);
  t.last_addresses = {"10.0.0.2", "10.0.0.1"};
  t.resources = sample_resources();
  t.pull_count = 7;
  t.push_count = 3;
  return t;
}

void expect_same_token(const TokenRecord& found, const TokenRecord& expected) {
  EXPECT_EQ(found.id, expected.id);
  EXPECT_EQ(found.org_id, expected.org_id);
  EXPECT_EQ(found.label, expected.label);
  EXPECT_EQ(found.description, expected.description);
  EXPECT_EQ(found.created_by, expected.created_by);
  EXPECT_EQ(found.is_active, expected.is_active);
  EXPECT_EQ(found.created_at, expected.created_at);
  EXPECT_EQ(found.expires_at, expected.expires_at);
  EXPECT_EQ(found.last_used_at, expected.last_used_at);
  EXPECT_EQ(found.last_addresses, expected.last_addresses);
  EXPECT_EQ(found.resources, expected.resources);
  EXPECT_EQ(found.secret_hash, expected.secret_hash);
  EXPECT_EQ(found.pull_count, expected.pull_count);
  EXPECT_EQ(found.push_count, expected.push_count);
}

std::string hash_for(const std::string& id) {
  // 64 lower-case hex characters, distinct per id (the store does not care how it was made).
  std::string h = std::to_string(std::hash<std::string>{}(id));
  std::string hex;
  for (char c : h) hex += "0123456789abcdef"[(c - '0') % 16];
  return (hex + std::string(64, 'a')).substr(0, 64);
}

AuditQuery audit_query(const std::string& account) {
  AuditQuery q;
  q.account = account;
  return q;
}

std::vector<std::string> ids_of(const std::vector<TokenRecord>& tokens) {
  std::vector<std::string> ids;
  for (const auto& t : tokens) ids.push_back(t.id);
  return ids;
}

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Counts by state: {active, inactive, expired}.
struct Counts {
  std::size_t active, inactive, expired;
  bool operator==(const Counts&) const = default;
  friend std::ostream& operator<<(std::ostream& out, const Counts& c) {
    return out << "{active " << c.active << ", inactive " << c.inactive << ", expired " << c.expired
               << "}";
  }
};

// ---- Backends -------------------------------------------------------------------------------

// A Store backend under test. `open` opens a store on the data kept in a folder (fresh and empty
// for each test); opening again on the same folder reaches the same data. `sqlite_file` names the
// SQLite file in the folder holding the data, for the few checks of StoreTest that read it
// directly; "" for a backend that keeps its data elsewhere (those checks are then left out).
struct Backend {
  std::string name;  // the tests' parameter: StoreTest.<Test>/<name>
  std::function<std::unique_ptr<Store>(const TempDir& dir)> open;
  std::string sqlite_file;
};

void PrintTo(const Backend& backend, std::ostream* os) { *os << backend.name; }

const Backend kSqlite{
    "sqlite", [](const TempDir& dir) { return oatd::open_sqlite_store(dir.file("oatd.db")); },
    "oatd.db"};

// PostgreSQL: a database of its own for each test folder, on the cluster at $OAT_TEST_POSTGRES
// (scripts/test starts a throwaway cluster and sets it), named after the folder so that
// opening again reaches the same data.
std::string postgres_database(const TempDir& dir) {
  const char* cluster = std::getenv("OAT_TEST_POSTGRES");
  if (!cluster || !*cluster) {
    throw std::runtime_error(
        "OAT_TEST_POSTGRES is not set: scripts/test starts a PostgreSQL cluster and sets it "
        "(or set it to a libpq URI of a cluster's maintenance database as a superuser)");
  }
  std::string name = "oat_" + dir.path().filename().string();
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
    return std::isalnum(c) ? static_cast<char>(std::tolower(c)) : '_';
  });
  oatd::postgres::Connection admin(cluster);
  auto exists = admin.query("SELECT 1 FROM pg_database WHERE datname = '" + name + "'");
  if (PQntuples(exists.get()) == 0) admin.exec("CREATE DATABASE " + name);
  // The cluster's URI with the path (its database) replaced: postgresql://user@/postgres?host=...
  std::string uri = cluster;
  const auto path = uri.find('/', uri.find("://") + 3);
  const auto query = uri.find('?', path);
  return uri.substr(0, path + 1) + name + (query == std::string::npos ? "" : uri.substr(query));
}

const Backend kPostgres{
    "postgres",
    [](const TempDir& dir) { return oatd::open_postgres_store(postgres_database(dir), 8); }, ""};

// Every StoreTest runs once for each of these.
const Backend kBackends[] = {kSqlite, kPostgres};

// A store on data in a fresh temporary folder, and short ways to use it.
class StoreFixture : public ::testing::Test {
 protected:
  // A new store on the folder's data (the same data each time).
  virtual std::unique_ptr<Store> open_store() = 0;

  void SetUp() override { store_ = open_store(); }
  void TearDown() override { store_.reset(); }

  // Runs f in a write transaction and returns its result.
  template <class F>
  auto write(F&& f) {
    using R = std::invoke_result_t<F&, Transaction&>;
    if constexpr (std::is_void_v<R>) {
      store_->write([&](Transaction& tx) { f(tx); });
    } else {
      std::optional<R> result;
      store_->write([&](Transaction& tx) { result.emplace(f(tx)); });
      return std::move(*result);
    }
  }
  template <class F>
  auto read(F&& f) {
    using R = std::invoke_result_t<F&, Transaction&>;
    std::optional<R> result;
    store_->read([&](Transaction& tx) { result.emplace(f(tx)); });
    return std::move(*result);
  }

  std::int64_t add_org(const std::string& name, oat::Plan plan = oat::Plan::Team,
                       std::optional<std::int64_t> company = std::nullopt) {
    return write([&](Transaction& tx) { return tx.add_organization(name, plan, company); });
  }
  std::int64_t add_user(const std::string& name) {
    return write([&](Transaction& tx) { return tx.add_user(name, "$argon2id$stub", at(kT0)); });
  }
  void insert(const TokenRecord& t) {
    write([&](Transaction& tx) { tx.insert_token(t); });
  }
  Counts state_counts(long long now) {
    const auto c = read([&](Transaction& tx) { return tx.count_tokens_by_state(at(now)); });
    return Counts{c.active, c.inactive, c.expired};
  }
  void add_event(const std::string& account, const std::string& action, long long when,
                 const std::string& name = "ci") {
    write([&](Transaction& tx) {
      tx.add_audit_event(AuditEvent{0, account, action, name, "alice", R"({"k":1})", at(when)});
    });
  }

  TempDir dir_{"oatd-store"};  // declared first: it goes after the store
  std::unique_ptr<Store> store_;
};

// The Store interface, once per backend.
class StoreTest : public StoreFixture, public ::testing::WithParamInterface<Backend> {
 protected:
  std::unique_ptr<Store> open_store() override { return GetParam().open(dir_); }

  // A direct connection to the backend's SQLite file, for checks only such a file allows; null
  // when the backend keeps its data elsewhere (the check is then left out).
  std::unique_ptr<RawDb> sqlite_file() const {
    if (GetParam().sqlite_file.empty()) return nullptr;
    return std::make_unique<RawDb>(dir_.file(GetParam().sqlite_file));
  }
};

INSTANTIATE_TEST_SUITE_P(, StoreTest, ::testing::ValuesIn(kBackends),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param.name;
                         });

// The SQLite backend alone: these tests read its file.
class SqliteStore : public StoreFixture {
 protected:
  std::unique_ptr<Store> open_store() override { return kSqlite.open(dir_); }

  const std::string path_ = dir_.file(kSqlite.sqlite_file);
};

// ---- Reopening ------------------------------------------------------------------------------

TEST_P(StoreTest, ReopeningAnExistingDatabaseKeepsItsData) {
  auto org = add_org("acme");
  insert(make_token(org, "t1", kT0, hash_for("t1")));
  store_.reset();

  store_ = open_store();
  auto token = read([](Transaction& tx) { return tx.find_token_by_hash(hash_for("t1")); });
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(token->id, "t1");
  if (auto file = sqlite_file()) {  // and the file stays at the latest schema version
    EXPECT_EQ(file->scalar("PRAGMA user_version"),
              std::to_string(oatd::store::latest_schema_version(oatd::store::Dialect::SQLite)));
  }
}

// ---- Constraints ----------------------------------------------------------------------------

TEST_P(StoreTest, ATakenUsernameIsAConflict) {
  add_user("alice");
  auto e = store_error([&] { add_user("alice"); });
  EXPECT_EQ(e.kind(), Kind::Conflict);
  EXPECT_STREQ(e.what(), R"(user "alice" already exists)");
}

TEST_P(StoreTest, ATakenOrganizationNameIsAConflict) {
  add_org("acme");
  auto e = store_error([&] { add_org("acme", oat::Plan::Business); });
  EXPECT_EQ(e.kind(), Kind::Conflict);
  EXPECT_STREQ(e.what(), R"(organization "acme" already exists)");
}

TEST_P(StoreTest, ATakenCompanyNameIsAConflict) {
  write([](Transaction& tx) { tx.add_company("megacorp"); });
  auto e = store_error([&] { write([](Transaction& tx) { tx.add_company("megacorp"); }); });
  EXPECT_EQ(e.kind(), Kind::Conflict);
  EXPECT_STREQ(e.what(), R"(company "megacorp" already exists)");
}

TEST_P(StoreTest, RepositoryNamesAreUniqueWithinAnOrganizationOnly) {
  auto acme = add_org("acme");
  auto other = add_org("other");
  write([&](Transaction& tx) {
    tx.add_repository({acme, "app", false, at(kT0)});
    tx.add_repository({other, "app", true, at(kT0)});
  });
  auto e = store_error([&] {
    write([&](Transaction& tx) { tx.add_repository({acme, "app", true, at(kT0)}); });
  });
  EXPECT_EQ(e.kind(), Kind::Conflict);
  EXPECT_STREQ(e.what(), R"(repository "acme/app" already exists)");
}

TEST_P(StoreTest, CustomRoleNamesAreUniqueWithinAnOrganizationOnly) {
  auto acme = add_org("acme");
  auto other = add_org("other");
  write([&](Transaction& tx) {
    tx.add_custom_role({acme, "ci-admin", true});
    tx.add_custom_role({other, "ci-admin", false});
  });
  auto e = store_error(
      [&] { write([&](Transaction& tx) { tx.add_custom_role({acme, "ci-admin", false}); }); });
  EXPECT_EQ(e.kind(), Kind::Conflict);
  EXPECT_STREQ(e.what(), R"(role "ci-admin" already exists in organization "acme")");
}

TEST_P(StoreTest, ATakenTokenIdOrSecretHashIsAConflict) {
  auto org = add_org("acme");
  insert(make_token(org, "t1", kT0, hash_for("t1")));
  auto same_id = store_error([&] { insert(make_token(org, "t1", kT0, hash_for("other"))); });
  EXPECT_EQ(same_id.kind(), Kind::Conflict);
  EXPECT_STREQ(same_id.what(), R"(token "t1" already exists)");
  auto same_hash = store_error([&] { insert(make_token(org, "t2", kT0, hash_for("t1"))); });
  EXPECT_EQ(same_hash.kind(), Kind::Conflict);
  EXPECT_STREQ(same_hash.what(), "a token with the same secret hash already exists");
}

TEST_P(StoreTest, AMissingParentIsNotFound) {
  auto org = add_org("acme");
  auto user = add_user("alice");
  auto no_company = store_error([&] { add_org("beta", oat::Plan::Team, 42); });
  EXPECT_EQ(no_company.kind(), Kind::NotFound);
  EXPECT_STREQ(no_company.what(), "company 42 does not exist");

  auto no_org = store_error([&] { insert(make_token(777, "t1", kT0, hash_for("t1"))); });
  EXPECT_EQ(no_org.kind(), Kind::NotFound);
  EXPECT_STREQ(no_org.what(), "organization 777 does not exist");

  auto no_user = store_error([&] {
    write([&](Transaction& tx) { tx.set_membership({org, 999, "member"}); });
  });
  EXPECT_EQ(no_user.kind(), Kind::NotFound);
  EXPECT_STREQ(no_user.what(), "user 999 does not exist");

  auto no_session_user = store_error([&] {
    write([&](Transaction& tx) { tx.insert_session({"s1", user + 100, "h", at(kT0), at(kT0)}); });
  });
  EXPECT_EQ(no_session_user.kind(), Kind::NotFound);
}

TEST_P(StoreTest, ACaughtConstraintFailureLeavesTheTransactionUsable) {
  write([&](Transaction& tx) {
    tx.add_organization("acme", oat::Plan::Team, std::nullopt);
    EXPECT_THROW(tx.add_organization("acme", oat::Plan::Team, std::nullopt), StoreError);
    tx.add_organization("beta", oat::Plan::Business, std::nullopt);
  });
  EXPECT_TRUE(read([](Transaction& tx) { return tx.find_organization("acme").has_value(); }));
  EXPECT_TRUE(read([](Transaction& tx) { return tx.find_organization("beta").has_value(); }));
}

// ---- Users, companies, organizations, memberships -------------------------------------------

TEST_P(StoreTest, UsersAreFoundByNameAndById) {
  auto id = write([](Transaction& tx) { return tx.add_user("alice", "$argon2id$x", at(kT0)); });
  auto by_name = read([](Transaction& tx) { return tx.find_user("alice"); });
  auto by_id = read([&](Transaction& tx) { return tx.find_user_by_id(id); });
  ASSERT_TRUE(by_name && by_id);
  EXPECT_EQ(by_name->id, id);
  EXPECT_EQ(by_name->username, "alice");
  EXPECT_EQ(by_name->password_hash, "$argon2id$x");
  EXPECT_EQ(by_name->created_at, at(kT0));
  EXPECT_EQ(by_id->username, "alice");
  EXPECT_FALSE(read([](Transaction& tx) { return tx.find_user("bob").has_value(); }));
}

TEST_P(StoreTest, OrganizationsKeepTheirPlanAndCompany) {
  auto company = write([](Transaction& tx) { return tx.add_company("megacorp"); });
  auto free_id = add_org("f", oat::Plan::Free);
  auto team_id = add_org("t", oat::Plan::Team, company);
  add_org("b", oat::Plan::Business);
  read([&](Transaction& tx) {
    EXPECT_EQ(tx.find_organization("f")->plan, oat::Plan::Free);
    EXPECT_EQ(tx.find_organization("t")->plan, oat::Plan::Team);
    EXPECT_EQ(tx.find_organization("b")->plan, oat::Plan::Business);
    EXPECT_EQ(tx.find_organization("t")->company_id, company);
    EXPECT_EQ(tx.find_organization("f")->company_id, std::nullopt);
    EXPECT_EQ(tx.find_organization_by_id(team_id)->name, "t");
    EXPECT_EQ(tx.find_organization_by_id(free_id)->name, "f");
    EXPECT_EQ(tx.find_company("megacorp")->id, company);
    EXPECT_FALSE(tx.find_organization("nope").has_value());
    return 0;
  });
}

TEST_P(StoreTest, SetMembershipAddsThenReplacesTheRole) {
  auto org = add_org("acme");
  auto user = add_user("alice");
  write([&](Transaction& tx) { tx.set_membership({org, user, "member"}); });
  write([&](Transaction& tx) { tx.set_membership({org, user, "ci-admin"}); });
  auto m = read([&](Transaction& tx) { return tx.find_membership(org, user); });
  ASSERT_TRUE(m);
  EXPECT_EQ(m->role, "ci-admin");
  if (auto file = sqlite_file()) {
    EXPECT_EQ(file->scalar("SELECT COUNT(*) FROM memberships"), "1");
  }
}

TEST_P(StoreTest, CustomRolesAreFoundByOrganizationAndName) {
  auto org = add_org("acme");
  write([&](Transaction& tx) { tx.add_custom_role({org, "ci-admin", true}); });
  auto role = read([&](Transaction& tx) { return tx.find_custom_role(org, "ci-admin"); });
  ASSERT_TRUE(role);
  EXPECT_TRUE(role->manages_tokens);
  EXPECT_FALSE(read([&](Transaction& tx) { return tx.find_custom_role(org, "x").has_value(); }));
}

TEST_P(StoreTest, CompanyOwnershipIsRecordedOnce) {
  auto user = add_user("alice");
  auto other = add_user("bob");
  auto company = write([](Transaction& tx) { return tx.add_company("megacorp"); });
  write([&](Transaction& tx) {
    tx.add_company_owner(company, user);
    tx.add_company_owner(company, user);
  });
  EXPECT_TRUE(read([&](Transaction& tx) { return tx.is_company_owner(company, user); }));
  EXPECT_FALSE(read([&](Transaction& tx) { return tx.is_company_owner(company, other); }));
  if (auto file = sqlite_file()) {
    EXPECT_EQ(file->scalar("SELECT COUNT(*) FROM company_owners"), "1");
  }
}

TEST_P(StoreTest, OrganizationsOfAUserAreMembershipsAndOwnedCompaniesDistinctByName) {
  auto alice = add_user("alice");
  auto bob = add_user("bob");
  auto company = write([](Transaction& tx) { return tx.add_company("megacorp"); });
  auto zeta = add_org("zeta");
  add_org("beta", oat::Plan::Team, company);
  auto alpha = add_org("alpha", oat::Plan::Team, company);
  auto other = add_org("other");
  write([&](Transaction& tx) {
    tx.add_company_owner(company, alice);
    tx.set_membership({zeta, alice, "member"});
    tx.set_membership({alpha, alice, "owner"});  // also via the company: listed once
    tx.set_membership({other, bob, "owner"});
  });
  auto orgs = read([&](Transaction& tx) { return tx.organizations_of_user(alice); });
  std::vector<std::string> names;
  for (const auto& o : orgs) names.push_back(o.name);
  EXPECT_EQ(names, (std::vector<std::string>{"alpha", "beta", "zeta"}));
  EXPECT_TRUE(read([&](Transaction& tx) { return tx.organizations_of_user(999).empty(); }));
}

TEST_P(StoreTest, RepositoriesAreListedByNameInPagesAndCounted) {
  auto org = add_org("acme");
  auto other = add_org("other");
  write([&](Transaction& tx) {
    for (const char* name : {"web", "app", "db", "api"}) {
      tx.add_repository({org, name, std::string(name) == "web", at(kT0)});
    }
    tx.add_repository({other, "zzz", false, at(kT0)});
  });
  auto names = [&](std::size_t offset, std::size_t limit) {
    std::vector<std::string> out;
    for (const auto& r :
         read([&](Transaction& tx) { return tx.list_repositories(org, offset, limit); })) {
      out.push_back(r.name);
    }
    return out;
  };
  EXPECT_EQ(names(0, 10), (std::vector<std::string>{"api", "app", "db", "web"}));
  EXPECT_EQ(names(1, 2), (std::vector<std::string>{"app", "db"}));
  EXPECT_TRUE(names(4, 10).empty());
  EXPECT_EQ(read([&](Transaction& tx) { return tx.count_repositories(org); }), 4u);
  auto web = read([&](Transaction& tx) { return tx.find_repository(org, "web"); });
  ASSERT_TRUE(web);
  EXPECT_TRUE(web->is_public);
  EXPECT_EQ(web->created_at, at(kT0));
  EXPECT_FALSE(read([&](Transaction& tx) { return tx.find_repository(other, "web").has_value(); }));
}

// ---- Tokens ---------------------------------------------------------------------------------

TEST_P(StoreTest, AnInsertedTokenIsFoundWithEveryField) {
  auto org = add_org("acme");
  TokenRecord t =
      token_with_every_field(org, "0b7c9d2e-1111-4a2b-8c3d-123456789abc", hash_for("x"));
  t.is_active = false;
  insert(t);
  auto found = read([&](Transaction& tx) { return tx.find_token(org, t.id); });
  ASSERT_TRUE(found);
  expect_same_token(*found, t);
}

TEST_P(StoreTest, FindTokenOnlyFindsItInItsOwnOrganization) {
  auto acme = add_org("acme");
  auto other = add_org("other");
  insert(make_token(acme, "t1", kT0, hash_for("t1")));
  EXPECT_TRUE(read([&](Transaction& tx) { return tx.find_token(acme, "t1").has_value(); }));
  EXPECT_FALSE(read([&](Transaction& tx) { return tx.find_token(other, "t1").has_value(); }));
  EXPECT_FALSE(read([&](Transaction& tx) { return tx.find_token(acme, "t2").has_value(); }));
}

TEST_P(StoreTest, FindTokenByHashFindsExactlyThatToken) {
  auto org = add_org("acme");
  insert(make_token(org, "t1", kT0, hash_for("t1")));
  insert(make_token(org, "t2", kT0, hash_for("t2")));
  auto found = read([](Transaction& tx) { return tx.find_token_by_hash(hash_for("t2")); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, "t2");
  EXPECT_FALSE(
      read([](Transaction& tx) { return tx.find_token_by_hash(hash_for("t3")).has_value(); }));
}

TEST_P(StoreTest, FindOrganizationTokenFindsTheOrganizationAndItsTokenWithEveryField) {
  auto company = write([](Transaction& tx) { return tx.add_company("Acme Inc"); });
  auto org = add_org("acme", oat::Plan::Business, company);
  TokenRecord t = token_with_every_field(org, "t1", hash_for("t1"));
  insert(t);
  insert(make_token(org, "t2", kT0, hash_for("t2")));
  auto found =
      read([](Transaction& tx) { return tx.find_organization_token("acme", hash_for("t1")); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->organization.id, org);
  EXPECT_EQ(found->organization.name, "acme");
  EXPECT_EQ(found->organization.plan, oat::Plan::Business);
  EXPECT_EQ(found->organization.company_id, company);
  ASSERT_TRUE(found->token);
  expect_same_token(*found->token, t);
}

// find_organization_token(name, hash) finds the organization `org_id` and no token.
void expect_organization_only(Store& store, const std::string& name, const std::string& hash,
                              std::int64_t org_id) {
  std::optional<oatd::OrganizationToken> found;
  store.read([&](Transaction& tx) { found = tx.find_organization_token(name, hash); });
  ASSERT_TRUE(found) << name;
  EXPECT_EQ(found->organization.id, org_id);
  EXPECT_FALSE(found->token);
}

TEST_P(StoreTest, FindOrganizationTokenWithAnUnknownHashFindsTheOrganizationOnly) {
  auto org = add_org("acme");
  insert(make_token(org, "t1", kT0, hash_for("t1")));
  expect_organization_only(*store_, "acme", hash_for("t9"), org);
}

TEST_P(StoreTest, FindOrganizationTokenNeverReturnsATokenOfAnotherOrganization) {
  auto acme = add_org("acme");
  auto other = add_org("other");
  insert(make_token(acme, "t1", kT0, hash_for("t1")));
  expect_organization_only(*store_, "other", hash_for("t1"), other);
}

TEST_P(StoreTest, FindOrganizationTokenOfAnUnknownOrganizationFindsNothing) {
  auto org = add_org("acme");
  insert(make_token(org, "t1", kT0, hash_for("t1")));
  EXPECT_FALSE(read([](Transaction& tx) {
    return tx.find_organization_token("ACME", hash_for("t1")).has_value();  // names are exact
  }));
  EXPECT_FALSE(read([](Transaction& tx) {
    return tx.find_organization_token("nobody", hash_for("t1")).has_value();
  }));
}

TEST_P(StoreTest, UpdateTokenReplacesWhatMayChangeButNeverItsCreationOrUse) {
  auto org = add_org("acme");
  auto original = make_token(org, "t1", kT0, hash_for("t1"));
  original.expires_at = at(kT0 + 1000);
  original.last_used_at = at(kT0 + 5);
  insert(original);

  auto changed = original;
  changed.label = "new label";
  changed.description = "new description";
  changed.is_active = false;
  changed.resources = sample_resources();
  changed.allow_self_rotation = true;
  changed.allowed_cidrs = {"192.0.2.0/24", "2001:db8::/32"};
  // What a rotation changes.
  changed.secret_hash = hash_for("rotated");
  changed.previous_secret_hash = hash_for("t1");
  changed.previous_expires_at = at(kT0 + 3600);
  changed.previous_last_used_at = at(kT0 + 7);
  changed.rotated_at = at(kT0 + 10);
  changed.expires_at = at(kT0 + 2000);
  // Never changed by an update.
  changed.created_by = "mallory";
  changed.created_at = at(kT0 + 99);
  changed.last_used_at = std::nullopt;
  write([&](Transaction& tx) { tx.update_token(changed); });

  auto found = read([&](Transaction& tx) { return tx.find_token(org, "t1"); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->label, "new label");
  EXPECT_EQ(found->description, "new description");
  EXPECT_FALSE(found->is_active);
  EXPECT_EQ(found->resources, sample_resources());
  EXPECT_TRUE(found->allow_self_rotation);
  EXPECT_EQ(found->allowed_cidrs, changed.allowed_cidrs);
  EXPECT_EQ(found->secret_hash, hash_for("rotated"));
  EXPECT_EQ(found->previous_secret_hash, hash_for("t1"));
  EXPECT_EQ(found->previous_expires_at, changed.previous_expires_at);
  EXPECT_EQ(found->previous_last_used_at, changed.previous_last_used_at);
  EXPECT_EQ(found->rotated_at, changed.rotated_at);
  EXPECT_EQ(found->expires_at, changed.expires_at);
  EXPECT_EQ(found->created_by, "alice");
  EXPECT_EQ(found->created_at, original.created_at);
  EXPECT_EQ(found->last_used_at, original.last_used_at);

  // A rotation without grace keeps no previous secret (stored as NULL, not "").
  changed.previous_secret_hash.clear();
  changed.previous_expires_at.reset();
  write([&](Transaction& tx) { tx.update_token(changed); });
  found = read([&](Transaction& tx) { return tx.find_token(org, "t1"); });
  EXPECT_EQ(found->previous_secret_hash, "");
  EXPECT_FALSE(found->previous_expires_at);
}

TEST_P(StoreTest, APreviousSecretFindsItsTokenWithThePolicyOfItsOrganization) {
  auto acme = add_org("acme");
  auto other = add_org("other");
  auto t = make_token(acme, "t1", kT0, hash_for("new"));
  t.previous_secret_hash = hash_for("old");
  t.previous_expires_at = at(kT0 + 3600);
  insert(t);
  write([&](Transaction& tx) { tx.set_token_policy(acme, oat::TokenPolicy{90, true, 30}); });

  auto by_new = read([&](Transaction& tx) { return tx.find_organization_token("acme", hash_for("new")); });
  auto by_old = read([&](Transaction& tx) { return tx.find_organization_token("acme", hash_for("old")); });
  ASSERT_TRUE(by_new && by_new->token && by_old && by_old->token);
  EXPECT_EQ(by_new->token->id, "t1");
  EXPECT_EQ(by_old->token->id, "t1");
  EXPECT_EQ(by_old->token->secret_hash, hash_for("new"));  // the caller tells which matched
  EXPECT_EQ(by_old->policy, (oat::TokenPolicy{90, true, 30}));
  auto elsewhere = read([&](Transaction& tx) { return tx.find_organization_token("other", hash_for("old")); });
  ASSERT_TRUE(elsewhere);
  EXPECT_FALSE(elsewhere->token);
  EXPECT_TRUE(elsewhere->policy.empty());
  EXPECT_EQ(read([&](Transaction& tx) { return tx.find_token_by_hash(hash_for("old")); })->id, "t1");
  EXPECT_FALSE(read([&](Transaction& tx) { return tx.find_token_by_hash(hash_for("none")); }));
  (void)other;
}

TEST_P(StoreTest, ATokenPolicyIsEmptyUntilSetAndThenReplaced) {
  auto org = add_org("acme");
  EXPECT_TRUE(read([&](Transaction& tx) { return tx.find_token_policy(org); }).empty());
  write([&](Transaction& tx) { tx.set_token_policy(org, oat::TokenPolicy{30, false, std::nullopt}); });
  write([&](Transaction& tx) { tx.set_token_policy(org, oat::TokenPolicy{std::nullopt, true, 7}); });
  EXPECT_EQ(read([&](Transaction& tx) { return tx.find_token_policy(org); }),
            (oat::TokenPolicy{std::nullopt, true, 7}));
}

// ---- Webhooks, their deliveries, expiry notices, daily usage ----------------------------------

WebhookRecord make_webhook(std::int64_t org_id, const std::string& id, std::vector<std::string> events,
                           bool active = true) {
  return WebhookRecord{id, org_id, "https://hooks.example/" + id, std::move(events), active, "v1.sealed",
                       at(kT0), "alice"};
}

DeliveryRecord make_delivery(const std::string& id, const std::string& webhook_id, long long when) {
  DeliveryRecord d;
  d.id = id;
  d.webhook_id = webhook_id;
  d.event = "access_token.created";
  d.body = R"({"id":")" + id + R"("})";
  d.created_at = at(when);
  d.next_attempt_at = at(when);
  return d;
}

TEST_P(StoreTest, WebhooksAreKeptPerOrganizationAndGoWithTheirDeliveries) {
  const auto acme = add_org("acme");
  const auto other = add_org("other");
  write([&](Transaction& tx) {
    tx.insert_webhook(make_webhook(acme, "w1", {"access_token.created"}));
    tx.insert_webhook(make_webhook(acme, "w2", {"access_token.deleted", "access_token.expiring"}, false));
    tx.insert_delivery(make_delivery("d1", "w1", kT0));
  });
  const auto listed = read([&](Transaction& tx) { return tx.list_webhooks(acme); });
  ASSERT_EQ(listed.size(), 2u);
  const auto w2 = read([&](Transaction& tx) { return tx.find_webhook(acme, "w2"); });
  ASSERT_TRUE(w2);
  EXPECT_EQ(w2->events, (std::vector<std::string>{"access_token.deleted", "access_token.expiring"}));
  EXPECT_FALSE(w2->active);
  EXPECT_EQ(w2->sealed_secret, "v1.sealed");
  EXPECT_FALSE(read([&](Transaction& tx) { return tx.find_webhook(other, "w1"); }));
  EXPECT_FALSE(write([&](Transaction& tx) { return tx.delete_webhook(other, "w1"); }));
  auto changed = *w2;
  changed.active = true;
  changed.url = "http://elsewhere.example/";
  write([&](Transaction& tx) { tx.update_webhook(changed); });
  EXPECT_EQ(read([&](Transaction& tx) { return tx.find_webhook(acme, "w2"); })->url, "http://elsewhere.example/");
  EXPECT_EQ(read([&](Transaction& tx) { return tx.count_pending_deliveries(); }), 1u);
  EXPECT_TRUE(write([&](Transaction& tx) { return tx.delete_webhook(acme, "w1"); }));
  EXPECT_EQ(read([&](Transaction& tx) { return tx.count_pending_deliveries(); }), 0u);
}

OidcConnectionRecord make_connection(std::int64_t org, const std::string& id, std::int64_t created) {
  OidcConnectionRecord c;
  c.id = id;
  c.org_id = org;
  c.name = "ci " + id;
  c.issuer = "https://token.actions.githubusercontent.com";
  c.audience = "https://oat.example.com";
  c.rulesets = "[]";
  c.created_at = c.updated_at = at(created);
  c.created_by = "owner";
  return c;
}

TEST_P(StoreTest, OidcConnectionsArePerOrganizationAndGoWithTheirFailures) {
  const auto acme = add_org("acme");
  const auto other = add_org("other");
  write([&](Transaction& tx) {
    tx.insert_oidc_connection(make_connection(acme, "c1", kT0));
    tx.insert_oidc_connection(make_connection(acme, "c2", kT0 + 1));
  });
  const auto listed = read([&](Transaction& tx) { return tx.list_oidc_connections(acme); });
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, "c2");  // newest first
  EXPECT_FALSE(listed[0].last_exchange_at);
  EXPECT_FALSE(read([&](Transaction& tx) { return tx.find_oidc_connection(other, "c1"); }));
  EXPECT_EQ(read([&](Transaction& tx) { return tx.find_oidc_connection_by_id("c1"); })->org_id, acme);
  auto changed = listed[1];
  changed.active = false;
  changed.version = 2;
  changed.rulesets = R"([{"name":"x"}])";
  write([&](Transaction& tx) {
    tx.update_oidc_connection(changed);
    tx.note_oidc_exchange("c1", at(kT0 + 5));
  });
  const auto c1 = read([&](Transaction& tx) { return tx.find_oidc_connection(acme, "c1"); });
  EXPECT_FALSE(c1->active);
  EXPECT_EQ(c1->version, 2);
  EXPECT_EQ(c1->rulesets, R"([{"name":"x"}])");
  EXPECT_EQ(c1->last_exchange_at, at(kT0 + 5));
  // The latest `keep` failures are kept, newest first.
  write([&](Transaction& tx) {
    for (int i = 0; i < 5; ++i) tx.add_oidc_failure({"c1", at(kT0 + i), "reason " + std::to_string(i), "{}", "[]"}, 3);
  });
  const auto failures = read([&](Transaction& tx) { return tx.list_oidc_failures("c1", 10); });
  ASSERT_EQ(failures.size(), 3u);
  EXPECT_EQ(failures[0].reason, "reason 4");
  EXPECT_EQ(failures[2].reason, "reason 2");
  EXPECT_FALSE(write([&](Transaction& tx) { return tx.delete_oidc_connection(other, "c1"); }));
  EXPECT_TRUE(write([&](Transaction& tx) { return tx.delete_oidc_connection(acme, "c1"); }));
  EXPECT_TRUE(read([&](Transaction& tx) { return tx.list_oidc_failures("c1", 10); }).empty());
}

TEST_P(StoreTest, AnIdTokenIsUsedOnceUntilItExpires) {
  const std::string issuer = "https://token.actions.githubusercontent.com";
  EXPECT_TRUE(write([&](Transaction& tx) { return tx.use_oidc_token_id(issuer, "j1", at(kT0 + 60), at(kT0)); }));
  EXPECT_FALSE(write([&](Transaction& tx) { return tx.use_oidc_token_id(issuer, "j1", at(kT0 + 60), at(kT0 + 1)); }));
  // Another issuer's token of the same id is another token.
  EXPECT_TRUE(write([&](Transaction& tx) { return tx.use_oidc_token_id("https://gitlab.com", "j1", at(kT0 + 60), at(kT0 + 1)); }));
  // Once expired it is forgotten (and could not be exchanged anyway).
  EXPECT_TRUE(write([&](Transaction& tx) { return tx.use_oidc_token_id(issuer, "j1", at(kT0 + 200), at(kT0 + 60)); }));
}

TEST_P(StoreTest, ADueDeliveryIsClaimedOnceUntilItsHoldEnds) {
  const auto acme = add_org("acme");
  write([&](Transaction& tx) {
    tx.insert_webhook(make_webhook(acme, "w1", {"access_token.created"}));
    tx.insert_delivery(make_delivery("early", "w1", kT0));
    tx.insert_delivery(make_delivery("later", "w1", kT0 + 100));
  });
  EXPECT_FALSE(read([&](Transaction& tx) { return tx.has_due_delivery(at(kT0 - 1)); }));
  EXPECT_TRUE(read([&](Transaction& tx) { return tx.has_due_delivery(at(kT0 + 10)); }));
  auto claimed = write([&](Transaction& tx) { return tx.claim_due_deliveries(at(kT0 + 10), at(kT0 + 30), 5); });
  ASSERT_EQ(claimed.size(), 1u);  // "later" is not due yet
  EXPECT_EQ(claimed[0].delivery.id, "early");
  EXPECT_EQ(claimed[0].url, "https://hooks.example/w1");
  EXPECT_EQ(claimed[0].sealed_secret, "v1.sealed");
  EXPECT_TRUE(write([&](Transaction& tx) { return tx.claim_due_deliveries(at(kT0 + 20), at(kT0 + 40), 5); }).empty())
      << "held by the first claim";
  EXPECT_FALSE(read([&](Transaction& tx) { return tx.has_due_delivery(at(kT0 + 20)); }));
  EXPECT_EQ(write([&](Transaction& tx) { return tx.claim_due_deliveries(at(kT0 + 30), at(kT0 + 50), 1); }).size(), 1u)
      << "the hold ended";

  DeliveryRecord d = claimed[0].delivery;
  d.attempts = 1;
  d.status = oat::DeliveryStatus::Delivered;
  d.last_status = 204;
  d.last_attempt_at = at(kT0 + 31);
  d.delivered_at = at(kT0 + 31);
  d.next_attempt_at.reset();
  write([&](Transaction& tx) { tx.finish_delivery(d); });
  EXPECT_TRUE(write([&](Transaction& tx) { return tx.claim_due_deliveries(at(kT0 + 60), at(kT0 + 90), 5); }).size() == 0)
      << "a delivered one is never claimed again; later is due at kT0 + 100";
  const auto log = read([&](Transaction& tx) { return tx.list_deliveries("w1", 10); });
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].id, "later");  // newest first
  EXPECT_EQ(log[1].status, oat::DeliveryStatus::Delivered);
  EXPECT_EQ(log[1].last_status, 204);
  EXPECT_EQ(log[1].delivered_at, at(kT0 + 31));
  EXPECT_EQ(read([&](Transaction& tx) { return tx.count_pending_deliveries(); }), 1u);
  EXPECT_EQ(write([&](Transaction& tx) { return tx.forget_deliveries(at(kT0 + 1000)); }), 1u)
      << "the delivered one goes; the pending one stays, however old";
  EXPECT_EQ(read([&](Transaction& tx) { return tx.list_deliveries("w1", 10); }).size(), 1u);
}

TEST_P(StoreTest, ExpiryNoticesFindActiveTokensOfOrganizationsWithAnActiveWebhook) {
  const auto acme = add_org("acme");
  const auto quiet = add_org("quiet");
  auto soon = make_token(acme, "soon", kT0, hash_for("soon"));
  soon.expires_at = at(kT0 + 5 * 86400);
  auto old = make_token(acme, "old", kT0, hash_for("old"));
  old.expires_at = at(kT0 - 3 * 86400);
  auto off = make_token(acme, "off", kT0, hash_for("off"));
  off.expires_at = at(kT0 + 86400);
  off.is_active = false;
  auto elsewhere = make_token(quiet, "elsewhere", kT0, hash_for("elsewhere"));
  elsewhere.expires_at = at(kT0 + 86400);
  for (const auto& t : {soon, old, off, elsewhere}) insert(t);
  write([&](Transaction& tx) {
    tx.insert_webhook(make_webhook(acme, "w1", {"access_token.expiring"}));
    tx.insert_webhook(make_webhook(quiet, "w2", {"access_token.expiring"}, false));
  });
  auto notices = read([&](Transaction& tx) {
    return tx.expiry_notices(at(kT0 - 86400), at(kT0 + 60 * 86400), 10);
  });
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].token_id, "soon");
  EXPECT_EQ(notices[0].org_name, "acme");
  EXPECT_EQ(notices[0].warned_days, 0);
  write([&](Transaction& tx) { tx.set_expiry_notice("soon", 7, false); });
  EXPECT_EQ(read([&](Transaction& tx) { return tx.expiry_notices(at(kT0 - 86400), at(kT0 + 60 * 86400), 10); })[0].warned_days, 7);
  write([&](Transaction& tx) { tx.set_expiry_notice("soon", 7, true); });
  EXPECT_TRUE(read([&](Transaction& tx) { return tx.expiry_notices(at(kT0 - 86400), at(kT0 + 60 * 86400), 10); }).empty());
}

TEST_P(StoreTest, ARefusalNoticeIsClaimedOncePerInterval) {
  const auto acme = add_org("acme");
  insert(make_token(acme, "t1", kT0, hash_for("t1")));
  EXPECT_TRUE(write([&](Transaction& tx) { return tx.claim_refusal_notice("t1", at(kT0), at(kT0 - 3600)); }));
  EXPECT_FALSE(write([&](Transaction& tx) { return tx.claim_refusal_notice("t1", at(kT0 + 60), at(kT0 + 60 - 3600)); }));
  EXPECT_TRUE(write([&](Transaction& tx) { return tx.claim_refusal_notice("t1", at(kT0 + 3600), at(kT0)); }));
}

TEST_P(StoreTest, UsageDaysAddUpPerTokenAndOrganizationAndAreForgotten) {
  const auto acme = add_org("acme");
  insert(make_token(acme, "t1", kT0, hash_for("t1")));
  insert(make_token(acme, "t2", kT0, hash_for("t2")));
  write([&](Transaction& tx) {
    tx.add_usage_day("t1", 100, 1, 0, 2);
    tx.add_usage_day("t1", 100, 2, 1, 1);
    tx.add_usage_day("t2", 100, 0, 0, 4);
    tx.add_usage_day("t1", 98, 5, 0, 0);
    tx.add_usage_day("gone", 100, 9, 9, 9);  // a token deleted meanwhile: nothing
  });
  const auto t1 = read([&](Transaction& tx) { return tx.token_usage_days("t1", 99); });
  ASSERT_EQ(t1.size(), 1u);
  EXPECT_EQ(t1[0].first, 100);
  EXPECT_EQ(t1[0].second, (oat::UsageDay{"", 3, 1, 3}));
  write([&](Transaction& tx) { tx.delete_token("t2"); });
  const auto org = read([&](Transaction& tx) { return tx.organization_usage_days(acme, 0); });
  ASSERT_EQ(org.size(), 2u);
  EXPECT_EQ(org[0].second, (oat::UsageDay{"", 5, 0, 0}));
  EXPECT_EQ(org[1].second, (oat::UsageDay{"", 3, 1, 7})) << "a deleted token's days still count";
  write([&](Transaction& tx) { tx.forget_usage_days(99); });
  EXPECT_EQ(read([&](Transaction& tx) { return tx.organization_usage_days(acme, 0); }).size(), 1u);
}

TEST_P(StoreTest, ThePreviousSecretsLastUseNeverMovesBackwards) {
  auto org = add_org("acme");
  insert(make_token(org, "t1", kT0, hash_for("t1")));
  write([&](Transaction& tx) { tx.record_previous_secret_use("t1", at(kT0 + 20)); });
  write([&](Transaction& tx) { tx.record_previous_secret_use("t1", at(kT0 + 10)); });
  EXPECT_EQ(read([&](Transaction& tx) { return tx.find_token(org, "t1"); })->previous_last_used_at,
            at(kT0 + 20));
  EXPECT_EQ(store_error([&] { write([&](Transaction& tx) { tx.record_previous_secret_use("gone", at(kT0)); }); })
                .kind(),
            Kind::NotFound);
}

TEST_P(StoreTest, UpdatingAMissingTokenIsNotFound) {
  auto org = add_org("acme");
  auto other = add_org("other");
  insert(make_token(org, "t1", kT0, hash_for("t1")));
  auto missing = store_error([&] {
    write([&](Transaction& tx) { tx.update_token(make_token(org, "nope", kT0, "h")); });
  });
  EXPECT_EQ(missing.kind(), Kind::NotFound);
  auto wrong_org = store_error([&] {
    write([&](Transaction& tx) { tx.update_token(make_token(other, "t1", kT0, "h")); });
  });
  EXPECT_EQ(wrong_org.kind(), Kind::NotFound);
}

TEST_P(StoreTest, DeleteTokenRemovesItAndSaysWhetherItExisted) {
  auto org = add_org("acme");
  insert(make_token(org, "t1", kT0, hash_for("t1")));
  EXPECT_TRUE(write([](Transaction& tx) { return tx.delete_token("t1"); }));
  EXPECT_FALSE(write([](Transaction& tx) { return tx.delete_token("t1"); }));
  EXPECT_FALSE(read([&](Transaction& tx) { return tx.find_token(org, "t1").has_value(); }));
  EXPECT_FALSE(
      read([](Transaction& tx) { return tx.find_token_by_hash(hash_for("t1")).has_value(); }));
}

TEST_P(StoreTest, ListTokensIsNewestFirstWithInsertionOrderBreakingTiesAndPages) {
  auto org = add_org("acme");
  auto other = add_org("other");
  // b and c share a second; c was created after b, so it is the newer. So do g and f, created
  // in the opposite order of their ids: creation order, not the id, breaks the tie.
  insert(make_token(org, "a", kT0 + 10, hash_for("a")));
  insert(make_token(org, "b", kT0 + 20, hash_for("b")));
  insert(make_token(org, "c", kT0 + 20, hash_for("c")));
  insert(make_token(org, "d", kT0, hash_for("d")));
  insert(make_token(org, "g", kT0 + 30, hash_for("g")));
  insert(make_token(org, "f", kT0 + 30, hash_for("f")));
  insert(make_token(other, "z", kT0 + 99, hash_for("z")));
  auto list = [&](std::size_t offset, std::size_t limit) {
    return ids_of(read([&](Transaction& tx) { return tx.list_tokens(org, offset, limit); }));
  };
  EXPECT_EQ(list(0, 10), (std::vector<std::string>{"f", "g", "c", "b", "a", "d"}));
  EXPECT_EQ(list(3, 2), (std::vector<std::string>{"b", "a"}));
  EXPECT_TRUE(list(6, 10).empty());
}

TEST_P(StoreTest, CountTokensCountsEveryStateOfOneOrganization) {
  auto org = add_org("acme");
  auto other = add_org("other");
  auto inactive = make_token(org, "i", kT0, hash_for("i"));
  inactive.is_active = false;
  auto expired = make_token(org, "e", kT0, hash_for("e"));
  expired.expires_at = at(kT0 - 1);
  insert(make_token(org, "a", kT0, hash_for("a")));
  insert(inactive);
  insert(expired);
  insert(make_token(other, "o", kT0, hash_for("o")));
  EXPECT_EQ(read([&](Transaction& tx) { return tx.count_tokens(org); }), 3u);
  EXPECT_EQ(read([&](Transaction& tx) { return tx.count_tokens(other); }), 1u);
}

TEST_P(StoreTest, CountTokensByStateFollowsTheCoreRule) {
  auto org = add_org("acme");
  const long long now = kT0 + 1000;
  struct Case {
    bool active;
    std::optional<long long> expires;
  };
  std::vector<Case> cases = {
      {true, std::nullopt}, {true, now + 1},  // active
      {false, std::nullopt},                  // inactive
      {true, now},                            // expired at the very instant
      {false, now - 5},                       // expired wins over inactive
      {true, now - 100},                      // expired
  };
  std::size_t expected[3] = {0, 0, 0};
  for (std::size_t i = 0; i < cases.size(); ++i) {
    auto t = make_token(org, "t" + std::to_string(i), kT0, hash_for("t" + std::to_string(i)));
    t.is_active = cases[i].active;
    if (cases[i].expires) t.expires_at = at(*cases[i].expires);
    insert(t);
    expected[static_cast<int>(oat::derive_state(t.is_active, t.expires_at, at(now)))]++;
  }
  auto counts = state_counts(now);
  EXPECT_EQ(counts, (Counts{2, 1, 3}));
  EXPECT_EQ(counts, (Counts{expected[0], expected[1], expected[2]}));
  // Settling changes where the expired ones are counted, not the counts.
  EXPECT_EQ(write([&](Transaction& tx) { return tx.settle_token_expiries(at(now)); }), 3u);
  EXPECT_EQ(read([&](Transaction& tx) { return tx.count_tokens_by_state(at(now)).unsettled; }), 0u);
  EXPECT_EQ(state_counts(now), (Counts{2, 1, 3}));
  // Later, the token that expires at now + 1 has expired too, before and after settling.
  EXPECT_EQ(state_counts(now + 1), (Counts{1, 1, 4}));
  EXPECT_EQ(write([&](Transaction& tx) { return tx.settle_token_expiries(at(now + 1)); }), 1u);
  EXPECT_EQ(state_counts(now + 1), (Counts{1, 1, 4}));
}

TEST_P(StoreTest, CountTokensByStateIsZeroForEveryStateWhenEmpty) {
  EXPECT_EQ(state_counts(kT0), (Counts{0, 0, 0}));
}

TEST_P(StoreTest, CountTokensByStateFollowsInsertsUpdatesAndDeletes) {
  auto org = add_org("acme");
  const long long now = kT0 + 1000;
  auto a = make_token(org, "a", kT0, hash_for("a"));
  auto b = make_token(org, "b", kT0, hash_for("b"));
  b.expires_at = at(now - 1);
  auto c = make_token(org, "c", kT0, hash_for("c"));
  c.is_active = false;
  c.expires_at = at(now - 2);
  insert(a);
  insert(b);
  insert(c);
  write([&](Transaction& tx) { tx.settle_token_expiries(at(now)); });
  EXPECT_EQ(state_counts(now), (Counts{1, 0, 2}));
  a.is_active = false;
  write([&](Transaction& tx) { tx.update_token(a); });
  EXPECT_EQ(state_counts(now), (Counts{0, 1, 2}));
  c.is_active = true;  // a settled expired token, reactivated: still expired
  write([&](Transaction& tx) { tx.update_token(c); });
  EXPECT_EQ(state_counts(now), (Counts{0, 1, 2}));
  write([&](Transaction& tx) { tx.delete_token("b"); });
  write([&](Transaction& tx) { tx.delete_token("a"); });
  EXPECT_EQ(state_counts(now), (Counts{0, 0, 1}));
  write([&](Transaction& tx) { tx.delete_token("c"); });
  EXPECT_EQ(state_counts(now), (Counts{0, 0, 0}));
  if (auto file = sqlite_file()) {  // the kept counts are what a full count of the table gives
    EXPECT_EQ(file->scalar("SELECT SUM(n) FROM token_counts"), "0");
  }
}

TEST_P(StoreTest, ResourcesRoundTripThroughJsonText) {
  auto org = add_org("acme");
  auto t = make_token(org, "t1", kT0, hash_for("t1"));
  t.resources = sample_resources();
  insert(t);
  auto found = read([&](Transaction& tx) { return tx.find_token(org, "t1"); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->resources, sample_resources());
  if (auto file = sqlite_file()) {
    EXPECT_EQ(file->scalar("SELECT resources FROM tokens WHERE id = 't1'"),
              oat::resources_json(sample_resources()).dump());
  }
}

TEST_P(StoreTest, RecordTokenUseKeepsFiveDistinctAddressesMostRecentFirst) {
  auto org = add_org("acme");
  insert(make_token(org, "t1", kT0, hash_for("t1")));
  long long when = kT0;
  for (const char* address : {"a", "b", "c", "d", "e", "f", "c"}) {
    write([&](Transaction& tx) { tx.record_token_use("t1", at(++when), address); });
  }
  auto found = read([&](Transaction& tx) { return tx.find_token(org, "t1"); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->last_used_at, at(when));
  EXPECT_EQ(found->last_addresses, (std::vector<std::string>{"c", "f", "e", "d", "b"}));
}

TEST_P(StoreTest, LastUsedNeverMovesBackwardsWhenALateBatchArrives) {
  auto org = add_org("acme");
  insert(make_token(org, "t1", kT0, hash_for("t1")));
  write([](Transaction& tx) { tx.record_token_use("t1", at(kT0 + 10), "10.0.0.1"); });
  // A slower server's batch, noted earlier, written later.
  write([](Transaction& tx) { tx.record_token_use("t1", at(kT0 + 5), "10.0.0.2"); });
  auto found = read([&](Transaction& tx) { return tx.find_token(org, "t1"); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->last_used_at, at(kT0 + 10));
  EXPECT_EQ(found->last_addresses, (std::vector<std::string>{"10.0.0.2", "10.0.0.1"}));
}

TEST_P(StoreTest, SignInFailuresAreKeptPerKeyOldestFirstAndForgottenByAge) {
  write([](Transaction& tx) {
    tx.add_sign_in_failure("id:acme", at(kT0 + 2), at(kT0 - 300));
    tx.add_sign_in_failure("id:acme", at(kT0), at(kT0 - 300));
    tx.add_sign_in_failure("id:acme", at(kT0 + 1), at(kT0 - 300));
    tx.add_sign_in_failure("ip:10.0.0.1", at(kT0), at(kT0 - 300));
  });
  EXPECT_EQ(read([](Transaction& tx) { return tx.sign_in_failures("id:acme", at(kT0 - 1)); }),
            (std::vector<oat::Timestamp>{at(kT0), at(kT0 + 1), at(kT0 + 2)}));
  // Only failures later than `since` count.
  EXPECT_EQ(read([](Transaction& tx) { return tx.sign_in_failures("id:acme", at(kT0)); }),
            (std::vector<oat::Timestamp>{at(kT0 + 1), at(kT0 + 2)}));
  // A new failure forgets its own key's failures at or before the horizon, no other key's.
  write([](Transaction& tx) { tx.add_sign_in_failure("id:acme", at(kT0 + 3), at(kT0 + 1)); });
  EXPECT_EQ(read([](Transaction& tx) { return tx.sign_in_failures("id:acme", at(kT0 - 1)); }),
            (std::vector<oat::Timestamp>{at(kT0 + 2), at(kT0 + 3)}));
  EXPECT_EQ(read([](Transaction& tx) { return tx.sign_in_failures("ip:10.0.0.1", at(0)); }),
            (std::vector<oat::Timestamp>{at(kT0)}));
  // Housekeeping forgets every key's.
  write([](Transaction& tx) { tx.add_sign_in_failure("id:other", at(kT0 + 3), at(0)); });
  write([](Transaction& tx) { tx.forget_sign_in_failures(at(kT0 + 2)); });
  EXPECT_TRUE(read([](Transaction& tx) { return tx.sign_in_failures("ip:10.0.0.1", at(0)); })
                  .empty());
  EXPECT_EQ(read([](Transaction& tx) { return tx.sign_in_failures("id:acme", at(0)); }),
            (std::vector<oat::Timestamp>{at(kT0 + 3)}));
  write([](Transaction& tx) { tx.clear_sign_in_failures("id:acme"); });
  EXPECT_TRUE(
      read([](Transaction& tx) { return tx.sign_in_failures("id:acme", at(0)); }).empty());
  EXPECT_EQ(read([](Transaction& tx) { return tx.sign_in_failures("id:other", at(0)).size(); }),
            1u);
}

TEST_P(StoreTest, ARecentGrantIsReplacedOnlyByALaterOne) {
  auto grant = [&] {
    const auto found =
        read([](Transaction& tx) { return tx.recent_grant("acme", "10.0.0.1", "acme/app"); });
    return found ? std::optional(found->token_id) : std::nullopt;
  };
  EXPECT_EQ(grant(), std::nullopt);
  write([](Transaction& tx) { tx.note_recent_grant("acme", "10.0.0.1", "acme/app", "t1", at(kT0 + 5)); });
  write([](Transaction& tx) { tx.note_recent_grant("acme", "10.0.0.1", "acme/app", "t2", at(kT0 + 3)); });
  EXPECT_EQ(grant(), "t1");  // a late batch of an older sign-in does not win
  write([](Transaction& tx) { tx.note_recent_grant("acme", "10.0.0.1", "acme/app", "t3", at(kT0 + 6)); });
  EXPECT_EQ(grant(), "t3");
  EXPECT_EQ(read([](Transaction& tx) { return tx.recent_grant("acme", "10.0.0.1", "acme/app"); })
                ->at,
            at(kT0 + 6));
  EXPECT_FALSE(
      read([](Transaction& tx) { return tx.recent_grant("acme", "10.0.0.2", "acme/app"); }));
  write([](Transaction& tx) { tx.forget_recent_grants(at(kT0 + 6)); });
  EXPECT_EQ(grant(), std::nullopt);
}

TEST_P(StoreTest, RecordingUseOfAMissingTokenIsNotFound) {
  auto e = store_error(
      [&] { write([](Transaction& tx) { tx.record_token_use("nope", at(kT0), "1.2.3.4"); }); });
  EXPECT_EQ(e.kind(), Kind::NotFound);
}

TEST_P(StoreTest, TokenCountsAccumulate) {
  auto org = add_org("acme");
  insert(make_token(org, "t1", kT0, hash_for("t1")));
  write([](Transaction& tx) { tx.add_token_counts("t1", 2, 1); });
  write([](Transaction& tx) { tx.add_token_counts("t1", 3, 0); });
  auto found = read([&](Transaction& tx) { return tx.find_token(org, "t1"); });
  EXPECT_EQ(found->pull_count, 5);
  EXPECT_EQ(found->push_count, 1);
  EXPECT_EQ(store_error([&] {
              write([](Transaction& tx) { tx.add_token_counts("nope", 1, 1); });
            }).kind(),
            Kind::NotFound);
}

// ---- Audit log ------------------------------------------------------------------------------

TEST_P(StoreTest, AuditEventsOfOneAccountAreListedNewestFirst) {
  add_event("acme", "access_token.create", kT0, "first");
  add_event("acme", "access_token.update", kT0 + 10, "second");
  add_event("acme", "access_token.delete", kT0 + 10, "third");  // same second: later id first
  add_event("other", "access_token.create", kT0 + 20, "elsewhere");
  auto events = read([](Transaction& tx) { return tx.list_audit_events(audit_query("acme")); });
  std::vector<std::string> names;
  for (const auto& e : events) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"third", "second", "first"}));
  EXPECT_EQ(events.back().action, "access_token.create");
  EXPECT_EQ(events.back().actor, "alice");
  EXPECT_EQ(events.back().data, R"({"k":1})");
  EXPECT_EQ(events.back().timestamp, at(kT0));
  EXPECT_GT(events.front().id, events.back().id);
}

TEST_P(StoreTest, AuditActionFilterSelectsOneAction) {
  add_event("acme", "access_token.create", kT0, "a");
  add_event("acme", "access_token.delete", kT0 + 1, "b");
  add_event("acme", "access_token.create", kT0 + 2, "c");
  AuditQuery q = audit_query("acme");
  q.action = "access_token.create";
  auto events = read([&](Transaction& tx) { return tx.list_audit_events(q); });
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].name, "c");
  EXPECT_EQ(events[1].name, "a");
  EXPECT_EQ(read([&](Transaction& tx) { return tx.count_audit_events(q); }), 2u);
}

TEST_P(StoreTest, AuditFromAndToAreInclusive) {
  for (int i = 0; i < 5; ++i) add_event("acme", "access_token.create", kT0 + i, std::to_string(i));
  AuditQuery q = audit_query("acme");
  q.from = at(kT0 + 1);
  q.to = at(kT0 + 3);
  auto events = read([&](Transaction& tx) { return tx.list_audit_events(q); });
  std::vector<std::string> names;
  for (const auto& e : events) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"3", "2", "1"}));
  EXPECT_EQ(read([&](Transaction& tx) { return tx.count_audit_events(q); }), 3u);
  AuditQuery only_from = audit_query("acme");
  only_from.from = at(kT0 + 4);
  EXPECT_EQ(read([&](Transaction& tx) { return tx.count_audit_events(only_from); }), 1u);
  AuditQuery only_to = audit_query("acme");
  only_to.to = at(kT0);
  EXPECT_EQ(read([&](Transaction& tx) { return tx.count_audit_events(only_to); }), 1u);
}

TEST_P(StoreTest, AuditPagesAndCountIgnoresOffsetAndLimit) {
  for (int i = 0; i < 7; ++i) add_event("acme", "access_token.create", kT0 + i, std::to_string(i));
  add_event("other", "access_token.create", kT0, "x");
  AuditQuery q = audit_query("acme");
  q.offset = 2;
  q.limit = 3;
  auto events = read([&](Transaction& tx) { return tx.list_audit_events(q); });
  std::vector<std::string> names;
  for (const auto& e : events) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"4", "3", "2"}));
  EXPECT_EQ(read([&](Transaction& tx) { return tx.count_audit_events(q); }), 7u);
}

// ---- Sessions -------------------------------------------------------------------------------

TEST_P(StoreTest, SessionsAreStoredFoundAndRevoked) {
  auto user = add_user("alice");
  SessionRecord s{"s1", user, hash_for("s1"), at(kT0), at(kT0 + 3600), false};
  write([&](Transaction& tx) { tx.insert_session(s); });
  auto found = read([](Transaction& tx) { return tx.find_session("s1"); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->user_id, user);
  EXPECT_EQ(found->secret_hash, hash_for("s1"));
  EXPECT_EQ(found->created_at, at(kT0));
  EXPECT_EQ(found->expires_at, at(kT0 + 3600));
  EXPECT_FALSE(found->revoked);
  write([](Transaction& tx) { tx.revoke_session("s1"); });
  EXPECT_TRUE(read([](Transaction& tx) { return tx.find_session("s1")->revoked; }));
  EXPECT_FALSE(read([](Transaction& tx) { return tx.find_session("s2").has_value(); }));
  EXPECT_EQ(store_error([&] {
              write([&](Transaction& tx) { tx.insert_session(s); });
            }).kind(),
            Kind::Conflict);
}

// ---- Transactions, durability, concurrency --------------------------------------------------

TEST_P(StoreTest, AWriteThatThrowsLeavesNothingAndRethrows) {
  struct Boom : std::runtime_error {
    Boom() : std::runtime_error("boom") {}
  };
  EXPECT_THROW(store_->write([](Transaction& tx) {
    auto org = tx.add_organization("acme", oat::Plan::Team, std::nullopt);
    tx.insert_token(make_token(org, "t1", kT0, hash_for("t1")));
    tx.add_audit_event({0, "acme", "access_token.create", "t1", "alice", "{}", at(kT0)});
    throw Boom();
  }),
               Boom);
  EXPECT_FALSE(read([](Transaction& tx) { return tx.find_organization("acme").has_value(); }));
  EXPECT_FALSE(
      read([](Transaction& tx) { return tx.find_token_by_hash(hash_for("t1")).has_value(); }));
  EXPECT_EQ(read([](Transaction& tx) { return tx.count_audit_events(audit_query("acme")); }), 0u);
  auto file = sqlite_file();
  if (file) {
    EXPECT_EQ(file->scalar("SELECT COUNT(*) FROM organizations"), "0");
    EXPECT_EQ(file->scalar("SELECT COUNT(*) FROM tokens"), "0");
    EXPECT_EQ(file->scalar("SELECT COUNT(*) FROM audit_events"), "0");
  }
  // And the store still writes afterwards.
  add_org("acme");
  if (file) {
    EXPECT_EQ(file->scalar("SELECT COUNT(*) FROM organizations"), "1");
  }
}

TEST_P(StoreTest, AReadTransactionCannotWrite) {
  auto e = store_error([&] {
    store_->read([](Transaction& tx) { tx.add_organization("acme", oat::Plan::Team, {}); });
  });
  EXPECT_EQ(e.kind(), Kind::Failure);
  EXPECT_FALSE(read([](Transaction& tx) { return tx.find_organization("acme").has_value(); }));
}

TEST_P(StoreTest, ANestedWriteIsRefusedInsteadOfDeadlocking) {
  auto e = store_error([&] {
    store_->write([&](Transaction&) { store_->write([](Transaction&) {}); });
  });
  EXPECT_EQ(e.kind(), Kind::Failure);
  add_org("acme");  // the writer is free again
}

TEST_P(StoreTest, AReadSeesOneSnapshotWhileAWriteCommits) {
  auto org = add_org("acme");
  insert(make_token(org, "t1", kT0, hash_for("t1")));
  std::size_t before = 0, after = 0;
  store_->read([&](Transaction& tx) {
    before = tx.count_tokens(org);
    // A writer on another thread commits while this read is open (in SQLite, WAL lets it).
    std::async(std::launch::async, [&] {
      store_->write([&](Transaction& w) { w.insert_token(make_token(org, "t2", kT0, "h2")); });
    }).get();
    after = tx.count_tokens(org);
  });
  EXPECT_EQ(before, 1u);
  EXPECT_EQ(after, 1u);
  EXPECT_EQ(read([&](Transaction& tx) { return tx.count_tokens(org); }), 2u);
}

TEST_P(StoreTest, AReturnedWriteIsVisibleFromABrandNewStoreOnTheSameFile) {
  auto org = add_org("acme");
  insert(make_token(org, "t1", kT0, hash_for("t1")));
  // The first store stays open: nothing was checkpointed or closed.
  auto second = open_store();
  std::optional<TokenRecord> found;
  second->read([&](Transaction& tx) { found = tx.find_token(org, "t1"); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->secret_hash, hash_for("t1"));
}

// ---- change_version: what caches of reads rely on -----------------------------------------

// The version once it holds still (PostgreSQL's changes every call until its listener is up).
std::uint64_t settled_version(Store& store) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::uint64_t v = store.change_version();
  for (std::uint64_t next; (next = store.change_version()) != v;) {
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "change_version never held still";
      return next;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    v = next;
  }
  return v;
}

TEST_P(StoreTest, ChangeVersionStaysWhileNothingIsWrittenAndMovesAtOnceWithEveryWrite) {
  auto org = add_org("acme");
  const std::uint64_t first = settled_version(*store_);
  // Reads change nothing.
  read([&](Transaction& tx) { return tx.count_tokens(org); });
  EXPECT_EQ(store_->change_version(), first);
  insert(make_token(org, "t1", kT0, hash_for("t1")));
  const std::uint64_t second = store_->change_version();
  EXPECT_NE(second, first) << "a write of this store must move the version at once";
  write([&](Transaction& tx) {
    auto t = *tx.find_token(org, "t1");
    t.is_active = false;
    tx.update_token(t);
  });
  EXPECT_NE(store_->change_version(), second);
}

TEST_P(StoreTest, ChangeVersionMovesWithinASecondWhenAnotherStoreOfTheSameDatabaseWrites) {
  auto org = add_org("acme");
  insert(make_token(org, "t1", kT0, hash_for("t1")));
  auto other = open_store();  // another process (SQLite) or node (PostgreSQL)
  const std::uint64_t before = settled_version(*store_);
  other->write([&](Transaction& tx) {
    auto t = *tx.find_token(org, "t1");
    t.is_active = false;
    tx.update_token(t);
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (store_->change_version() == before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_NE(store_->change_version(), before)
      << "another store's write was not seen within a second";
}

TEST_P(StoreTest, ConcurrentReadsAndWritesFromFourThreadsAllSucceed) {
  auto org = add_org("acme");
  constexpr int kThreads = 4;
  constexpr int kRounds = 25;
  std::atomic<int> failures{0};
  std::vector<std::string> messages(kThreads);
  std::vector<std::thread> threads;
  for (int n = 0; n < kThreads; ++n) {
    threads.emplace_back([&, n] {
      try {
        for (int i = 0; i < kRounds; ++i) {
          std::string id = "t" + std::to_string(n) + "-" + std::to_string(i);
          store_->write([&](Transaction& tx) {
            tx.insert_token(make_token(org, id, kT0 + i, hash_for(id)));
            tx.add_audit_event({0, "acme", "access_token.create", id, "alice", "{}", at(kT0 + i)});
          });
          store_->read([&](Transaction& tx) {
            if (!tx.find_token_by_hash(hash_for(id))) throw std::runtime_error("lost " + id);
            tx.list_tokens(org, 0, 10);
            tx.count_audit_events(audit_query("acme"));
          });
          store_->write([&](Transaction& tx) { tx.record_token_use(id, at(kT0 + i), "10.0.0.1"); });
        }
      } catch (const std::exception& e) {
        ++failures;
        messages[n] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0) << messages[0] << messages[1] << messages[2] << messages[3];
  EXPECT_EQ(read([&](Transaction& tx) { return tx.count_tokens(org); }),
            std::size_t{kThreads * kRounds});
  EXPECT_EQ(read([](Transaction& tx) { return tx.count_audit_events(audit_query("acme")); }),
            std::size_t{kThreads * kRounds});
}

TEST_P(StoreTest, AQuotaCheckedInAWriteHoldsUnderConcurrentWritersOfTwoStores) {
  // Two stores on one database stand for two servers: each of 8 threads creates tokens while
  // the organization holds fewer than 10, as the API checks a plan's quota. Serializable
  // writes keep the count at exactly 10, never 11.
  auto org = add_org("acme");
  std::unique_ptr<Store> second = open_store();
  constexpr int kThreads = 8;
  constexpr std::size_t kQuota = 10;
  std::atomic<int> failures{0};
  std::string message;
  std::mutex message_mutex;
  std::vector<std::thread> threads;
  for (int n = 0; n < kThreads; ++n) {
    threads.emplace_back([&, n] {
      Store& store = n % 2 ? *second : *store_;
      try {
        for (int i = 0; i < 4; ++i) {
          const std::string id = "t" + std::to_string(n) + "-" + std::to_string(i);
          store.write([&](Transaction& tx) {
            if (tx.count_tokens(org) < kQuota) tx.insert_token(make_token(org, id, kT0, hash_for(id)));
          });
        }
      } catch (const std::exception& e) {
        ++failures;
        std::lock_guard lock(message_mutex);
        message = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0) << message;
  EXPECT_EQ(read([&](Transaction& tx) { return tx.count_tokens(org); }), kQuota);
}

// =============================================================================================
// The SQLite backend's own tests: they read or change its file directly.
// =============================================================================================

// ---- Schema and migrations ------------------------------------------------------------------

TEST_F(SqliteStore, MigrationsAreNumberedOneToLatestInOrder) {
  auto steps = oatd::store::migrations(oatd::store::Dialect::SQLite);
  ASSERT_FALSE(steps.empty());
  for (std::size_t i = 0; i < steps.size(); ++i) EXPECT_EQ(steps[i].version, int(i) + 1);
  EXPECT_EQ(oatd::store::latest_schema_version(oatd::store::Dialect::SQLite), steps.back().version);
}

TEST_F(SqliteStore, OpeningANewFileCreatesTheSchemaAtTheLatestVersionInWalMode) {
  RawDb raw(path_);
  EXPECT_EQ(raw.scalar("PRAGMA user_version"),
            std::to_string(oatd::store::latest_schema_version(oatd::store::Dialect::SQLite)));
  EXPECT_EQ(raw.scalar("PRAGMA journal_mode"), "wal");
  auto tables = raw.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  std::vector<std::string> names;
  for (const auto& row : tables) names.push_back(row[0]);
  for (const char* expected : {"audit_events", "companies", "company_owners", "custom_roles",
                               "memberships", "organizations", "repositories", "sessions",
                               "tokens", "users"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
}

TEST_F(SqliteStore, ADatabaseFromANewerVersionIsRefusedAndLeftUntouched) {
  const std::string newer = dir_.file("newer.db");
  {
    RawDb raw(newer);
    raw.query("CREATE TABLE future (x INTEGER)");
    raw.query("PRAGMA user_version = 999");
  }
  auto e = store_error([&] { oatd::open_sqlite_store(newer); });
  EXPECT_EQ(e.kind(), Kind::Failure);
  EXPECT_NE(std::string(e.what()).find("schema version 999"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();

  RawDb raw(newer);
  EXPECT_EQ(raw.scalar("PRAGMA user_version"), "999");
  EXPECT_EQ(raw.scalar("PRAGMA journal_mode"), "delete");
  EXPECT_EQ(raw.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'tokens'"), "0");
}

TEST_F(SqliteStore, AFileThatIsNotADatabaseIsAFailure) {
  const std::string junk =
      dir_.write("junk.db", "this is not an SQLite database, not even close to one.............");
  EXPECT_EQ(store_error([&] { oatd::open_sqlite_store(junk); }).kind(), Kind::Failure);
}

TEST_F(SqliteStore, ADatabaseOfAnotherApplicationIsRefusedAndLeftUntouched) {
  const std::string other = dir_.file("other.db");
  {
    RawDb db(other);
    db.query("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)");
  }
  auto e = store_error([&] { oatd::open_sqlite_store(other); });
  EXPECT_EQ(e.kind(), Kind::Failure);
  EXPECT_NE(std::string(e.what()).find("holds tables of another application"), std::string::npos)
      << e.what();
  RawDb db(other);
  EXPECT_EQ(db.scalar("SELECT group_concat(name) FROM sqlite_schema"), "invoices");
  EXPECT_EQ(db.scalar("PRAGMA user_version"), "0");
}

// Another process (an `oatd admin` command, a second oatd) holding the database's write lock
// past the busy timeout: the write is tried again and lands once the lock is released.
TEST_F(SqliteStore, AWriteBlockedByAnotherProcessPastTheBusyTimeoutIsTriedAgain) {
  RawDb other(path_);
  other.query("BEGIN IMMEDIATE");
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(6500));  // > the 5 s busy timeout
    other.query("COMMIT");
  });
  int runs = 0;
  store_->write([&](Transaction& tx) {
    ++runs;
    tx.add_organization("acme", oat::Plan::Team, std::nullopt);
  });
  release.join();
  EXPECT_EQ(runs, 1);  // the lock is met at BEGIN, before the body runs
  EXPECT_TRUE(read([](Transaction& tx) { return tx.find_organization("acme"); }));
}

TEST_F(SqliteStore, TimesAreStoredAsIntegerUnixSeconds) {
  auto org = add_org("acme");
  auto t = make_token(org, "t1", kT0, hash_for("t1"));
  t.expires_at = at(kT0 + 3600);
  insert(t);
  RawDb raw(path_);
  auto row = raw.query("SELECT typeof(created_at), created_at, typeof(expires_at), "
                       "typeof(last_used_at) FROM tokens")
                 .at(0);
  EXPECT_EQ(row, (std::vector<std::string>{"integer", std::to_string(kT0), "integer", "null"}));
}

// ---- Stored values changed behind the store's back ------------------------------------------

TEST_F(SqliteStore, StoredJsonThatDoesNotParseIsAFailureNotACrash) {
  auto org = add_org("acme");
  insert(make_token(org, "t1", kT0, hash_for("t1")));
  insert(make_token(org, "t2", kT0, hash_for("t2")));
  insert(make_token(org, "t3", kT0, hash_for("t3")));
  RawDb raw(path_);
  raw.query("UPDATE tokens SET last_addresses = '[\"10.0.0.1\"' WHERE id = 't1'");
  raw.query("UPDATE tokens SET last_addresses = '[\"10.0.0.1\", 7]' WHERE id = 't2'");
  raw.query("UPDATE tokens SET resources = 'not json' WHERE id = 't3'");
  for (const char* id : {"t1", "t2", "t3"}) {
    const StoreError e =
        store_error([&] { read([&](Transaction& tx) { return tx.find_token(org, id); }); });
    EXPECT_EQ(e.kind(), Kind::Failure) << id;
    EXPECT_NE(std::string(e.what()).find(std::string("token \"") + id + "\""), std::string::npos)
        << e.what();
  }
  const StoreError e = store_error([&] {
    read([](Transaction& tx) { return tx.find_organization_token("acme", hash_for("t1")); });
  });
  EXPECT_EQ(e.kind(), Kind::Failure);
}

TEST_F(SqliteStore, AnExpiryChangedInTheDatabaseIsSettledAgain) {
  auto org = add_org("acme");
  auto t = make_token(org, "t", kT0, hash_for("t"));
  t.expires_at = at(kT0 + 10);
  insert(t);
  write([&](Transaction& tx) { tx.settle_token_expiries(at(kT0 + 20)); });
  EXPECT_EQ(state_counts(kT0 + 20), (Counts{0, 0, 1}));
  RawDb(path_).query("UPDATE tokens SET expires_at = " + std::to_string(kT0 + 100));
  EXPECT_EQ(state_counts(kT0 + 20), (Counts{1, 0, 0}));
  EXPECT_EQ(state_counts(kT0 + 100), (Counts{0, 0, 1}));
}

// ---- What the files hold --------------------------------------------------------------------

TEST_F(SqliteStore, TheDatabaseFilesHoldTheHashButNeverTheSecret) {
  // Never given to the store: only its (made-up) hash is.
  const std::string secret = "dckr_oat_Zq8LmT3vXw0pNsK4yRb7HcJ2eUaF9dGi";
  const std::string hash = "4f1c2b9e8d7a6c5b4e3f2a1908172635445362718090a1b2c3d4e5f60718293a";
  const std::string label = "scan-probe-label-only-here";
  auto org = add_org("acme");
  auto t = make_token(org, "t1", kT0, hash);
  t.label = label;
  insert(t);

  auto scan = [&] {
    std::string bytes;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
      bytes += file_bytes(entry.path());  // oatd.db and, while open, its -wal and -shm
    }
    return bytes;
  };
  std::string open_bytes = scan();
  EXPECT_NE(open_bytes.find(hash), std::string::npos);
  EXPECT_NE(open_bytes.find(label), std::string::npos);
  EXPECT_EQ(open_bytes.find(secret), std::string::npos);

  store_.reset();  // checkpoints the WAL into the database file
  std::string closed_bytes = file_bytes(path_);
  EXPECT_NE(closed_bytes.find(hash), std::string::npos);
  EXPECT_NE(closed_bytes.find(label), std::string::npos);
  EXPECT_EQ(closed_bytes.find(secret), std::string::npos);
}

// ---- Query plans ----------------------------------------------------------------------------

TEST_F(SqliteStore, FindTokenByHashIsAnIndexLookup) {
  RawDb raw(path_);
  auto plan = raw.query("EXPLAIN QUERY PLAN SELECT * FROM tokens WHERE secret_hash = 'x'");
  std::string detail;
  for (const auto& row : plan) detail += row.back() + "\n";
  EXPECT_NE(detail.find("USING INDEX tokens_by_secret_hash"), std::string::npos) << detail;
  EXPECT_EQ(detail.find("SCAN"), std::string::npos) << detail;
}

// No statement of the store reads a whole table that grows with use (tokens, audit events,
// sessions, repositories...): each finds its rows through an index. Every Transaction method
// runs once, then each prepared statement's plan is read back.
TEST_F(SqliteStore, NoStatementScansAGrowingTable) {
  const auto org = add_org("acme");
  const auto company = write([](Transaction& tx) { return tx.add_company("co"); });
  const auto user = add_user("alice");
  write([&](Transaction& tx) {
    tx.add_company_owner(company, user);
    tx.add_custom_role(CustomRole{org, "ci-admins", true});
    tx.set_membership(Membership{org, user, "owner"});
    tx.add_repository(Repository{org, "app", false, at(kT0)});
  });
  auto token = make_token(org, "t1", kT0, hash_for("t1"));
  token.expires_at = at(kT0 + 10);
  insert(token);
  add_event("acme", "access_token.create", kT0);
  write([&](Transaction& tx) {
    tx.update_token(token);
    tx.record_token_use("t1", at(kT0 + 1), "10.0.0.1");
    tx.add_token_counts("t1", 1, 1);
    tx.insert_session(SessionRecord{"s1", user, "hash", at(kT0), at(kT0 + 100), false});
    tx.revoke_session("s1");
    tx.settle_token_expiries(at(kT0 + 20));
  });
  read([&](Transaction& tx) {
    tx.find_user("alice");
    tx.find_user_by_id(user);
    tx.find_company("co");
    tx.is_company_owner(company, user);
    tx.find_organization("acme");
    tx.find_organization_by_id(org);
    tx.find_custom_role(org, "ci-admins");
    tx.find_membership(org, user);
    tx.organizations_of_user(user);
    tx.find_repository(org, "app");
    tx.list_repositories(org, 0, 10);
    tx.count_repositories(org);
    tx.find_token(org, "t1");
    tx.find_token_by_hash(hash_for("t1"));
    tx.find_organization_token("acme", hash_for("t1"));
    tx.list_tokens(org, 0, 10);
    tx.count_tokens(org);
    tx.count_tokens_by_state(at(kT0 + 30));
    AuditQuery all{"acme", std::nullopt, std::nullopt, std::nullopt, 0, 10};
    AuditQuery filtered{"acme", "access_token.create", at(kT0 - 1), at(kT0 + 1), 0, 10};
    for (const AuditQuery& q : {all, filtered}) {
      tx.list_audit_events(q);
      tx.count_audit_events(q);
    }
    tx.find_session("s1");
    return 0;
  });
  write([&](Transaction& tx) { return tx.delete_token("t1"); });

  // Tables whose size does not grow with use: the kept token counts (four rows), and the
  // schema (read when the store opens).
  const std::set<std::string> fixed_size = {"token_counts", "sqlite_master"};
  const auto plans = oatd::sqlite_query_plans(*store_);
  EXPECT_GE(plans.size(), 30u);
  for (const oatd::QueryPlan& plan : plans) {
    for (const std::string& step : plan.steps) {
      if (!step.starts_with("SCAN ")) continue;
      const std::string table = step.substr(5, step.find(' ', 5) - 5);
      EXPECT_TRUE(fixed_size.count(table) || table == "CONSTANT")
          << plan.sql << "\n  scans: " << step;
    }
  }
}

// =============================================================================================
// The PostgreSQL backend's own: what it refuses at start, and its SQL layer's small parts.

class PostgresStore : public StoreFixture {
 protected:
  std::unique_ptr<Store> open_store() override { return kPostgres.open(dir_); }
  // The fixture's database, as a connection of its own (for what the store must not touch).
  oatd::postgres::Connection raw() { return oatd::postgres::Connection(postgres_database(dir_)); }
  std::string scalar(const std::string& sql) {
    auto c = raw();
    auto r = c.query(sql);
    return PQgetisnull(r.get(), 0, 0) ? "NULL" : PQgetvalue(r.get(), 0, 0);
  }
};

TEST_F(PostgresStore, OpeningCreatesTheSchemaAtTheLatestVersion) {
  EXPECT_EQ(scalar("SELECT version FROM oatd_schema"),
            std::to_string(oatd::store::latest_schema_version(oatd::store::Dialect::PostgreSQL)));
}

TEST_F(PostgresStore, ADatabaseFromANewerVersionIsRefusedAndLeftUntouched) {
  store_.reset();
  raw().exec("UPDATE oatd_schema SET version = 99");
  auto e = store_error([&] { open_store(); });
  EXPECT_EQ(e.kind(), Kind::Failure);
  EXPECT_NE(std::string(e.what()).find("has schema version 99, newer than this oatd supports"),
            std::string::npos)
      << e.what();
  EXPECT_EQ(scalar("SELECT version FROM oatd_schema"), "99");
}

TEST_F(PostgresStore, ADatabaseOfAnotherApplicationIsRefusedAndLeftUntouched) {
  store_.reset();
  auto c = raw();
  // Empty the fixture's database, then give it another application's table.
  c.exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public; "
         "CREATE TABLE invoices (id bigint PRIMARY KEY, total bigint)");
  auto e = store_error([&] { open_store(); });
  EXPECT_EQ(e.kind(), Kind::Failure);
  EXPECT_NE(std::string(e.what()).find("holds tables of another application"), std::string::npos)
      << e.what();
  EXPECT_EQ(scalar("SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'"),
            "invoices");
}

TEST_F(PostgresStore, AWriteThatKeepsMeetingConflictsForHalfASecondStillCommits) {
  // A quota-style write (count, then insert) loses to every short writer of the same
  // organization that commits meanwhile. One such writer runs for 500 ms, committing every few
  // milliseconds, and each attempt of the write waits, between its count and its insert, for
  // one of those commits (while the rival runs), so that it is bound to conflict however the
  // threads are scheduled: a few dozen lost attempts in a row. The write is run again until it
  // gets through, rather than refused as busy after a fixed count.
  auto org = add_org("acme");
  std::atomic<int> interfering{0};
  std::atomic<bool> rival_done{false};
  std::thread rival([&] {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    for (int i = 0; std::chrono::steady_clock::now() < until; ++i) {
      const std::string id = "rival-" + std::to_string(i);
      store_->write([&](Transaction& tx) {
        (void)tx.count_tokens(org);
        tx.insert_token(make_token(org, id, kT0, hash_for(id)));
      });
      ++interfering;
    }
    rival_done = true;
  });
  int attempts = 0;
  std::string failure;
  try {
    store_->write([&](Transaction& tx) {
      ++attempts;
      const int seen = interfering.load();
      (void)tx.count_tokens(org);
      while (!rival_done && interfering.load() == seen) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      tx.insert_token(make_token(org, "slow", kT0, hash_for("slow")));
    });
  } catch (const std::exception& e) {
    failure = e.what();
  }
  rival.join();
  EXPECT_EQ(failure, "") << "after " << attempts << " attempts, " << interfering << " rival commits";
  EXPECT_GT(attempts, 1) << "the rival never got in the way; the test proves nothing";
  EXPECT_TRUE(read([&](Transaction& tx) { return tx.find_token(org, "slow").has_value(); }));
}

TEST_F(PostgresStore, AnUnreachableServerIsUnavailableNamingTheDatabaseWithoutItsPassword) {
  const std::string uri = "postgresql://oat:s3cret@/oat?host=" + dir_.file("no-server") + "&port=5432";
  auto e = store_error([&] { oatd::open_postgres_store(uri, 2); });
  EXPECT_EQ(e.kind(), Kind::Unavailable);
  const std::string message = e.what();
  EXPECT_NE(message.find("cannot open database \"postgresql://oat:***@/oat?host="), std::string::npos)
      << message;
  EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
}

TEST_F(PostgresStore, AMalformedUriIsAFailureSayingSo) {
  auto e = store_error([&] { oatd::open_postgres_store("postgresql://oat@/oat?nonsense=1", 2); });
  EXPECT_EQ(e.kind(), Kind::Failure);
  EXPECT_NE(std::string(e.what()).find("not a valid PostgreSQL connection URI"), std::string::npos)
      << e.what();
}

TEST(PostgresSql, ParametersAreNumberedAsSqliteNumbersThem) {
  using oatd::postgres::numbered_parameters;
  EXPECT_EQ(numbered_parameters("SELECT ? , ?"), "SELECT $1 , $2");
  EXPECT_EQ(numbered_parameters("a = ?2 AND b = ?1 OR c = ?"), "a = $2 AND b = $1 OR c = $3");
  EXPECT_EQ(numbered_parameters("WHERE name = '?' AND x = ?"), "WHERE name = '?' AND x = $1");
}

TEST(PostgresSql, RedactedHidesOnlyThePassword) {
  using oatd::postgres::redacted;
  EXPECT_EQ(redacted("postgresql://oat:pw@db:5432/oat"), "postgresql://oat:***@db:5432/oat");
  EXPECT_EQ(redacted("postgresql://oat@db/oat"), "postgresql://oat@db/oat");
  EXPECT_EQ(redacted("postgresql://db/oat?user=a@b"), "postgresql://db/oat?user=a@b");
  EXPECT_EQ(redacted("postgres://u:p@/x?host=/run/pg"), "postgres://u:***@/x?host=/run/pg");
  EXPECT_EQ(redacted("postgresql://oat@db/oat?password=s3cret&sslmode=require"),
            "postgresql://oat@db/oat?password=***&sslmode=require");
  EXPECT_EQ(redacted("postgresql:///oat?host=/run/pg&password=s3cret"),
            "postgresql:///oat?host=/run/pg&password=***");
  EXPECT_EQ(redacted("postgresql:///oat?oldpassword=x"), "postgresql:///oat?oldpassword=x");
}

}  // namespace
