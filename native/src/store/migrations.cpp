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

// Token counts by state, kept as tokens change, so that counting (GET /metrics) reads four rows
// and never the tokens table. is_active is a column; expiry is time: a token past its
// expires_at moves into the expired counts when it is "settled" (expiry_counted = 1), which
// settle_token_expiries does for the few tokens that expired since it last ran; until then an
// exact count adds them from the partial index of unsettled expiries.
constexpr std::string_view kTokenCounts = R"sql(
ALTER TABLE tokens ADD COLUMN expiry_counted INTEGER NOT NULL DEFAULT 0
  CHECK (expiry_counted IN (0, 1));
CREATE INDEX tokens_expiry_unsettled ON tokens(expires_at, is_active)
  WHERE expires_at IS NOT NULL AND expiry_counted = 0;

CREATE TABLE token_counts (
  is_active      INTEGER NOT NULL CHECK (is_active IN (0, 1)),
  expiry_counted INTEGER NOT NULL CHECK (expiry_counted IN (0, 1)),
  n              INTEGER NOT NULL,
  PRIMARY KEY (is_active, expiry_counted)
) STRICT, WITHOUT ROWID;

UPDATE tokens SET expiry_counted = 1
  WHERE expires_at IS NOT NULL AND expires_at <= CAST(strftime('%s', 'now') AS INTEGER);
INSERT INTO token_counts (is_active, expiry_counted, n)
  SELECT a, e, (SELECT COUNT(*) FROM tokens WHERE is_active = a AND expiry_counted = e)
  FROM (SELECT 0 AS a UNION ALL SELECT 1), (SELECT 0 AS e UNION ALL SELECT 1);

CREATE TRIGGER token_counts_insert AFTER INSERT ON tokens BEGIN
  UPDATE token_counts SET n = n + 1
    WHERE is_active = NEW.is_active AND expiry_counted = NEW.expiry_counted;
END;
CREATE TRIGGER token_counts_delete AFTER DELETE ON tokens BEGIN
  UPDATE token_counts SET n = n - 1
    WHERE is_active = OLD.is_active AND expiry_counted = OLD.expiry_counted;
END;
CREATE TRIGGER token_counts_update AFTER UPDATE OF is_active, expiry_counted ON tokens
  WHEN OLD.is_active IS NOT NEW.is_active OR OLD.expiry_counted IS NOT NEW.expiry_counted
BEGIN
  UPDATE token_counts SET n = n - 1
    WHERE is_active = OLD.is_active AND expiry_counted = OLD.expiry_counted;
  UPDATE token_counts SET n = n + 1
    WHERE is_active = NEW.is_active AND expiry_counted = NEW.expiry_counted;
END;
-- A token given another expiry is settled again from its new one.
CREATE TRIGGER token_counts_new_expiry AFTER UPDATE OF expires_at ON tokens
  WHEN OLD.expires_at IS NOT NEW.expires_at AND NEW.expiry_counted = 1
BEGIN
  UPDATE tokens SET expiry_counted = 0 WHERE id = NEW.id;
END;
)sql";

// Lists are newest first: created_at, then the order of creation, which a sequence of the
// store's own keeps (rowid is SQLite's alone and VACUUM may renumber it). Tokens created before
// this step keep their rowid order.
constexpr std::string_view kCreationOrder = R"sql(
ALTER TABLE tokens ADD COLUMN created_seq INTEGER NOT NULL DEFAULT 0;
UPDATE tokens SET created_seq = rowid;
CREATE TABLE sequences (
  name TEXT    PRIMARY KEY,
  last INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO sequences (name, last) SELECT 'tokens', COALESCE(MAX(created_seq), 0) FROM tokens;
DROP INDEX tokens_by_org_created;
CREATE INDEX tokens_by_org_created ON tokens(org_id, created_at, created_seq);
)sql";

// What several oatd processes on one database share through it: failed sign-ins (the rate
// limits), and which token last signed in for an organization, client address and repository
// (registry notifications name those, not the token).
constexpr std::string_view kSharedState = R"sql(
CREATE TABLE sign_in_failures (
  key TEXT    NOT NULL,
  at  INTEGER NOT NULL
) STRICT;
CREATE INDEX sign_in_failures_by_key ON sign_in_failures(key, at);
CREATE INDEX sign_in_failures_by_time ON sign_in_failures(at);

CREATE TABLE recent_grants (
  org        TEXT    NOT NULL,
  address    TEXT    NOT NULL,
  repository TEXT    NOT NULL,
  token_id   TEXT    NOT NULL,
  at         INTEGER NOT NULL,
  PRIMARY KEY (org, address, repository)
) STRICT, WITHOUT ROWID;
CREATE INDEX recent_grants_by_time ON recent_grants(at);

