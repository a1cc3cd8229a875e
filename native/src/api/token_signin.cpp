// [SECTION] Signing in with an organization access token: one decision for every route that
// takes one (POST /v2/auth/token, and the registry's GET and POST /token), so that the rate
// limits, the lookup, the state rules, the audit of failures and the recording of use cannot
// drift apart between them.
#include <algorithm>

#include "api/internal.h"
#include "api/usage.h"
#include "crypto/crypto.h"

namespace oatd::api {

LimiterKeys limiter_keys(std::string_view identifier, std::string_view address) {
  // Case-folded; bytes outside printable ASCII percent-encoded, so that any identifier a
  // client sends (invalid UTF-8, NUL) is a key every database stores as text.
  std::string id = "id:";
  for (const unsigned char c : identifier) {
    if (c > 0x20 && c < 0x7f && c != '%') {
      id += static_cast<char>(std::tolower(c));
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      id += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return {std::move(id), "ip:" + std::string(address)};
}

LimitState limit_state(const Services& services, Transaction& tx, const LimiterKeys& keys,
                       Timestamp now) {
  const auto failures = services.limiter.failures(tx, keys.identifier, now);
  const auto a = services.limiter.retry_after(failures, now);
  const auto b = services.address_limiter.retry_after(
      services.address_limiter.failures(tx, keys.address, now), now);
  LimitState state;
  state.identifier_failed = !failures.empty();
  if (a || b) {
    state.limited = RateLimited{std::max(a.value_or(0), b.value_or(0)),
                                a ? services.limiter.limit() : services.address_limiter.limit()};
  }
  return state;
}

void record_failure(const Services& services, Transaction& tx, const LimiterKeys& keys,
                    Timestamp now) {
  tx.add_sign_in_failure(keys.identifier, now, now - services.limiter.window());
  tx.add_sign_in_failure(keys.address, now, now - services.address_limiter.window());
}

void add_rate_limit_headers(http::Response& response, const RateLimited& limited, Timestamp now) {
  response.header("Retry-After", std::to_string(limited.retry_after));
  response.header("X-RateLimit-Limit", std::to_string(limited.limit));
  response.header("X-RateLimit-Remaining", "0");
  response.header("X-RateLimit-Reset", std::to_string(oat::to_unix(now) + limited.retry_after));
}

std::variant<TokenSignIn, TokenSignInRefusal> sign_in_with_token(Services& services,
                                                                const TokenSignInRequest& request,
                                                                const GrantInTransaction& grant) {
  const Timestamp now = request.now;
  const LimiterKeys keys = limiter_keys(request.organization, request.address);

  std::string failure(request.refused_before);
  // Not a name any organization can have: no lookup (and no bytes a database cannot take).
  const bool named = !oat::validate_account_name(request.organization, "identifier");
  if (failure.empty() && !named) failure = oat::audit::kReasonUnknownOrganization;
  if (failure.empty()) {
    if (!oat::has_token_prefix(request.secret)) {
      failure = oat::audit::kReasonNotAToken;
    } else if (auto format = oat::check_token_format(request.secret)) {
      failure = format->message;
    }
  }
  const std::string hash = failure.empty() ? sha256_hex(request.secret) : std::string();
  std::optional<Organization> org;
  std::optional<TokenRecord> token;
  std::vector<std::string> repositories;
  std::optional<RateLimited> limited;
  std::optional<std::string> policy_refusal;
  bool previous_secret = false;
  // The result as oatd_token_sign_ins_total counts it (changed where a token was found).
  std::string_view result = "wrong_secret";
  services.store.read([&](Transaction& tx) {
    // The limits first, in the same transaction as the lookup (one round trip fewer).
    if ((limited = limit_state(services, tx, keys, now).limited)) return;
    if (!failure.empty()) {
      if (named) org = tx.find_organization(request.organization);  // for the audit event
      return;
    }
    auto found = tx.find_organization_token(request.organization, hash);  // one query for both
    if (!found) return void(failure = oat::audit::kReasonUnknownOrganization);
    org = std::move(found->organization);
    token = std::move(found->token);
    if (!token) return void(failure = oat::audit::kReasonUnknownToken);
    previous_secret = token->secret_hash != hash;
    if (previous_secret && !oat::previous_secret_usable(token->previous_expires_at, now)) {
      return void(failure = oat::audit::kReasonPreviousSecretEnded);
    }
    if (auto refused = oat::check_token_action(
            oat::derive_state(token->is_active, token->expires_at, now),
            oat::TokenAction::Authenticate)) {
      result = refused->code == oat::ErrorCode::TokenExpired ? "expired" : "deactivated";
      return void(failure = refused->message);
    }
    if (!oat::address_allowed(token->allowed_cidrs, request.address)) {
      result = "address_not_allowed";
      return void(failure = oat::audit::kReasonAddressNotAllowed);
    }
    if (auto refused = oat::check_policy_at_use(
            found->policy, oat::lifetime_start(token->created_at, token->rotated_at),
            token->last_used_at, now)) {
      result = "policy";
      policy_refusal = refused->message;
      return void(failure = refused->message);
    }
    result = "granted";
    if (grant) repositories = grant(tx, TokenSignIn{*org, *token});
  });
  const std::string_view route = request.service == "registry" ? "/token" : "/v2/auth/token";
  if (limited) {
    services.counters.sign_in("rate_limited", route);
    return TokenSignInRefusal{*limited, std::nullopt};
  }
  services.counters.sign_in(failure.empty() ? "granted" : result, route);

  if (!failure.empty()) {
    oat::AuditData failure_data;
    failure_data.reason = failure;
    failure_data.address = std::string(request.address);
    failure_data.service = std::string(request.service);
    services.store.write([&](Transaction& tx) {
      record_failure(services, tx, keys, now);
      if (!org) return;
      tx.add_audit_event({0, org->name, std::string(oat::audit::kTokenSignInFailed),
                          token ? token->label : std::string(), org->name,
                          oat::json_text(oat::audit_data_json(failure_data)), now});
      // A token that exists but may not sign in: told to the webhooks, at most once in
      // kSignInRefusedInterval per token.
      const auto event = oat::webhook_event_for_audit(oat::audit::kTokenSignInFailed, failure);
      if (token && event &&
          tx.claim_refusal_notice(token->id, now, now - oat::kSignInRefusedInterval)) {
        notify_webhooks(tx, org->id, org->name, *event, org->name,
                        oat::sign_in_refused_data(token->id, token->label, failure,
                                                  request.address, request.service),
                        now);
      }
    });
    return TokenSignInRefusal{std::nullopt, policy_refusal};
  }
  services.usage->note(token->id, org->name, now, std::string(request.address), repositories,
                       previous_secret);
  return TokenSignIn{std::move(*org), std::move(*token), previous_secret};
}

}  // namespace oatd::api
