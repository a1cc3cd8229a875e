// Which store a database argument names.
#include "store/store.h"

#include "store/postgres/connection.h"

namespace oatd {

const std::vector<TableColumns>& copied_tables() {
  using T = TableColumns::Type;
  static const std::vector<TableColumns> tables = {
      {"users",
       {{"id", T::Integer}, {"username", T::Text}, {"password_hash", T::Text},
        {"created_at", T::Integer}},
       "id"},
      {"companies", {{"id", T::Integer}, {"name", T::Text}}, "id"},
      {"company_owners", {{"company_id", T::Integer}, {"user_id", T::Integer}},
       "company_id, user_id"},
      {"organizations",
       {{"id", T::Integer}, {"name", T::Text}, {"plan", T::Text}, {"company_id", T::Integer}},
       "id"},
      {"custom_roles", {{"org_id", T::Integer}, {"name", T::Text}, {"manages_tokens", T::Boolean}},
       "org_id, name"},
      {"memberships", {{"org_id", T::Integer}, {"user_id", T::Integer}, {"role", T::Text}},
       "org_id, user_id"},
      {"repositories",
       {{"org_id", T::Integer}, {"name", T::Text}, {"is_public", T::Boolean},
        {"created_at", T::Integer}},
       "org_id, name"},
      {"tokens",
       {{"id", T::Text},           {"org_id", T::Integer},         {"label", T::Text},
        {"description", T::Text},  {"created_by", T::Text},        {"is_active", T::Boolean},
        {"created_at", T::Integer}, {"expires_at", T::Integer},    {"last_used_at", T::Integer},
        {"last_addresses", T::Text}, {"resources", T::Text},       {"secret_hash", T::Text},
        {"pull_count", T::Integer}, {"push_count", T::Integer},    {"expiry_counted", T::Boolean},
        {"created_seq", T::Integer}, {"previous_secret_hash", T::Text},
        {"previous_expires_at", T::Integer}, {"previous_last_used_at", T::Integer},
        {"rotated_at", T::Integer}, {"allow_self_rotation", T::Boolean},
        {"allowed_cidrs", T::Text}, {"expiry_warned_days", T::Integer},
        {"expired_notified", T::Boolean}, {"refusal_notified_at", T::Integer}},
       "id"},
      {"token_policies",
       {{"org_id", T::Integer}, {"max_lifetime_days", T::Integer},
        {"require_expiration", T::Boolean}, {"max_idle_days", T::Integer}},
       "org_id"},
      {"audit_events",
       {{"id", T::Integer}, {"account", T::Text}, {"action", T::Text}, {"name", T::Text},
        {"actor", T::Text}, {"data", T::Text}, {"timestamp", T::Integer}},
       "id"},
      {"sessions",
       {{"id", T::Text}, {"user_id", T::Integer}, {"secret_hash", T::Text},
        {"created_at", T::Integer}, {"expires_at", T::Integer}, {"revoked", T::Boolean}},
       "id"},
      {"sign_in_failures", {{"key", T::Text}, {"at", T::Integer}}, "key, at"},
      {"webhooks",
       {{"id", T::Text}, {"org_id", T::Integer}, {"url", T::Text}, {"events", T::Text},
        {"active", T::Boolean}, {"sealed_secret", T::Text}, {"created_at", T::Integer},
        {"created_by", T::Text}},
       "id"},
      {"webhook_deliveries",
       {{"id", T::Text}, {"webhook_id", T::Text}, {"event", T::Text}, {"body", T::Text},
        {"status", T::Text}, {"attempts", T::Integer}, {"last_status", T::Integer},
        {"last_error", T::Text}, {"created_at", T::Integer}, {"next_attempt_at", T::Integer},
        {"last_attempt_at", T::Integer}, {"delivered_at", T::Integer}, {"lease_until", T::Integer}},
       "id"},
      {"token_usage_days",
       {{"token_id", T::Text}, {"org_id", T::Integer}, {"day", T::Integer}, {"pulls", T::Integer},
        {"pushes", T::Integer}, {"sign_ins", T::Integer}},
       "token_id, day"},
      {"oidc_connections",
       {{"id", T::Text}, {"org_id", T::Integer}, {"name", T::Text}, {"issuer", T::Text},
        {"audience", T::Text}, {"active", T::Boolean}, {"rulesets", T::Text}, {"version", T::Integer},
        {"created_at", T::Integer}, {"created_by", T::Text}, {"updated_at", T::Integer},
        {"last_exchange_at", T::Integer}},
       "id"},
      {"oidc_failures",
       {{"id", T::Integer}, {"connection_id", T::Text}, {"at", T::Integer}, {"reason", T::Text},
        {"claims", T::Text}, {"mismatches", T::Text}},
       "id"},
      {"oidc_token_ids", {{"issuer", T::Text}, {"jti", T::Text}, {"expires_at", T::Integer}},
       "issuer, jti"},
      {"recent_grants",
       {{"org", T::Text}, {"address", T::Text}, {"repository", T::Text}, {"token_id", T::Text},
        {"at", T::Integer}},
       "org, address, repository"},
  };
  return tables;
}

bool is_postgres_uri(std::string_view database) {
  return database.starts_with("postgresql://") || database.starts_with("postgres://");
}

std::string redacted_database(std::string_view database) {
  return is_postgres_uri(database) ? postgres::redacted(database) : std::string(database);
}

std::unique_ptr<Store> open_store(const std::string& database, std::size_t connections) {
  if (is_postgres_uri(database)) return open_postgres_store(database, connections);
  return open_sqlite_store(database);
}

}  // namespace oatd
