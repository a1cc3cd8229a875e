// Storage: what oatd keeps, behind an interface that SQLite implements today and PostgreSQL can
// implement later. No SQL dialect shows above this line. Every rule is the core's: the store
// keeps records, it does not decide.
//
// All access goes through a transaction. `write` transactions are serializable and durable when
// they return (a 2xx answer may follow); `read` transactions may run concurrently. A write that
// meets another writer's conflict (another process holding the database, a serialization
// failure) is rolled back and run again, so the body given to `write` must be re-runnable: it
// reads what it needs through the transaction and keeps no effects outside it but results it
// assigns (a retry assigns them again).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "oat/oat.h"

namespace oatd {

using oat::Timestamp;

struct User {
  std::int64_t id = 0;
  std::string username;
  std::string password_hash;  // the KDF's self-describing string, never the password
  Timestamp created_at{};
};

struct Company {
  std::int64_t id = 0;
  std::string name;
};

struct Organization {
  std::int64_t id = 0;
  std::string name;
  oat::Plan plan = oat::Plan::Free;
  std::optional<std::int64_t> company_id;
};

// A person's membership. `role` is "owner", "editor", "member", or the name of a custom role of
// the organization.
struct Membership {
  std::int64_t org_id = 0;
  std::int64_t user_id = 0;
  std::string role;
};

struct CustomRole {
  std::int64_t org_id = 0;
  std::string name;
  bool manages_tokens = false;
};

struct Repository {
  std::int64_t org_id = 0;
  std::string name;  // "app" (the path is org/app)
  bool is_public = false;
  Timestamp created_at{};
};

struct TokenRecord {
  std::string id;  // UUID
  std::int64_t org_id = 0;
  std::string label;
  std::string description;
  std::string created_by;
  bool is_active = true;
  Timestamp created_at{};
  std::optional<Timestamp> expires_at;
  std::optional<Timestamp> last_used_at;
  std::vector<std::string> last_addresses;  // oat::note_last_address keeps it
  std::vector<oat::Resource> resources;
  std::string secret_hash;  // SHA-256 of the token string, lower-case hex
  std::int64_t pull_count = 0;
  std::int64_t push_count = 0;
  // Rotation: the secret a rotation replaced (its hash; empty: none) signs in until
  // previous_expires_at; when it last did; when the token was last rotated.
  std::string previous_secret_hash;
  std::optional<Timestamp> previous_expires_at;
  std::optional<Timestamp> previous_last_used_at;
  std::optional<Timestamp> rotated_at;
  bool allow_self_rotation = false;
  std::vector<std::string> allowed_cidrs;  // canonical blocks (oat::parse_allowed_cidrs)
};

struct TokenStateCounts {
  std::size_t active = 0, inactive = 0, expired = 0;
  std::size_t unsettled = 0;  // of `expired`: not yet settled (see settle_token_expiries)
};

// What a registry sign-in looks up: an organization and, when it holds one, its token with a
// given secret hash.
struct OrganizationToken {
  Organization organization;
  // nullopt: no token of this organization has that hash, as its secret or as the secret a
  // rotation replaced (then token->secret_hash differs from the hash looked up).
  std::optional<TokenRecord> token;
  oat::TokenPolicy policy;  // the organization's token policy (empty when it has none)
};

struct AuditEvent {
  std::int64_t id = 0;
  std::string account;  // organization name
  std::string action;   // "access_token.create", ...
  std::string name;     // the object's name (token label)
  std::string actor;    // username, or the organization name for an OAT
  std::string data;     // JSON object text
  Timestamp timestamp{};
};

struct AuditQuery {
  std::string account;
  std::optional<std::string> action;
  std::optional<Timestamp> from, to;  // inclusive
  std::size_t offset = 0;
  std::size_t limit = 10;
};

// A webhook of an organization. The secret deliveries are signed with is kept sealed
// (crypto.h, seal_secret), never in clear.
struct WebhookRecord {
  std::string id;  // UUID
  std::int64_t org_id = 0;
  std::string url;
  std::vector<std::string> events;
  bool active = true;
  std::string sealed_secret;
  Timestamp created_at{};
  std::string created_by;
};

// An OIDC connection of an organization (oat/oidc.h): its rulesets kept as their JSON text.
struct OidcConnectionRecord {
  std::string id;  // UUID
  std::int64_t org_id = 0;
  std::string name, issuer, audience;
  bool active = true;
  std::string rulesets;  // oat::oidc_rulesets_json, as text
  std::int64_t version = 1;
  Timestamp created_at{}, updated_at{};
  std::string created_by;
  std::optional<Timestamp> last_exchange_at;
};

// A refused exchange of a connection: why, and what the ID token claimed (JSON texts).
struct OidcFailureRecord {
  std::string connection_id;
  Timestamp at{};
  std::string reason;
  std::string claims = "{}";
  std::string mismatches = "[]";
};

// One delivery of an event to a webhook: its body as sent, and how sending went.
struct DeliveryRecord {
  std::string id;  // UUID: the X-OAT-Delivery header, the same on every attempt
  std::string webhook_id;
  std::string event;
  std::string body;
  oat::DeliveryStatus status = oat::DeliveryStatus::Pending;
  int attempts = 0;
  std::optional<int> last_status;
  std::string last_error;
  Timestamp created_at{};
  std::optional<Timestamp> next_attempt_at, last_attempt_at, delivered_at;
};

// A delivery a node took to send (claim_due_deliveries), with where and how to sign it.
struct DueDelivery {
  DeliveryRecord delivery;
  std::string url;
  std::string sealed_secret;
};

// A token whose expiry is near or past, with what was told of it so far (expiry warnings).
struct ExpiryNotice {
  std::string token_id;
  std::int64_t org_id = 0;
  std::string org_name;
  std::string label;
  Timestamp expires_at{};
  int warned_days = 0;  // the last access_token.expiring sent (0: none)
};

// A signed-in console session: the long-lived refresh credential, kept as a hash.
struct SessionRecord {
  std::string id;  // UUID
  std::int64_t user_id = 0;
  std::string secret_hash;
  Timestamp created_at{};
  Timestamp expires_at{};
  bool revoked = false;
};

// Thrown by a store for a constraint that the caller did not check first (a unique name taken,
// a missing parent), and for storage failures. Handlers catch it; admin commands print it.
// StorageFull: the disk (or the file system's quota, or the largest file it allows) is full;
// nothing of the transaction was kept, and the same write succeeds once space returns.
// Busy: another writer held the database through every retry; nothing was kept.
// Unavailable: the database server cannot be reached (down, restarting, every connection in
// use); nothing was kept, unless the connection was lost during the commit itself (the
// message then says so).
// A Conflict or NotFound thrown inside `write` leaves that transaction usable: the caller may
// catch it and go on (or let it escape, which rolls everything back).
// A table as `oatd admin migrate-db` copies it: its name and its columns, each read and
// written as text (NULL: nullopt): integers in decimal, booleans "0" or "1".
struct TableColumns {
  enum class Type { Integer, Boolean, Text };
  struct Column {
    std::string_view name;
    Type type;
  };
  std::string_view name;
  std::vector<Column> columns;
  std::string_view order;  // the columns that order its rows ("id"; the primary key)
};
using RowValues = std::vector<std::optional<std::string>>;
// Every table that holds data, parents before children (the order to copy them in). The kept
// token counts and the tokens' creation-order counter are not among them: the target keeps its
// own as the tokens arrive (Transaction::finish_copy).
const std::vector<TableColumns>& copied_tables();

class StoreError : public std::runtime_error {
 public:
  enum class Kind { Conflict, NotFound, StorageFull, Busy, Unavailable, Failure };
  StoreError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// The queries. Obtained only inside Store::read / Store::write.
class Transaction {
 public:
  virtual ~Transaction() = default;

