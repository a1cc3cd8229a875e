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
  const auto address_failures = services.address_limiter.failures(tx, keys.address, now);
  const auto b = services.address_limiter.retry_after(address_failures, now);
  LimitState state;
  state.identifier_failed = !failures.empty();
  state.address_failed = !address_failures.empty();
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
                                                                const GrantOnSignIn& grant) {
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
  // What the store holds for this organization and hash: kept between writes, else read.
  SignInCache::Found found;
  std::optional<Organization> org;  // for the audit event of a failure
  std::optional<RateLimited> limited;
  std::optional<bool> kept;  // whether the cache had it, when it was asked
  if (failure.empty()) {
    const std::uint64_t version = services.store.change_version();
    found = services.sign_in_cache.find(version, request.organization, hash, keys.identifier,
                                        keys.address);
    kept = static_cast<bool>(found);
    if (!found) {
      http::wait_point();
      services.store.read([&](Transaction& tx) {
        // The limits first, in the same transaction as the lookup (one round trip fewer).
        const LimitState state = limit_state(services, tx, keys, now);
        if ((limited = state.limited)) return;
        auto read = tx.find_organization_token(request.organization, hash);  // one query
        if (!read) return;
        found = std::make_shared<const OrganizationToken>(std::move(*read));
        if (found->token && !state.identifier_failed && !state.address_failed) {
          services.sign_in_cache.keep(version, request.organization, hash, found,
                                      keys.identifier, keys.address);
        }
      });
    }
  } else {
    http::wait_point();
    services.store.read([&](Transaction& tx) {
      if ((limited = limit_state(services, tx, keys, now).limited)) return;
      if (named) org = tx.find_organization(request.organization);
    });
  }

  const TokenRecord* token = found && found->token ? &*found->token : nullptr;
  bool previous_secret = false;
  std::optional<std::string> policy_refusal;
  // The result as oatd_token_sign_ins_total counts it (changed where a token was found).
  std::string_view result = "wrong_secret";
  // The core's rules, on what was found, at the request's time.
  const auto decide = [&]() -> std::string {
    if (!found) return std::string(oat::audit::kReasonUnknownOrganization);
    if (!token) return std::string(oat::audit::kReasonUnknownToken);
    previous_secret = token->secret_hash != hash;
    if (previous_secret && !oat::previous_secret_usable(token->previous_expires_at, now)) {
      return std::string(oat::audit::kReasonPreviousSecretEnded);
    }
    if (auto refused = oat::check_token_action(
            oat::derive_state(token->is_active, token->expires_at, now),
            oat::TokenAction::Authenticate)) {
      result = refused->code == oat::ErrorCode::TokenExpired ? "expired" : "deactivated";
      return refused->message;
    }
    if (!oat::address_allowed(token->allowed_cidrs, request.address)) {
      result = "address_not_allowed";
      return std::string(oat::audit::kReasonAddressNotAllowed);
    }
    if (auto refused = oat::check_policy_at_use(
            found->policy, oat::lifetime_start(token->created_at, token->rotated_at),
            token->last_used_at, now)) {
      result = "policy";
      policy_refusal = refused->message;
      return refused->message;
    }
    result = "granted";
    return {};
  };
  if (!limited && failure.empty()) {
    failure = decide();
    if (found) org = found->organization;
  }
  const std::string_view route = request.service == "registry" ? "/token" : "/v2/auth/token";
  // The counts, once per sign-in: after its last wait point.
  const auto count = [&](std::string_view counted) {
    services.counters.sign_in(counted, route);
    if (kept) services.sign_in_cache.count(*kept);
  };
  if (limited) {
    count("rate_limited");
    return TokenSignInRefusal{*limited, std::nullopt};
  }
  if (!failure.empty()) {
    http::wait_point();  // before the count: the write below waits
    count(result);
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
  TokenSignIn signed_in{std::move(*org), *token, previous_secret};
  const std::vector<std::string> repositories = grant ? grant(signed_in) : std::vector<std::string>{};
  // After the grant, which may reach a wait_point() (a repository's visibility).
  count("granted");
  services.usage->note(token->id, signed_in.org.name, now, std::string(request.address),
                       repositories, previous_secret);
  return signed_in;
}

}  // namespace oatd::api