-- The queries are shared with PostgreSQL, which has booleans: they say FALSE, and SQLite uses a
-- partial index only for the very condition it was made with.
DROP INDEX tokens_expiry_unsettled;
CREATE INDEX tokens_expiry_unsettled ON tokens(expires_at, is_active)
  WHERE expires_at IS NOT NULL AND expiry_counted = FALSE;
)sql";

// Token lifecycle: rotation keeps the replaced secret's hash for its grace period (looked up by
// an index of its own at sign-in), a token may rotate itself and be limited to address blocks,
// and an organization may set a token policy.
constexpr std::string_view kLifecycle = R"sql(
ALTER TABLE tokens ADD COLUMN previous_secret_hash TEXT;
ALTER TABLE tokens ADD COLUMN previous_expires_at INTEGER;
ALTER TABLE tokens ADD COLUMN previous_last_used_at INTEGER;
ALTER TABLE tokens ADD COLUMN rotated_at INTEGER;
ALTER TABLE tokens ADD COLUMN allow_self_rotation INTEGER NOT NULL DEFAULT 0
  CHECK (allow_self_rotation IN (0, 1));
ALTER TABLE tokens ADD COLUMN allowed_cidrs TEXT NOT NULL DEFAULT '[]';
CREATE INDEX tokens_by_previous_secret_hash ON tokens(previous_secret_hash)
  WHERE previous_secret_hash IS NOT NULL;

CREATE TABLE token_policies (
  org_id             INTEGER PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
  max_lifetime_days  INTEGER,
  require_expiration INTEGER NOT NULL DEFAULT 0 CHECK (require_expiration IN (0, 1)),
  max_idle_days      INTEGER
) STRICT;
)sql";

// Webhooks (and their deliveries, written in the transaction of the change they tell about),
// what expiry warnings and sign-in refusals were told, and the daily usage series.
constexpr std::string_view kWebhooks = R"sql(
CREATE TABLE webhooks (
  id            TEXT    PRIMARY KEY,
  org_id        INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  url           TEXT    NOT NULL,
  events        TEXT    NOT NULL,
  active        INTEGER NOT NULL CHECK (active IN (0, 1)),
  sealed_secret TEXT    NOT NULL,
  created_at    INTEGER NOT NULL,
  created_by    TEXT    NOT NULL
) STRICT;
CREATE INDEX webhooks_by_org ON webhooks(org_id, created_at);

CREATE TABLE webhook_deliveries (
  id              TEXT    PRIMARY KEY,
  webhook_id      TEXT    NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event           TEXT    NOT NULL,
  body            TEXT    NOT NULL,
  status          TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_status     INTEGER,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  next_attempt_at INTEGER,
  last_attempt_at INTEGER,
  delivered_at    INTEGER,
  lease_until     INTEGER
) STRICT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries(webhook_id, created_at);

ALTER TABLE tokens ADD COLUMN expiry_warned_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN expired_notified INTEGER NOT NULL DEFAULT 0
  CHECK (expired_notified IN (0, 1));
ALTER TABLE tokens ADD COLUMN refusal_notified_at INTEGER;
CREATE INDEX tokens_by_expiry ON tokens(expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE token_usage_days (
  token_id TEXT    NOT NULL,
  org_id   INTEGER NOT NULL,
  day      INTEGER NOT NULL,
  pulls    INTEGER NOT NULL DEFAULT 0,
  pushes   INTEGER NOT NULL DEFAULT 0,
  sign_ins INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (token_id, day)
) STRICT;
CREATE INDEX token_usage_days_by_org ON token_usage_days(org_id, day);
)sql";

// OIDC connections (CI sign-in with an ID token), the refused exchanges each keeps, and the ID
// tokens exchanged (each once), remembered until they expire.
constexpr std::string_view kOidc = R"sql(
CREATE TABLE oidc_connections (
  id               TEXT    PRIMARY KEY,
  org_id           INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name             TEXT    NOT NULL,
  issuer           TEXT    NOT NULL,
  audience         TEXT    NOT NULL,
  active           INTEGER NOT NULL CHECK (active IN (0, 1)),
  rulesets         TEXT    NOT NULL,
  version          INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  created_by       TEXT    NOT NULL,
  updated_at       INTEGER NOT NULL,
  last_exchange_at INTEGER
) STRICT;
CREATE INDEX oidc_connections_by_org ON oidc_connections(org_id, created_at);