  // Users, companies, organizations, roles, memberships
  virtual std::int64_t add_user(const std::string& username, const std::string& password_hash,
                                Timestamp now) = 0;
  virtual std::optional<User> find_user(std::string_view username) = 0;
  virtual std::optional<User> find_user_by_id(std::int64_t id) = 0;
  virtual std::int64_t add_company(const std::string& name) = 0;
  virtual std::optional<Company> find_company(std::string_view name) = 0;
  virtual void add_company_owner(std::int64_t company_id, std::int64_t user_id) = 0;  // idempotent
  virtual bool is_company_owner(std::int64_t company_id, std::int64_t user_id) = 0;
  virtual std::int64_t add_organization(const std::string& name, oat::Plan plan,
                                        std::optional<std::int64_t> company_id) = 0;
  virtual std::optional<Organization> find_organization(std::string_view name) = 0;
  virtual std::optional<Organization> find_organization_by_id(std::int64_t id) = 0;
  virtual void add_custom_role(const CustomRole& role) = 0;
  virtual std::optional<CustomRole> find_custom_role(std::int64_t org_id,
                                                     std::string_view name) = 0;
  // Adds or replaces the user's membership.
  virtual void set_membership(const Membership& membership) = 0;
  virtual std::optional<Membership> find_membership(std::int64_t org_id, std::int64_t user_id) = 0;
  // Organizations where the user is a member, or owns the company; sorted by name.
  virtual std::vector<Organization> organizations_of_user(std::int64_t user_id) = 0;

