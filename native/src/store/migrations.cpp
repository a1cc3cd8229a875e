#include "store/migrations.h"

#include <array>

namespace oatd::store {
namespace {

// Times are integer Unix seconds (bigint in PostgreSQL). Booleans are 0/1 integers.
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT    NOT NULL UNIQUE,
  password_hash TEXT    NOT NULL,
  created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE companies (
  id   INTEGER PRIMARY KEY,
  name TEXT    NOT NULL UNIQUE
) STRICT;

CREATE TABLE company_owners (
  company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (company_id, user_id)
) STRICT;
CREATE INDEX company_owners_by_user ON company_owners(user_id);

CREATE TABLE organizations (
  id         INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL UNIQUE,
  plan       TEXT    NOT NULL CHECK (plan IN ('free', 'team', 'business')),
  company_id INTEGER REFERENCES companies(id)
) STRICT;
CREATE INDEX organizations_by_company ON organizations(company_id);

CREATE TABLE custom_roles (
  org_id         INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name           TEXT    NOT NULL,
  manages_tokens INTEGER NOT NULL CHECK (manages_tokens IN (0, 1)),
  PRIMARY KEY (org_id, name)
) STRICT;

CREATE TABLE memberships (
  org_id  INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role    TEXT    NOT NULL,
  PRIMARY KEY (org_id, user_id)
) STRICT;
CREATE INDEX memberships_by_user ON memberships(user_id);

CREATE TABLE repositories (
  org_id     INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name       TEXT    NOT NULL,
  is_public  INTEGER NOT NULL CHECK (is_public IN (0, 1)),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (org_id, name)
) STRICT;

CREATE TABLE tokens (
  id             TEXT    PRIMARY KEY,
  org_id         INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  label          TEXT    NOT NULL,
  description    TEXT    NOT NULL DEFAULT '',
  created_by     TEXT    NOT NULL,
  is_active      INTEGER NOT NULL CHECK (is_active IN (0, 1)),
  created_at     INTEGER NOT NULL,
  expires_at     INTEGER,
  last_used_at   INTEGER,
  last_addresses TEXT    NOT NULL DEFAULT '[]',
  resources      TEXT    NOT NULL DEFAULT '[]',
  secret_hash    TEXT    NOT NULL,
  pull_count     INTEGER NOT NULL DEFAULT 0,
  push_count     INTEGER NOT NULL DEFAULT 0
) STRICT;
-- Every registry sign-in looks a token up by its hash: an index lookup, never a scan.
CREATE UNIQUE INDEX tokens_by_secret_hash ON tokens(secret_hash);
-- Listing an organization's tokens, newest first.
CREATE INDEX tokens_by_org_created ON tokens(org_id, created_at, id);

CREATE TABLE audit_events (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  account   TEXT    NOT NULL,
  action    TEXT    NOT NULL,
  name      TEXT    NOT NULL,
  actor     TEXT    NOT NULL,
  data      TEXT    NOT NULL DEFAULT '{}',
  timestamp INTEGER NOT NULL
) STRICT;
CREATE INDEX audit_events_by_account_time ON audit_events(account, timestamp);

CREATE TABLE sessions (
  id          TEXT    PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  secret_hash TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  revoked     INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
) STRICT;
CREATE INDEX sessions_by_user ON sessions(user_id);
)sql";

constexpr std::array kMigrations{
    Migration{1, "initial schema", kInitialSchema},
};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

int latest_schema_version() { return kMigrations.back().version; }

}  // namespace oatd::store
