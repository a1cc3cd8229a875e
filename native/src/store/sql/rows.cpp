#include "store/sql/rows.h"
#include "store/sql/queries.h"

#include <algorithm>
#include <limits>

#include <nlohmann/json.hpp>

namespace oatd::sql {
namespace {

oat::Plan parse_stored_plan(const std::string& text, std::string_view org) {
  auto plan = oat::parse_plan(text);
  if (!plan) {
    throw StoreError(Kind::Failure,
                     "organization " + in_quotes(org) + " has an unknown plan " + in_quotes(text));
  }
  return *plan;
}

}  // namespace

namespace {
// Which store, if any, this thread is inside a write() of.
thread_local const void* tl_writing_store = nullptr;
}  // namespace

WriteScope::WriteScope(const void* store) : previous_(tl_writing_store) {
  if (tl_writing_store == store) {
    throw StoreError(Kind::Failure, "write() called inside a write transaction of this store");
  }
  tl_writing_store = store;
}

WriteScope::~WriteScope() { tl_writing_store = previous_; }

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::int64_t to_sql_count(std::size_t n) {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(std::min(n, kMax));
}

// JSON columns. Stored text that does not parse is a StoreError naming the token (parsed
// without exceptions, so the message is made only on failure: this is on every sign-in).

std::string json_text(const std::vector<std::string>& strings) {
  return oat::json_text(nlohmann::json(strings));
}

// A token's last_addresses: a JSON array of strings.
std::vector<std::string> parse_addresses(const std::string& text, std::string_view token_id,
                                         std::string_view column) {
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
    throw StoreError(Kind::Failure, std::string(column) + " of token " + in_quotes(token_id) +
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
    throw StoreError(Kind::Failure,
                     "stored resources of token " + in_quotes(token_id) + " are not JSON");
  }
  auto parsed = oat::parse_resources_json(value);
  if (!parsed) {
    throw StoreError(Kind::Failure, "stored resources of token " + in_quotes(token_id) +
                                        " are invalid: " + parsed.error().message);
  }
  return std::move(parsed).value();
}

const std::string kUserColumns = "id, username, password_hash, created_at";
User read_user(const Row& s) { return User{s.int64(0), s.text(1), s.text(2), s.time(3)}; }

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

const std::string kOrganizationColumns = "id, name, plan, company_id";
Organization read_organization(const Row& s, int first) {
  Organization o;
  o.id = s.int64(first);
  o.name = s.text(first + 1);
  o.plan = parse_stored_plan(s.text(first + 2), o.name);
  o.company_id = s.optional_int64(first + 3);
  return o;
}

const std::string kRepositoryColumns = "org_id, name, is_public, created_at";
Repository read_repository(const Row& s) {
  return Repository{s.int64(0), s.text(1), s.boolean(2), s.time(3)};
}

const std::string kTokenColumns =
    "id, org_id, label, description, created_by, is_active, created_at, expires_at, "
    "last_used_at, last_addresses, resources, secret_hash, pull_count, push_count, "
    "previous_secret_hash, previous_expires_at, previous_last_used_at, rotated_at, "
    "allow_self_rotation, allowed_cidrs";
TokenRecord read_token(const Row& s, int first) {
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
  if (!s.is_null(first + 14)) t.previous_secret_hash = s.text(first + 14);
  t.previous_expires_at = s.optional_time(first + 15);
  t.previous_last_used_at = s.optional_time(first + 16);
  t.rotated_at = s.optional_time(first + 17);
  t.allow_self_rotation = s.boolean(first + 18);
  t.allowed_cidrs = parse_addresses(s.text(first + 19), t.id, "allowed_cidrs");
  return t;
}

const std::string kPolicyColumns = "max_lifetime_days, require_expiration, max_idle_days";
oat::TokenPolicy read_policy(const Row& s, int first) {
  oat::TokenPolicy policy;
  auto days = [&](int col) {
    const auto n = s.optional_int64(col);
    return n ? std::optional<int>(static_cast<int>(*n)) : std::nullopt;
  };
  policy.max_lifetime_days = days(first);
  policy.require_expiration = !s.is_null(first + 1) && s.boolean(first + 1);
  policy.max_idle_days = days(first + 2);
  return policy;
}

const std::string kAuditColumns = "id, account, action, name, actor, data, timestamp";
AuditEvent read_audit_event(const Row& s) {
  return AuditEvent{s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.time(6)};
}

Company read_company(const Row& s) { return Company{s.int64(0), s.text(1)}; }

CustomRole read_custom_role(const Row& s) {
  return CustomRole{s.int64(0), s.text(1), s.boolean(2)};
}

Membership read_membership(const Row& s) { return Membership{s.int64(0), s.int64(1), s.text(2)}; }

const std::string kSessionColumns = "id, user_id, secret_hash, created_at, expires_at, revoked";
SessionRecord read_session(const Row& s) {
  return SessionRecord{s.text(0), s.int64(1), s.text(2), s.time(3), s.time(4), s.boolean(5)};
}

const std::string kOidcConnectionColumns =
    "id, org_id, name, issuer, audience, active, rulesets, version, created_at, created_by, "
    "updated_at, last_exchange_at";
OidcConnectionRecord read_oidc_connection(const Row& s) {
  OidcConnectionRecord c;
  c.id = s.text(0);
  c.org_id = s.int64(1);
  c.name = s.text(2);
  c.issuer = s.text(3);
  c.audience = s.text(4);
  c.active = s.boolean(5);
  c.rulesets = s.text(6);
  c.version = s.int64(7);
  c.created_at = s.time(8);
  c.created_by = s.text(9);
  c.updated_at = s.time(10);
  c.last_exchange_at = s.optional_time(11);
  return c;
}

const std::string kWebhookColumns =
    "id, org_id, url, events, active, sealed_secret, created_at, created_by";
WebhookRecord read_webhook(const Row& s, int f) {
  WebhookRecord w;
  w.id = s.text(f);
  w.org_id = s.int64(f + 1);
  w.url = s.text(f + 2);
  w.events = parse_addresses(s.text(f + 3), w.id, "events");
  w.active = s.boolean(f + 4);
  w.sealed_secret = s.text(f + 5);
  w.created_at = s.time(f + 6);
  w.created_by = s.text(f + 7);
  return w;
}

// Defined first: kDeliveryColumns is made from it (one file's constants start in order).
const std::string kDeliveryOutcomeColumns =
    "status, attempts, last_status, last_error, next_attempt_at, last_attempt_at, delivered_at";
const std::string kDeliveryColumns = "id, webhook_id, event, body, created_at, " + kDeliveryOutcomeColumns;
DeliveryRecord read_delivery(const Row& s, int f) {
  DeliveryRecord d;
  d.id = s.text(f);
  d.webhook_id = s.text(f + 1);
  d.event = s.text(f + 2);
  d.body = s.text(f + 3);
  d.created_at = s.time(f + 4);
  d.status = oat::parse_delivery_status(s.text(f + 5)).value_or(oat::DeliveryStatus::Pending);
  d.attempts = static_cast<int>(s.int64(f + 6));
  if (!s.is_null(f + 7)) d.last_status = static_cast<int>(s.int64(f + 7));
  if (!s.is_null(f + 8)) d.last_error = s.text(f + 8);
  d.next_attempt_at = s.optional_time(f + 9);
  d.last_attempt_at = s.optional_time(f + 10);
  d.delivered_at = s.optional_time(f + 11);
  return d;
}

}  // namespace oatd::sql