  // Repositories
  virtual void add_repository(const Repository& repository) = 0;  // Conflict if it exists
  virtual std::optional<Repository> find_repository(std::int64_t org_id,
                                                    std::string_view name) = 0;
  // Sorted by name.
  virtual std::vector<Repository> list_repositories(std::int64_t org_id, std::size_t offset,
                                                    std::size_t limit) = 0;
  virtual std::size_t count_repositories(std::int64_t org_id) = 0;

  // Tokens
  virtual void insert_token(const TokenRecord& token) = 0;
  // Replaces what may change of an existing token (matched by id and org_id; NotFound if there
  // is none): label, description, is_active, resources, allow_self_rotation, allowed_cidrs,
  // and what a rotation changes (secret_hash, expires_at and the previous secret's fields,
  // rotated_at). Never its id, organization, creation or use.
  virtual void update_token(const TokenRecord& token) = 0;
  virtual bool delete_token(const std::string& id) = 0;
  virtual std::optional<TokenRecord> find_token(std::int64_t org_id, const std::string& id) = 0;
  // By the secret's hash, through an index (an access token used as a management bearer, a
  // leaked token reported): the token whose secret, or whose previous secret, has that hash.
  virtual std::optional<TokenRecord> find_token_by_hash(const std::string& secret_hash) = 0;
  // The lookup on every registry sign-in, in one query: the organization named `org_name`, its
  // token policy, and its token whose secret or previous secret hash is `secret_hash` (a token
  // of another organization is not returned). nullopt when there is no organization of that
  // name.
  virtual std::optional<OrganizationToken> find_organization_token(
      std::string_view org_name, const std::string& secret_hash) = 0;
  // Newest first: created_at, then the order of creation (a sequence the store keeps).
  virtual std::vector<TokenRecord> list_tokens(std::int64_t org_id, std::size_t offset,
                                               std::size_t limit) = 0;
  virtual std::size_t count_tokens(std::int64_t org_id) = 0;
  // Counts of every organization's tokens by state at `now` (oat::derive_state), for metrics.
  // Costs the same with a million tokens as with a hundred: the counts are kept as tokens
  // change, plus the tokens that expired since settle_token_expiries last ran (`unsettled`).
  virtual TokenStateCounts count_tokens_by_state(Timestamp now) = 0;
  // Moves tokens whose expiry has passed by `now` into the kept expired counts; returns how
  // many. Each token is settled once, so the work is proportional to what expired since the
  // last call.
  virtual std::size_t settle_token_expiries(Timestamp now) = 0;
  // Sets last_used_at to `at` unless it is later already (a late batch never moves it
  // backwards), and notes the address in last_addresses (oat::note_last_address).
  // NotFound if the token is gone (as add_token_counts).
  virtual void record_token_use(const std::string& id, Timestamp at,
                                const std::string& address) = 0;
  virtual void add_token_counts(const std::string& id, std::int64_t pulls,
                                std::int64_t pushes) = 0;
  // Sets previous_last_used_at to `at` unless it is later already (a sign-in with the secret
  // a rotation replaced, during its grace). NotFound if the token is gone.
  virtual void record_previous_secret_use(const std::string& id, Timestamp at) = 0;