CREATE TABLE oidc_failures (
  id            INTEGER PRIMARY KEY,
  connection_id TEXT    NOT NULL REFERENCES oidc_connections(id) ON DELETE CASCADE,
  at            INTEGER NOT NULL,
  reason        TEXT    NOT NULL,
  claims        TEXT    NOT NULL,
  mismatches    TEXT    NOT NULL
) STRICT;
CREATE INDEX oidc_failures_by_connection ON oidc_failures(connection_id, id);

CREATE TABLE oidc_token_ids (
  issuer     TEXT    NOT NULL,
  jti        TEXT    NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (issuer, jti)
) STRICT;
CREATE INDEX oidc_token_ids_by_expiry ON oidc_token_ids(expires_at);
)sql";

constexpr std::array kSqliteMigrations{
    Migration{1, "initial schema", kInitialSchema},
    Migration{2, "token counts kept by state", kTokenCounts},
    Migration{3, "tokens keep their creation order", kCreationOrder},
    Migration{4, "state shared by every server of a database", kSharedState},
    Migration{5, "token lifecycle: rotation, self-rotation, allow-lists, policy", kLifecycle},
    Migration{6, "webhooks, expiry warnings, daily usage", kWebhooks},
    Migration{7, "OIDC connections", kOidc},
};

// PostgreSQL: the same tables as SQLite's migrations build, in one step. Times are bigint Unix
// seconds; names sort and compare bytewise (COLLATE "C"), as in SQLite; the token counts are
// kept by PL/pgSQL triggers. Where SQLite's single writer is at ease with one hot row, several
// servers writing at once are not: each count is spread over 16 rows (slot, by the token's id;
// readers add them up), and the creation order is a SEQUENCE, not a counter row.
constexpr std::string_view kPostgresInitialSchema = R"sql(
CREATE TABLE users (
  id            bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  username      text COLLATE "C" NOT NULL UNIQUE,
  password_hash text   NOT NULL,
  created_at    bigint NOT NULL
);

CREATE TABLE companies (
  id   bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name text COLLATE "C" NOT NULL UNIQUE
);

CREATE TABLE company_owners (
  company_id bigint NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
  user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (company_id, user_id)
);
CREATE INDEX company_owners_by_user ON company_owners(user_id);

CREATE TABLE organizations (
  id         bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name       text COLLATE "C" NOT NULL UNIQUE,
  plan       text   NOT NULL CHECK (plan IN ('free', 'team', 'business')),
  company_id bigint REFERENCES companies(id)
);
CREATE INDEX organizations_by_company ON organizations(company_id);

CREATE TABLE custom_roles (
  org_id         bigint  NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name           text COLLATE "C" NOT NULL,
  manages_tokens boolean NOT NULL,
  PRIMARY KEY (org_id, name)
);

