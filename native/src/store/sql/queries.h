// The store's queries, written once for every SQL database it runs on, as a Transaction over a
// connection of that database. `Connection` provides:
//   prepare(sql) -> a statement: bind(i, value) (from 1), step() (true while a row is ready; the
//                   statement is a sql::Row), run() (to the end; the number of rows changed)
//   guarded(f)   -> runs f so that a failing statement leaves the transaction usable
//   continue_ids(table) -> after rows were inserted with their own ids, makes the table's id
//                   generator (if it has one) continue after the largest
//   next_token_seq() -> the next number of the tokens' creation order
// The SQL is the common dialect of SQLite and PostgreSQL: `?` and `?N` parameters (the
// PostgreSQL connection numbers them), TRUE and FALSE, INSERT ... RETURNING, ON CONFLICT.
#pragma once

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "store/sql/rows.h"

namespace oatd::sql {

template <class Connection>
class Queries final : public Transaction {
  using Stmt = decltype(std::declval<Connection&>().prepare(std::string()));

 public:
  explicit Queries(Connection& c) : c_(c) {}

  // -- Users, companies, organizations, roles, memberships --

  std::int64_t add_user(const std::string& username, const std::string& password_hash,
                        Timestamp now) override {
    return insert(
        c_.prepare("INSERT INTO users (username, password_hash, created_at) VALUES (?, ?, ?) "
                   "RETURNING id")
               .bind(1, username)
               .bind(2, password_hash)
               .bind(3, now),
        [&](const StoreError&) { return "user " + in_quotes(username) + " already exists"; });
  }

  std::optional<User> find_user(std::string_view username) override {
    return find_one("SELECT " + kUserColumns + " FROM users WHERE username = ?", read_user,
                    username);
  }

  std::optional<User> find_user_by_id(std::int64_t id) override {
    return find_one("SELECT " + kUserColumns + " FROM users WHERE id = ?", read_user, id);
  }

  std::int64_t add_company(const std::string& name) override {
    return insert(
        c_.prepare("INSERT INTO companies (name) VALUES (?) RETURNING id").bind(1, name),
        [&](const StoreError&) { return "company " + in_quotes(name) + " already exists"; });
  }

  std::optional<Company> find_company(std::string_view name) override {
    return find_one("SELECT id, name FROM companies WHERE name = ?", read_company, name);
  }

  void add_company_owner(std::int64_t company_id, std::int64_t user_id) override {
    insert(c_.prepare("INSERT INTO company_owners (company_id, user_id) VALUES (?, ?) "
                      "ON CONFLICT (company_id, user_id) DO NOTHING")
               .bind(1, company_id)
               .bind(2, user_id),
           kNoUniqueKey, {{"companies", "company", company_id}, {"users", "user", user_id}});
  }

  bool is_company_owner(std::int64_t company_id, std::int64_t user_id) override {
    Stmt s = c_.prepare("SELECT 1 FROM company_owners WHERE company_id = ? AND user_id = ?");
    s.bind(1, company_id).bind(2, user_id);
    return s.step();
  }

  std::int64_t add_organization(const std::string& name, oat::Plan plan,
                                std::optional<std::int64_t> company_id) override {
    return insert(
        c_.prepare("INSERT INTO organizations (name, plan, company_id) VALUES (?, ?, ?) "
                   "RETURNING id")
               .bind(1, name)
               .bind(2, oat::plan_name(plan))
               .bind(3, company_id),
        [&](const StoreError&) { return "organization " + in_quotes(name) + " already exists"; },
        {{"companies", "company", company_id}});
  }

  std::optional<Organization> find_organization(std::string_view name) override {
    return find_one(
        "SELECT " + kOrganizationColumns + " FROM organizations WHERE name = ?",
        [](const Stmt& s) { return read_organization(s); }, name);
  }

  std::optional<Organization> find_organization_by_id(std::int64_t id) override {
    return find_one(
        "SELECT " + kOrganizationColumns + " FROM organizations WHERE id = ?",
        [](const Stmt& s) { return read_organization(s); }, id);
  }

  void add_custom_role(const CustomRole& role) override {
    insert(c_.prepare("INSERT INTO custom_roles (org_id, name, manages_tokens) VALUES (?, ?, ?)")
               .bind(1, role.org_id)
               .bind(2, role.name)
               .bind(3, role.manages_tokens),
           [&](const StoreError&) {
             return "role " + in_quotes(role.name) + " already exists in organization " +
                    org_label(role.org_id);
           },
           {{"organizations", "organization", role.org_id}});
  }

  std::optional<CustomRole> find_custom_role(std::int64_t org_id, std::string_view name) override {
    return find_one(
        "SELECT org_id, name, manages_tokens FROM custom_roles WHERE org_id = ? AND name = ?",
        read_custom_role, org_id, name);
  }

  void set_membership(const Membership& m) override {
    insert(c_.prepare("INSERT INTO memberships (org_id, user_id, role) VALUES (?, ?, ?) "
                      "ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role")
               .bind(1, m.org_id)
               .bind(2, m.user_id)
               .bind(3, m.role),
           kNoUniqueKey,
           {{"organizations", "organization", m.org_id}, {"users", "user", m.user_id}});
  }