  // The organization's token policy (empty when none was set), and setting it.
  virtual oat::TokenPolicy find_token_policy(std::int64_t org_id) = 0;
  virtual void set_token_policy(std::int64_t org_id, const oat::TokenPolicy& policy) = 0;

  // Active tokens of the organization expiring after `now` and by `before`, soonest first
  // (the tokens list's expiring_within_days filter), and how many there are.
  virtual std::vector<TokenRecord> list_expiring_tokens(std::int64_t org_id, Timestamp now,
                                                        Timestamp before, std::size_t offset,
                                                        std::size_t limit) = 0;
  virtual std::size_t count_expiring_tokens(std::int64_t org_id, Timestamp now, Timestamp before) = 0;

  // OIDC connections (newest first), their refused exchanges, and the ID tokens exchanged.
  virtual void insert_oidc_connection(const OidcConnectionRecord& connection) = 0;
  // name, issuer, audience, active, rulesets, version and updated_at (NotFound if none).
  virtual void update_oidc_connection(const OidcConnectionRecord& connection) = 0;
  virtual bool delete_oidc_connection(std::int64_t org_id, const std::string& id) = 0;
  virtual std::optional<OidcConnectionRecord> find_oidc_connection(std::int64_t org_id,
                                                                   const std::string& id) = 0;
  // Whatever the organization (the exchange knows only the id).
  virtual std::optional<OidcConnectionRecord> find_oidc_connection_by_id(const std::string& id) = 0;
  virtual std::vector<OidcConnectionRecord> list_oidc_connections(std::int64_t org_id) = 0;
  virtual void note_oidc_exchange(const std::string& id, Timestamp at) = 0;
  // Adds a failure and keeps only the connection's latest `keep`.
  virtual void add_oidc_failure(const OidcFailureRecord& failure, std::size_t keep) = 0;
  // The latest `limit`, newest first.
  virtual std::vector<OidcFailureRecord> list_oidc_failures(const std::string& connection_id,
                                                            std::size_t limit) = 0;
  // Remembers the ID token `jti` of `issuer` until `expires_at`; false when it is remembered
  // already (a replay). Forgets those that expired by `now`.
  virtual bool use_oidc_token_id(const std::string& issuer, const std::string& jti,
                                 Timestamp expires_at, Timestamp now) = 0;