CREATE TABLE memberships (
  org_id  bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role    text COLLATE "C" NOT NULL,
  PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships(user_id);

CREATE TABLE repositories (
  org_id     bigint  NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name       text COLLATE "C" NOT NULL,
  is_public  boolean NOT NULL,
  created_at bigint  NOT NULL,
  PRIMARY KEY (org_id, name)
);

CREATE TABLE tokens (
  id             text    PRIMARY KEY,
  org_id         bigint  NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  label          text    NOT NULL,
  description    text    NOT NULL DEFAULT '',
  created_by     text    NOT NULL,
  is_active      boolean NOT NULL,
  created_at     bigint  NOT NULL,
  expires_at     bigint,
  last_used_at   bigint,
  last_addresses text    NOT NULL DEFAULT '[]',
  resources      text    NOT NULL DEFAULT '[]',
  secret_hash    text    NOT NULL,
  pull_count     bigint  NOT NULL DEFAULT 0,
  push_count     bigint  NOT NULL DEFAULT 0,
  expiry_counted boolean NOT NULL DEFAULT FALSE,
  created_seq    bigint  NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX tokens_by_secret_hash ON tokens(secret_hash);
CREATE INDEX tokens_by_org_created ON tokens(org_id, created_at, created_seq);
CREATE INDEX tokens_expiry_unsettled ON tokens(expires_at, is_active)
  WHERE expires_at IS NOT NULL AND expiry_counted = FALSE;

CREATE TABLE token_counts (
  slot           smallint NOT NULL,
  is_active      boolean  NOT NULL,
  expiry_counted boolean  NOT NULL,
  n              bigint   NOT NULL,
  PRIMARY KEY (slot, is_active, expiry_counted)
);
INSERT INTO token_counts (slot, is_active, expiry_counted, n)
  SELECT slot, a, e, 0
  FROM generate_series(0, 15) AS slot, (VALUES (FALSE), (TRUE)) AS a(a),
       (VALUES (FALSE), (TRUE)) AS e(e);

CREATE FUNCTION token_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE token_counts SET n = n - 1
      WHERE slot = hashtext(OLD.id) & 15
        AND is_active = OLD.is_active AND expiry_counted = OLD.expiry_counted;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE token_counts SET n = n + 1
      WHERE slot = hashtext(NEW.id) & 15
        AND is_active = NEW.is_active AND expiry_counted = NEW.expiry_counted;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER token_counts_insert_delete AFTER INSERT OR DELETE ON tokens
  FOR EACH ROW EXECUTE FUNCTION token_counts_change();
CREATE TRIGGER token_counts_update AFTER UPDATE ON tokens
  FOR EACH ROW WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active
                     OR OLD.expiry_counted IS DISTINCT FROM NEW.expiry_counted)
  EXECUTE FUNCTION token_counts_change();
-- A token given another expiry is settled again from its new one.
CREATE FUNCTION tokens_new_expiry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.expiry_counted := FALSE;
  RETURN NEW;
END $$;
CREATE TRIGGER tokens_new_expiry BEFORE UPDATE OF expires_at ON tokens
  FOR EACH ROW WHEN (OLD.expires_at IS DISTINCT FROM NEW.expires_at AND OLD.expiry_counted)
  EXECUTE FUNCTION tokens_new_expiry();

CREATE SEQUENCE tokens_created_seq;

CREATE TABLE audit_events (
  id        bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  account   text COLLATE "C" NOT NULL,
  action    text   NOT NULL,
  name      text   NOT NULL,
  actor     text   NOT NULL,
  data      text   NOT NULL DEFAULT '{}',
  timestamp bigint NOT NULL
);
CREATE INDEX audit_events_by_account_time ON audit_events(account, timestamp);

CREATE TABLE sessions (
  id          text    PRIMARY KEY,
  user_id     bigint  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  secret_hash text    NOT NULL,
  created_at  bigint  NOT NULL,
  expires_at  bigint  NOT NULL,
  revoked     boolean NOT NULL DEFAULT FALSE
);
CREATE INDEX sessions_by_user ON sessions(user_id);

CREATE TABLE sign_in_failures (
  key text   NOT NULL,
  at  bigint NOT NULL
);
CREATE INDEX sign_in_failures_by_key ON sign_in_failures(key, at);
CREATE INDEX sign_in_failures_by_time ON sign_in_failures(at);

CREATE TABLE recent_grants (
  org        text   NOT NULL,
  address    text   NOT NULL,
  repository text   NOT NULL,
  token_id   text   NOT NULL,
  at         bigint NOT NULL,
  PRIMARY KEY (org, address, repository)
);
CREATE INDEX recent_grants_by_time ON recent_grants(at);
)sql";

constexpr std::string_view kPostgresLifecycle = R"sql(
ALTER TABLE tokens ADD COLUMN previous_secret_hash text;
ALTER TABLE tokens ADD COLUMN previous_expires_at bigint;
ALTER TABLE tokens ADD COLUMN previous_last_used_at bigint;
ALTER TABLE tokens ADD COLUMN rotated_at bigint;
ALTER TABLE tokens ADD COLUMN allow_self_rotation boolean NOT NULL DEFAULT FALSE;
ALTER TABLE tokens ADD COLUMN allowed_cidrs text NOT NULL DEFAULT '[]';
CREATE INDEX tokens_by_previous_secret_hash ON tokens(previous_secret_hash)
  WHERE previous_secret_hash IS NOT NULL;

CREATE TABLE token_policies (
  org_id             bigint  PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
  max_lifetime_days  integer,
  require_expiration boolean NOT NULL DEFAULT FALSE,
  max_idle_days      integer
);
)sql";

constexpr std::string_view kPostgresWebhooks = R"sql(
CREATE TABLE webhooks (
  id            text    COLLATE "C" PRIMARY KEY,
  org_id        bigint  NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  url           text    NOT NULL,
  events        text    NOT NULL,
  active        boolean NOT NULL,
  sealed_secret text    NOT NULL,
  created_at    bigint  NOT NULL,
  created_by    text    NOT NULL
);
CREATE INDEX webhooks_by_org ON webhooks(org_id, created_at);

