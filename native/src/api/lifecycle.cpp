// [SECTION] A token's lifecycle beyond its own routes: self-rotation with an access token's
// bearer, the organization's token policy, and reports of leaked tokens.
#include <algorithm>

#include "api/internal.h"
#include "crypto/crypto.h"

namespace oatd::api {
namespace {

// POST /v2/access-tokens/self/rotate: an access token's bearer rotates that token, when it was
// created or edited with allow_self_rotation. Nothing else of token management opens to it.
http::Response self_rotate(Services& services, const http::Request& request) {
  auto authenticated = authenticate(request, services);
  if (auto* refusal = std::get_if<http::Response>(&authenticated)) return *refusal;
  const Caller& caller = std::get<Caller>(authenticated);
  if (!caller.is_access_token) {
    return detail_response(403, oat::kSelfRotationIsForTokens);
  }
  if (caller.previous_secret) return detail_response(403, oat::kSelfRotationNeedsCurrentSecret);
  http::Response response;
  services.store.write([&](Transaction& tx) {
    auto token = tx.find_token(caller.token->org_id, caller.token->id);
    auto org = tx.find_organization_by_id(caller.token->org_id);
    if (!token || !org) return void(response = detail_response(401, oat::kBadBearer));
    if (!token->allow_self_rotation) {
      return void(response = detail_response(403, oat::kSelfRotationNotAllowed));
    }
    response = rotate_token(tx, *org, std::move(*token), tx.find_token_policy(org->id),
                            request.body, caller.subject, services.clock());
  });
  return response;
}

// GET and PUT /v2/orgs/{org}/access-token-policy, for those who manage the tokens.
http::Response policy(Services& services, const http::Request& request,
                      const http::Params& params, bool put) {
  auto authenticated = authenticate(request, services);
  if (auto* refusal = std::get_if<http::Response>(&authenticated)) return *refusal;
  const Caller& caller = std::get<Caller>(authenticated);
  std::optional<oat::TokenPolicy> wanted;
  if (put) {
    auto parsed = oat::parse_token_policy_request(request.body);
    if (!parsed) return errors_response(parsed.errors());
    wanted = *parsed;
  }
  http::Response response;
  auto run = [&](Transaction& tx) {
    auto org = organization_for_token_management(tx, caller, params.at("org"));
    if (auto* refusal = std::get_if<http::Response>(&org)) return void(response = *refusal);
    const Organization& o = std::get<Organization>(org);
    if (wanted && tx.find_token_policy(o.id) != *wanted) {
      tx.set_token_policy(o.id, *wanted);
      oat::AuditData data;
      data.policy = *wanted;
      tx.add_audit_event({0, o.name, std::string(oat::audit::kPolicyUpdate), o.name, caller.subject,
                          oat::json_text(oat::audit_data_json(data)), services.clock()});
    }
    response = json_response(200, oat::token_policy_json(wanted ? *wanted : tx.find_token_policy(o.id)));
  };
  if (put) {
    services.store.write(run);
  } else {
    services.store.read(run);
  }
  return response;
}

// POST /v2/access-tokens/revoke, without authentication: whoever finds a leaked token reports
// it, and every well-formed, existing, active token in the report is deactivated (a secret
// that a rotation replaced loses the rest of its grace; oat::leaked_secret_action). Every
// report of an existing token is audited in its organization. The answer is the same whatever
// the report held, so that it tells nothing about any token.
http::Response revoke(Services& services, const http::Request& request) {
  const Timestamp now = services.clock();
  const std::string key = "revoke:" + limiter_keys("", request.remote_address).address;
  std::optional<std::int64_t> retry_after;
  services.store.read([&](Transaction& tx) {
    retry_after = services.revoke_limiter.retry_after(services.revoke_limiter.failures(tx, key, now), now);
  });
  if (retry_after) {
    http::Response limited = detail_response(429, oat::too_many_reports_message(*retry_after));
    add_rate_limit_headers(limited, {*retry_after, services.revoke_limiter.limit()}, now);
    return limited;
  }
  const auto tokens = oat::parse_revoke_request(request.body);
  // A malformed report counts against the address too, so that it cannot probe for free.
  std::vector<std::string> hashes;
  if (tokens) {
    for (const std::string& token : *tokens) {
      if (oat::has_token_prefix(token) && !oat::check_token_format(token)) {
        hashes.push_back(sha256_hex(token));
      }
    }
    // A secret listed twice is one report of it.
    std::sort(hashes.begin(), hashes.end());
    hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  }
  services.store.write([&](Transaction& tx) {
    tx.add_sign_in_failure(key, now, now - services.revoke_limiter.window());
    for (const std::string& hash : hashes) {
      auto token = tx.find_token_by_hash(hash);
      if (!token) continue;
      const oat::LeakAction action = oat::leaked_secret_action(
          token->secret_hash != hash, oat::derive_state(token->is_active, token->expires_at, now),
          token->previous_expires_at, now);
      oat::AuditData data;
      if (action == oat::LeakAction::Deactivate) {
        token->is_active = false;
        tx.update_token(*token);
      } else if (action == oat::LeakAction::EndGrace) {
        token->previous_expires_at = now;
        tx.update_token(*token);
        data.reason = std::string(oat::audit::kReasonPreviousSecretReported);
      } else {
        data.reason = std::string(oat::audit::kReasonReportedSecretUnusable);
      }
      const auto org = tx.find_organization_by_id(token->org_id);
      if (!org) continue;
      data.token_id = token->id;
      data.label = token->label;
      data.address = request.remote_address;
      record_change(tx, org->id,
                    {0, org->name, std::string(oat::audit::kTokenRevokeLeaked), token->label,
                     std::string(oat::audit::kLeakReportActor), "", now},
                    oat::audit_data_json(data));
    }
  });
  if (!tokens) return errors_response(tokens.errors());
  return json_response(202, oat::revoke_answer_json(tokens->size()));
}

}  // namespace

void add_lifecycle_routes(http::Router& router, Services& services) {
  router.add("POST", "/v2/access-tokens/self/rotate",
             [&services](const http::Request& r, const http::Params&) {
               return self_rotate(services, r);
             });
  router.add("GET", "/v2/orgs/{org}/access-token-policy",
             [&services](const http::Request& r, const http::Params& p) {
               return policy(services, r, p, false);
             });
  router.add("PUT", "/v2/orgs/{org}/access-token-policy",
             [&services](const http::Request& r, const http::Params& p) {
               return policy(services, r, p, true);
             });
  router.add("POST", "/v2/access-tokens/revoke",
             [&services](const http::Request& r, const http::Params&) { return revoke(services, r); });
}

}  // namespace oatd::api