  // Webhooks (newest first), and their deliveries.
  virtual void insert_webhook(const WebhookRecord& webhook) = 0;
  // url, events and active of an existing webhook (NotFound if there is none).
  virtual void update_webhook(const WebhookRecord& webhook) = 0;
  virtual bool delete_webhook(std::int64_t org_id, const std::string& id) = 0;
  virtual std::optional<WebhookRecord> find_webhook(std::int64_t org_id, const std::string& id) = 0;
  virtual std::vector<WebhookRecord> list_webhooks(std::int64_t org_id) = 0;
  virtual void insert_delivery(const DeliveryRecord& delivery) = 0;
  // The webhook's latest `limit` deliveries, newest first.
  virtual std::vector<DeliveryRecord> list_deliveries(const std::string& webhook_id,
                                                      std::size_t limit) = 0;
  // Takes up to `limit` pending deliveries due by `now` that no node holds (or whose hold ended)
  // and holds them until `lease_until`: another node's claim in the meantime skips them.
  virtual std::vector<DueDelivery> claim_due_deliveries(Timestamp now, Timestamp lease_until,
                                                        std::size_t limit) = 0;
  // Whether claim_due_deliveries at `now` would find one (a read, before taking the write lock).
  virtual bool has_due_delivery(Timestamp now) = 0;
  // Writes how an attempt went (status, attempts, last_status, last_error, the times) and
  // releases the hold.
  virtual void finish_delivery(const DeliveryRecord& delivery) = 0;
  virtual std::size_t count_pending_deliveries() = 0;
  // Forgets delivered and failed deliveries written before `before` (the log keeps recent ones).
  virtual std::size_t forget_deliveries(Timestamp before) = 0;
  // Tokens of organizations with an active webhook, active, expiring after `since` and by
  // `horizon`, and not yet told expired: up to `limit`, soonest first.
  virtual std::vector<ExpiryNotice> expiry_notices(Timestamp since, Timestamp horizon,
                                                   std::size_t limit) = 0;
  // What was told of a token's expiry: the last warning's days, and whether its expiry was.
  virtual void set_expiry_notice(const std::string& token_id, int warned_days, bool expired) = 0;
  // Whether a refused sign-in of the token may be told now: true (and noted) when none was told
  // since `since`.
  virtual bool claim_refusal_notice(const std::string& token_id, Timestamp now, Timestamp since) = 0;

  // Daily usage: adds to the token's counts of day `day` (oat::usage_day); the token's or the
  // organization's days from `from_day` on (the organization's summed over its tokens, those
  // deleted since included); forgetting days before `before_day`.
  // (A token deleted meanwhile gets nothing.)
  virtual void add_usage_day(const std::string& token_id, std::int64_t day, std::int64_t pulls,
                             std::int64_t pushes, std::int64_t sign_ins) = 0;
  virtual std::vector<std::pair<std::int64_t, oat::UsageDay>> token_usage_days(
      const std::string& token_id, std::int64_t from_day) = 0;
  virtual std::vector<std::pair<std::int64_t, oat::UsageDay>> organization_usage_days(
      std::int64_t org_id, std::int64_t from_day) = 0;
  virtual void forget_usage_days(std::int64_t before_day) = 0;

  // Audit log
  // event.id is ignored (the store numbers events); empty data is stored as "{}".
  virtual void add_audit_event(const AuditEvent& event) = 0;
  // Newest first.
  virtual std::vector<AuditEvent> list_audit_events(const AuditQuery& query) = 0;
  virtual std::size_t count_audit_events(const AuditQuery& query) = 0;  // ignores offset/limit

  // Console sessions
  virtual void insert_session(const SessionRecord& session) = 0;
  virtual std::optional<SessionRecord> find_session(const std::string& id) = 0;
  virtual void revoke_session(const std::string& id) = 0;  // NotFound if there is none

  // Failed sign-ins per key (an identifier, a client address), for the rate limits. Kept in
  // the database, so that every server of it counts the same failures, also after a restart.
  // The times of `key`'s failures later than `since`, oldest first.
  virtual std::vector<Timestamp> sign_in_failures(const std::string& key, Timestamp since) = 0;
  // Notes a failure of `key` at `at`, and forgets the key's failures at or before `forget`
  // (only the key's own rows: concurrent failures of other keys do not meet).
  virtual void add_sign_in_failure(const std::string& key, Timestamp at, Timestamp forget) = 0;
  virtual void clear_sign_in_failures(const std::string& key) = 0;
  // Forgets every key's failures at or before `through` (housekeeping: keys that failed once
  // and never came back).
  virtual void forget_sign_in_failures(Timestamp through) = 0;

