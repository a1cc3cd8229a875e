// Rows of the store, SQLite and PostgreSQL alike: the column list of each record and the reader
// that maps a row of those columns to it; JSON columns written and read back.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sql/row.h"

namespace oatd::sql {

// JSON columns. Stored text that does not parse is a StoreError naming the token.
std::string json_text(const std::vector<std::string>& strings);
// A list of strings: last_addresses, allowed_cidrs (`column` names it in the error).
std::vector<std::string> parse_addresses(const std::string& text, std::string_view token_id,
                                         std::string_view column = "last_addresses");
std::string resources_text(const std::vector<oat::Resource>& resources);
std::vector<oat::Resource> parse_resources(const std::string& text, std::string_view token_id);

// "a, b" -> "t.a, t.b": a column list for a join.
std::string qualified(std::string_view table, std::string_view columns);

// Readers take the index of their first column, so that a join can read two records from one
// row.
extern const std::string kUserColumns;
User read_user(const Row& s);
extern const std::string kOrganizationColumns;
inline constexpr int kOrganizationColumnCount = 4;
Organization read_organization(const Row& s, int first = 0);
extern const std::string kRepositoryColumns;
Repository read_repository(const Row& s);
extern const std::string kTokenColumns;
TokenRecord read_token(const Row& s, int first = 0);
// An organization's token policy: max_lifetime_days, require_expiration, max_idle_days (all
// NULL from a LEFT JOIN that found none: the empty policy).
extern const std::string kPolicyColumns;
inline constexpr int kPolicyColumnCount = 3;
oat::TokenPolicy read_policy(const Row& s, int first = 0);
// An empty string as NULL (a token's previous secret hash when it has none).
inline std::optional<std::string> optional_text(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}
extern const std::string kAuditColumns;
AuditEvent read_audit_event(const Row& s);
Company read_company(const Row& s);          // id, name
CustomRole read_custom_role(const Row& s);   // org_id, name, manages_tokens
Membership read_membership(const Row& s);    // org_id, user_id, role
extern const std::string kSessionColumns;
SessionRecord read_session(const Row& s);
extern const std::string kOidcConnectionColumns;
OidcConnectionRecord read_oidc_connection(const Row& s);

extern const std::string kWebhookColumns;
inline constexpr int kWebhookColumnCount = 8;
WebhookRecord read_webhook(const Row& s, int first = 0);
// The columns of a delivery, ending with those an attempt changes (kDeliveryOutcomeColumns).
extern const std::string kDeliveryOutcomeColumns;
extern const std::string kDeliveryColumns;
DeliveryRecord read_delivery(const Row& s, int first = 0);

}  // namespace oatd::sql