CREATE TABLE webhook_deliveries (
  id              text    COLLATE "C" PRIMARY KEY,
  webhook_id      text    COLLATE "C" NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event           text    NOT NULL,
  body            text    NOT NULL,
  status          text    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  last_status     integer,
  last_error      text,
  created_at      bigint  NOT NULL,
  next_attempt_at bigint,
  last_attempt_at bigint,
  delivered_at    bigint,
  lease_until     bigint
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries(webhook_id, created_at);

ALTER TABLE tokens ADD COLUMN expiry_warned_days integer NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN expired_notified boolean NOT NULL DEFAULT FALSE;
ALTER TABLE tokens ADD COLUMN refusal_notified_at bigint;
CREATE INDEX tokens_by_expiry ON tokens(expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE token_usage_days (
  token_id text    COLLATE "C" NOT NULL,
  org_id   bigint  NOT NULL,
  day      bigint  NOT NULL,
  pulls    bigint  NOT NULL DEFAULT 0,
  pushes   bigint  NOT NULL DEFAULT 0,
  sign_ins bigint  NOT NULL DEFAULT 0,
  PRIMARY KEY (token_id, day)
);
CREATE INDEX token_usage_days_by_org ON token_usage_days(org_id, day);
)sql";

// Every node keeps what a registry sign-in reads (organizations, their token policies, tokens,
// failed sign-ins) between writes. A change to any of them, by any node or any other client of
// the database, notifies channel oat_changes when it commits; every node listens
// (postgres_store.cpp, ChangeListener).
constexpr std::string_view kPostgresChangeNotices = R"sql(
CREATE FUNCTION oat_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('oat_changes', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER organizations_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organizations
  FOR EACH STATEMENT EXECUTE FUNCTION oat_notify_change();
CREATE TRIGGER token_policies_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON token_policies
  FOR EACH STATEMENT EXECUTE FUNCTION oat_notify_change();
CREATE TRIGGER tokens_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tokens
  FOR EACH STATEMENT EXECUTE FUNCTION oat_notify_change();
CREATE TRIGGER sign_in_failures_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sign_in_failures
  FOR EACH STATEMENT EXECUTE FUNCTION oat_notify_change();
)sql";

constexpr std::string_view kPostgresOidc = R"sql(
CREATE TABLE oidc_connections (
  id               text    COLLATE "C" PRIMARY KEY,
  org_id           bigint  NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name             text    NOT NULL,
  issuer           text    COLLATE "C" NOT NULL,
  audience         text    COLLATE "C" NOT NULL,
  active           boolean NOT NULL,
  rulesets         text    NOT NULL,
  version          bigint  NOT NULL,
  created_at       bigint  NOT NULL,
  created_by       text    NOT NULL,
  updated_at       bigint  NOT NULL,
  last_exchange_at bigint
);
CREATE INDEX oidc_connections_by_org ON oidc_connections(org_id, created_at);

CREATE TABLE oidc_failures (
  id            bigint  GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  connection_id text    COLLATE "C" NOT NULL REFERENCES oidc_connections(id) ON DELETE CASCADE,
  at            bigint  NOT NULL,
  reason        text    NOT NULL,
  claims        text    NOT NULL,
  mismatches    text    NOT NULL
);
CREATE INDEX oidc_failures_by_connection ON oidc_failures(connection_id, id);

CREATE TABLE oidc_token_ids (
  issuer     text   COLLATE "C" NOT NULL,
  jti        text   COLLATE "C" NOT NULL,
  expires_at bigint NOT NULL,
  PRIMARY KEY (issuer, jti)
);
CREATE INDEX oidc_token_ids_by_expiry ON oidc_token_ids(expires_at);
)sql";

constexpr std::array kPostgresMigrations{
    Migration{1, "initial schema", kPostgresInitialSchema},
    Migration{2, "token lifecycle: rotation, self-rotation, allow-lists, policy", kPostgresLifecycle},
    Migration{3, "webhooks, expiry warnings, daily usage", kPostgresWebhooks},
    Migration{4, "changes that sign-in caches must hear of are notified", kPostgresChangeNotices},
    Migration{5, "OIDC connections", kPostgresOidc},
};

}  // namespace

std::span<const Migration> migrations(Dialect dialect) {
  if (dialect == Dialect::PostgreSQL) return kPostgresMigrations;
  return kSqliteMigrations;
}

int latest_schema_version(Dialect dialect) { return migrations(dialect).back().version; }

std::string newer_schema_message(std::string_view database, int version, Dialect dialect) {
  return "database \"" + std::string(database) + "\" has schema version " +
         std::to_string(version) + ", newer than this oatd supports (" +
         std::to_string(latest_schema_version(dialect)) +
         "); it was written by a newer oatd: upgrade oatd to open it";
}

std::string foreign_database_message(std::string_view database) {
  return "database \"" + std::string(database) +
         "\" holds tables of another application (it has no oatd schema version); give oatd a "
         "database of its own (a new or empty one)";
}

}  // namespace oatd::store