  // Which token registry notifications mean: they name the organization, the client's address
  // and the repository, not the token; the token that last signed in with those is kept here,
  // where every server can find it.
  // Keeps `token_id` for the three, unless a grant later than `at` is kept for them already.
  virtual void note_recent_grant(const std::string& org, const std::string& address,
                                 const std::string& repository, const std::string& token_id,
                                 Timestamp at) = 0;
  struct RecentGrant {
    std::string token_id;
    Timestamp at{};
  };
  virtual std::optional<RecentGrant> recent_grant(const std::string& org,
                                                  const std::string& address,
                                                  const std::string& repository) = 0;
  // Forgets the grants made at or before `through`.
  virtual void forget_recent_grants(Timestamp through) = 0;

  // Moving to another database (oatd admin migrate-db); `table` is one of copied_tables().
  virtual std::size_t count_rows(const TableColumns& table) = 0;
  // Hands every row of the table to `row`, in the table's order, a page at a time.
  virtual void each_row(const TableColumns& table,
                        const std::function<void(const RowValues&)>& row) = 0;
  // Adds a row read by each_row, with its own ids.
  virtual void insert_row(const TableColumns& table, const RowValues& values) = 0;
  // After a table's rows were inserted: the database's id generator (if the table has one)
  // continues after the largest id.
  virtual void finish_copy(const TableColumns& table) = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // Runs `work` in a transaction that sees a consistent snapshot; may run concurrently. The
  // methods that change something throw StoreError (Failure) here.
  virtual void read(const std::function<void(Transaction&)>& work) = 0;
  // Runs `work` in a serializable transaction; commits when it returns (durable on return),
  // rolls back if it throws (and rethrows). On a conflict with another writer it rolls back and
  // runs `work` again (a few times, then StoreError Busy), so `work` must be re-runnable. Not
  // reentrant: a write inside a write of the same store throws StoreError (Failure) rather
  // than deadlock.
  virtual void write(const std::function<void(Transaction&)>& work) = 0;
  // A number that changes whenever a committed write may have changed what a read returns: at
  // once for every write through this Store; for another process's or node's writes to the same
  // database within a second (SQLite: within 0.1 s, through PRAGMA data_version; PostgreSQL:
  // through LISTEN/NOTIFY, and on every call while the listener cannot promise that). A cache
  // of read results keeps what it read after seeing v for as long as this is still v.
  virtual std::uint64_t change_version() = 0;
};

// EXPLAIN QUERY PLAN of every statement a SQLite store has prepared so far: the statement and
// its plan's steps ("SEARCH tokens USING INDEX ...", "SCAN audit_events"). For tests that keep
// the serving path off full scans; empty for other stores.
struct QueryPlan {
  std::string sql;
  std::vector<std::string> steps;
};
std::vector<QueryPlan> sqlite_query_plans(Store& store);

// Opens (creating if needed) a SQLite database at `path` in WAL mode and brings its schema to
// the current version.
std::unique_ptr<Store> open_sqlite_store(const std::string& path);

// Connects to the PostgreSQL database at `uri` (a libpq connection URI, postgresql://...),
// brings its schema to the current version, and keeps up to `connections` connections open.
std::unique_ptr<Store> open_postgres_store(const std::string& uri, std::size_t connections);

// True when `database` names a PostgreSQL database (postgresql:// or postgres://) rather than
// a SQLite file.
bool is_postgres_uri(std::string_view database);

// `database` as messages and logs show it: a URI's password replaced by "***".
std::string redacted_database(std::string_view database);

// The store `database` names: a PostgreSQL URI or a SQLite file path. `connections` bounds a
// PostgreSQL store's pool (one per request served at once, and a few more).
std::unique_ptr<Store> open_store(const std::string& database, std::size_t connections);

}  // namespace oatd