  std::optional<Membership> find_membership(std::int64_t org_id, std::int64_t user_id) override {
    return find_one(
        "SELECT org_id, user_id, role FROM memberships WHERE org_id = ? AND user_id = ?",
        read_membership, org_id, user_id);
  }

  std::vector<Organization> organizations_of_user(std::int64_t user_id) override {
    Stmt s =
        c_.prepare("SELECT " + kOrganizationColumns +
                   " FROM organizations "
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
    insert(
        c_.prepare(
              "INSERT INTO repositories (org_id, name, is_public, created_at) VALUES (?, ?, ?, ?)")
            .bind(1, r.org_id)
            .bind(2, r.name)
            .bind(3, r.is_public)
            .bind(4, r.created_at),
        [&](const StoreError&) {
          return "repository " + in_quotes(org_name(r.org_id) + "/" + r.name) + " already exists";
        },
        {{"organizations", "organization", r.org_id}});
  }

  std::optional<Repository> find_repository(std::int64_t org_id, std::string_view name) override {
    return find_one(
        "SELECT " + kRepositoryColumns + " FROM repositories WHERE org_id = ? AND name = ?",
        read_repository, org_id, name);
  }

  std::vector<Repository> list_repositories(std::int64_t org_id, std::size_t offset,
                                            std::size_t limit) override {
    return find_all("SELECT " + kRepositoryColumns +
                        " FROM repositories WHERE org_id = ? ORDER BY name LIMIT ? OFFSET ?",
                    read_repository, org_id, to_sql_count(limit), to_sql_count(offset));
  }

  std::size_t count_repositories(std::int64_t org_id) override {
    return count_of("SELECT COUNT(*) FROM repositories WHERE org_id = ?", org_id);
  }

  // -- Tokens --

  void insert_token(const TokenRecord& t) override {
    const std::int64_t seq = c_.next_token_seq();
    insert(c_.prepare("INSERT INTO tokens (" + kTokenColumns +
                      ", created_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                      "?, ?, ?)")
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
               .bind(15, optional_text(t.previous_secret_hash))
               .bind(16, t.previous_expires_at)
               .bind(17, t.previous_last_used_at)
               .bind(18, t.rotated_at)
               .bind(19, t.allow_self_rotation)
               .bind(20, json_text(t.allowed_cidrs))
               .bind(21, seq),
           [&](const StoreError& e) {
             return std::string_view(e.what()).find("secret_hash") != std::string_view::npos
                        ? std::string("a token with the same secret hash already exists")
                        : "token " + in_quotes(t.id) + " already exists";
           },
           {{"organizations", "organization", t.org_id}});
  }

  void update_token(const TokenRecord& t) override {
    const auto changed =
        c_.prepare(
              "UPDATE tokens SET label = ?, description = ?, is_active = ?, resources = ?, "
              "allow_self_rotation = ?, allowed_cidrs = ?, secret_hash = ?, expires_at = ?, "
              "previous_secret_hash = ?, previous_expires_at = ?, previous_last_used_at = ?, "
              "rotated_at = ? WHERE id = ? AND org_id = ?")
            .bind(1, t.label)
            .bind(2, t.description)
            .bind(3, t.is_active)
            .bind(4, resources_text(t.resources))
            .bind(5, t.allow_self_rotation)
            .bind(6, json_text(t.allowed_cidrs))
            .bind(7, t.secret_hash)
            .bind(8, t.expires_at)
            .bind(9, optional_text(t.previous_secret_hash))
            .bind(10, t.previous_expires_at)
            .bind(11, t.previous_last_used_at)
            .bind(12, t.rotated_at)
            .bind(13, t.id)
            .bind(14, t.org_id)
            .run();
    if (changed == 0) {
      not_found("token " + in_quotes(t.id) + " not found in organization " + org_label(t.org_id));
    }
  }

  bool delete_token(const std::string& id) override {
    return c_.prepare("DELETE FROM tokens WHERE id = ?").bind(1, id).run() > 0;
  }

  std::optional<TokenRecord> find_token(std::int64_t org_id, const std::string& id) override {
    return find_one(
        "SELECT " + kTokenColumns + " FROM tokens WHERE id = ? AND org_id = ?",
        [](const Stmt& s) { return read_token(s); }, id, org_id);
  }

  std::optional<TokenRecord> find_token_by_hash(const std::string& secret_hash) override {
    return find_one(
        "SELECT " + kTokenColumns + " FROM tokens WHERE secret_hash = ?1 "
        "UNION ALL SELECT " + kTokenColumns + " FROM tokens WHERE previous_secret_hash = ?1",
        [](const Stmt& s) { return read_token(s); }, secret_hash);
  }

  std::optional<OrganizationToken> find_organization_token(
      std::string_view org_name, const std::string& secret_hash) override {
    // The organization by its unique name, its policy, then its token through either
    // secret-hash index (a secret has 155 random bits: it is never both, nor in two tokens); the
    // token's columns are NULL when it has none with that hash. Built once: this runs on every
    // registry sign-in.
    static const std::string key(Connection::kRowKey);
    static const std::string sql =
        "SELECT " + qualified("o", kOrganizationColumns) + ", " + qualified("p", kPolicyColumns) +
        ", " + qualified("t", kTokenColumns) +
        " FROM organizations AS o"
        " LEFT JOIN token_policies AS p ON p.org_id = o.id"
        " LEFT JOIN tokens AS t ON t." + key + " = COALESCE("
        "(SELECT " + key + " FROM tokens WHERE secret_hash = ?2 AND org_id = o.id),"
        " (SELECT " + key + " FROM tokens WHERE previous_secret_hash = ?2 AND org_id = o.id))"
        " WHERE o.name = ?1";
    Stmt s = c_.prepare(sql);
    s.bind(1, org_name).bind(2, secret_hash);
    if (!s.step()) return std::nullopt;
    constexpr int kToken = kOrganizationColumnCount + kPolicyColumnCount;
    OrganizationToken found{read_organization(s), std::nullopt,
                            read_policy(s, kOrganizationColumnCount)};
    if (!s.is_null(kToken)) found.token = read_token(s, kToken);
    return found;
  }

  std::vector<TokenRecord> list_tokens(std::int64_t org_id, std::size_t offset,
                                       std::size_t limit) override {
    return find_all(
        "SELECT " + kTokenColumns +
            " FROM tokens WHERE org_id = ? "
            "ORDER BY created_at DESC, created_seq DESC LIMIT ? OFFSET ?",
        [](const Stmt& s) { return read_token(s); }, org_id, to_sql_count(limit),
        to_sql_count(offset));
  }

  std::size_t count_tokens(std::int64_t org_id) override {
    return count_of("SELECT COUNT(*) FROM tokens WHERE org_id = ?", org_id);
  }

  TokenStateCounts count_tokens_by_state(Timestamp now) override {
    // The state is the core's rule (oat::derive_state): expired wins over the active flag.
    std::size_t kept[2][2] = {{0, 0}, {0, 0}};  // [is_active][expiry_counted]
    {
      // SUM: a database may keep each count in several rows (PostgreSQL does, so that
      // concurrent creates do not all update one row).
      Stmt s = c_.prepare(
          "SELECT is_active, expiry_counted, SUM(n) FROM token_counts "
          "GROUP BY is_active, expiry_counted");
      while (s.step()) {
        kept[s.boolean(0) ? 1 : 0][s.boolean(1) ? 1 : 0] = static_cast<std::size_t>(s.int64(2));
      }
    }
    std::size_t unsettled[2] = {0, 0};  // [is_active]: past their expiry, not settled yet
    {
      Stmt s = c_.prepare(
          "SELECT is_active, COUNT(*) FROM tokens "
          "WHERE expires_at IS NOT NULL AND expiry_counted = FALSE AND expires_at <= ? "
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
    return static_cast<std::size_t>(
        c_.prepare(
              "UPDATE tokens SET expiry_counted = TRUE "
              "WHERE expires_at IS NOT NULL AND expiry_counted = FALSE AND expires_at <= ?")
            .bind(1, now)
            .run());
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
    // Never backwards: a late batch from a slower node keeps the newer time it finds.
    c_.prepare(
          "UPDATE tokens SET last_addresses = ?2, last_used_at = CASE"
          " WHEN last_used_at IS NULL OR last_used_at < ?1 THEN ?1 ELSE last_used_at END"
          " WHERE id = ?3")
        .bind(1, at)
        .bind(2, json_text(addresses))
        .bind(3, id)
        .run();
  }

  void add_token_counts(const std::string& id, std::int64_t pulls, std::int64_t pushes) override {
    const auto changed =
        c_.prepare(
              "UPDATE tokens SET pull_count = pull_count + ?, push_count = push_count + ? "
              "WHERE id = ?")
            .bind(1, pulls)
            .bind(2, pushes)
            .bind(3, id)
            .run();
    if (changed == 0) not_found("token " + in_quotes(id) + " not found");
  }

  void record_previous_secret_use(const std::string& id, Timestamp at) override {
    const auto changed =
        c_.prepare(
              "UPDATE tokens SET previous_last_used_at = CASE WHEN previous_last_used_at IS NULL"
              " OR previous_last_used_at < ?1 THEN ?1 ELSE previous_last_used_at END WHERE id = ?2")
            .bind(1, at)
            .bind(2, id)
            .run();
    if (changed == 0) not_found("token " + in_quotes(id) + " not found");
  }

  oat::TokenPolicy find_token_policy(std::int64_t org_id) override {
    return find_one("SELECT " + kPolicyColumns + " FROM token_policies WHERE org_id = ?",
                    [](const Stmt& s) { return read_policy(s); }, org_id)
        .value_or(oat::TokenPolicy{});
  }

  void set_token_policy(std::int64_t org_id, const oat::TokenPolicy& policy) override {
    auto days = [](const std::optional<int>& d) {
      return d ? std::optional<std::int64_t>(*d) : std::nullopt;
    };
    c_.prepare(
          "INSERT INTO token_policies (org_id, max_lifetime_days, require_expiration, "
          "max_idle_days) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (org_id) DO UPDATE SET "
          "max_lifetime_days = excluded.max_lifetime_days, "
          "require_expiration = excluded.require_expiration, "
          "max_idle_days = excluded.max_idle_days")
        .bind(1, org_id)
        .bind(2, days(policy.max_lifetime_days))
        .bind(3, policy.require_expiration)
        .bind(4, days(policy.max_idle_days))
        .run();
  }

  std::vector<TokenRecord> list_expiring_tokens(std::int64_t org_id, Timestamp now, Timestamp before,
                                                std::size_t offset, std::size_t limit) override {
    return find_all("SELECT " + kTokenColumns +
                        " FROM tokens WHERE org_id = ? AND is_active = TRUE AND expires_at > ? "
                        "AND expires_at <= ? ORDER BY expires_at, created_seq LIMIT ? OFFSET ?",
                    [](const Stmt& s) { return read_token(s); }, org_id, now, before,
                    to_sql_count(limit), to_sql_count(offset));
  }

  std::size_t count_expiring_tokens(std::int64_t org_id, Timestamp now, Timestamp before) override {
    return count_of(
        "SELECT COUNT(*) FROM tokens WHERE org_id = ? AND is_active = TRUE AND expires_at > ? "
        "AND expires_at <= ?",
        org_id, now, before);
  }

  // -- OIDC connections --

  void insert_oidc_connection(const OidcConnectionRecord& c) override {
    auto s = c_.prepare("INSERT INTO oidc_connections (" + kOidcConnectionColumns +
                        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, c.id)
        .bind(2, c.org_id)
        .bind(3, c.name)
        .bind(4, c.issuer)
        .bind(5, c.audience)
        .bind(6, c.active)
        .bind(7, c.rulesets)
        .bind(8, c.version)
        .bind(9, c.created_at)
        .bind(10, c.created_by)
        .bind(11, c.updated_at)
        .bind(12, c.last_exchange_at);
    insert(s, [&](const StoreError&) { return "connection " + in_quotes(c.id) + " already exists"; },
           {{"organizations", "organization", c.org_id}});
  }

  void update_oidc_connection(const OidcConnectionRecord& c) override {
    const auto changed =
        c_.prepare(
              "UPDATE oidc_connections SET name = ?, issuer = ?, audience = ?, active = ?, rulesets = ?, "
              "version = ?, updated_at = ? WHERE id = ? AND org_id = ?")
            .bind(1, c.name)
            .bind(2, c.issuer)
            .bind(3, c.audience)
            .bind(4, c.active)
            .bind(5, c.rulesets)
            .bind(6, c.version)
            .bind(7, c.updated_at)
            .bind(8, c.id)
            .bind(9, c.org_id)
            .run();
    if (changed == 0) not_found("connection " + in_quotes(c.id) + " not found");
  }

  bool delete_oidc_connection(std::int64_t org_id, const std::string& id) override {
    return c_.prepare("DELETE FROM oidc_connections WHERE id = ? AND org_id = ?").bind(1, id).bind(2, org_id).run() > 0;
  }

  std::optional<OidcConnectionRecord> find_oidc_connection(std::int64_t org_id, const std::string& id) override {
    return find_one("SELECT " + kOidcConnectionColumns + " FROM oidc_connections WHERE id = ? AND org_id = ?",
                    read_oidc_connection, id, org_id);
  }

  std::optional<OidcConnectionRecord> find_oidc_connection_by_id(const std::string& id) override {
    return find_one("SELECT " + kOidcConnectionColumns + " FROM oidc_connections WHERE id = ?",
                    read_oidc_connection, id);
  }

  std::vector<OidcConnectionRecord> list_oidc_connections(std::int64_t org_id) override {
    return find_all("SELECT " + kOidcConnectionColumns +
                        " FROM oidc_connections WHERE org_id = ? ORDER BY created_at DESC, id",
                    read_oidc_connection, org_id);
  }

  void note_oidc_exchange(const std::string& id, Timestamp at) override {
    c_.prepare("UPDATE oidc_connections SET last_exchange_at = ? WHERE id = ?").bind(1, at).bind(2, id).run();
  }

  void add_oidc_failure(const OidcFailureRecord& f, std::size_t keep) override {
    c_.prepare("INSERT INTO oidc_failures (connection_id, at, reason, claims, mismatches) VALUES (?, ?, ?, ?, ?)")
        .bind(1, f.connection_id)
        .bind(2, f.at)
        .bind(3, f.reason)
        .bind(4, f.claims)
        .bind(5, f.mismatches)
        .run();
    c_.prepare(
          "DELETE FROM oidc_failures WHERE connection_id = ? AND id NOT IN "
          "(SELECT id FROM oidc_failures WHERE connection_id = ? ORDER BY id DESC LIMIT ?)")
        .bind(1, f.connection_id)
        .bind(2, f.connection_id)
        .bind(3, to_sql_count(keep))
        .run();
  }

  std::vector<OidcFailureRecord> list_oidc_failures(const std::string& connection_id, std::size_t limit) override {
    return find_all(
        "SELECT connection_id, at, reason, claims, mismatches FROM oidc_failures WHERE connection_id = ? "
        "ORDER BY id DESC LIMIT ?",
        [](const Stmt& s) { return OidcFailureRecord{s.text(0), s.time(1), s.text(2), s.text(3), s.text(4)}; },
        connection_id, to_sql_count(limit));
  }

  bool use_oidc_token_id(const std::string& issuer, const std::string& jti, Timestamp expires_at,
                         Timestamp now) override {
    c_.prepare("DELETE FROM oidc_token_ids WHERE expires_at <= ?").bind(1, now).run();
    return c_.prepare(
                 "INSERT INTO oidc_token_ids (issuer, jti, expires_at) VALUES (?, ?, ?) "
                 "ON CONFLICT (issuer, jti) DO NOTHING")
               .bind(1, issuer)
               .bind(2, jti)
               .bind(3, expires_at)
               .run() > 0;
  }

  // -- Webhooks --

  void insert_webhook(const WebhookRecord& w) override {
    auto s = c_.prepare("INSERT INTO webhooks (" + kWebhookColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, w.id)
        .bind(2, w.org_id)
        .bind(3, w.url)
        .bind(4, json_text(w.events))
        .bind(5, w.active)
        .bind(6, w.sealed_secret)
        .bind(7, w.created_at)
        .bind(8, w.created_by);
    insert(s, [&](const StoreError&) { return "webhook " + in_quotes(w.id) + " already exists"; },
           {{"organizations", "organization", w.org_id}});
  }

  void update_webhook(const WebhookRecord& w) override {
    const auto changed = c_.prepare("UPDATE webhooks SET url = ?, events = ?, active = ? WHERE id = ? AND org_id = ?")
                             .bind(1, w.url)
                             .bind(2, json_text(w.events))
                             .bind(3, w.active)
                             .bind(4, w.id)
                             .bind(5, w.org_id)
                             .run();
    if (changed == 0) not_found("webhook " + in_quotes(w.id) + " not found");
  }

  bool delete_webhook(std::int64_t org_id, const std::string& id) override {
    return c_.prepare("DELETE FROM webhooks WHERE id = ? AND org_id = ?").bind(1, id).bind(2, org_id).run() > 0;
  }

  std::optional<WebhookRecord> find_webhook(std::int64_t org_id, const std::string& id) override {
    return find_one("SELECT " + kWebhookColumns + " FROM webhooks WHERE id = ? AND org_id = ?",
                    [](const Stmt& s) { return read_webhook(s); }, id, org_id);
  }

  std::vector<WebhookRecord> list_webhooks(std::int64_t org_id) override {
    return find_all("SELECT " + kWebhookColumns +
                        " FROM webhooks WHERE org_id = ? ORDER BY created_at DESC, id",
                    [](const Stmt& s) { return read_webhook(s); }, org_id);
  }

  void insert_delivery(const DeliveryRecord& d) override {
    auto s = c_.prepare("INSERT INTO webhook_deliveries (" + kDeliveryColumns +
                        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, d.id).bind(2, d.webhook_id).bind(3, d.event).bind(4, d.body).bind(5, d.created_at);
    bind_delivery_outcome(s, 6, d);
    insert(s, [&](const StoreError&) { return "delivery " + in_quotes(d.id) + " already exists"; });
  }

  std::vector<DeliveryRecord> list_deliveries(const std::string& webhook_id, std::size_t limit) override {
    return find_all("SELECT " + kDeliveryColumns +
                        " FROM webhook_deliveries WHERE webhook_id = ? "
                        "ORDER BY created_at DESC, id DESC LIMIT ?",
                    [](const Stmt& s) { return read_delivery(s); }, webhook_id, to_sql_count(limit));
  }

  std::vector<DueDelivery> claim_due_deliveries(Timestamp now, Timestamp lease_until,
                                                std::size_t limit) override {
    const auto due = find_all(
        "SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? "
        "AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_attempt_at LIMIT ?",
        [](const Stmt& s) { return s.text(0); }, now, now, to_sql_count(limit));
    std::vector<DueDelivery> claimed;
    for (const std::string& id : due) {
      const auto taken = c_.prepare(
                               "UPDATE webhook_deliveries SET lease_until = ? WHERE id = ? AND "
                               "status = 'pending' AND (lease_until IS NULL OR lease_until <= ?)")
                             .bind(1, lease_until)
                             .bind(2, id)
                             .bind(3, now)
                             .run();
      if (taken == 0) continue;
      auto row = find_one("SELECT " + qualified("d", kDeliveryColumns) +
                              ", w.url, w.sealed_secret FROM webhook_deliveries d "
                              "JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = ?",
                          [](const Stmt& s) {
                            return DueDelivery{read_delivery(s), s.text(12), s.text(13)};
                          },
                          id);
      if (row) claimed.push_back(std::move(*row));
    }
    return claimed;
  }

  bool has_due_delivery(Timestamp now) override {
    return find_one(
               "SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? "
               "AND (lease_until IS NULL OR lease_until <= ?) LIMIT 1",
               [](const Stmt&) { return true; }, now, now)
        .has_value();
  }

  void finish_delivery(const DeliveryRecord& d) override {
    Stmt s = c_.prepare(
        "UPDATE webhook_deliveries SET (" + kDeliveryOutcomeColumns +
        ", lease_until) = (?, ?, ?, ?, ?, ?, ?, NULL) WHERE id = ?");
    bind_delivery_outcome(s, 1, d);
    s.bind(8, d.id).run();
  }

  std::size_t count_pending_deliveries() override {
    return count_of("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'");
  }

  std::size_t forget_deliveries(Timestamp before) override {
    return static_cast<std::size_t>(
        c_.prepare("DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < ?")
            .bind(1, before)
            .run());
  }

  std::vector<ExpiryNotice> expiry_notices(Timestamp since, Timestamp horizon, std::size_t limit) override {
    return find_all(
        "SELECT t.id, t.org_id, o.name, t.label, t.expires_at, t.expiry_warned_days FROM tokens t "
        "JOIN organizations o ON o.id = t.org_id WHERE t.expires_at IS NOT NULL "
        "AND t.expires_at > ? AND t.expires_at <= ? AND t.expired_notified = FALSE AND t.is_active = TRUE "
        "AND EXISTS (SELECT 1 FROM webhooks w WHERE w.org_id = t.org_id AND w.active = TRUE) "
        "ORDER BY t.expires_at LIMIT ?",
        [](const Stmt& s) {
          return ExpiryNotice{s.text(0), s.int64(1), s.text(2), s.text(3), s.time(4),
                              static_cast<int>(s.int64(5))};
        },
        since, horizon, to_sql_count(limit));
  }

  void set_expiry_notice(const std::string& token_id, int warned_days, bool expired) override {
    c_.prepare("UPDATE tokens SET expiry_warned_days = ?, expired_notified = ? WHERE id = ?")
        .bind(1, std::int64_t{warned_days})
        .bind(2, expired)
        .bind(3, token_id)
        .run();
  }

  bool claim_refusal_notice(const std::string& token_id, Timestamp now, Timestamp since) override {
    return c_.prepare(
                 "UPDATE tokens SET refusal_notified_at = ? WHERE id = ? AND "
                 "(refusal_notified_at IS NULL OR refusal_notified_at <= ?)")
               .bind(1, now)
               .bind(2, token_id)
               .bind(3, since)
               .run() > 0;
  }

  // -- Daily usage --

  void add_usage_day(const std::string& token_id, std::int64_t day, std::int64_t pulls,
                     std::int64_t pushes, std::int64_t sign_ins) override {
    // The WHERE also tells SQLite's parser that ON CONFLICT belongs to the INSERT.
    c_.prepare(
          "INSERT INTO token_usage_days (token_id, org_id, day, pulls, pushes, sign_ins) "
          "SELECT id, org_id, ?2, ?3, ?4, ?5 FROM tokens WHERE id = ?1 "
          "ON CONFLICT (token_id, day) DO UPDATE SET "
          "pulls = token_usage_days.pulls + excluded.pulls, "
          "pushes = token_usage_days.pushes + excluded.pushes, "
          "sign_ins = token_usage_days.sign_ins + excluded.sign_ins")
        .bind(1, token_id)
        .bind(2, day)
        .bind(3, pulls)
        .bind(4, pushes)
        .bind(5, sign_ins)
        .run();
  }

  std::vector<std::pair<std::int64_t, oat::UsageDay>> token_usage_days(const std::string& token_id,
                                                                       std::int64_t from_day) override {
    return find_all(
        "SELECT day, pulls, pushes, sign_ins FROM token_usage_days WHERE token_id = ? AND day >= ? "
        "ORDER BY day",
        read_usage_day, token_id, from_day);
  }

  std::vector<std::pair<std::int64_t, oat::UsageDay>> organization_usage_days(
      std::int64_t org_id, std::int64_t from_day) override {
    return find_all(
        "SELECT day, SUM(pulls), SUM(pushes), SUM(sign_ins) FROM token_usage_days "
        "WHERE org_id = ? AND day >= ? GROUP BY day ORDER BY day",
        read_usage_day, org_id, from_day);
  }

  void forget_usage_days(std::int64_t before_day) override {
    c_.prepare("DELETE FROM token_usage_days WHERE day < ?").bind(1, before_day).run();
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

  void insert_session(const SessionRecord& session) override {
    insert(
        c_.prepare("INSERT INTO sessions (" + kSessionColumns + ") VALUES (?, ?, ?, ?, ?, ?)")
            .bind(1, session.id)
            .bind(2, session.user_id)
            .bind(3, session.secret_hash)
            .bind(4, session.created_at)
            .bind(5, session.expires_at)
            .bind(6, session.revoked),
        [&](const StoreError&) { return "session " + in_quotes(session.id) + " already exists"; },
        {{"users", "user", session.user_id}});
  }

  std::optional<SessionRecord> find_session(const std::string& id) override {
    return find_one("SELECT " + kSessionColumns + " FROM sessions WHERE id = ?", read_session, id);
  }

  // -- Sign-in failures, recent grants --

  std::vector<Timestamp> sign_in_failures(const std::string& key, Timestamp since) override {
    return find_all(
        "SELECT at FROM sign_in_failures WHERE key = ? AND at > ? ORDER BY at",
        [](const Stmt& s) { return s.time(0); }, key, since);
  }

  void add_sign_in_failure(const std::string& key, Timestamp at, Timestamp forget) override {
    c_.prepare("DELETE FROM sign_in_failures WHERE key = ? AND at <= ?")
        .bind(1, key)
        .bind(2, forget)
        .run();
    c_.prepare("INSERT INTO sign_in_failures (key, at) VALUES (?, ?)").bind(1, key).bind(2, at).run();
  }

  void forget_sign_in_failures(Timestamp through) override {
    c_.prepare("DELETE FROM sign_in_failures WHERE at <= ?").bind(1, through).run();
  }

  void clear_sign_in_failures(const std::string& key) override {
    c_.prepare("DELETE FROM sign_in_failures WHERE key = ?").bind(1, key).run();
  }

  void note_recent_grant(const std::string& org, const std::string& address,
                         const std::string& repository, const std::string& token_id,
                         Timestamp at) override {
    c_.prepare(
          "INSERT INTO recent_grants (org, address, repository, token_id, at) "
          "VALUES (?, ?, ?, ?, ?) ON CONFLICT (org, address, repository) DO UPDATE "
          "SET token_id = excluded.token_id, at = excluded.at WHERE excluded.at >= recent_grants.at")
        .bind(1, org)
        .bind(2, address)
        .bind(3, repository)
        .bind(4, token_id)
        .bind(5, at)
        .run();
  }

  std::optional<RecentGrant> recent_grant(const std::string& org, const std::string& address,
                                          const std::string& repository) override {
    return find_one(
        "SELECT token_id, at FROM recent_grants WHERE org = ? AND address = ? AND repository = ?",
        [](const Stmt& s) { return RecentGrant{s.text(0), s.time(1)}; }, org, address, repository);
  }

  void forget_recent_grants(Timestamp through) override {
    c_.prepare("DELETE FROM recent_grants WHERE at <= ?").bind(1, through).run();
  }

  // -- Copying to another database --

  std::size_t count_rows(const TableColumns& table) override {
    return count_of("SELECT COUNT(*) FROM " + std::string(table.name));
  }

  void each_row(const TableColumns& table,
                const std::function<void(const RowValues&)>& row) override {
    // Pages of a bounded size: a PostgreSQL result is held in memory whole.
    constexpr std::int64_t kPage = 5000;
    const std::string sql = "SELECT " + column_list(table) + " FROM " + std::string(table.name) +
                            " ORDER BY " + std::string(table.order) + " LIMIT ? OFFSET ?";
    RowValues values(table.columns.size());
    for (std::int64_t offset = 0;; offset += kPage) {
      std::int64_t rows = 0;
      Stmt s = c_.prepare(sql);
      s.bind(1, kPage).bind(2, offset);
      while (s.step()) {
        ++rows;
        for (std::size_t i = 0; i < table.columns.size(); ++i) {
          const int col = static_cast<int>(i);
          if (s.is_null(col)) {
            values[i].reset();
          } else if (table.columns[i].type == TableColumns::Type::Integer) {
            values[i] = std::to_string(s.int64(col));
          } else if (table.columns[i].type == TableColumns::Type::Boolean) {
            values[i] = s.boolean(col) ? "1" : "0";
          } else {
            values[i] = s.text(col);
          }
        }
        row(values);
      }
      if (rows < kPage) return;
    }
  }

  void insert_row(const TableColumns& table, const RowValues& values) override {
    std::string sql = "INSERT INTO " + std::string(table.name) + " (" + column_list(table) +
                      ") VALUES (";
    for (std::size_t i = 0; i < table.columns.size(); ++i) sql += i ? ", ?" : "?";
    Stmt s = c_.prepare(sql + ")");
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      const int param = static_cast<int>(i) + 1;
      const auto& value = values.at(i);
      if (!value) {
        s.bind(param, std::optional<std::int64_t>());
      } else if (table.columns[i].type == TableColumns::Type::Integer) {
        s.bind(param, std::int64_t{std::stoll(*value)});
      } else if (table.columns[i].type == TableColumns::Type::Boolean) {
        s.bind(param, *value == "1");
      } else {
        s.bind(param, *value);
      }
    }
    s.run();
  }

  void finish_copy(const TableColumns& table) override { c_.continue_ids(table.name); }

  void revoke_session(const std::string& id) override {
    if (c_.prepare("UPDATE sessions SET revoked = TRUE WHERE id = ?").bind(1, id).run() == 0) {
      not_found("session " + in_quotes(id) + " not found");
    }
  }

 private:
  // "a, b, c": the table's columns.
  static std::string column_list(const TableColumns& table) {
    std::string list;
    for (const auto& column : table.columns) {
      if (!list.empty()) list += ", ";
      list += column.name;
    }
    return list;
  }

  // Runs `sql` with `keys` bound in order and hands each row to `on_row` until it returns false.
  template <class OnRow, class... Keys>
  void each_row(const std::string& sql, const OnRow& on_row, const Keys&... keys) {
    Stmt s = c_.prepare(sql);
    int i = 1;
    (s.bind(i++, keys), ...);
    while (s.step() && on_row(s)) {
    }
  }

  // Every row `sql` finds with `keys` bound in order, each read by `read`.
  template <class Read, class... Keys>
  auto find_all(const std::string& sql, const Read& read, const Keys&... keys)
      -> std::vector<decltype(read(std::declval<const Stmt&>()))> {
    std::vector<decltype(read(std::declval<const Stmt&>()))> rows;
    each_row(
        sql, [&](const Stmt& s) { return rows.push_back(read(s)), true; }, keys...);
    return rows;
  }
  // The count a "SELECT COUNT(*) ..." finds with `keys` bound in order.
  template <class... Keys>
  std::size_t count_of(const std::string& sql, const Keys&... keys) {
    const auto counts = find_all(
        sql, [](const Stmt& s) { return s.int64(0); }, keys...);
    return counts.empty() ? 0 : static_cast<std::size_t>(counts.front());
  }

  // The one row `sql` finds with `keys` bound in order, read by `read`; nullopt when none.
  template <class Read, class... Keys>
  auto find_one(const std::string& sql, const Read& read, const Keys&... keys)
      -> std::optional<decltype(read(std::declval<const Stmt&>()))> {
    std::optional<decltype(read(std::declval<const Stmt&>()))> row;
    each_row(
        sql, [&](const Stmt& s) { return row.emplace(read(s)), false; }, keys...);
    return row;
  }

  // A parent row an insert refers to: its table, what it is called in messages, and its id
  // (nullopt: the insert names none).
  struct Parent {
    const char* table;
    const char* what;
    std::optional<std::int64_t> id;
  };
  // For an insert into a table with no unique key beyond its parents'.
  static std::string kNoUniqueKey(const StoreError& e) { return e.what(); }

  // Runs the prepared insert `s`. A taken unique key throws Conflict with `taken`'s message; a
  // missing parent row throws NotFound naming the first of `parents` that does not exist.
  template <class Taken>
  std::int64_t insert(Stmt& s, const Taken& taken, std::initializer_list<Parent> parents = {}) {
    std::int64_t id = 0;  // what RETURNING id returned, if the insert has it
    try {
      c_.guarded([&] {
        while (s.step()) id = s.int64(0);
      });
    } catch (const StoreError& e) {
      if (e.kind() == Kind::Conflict) conflict(taken(e));
      if (e.kind() == Kind::NotFound) {
        for (const Parent& parent : parents) {
          if (parent.id) require_exists(parent.table, parent.what, *parent.id);
        }
      }
      throw;
    }
    return id;
  }

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
  // "acme" for an existing organization, "#7" otherwise.
  std::string org_name(std::int64_t org_id) {
    auto org = find_organization_by_id(org_id);
    return org ? org->name : "#" + std::to_string(org_id);
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

  static std::pair<std::int64_t, oat::UsageDay> read_usage_day(const Stmt& s) {
    return {s.int64(0), oat::UsageDay{"", s.int64(1), s.int64(2), s.int64(3)}};
  }

  // kDeliveryOutcomeColumns' values, from parameter `first` on.
  static void bind_delivery_outcome(Stmt& s, int first, const DeliveryRecord& d) {
    s.bind(first, std::string(oat::delivery_status_name(d.status)))
        .bind(first + 1, std::int64_t{d.attempts})
        .bind(first + 2, d.last_status ? std::optional<std::int64_t>(*d.last_status) : std::nullopt)
        .bind(first + 3, optional_text(d.last_error))
        .bind(first + 4, d.next_attempt_at)
        .bind(first + 5, d.last_attempt_at)
        .bind(first + 6, d.delivered_at);
  }

  Connection& c_;
};

// Runs `work` with the queries of connection `c` (in the transaction the caller has begun).
template <class Connection>
void run_queries(Connection& c, const std::function<void(Transaction&)>& work) {
  Queries<Connection> queries(c);
  work(queries);
}

// Marks this thread as inside a write() of `store` for its lifetime; throws StoreError
// (Failure) when it is already: a write inside a write of the same store is refused rather than
// left to deadlock (on SQLite's writer mutex, or on a connection pool PostgreSQL's writes
// exhaust).
class WriteScope {
 public:
  explicit WriteScope(const void* store);
  ~WriteScope();
  WriteScope(const WriteScope&) = delete;
  WriteScope& operator=(const WriteScope&) = delete;

 private:
  const void* previous_;
};

}  // namespace oatd::sql
