// [SECTION] OIDC connections: keyless sign-in from CI (docs/oidc.md).
//
// GET/POST /v2/orgs/{org}/oidc-connections, GET/PATCH/DELETE .../{id} and GET .../{id}/failures
// for those who manage the organization's tokens; POST /v2/oidc/token, the exchange of a CI job's
// ID token for a short-lived access token (RFC 8693); and the registry's sign-in with such an
// access token (sign_in_with_exchanged_token). Every rule is the core's (oat/oidc.h); keys come
// from OidcKeys.
#include <algorithm>

#include "api/internal.h"
#include "api/oidc_keys.h"
#include "crypto/crypto.h"

namespace oatd::api {
namespace {

http::Response connection_not_found() { return detail_response(404, oat::oidc::kConnectionNotFound); }

std::vector<oat::OidcRuleset> stored_rulesets(const OidcConnectionRecord& c) {
  auto parsed = oat::parse_oidc_rulesets(json::parse(c.rulesets, nullptr, false));
  return parsed ? *parsed : std::vector<oat::OidcRuleset>{};
}

oat::OidcConnection api_view(const OidcConnectionRecord& c) {
  return {c.id,      c.name,       c.issuer,     c.audience,   c.active,        stored_rulesets(c),
          c.version, c.created_at, c.updated_at, c.created_by, c.last_exchange_at};
}

oat::RepositoryExists repositories_of(Transaction& tx, const Organization& org) {
  return [&tx, id = org.id](std::string_view name) { return tx.find_repository(id, name).has_value(); };
}

void audit_change(Transaction& tx, const Organization& org, std::string_view action,
                  const OidcConnectionRecord& c, std::string_view actor, Timestamp now) {
  tx.add_audit_event({0, org.name, std::string(action), c.name, std::string(actor),
                      oat::json_text(oat::oidc_connection_audit_data(api_view(c))), now});
}

http::Response create(Services& services, const http::Request& request, const http::Params& params) {
  auto parsed = oat::parse_oidc_connection_request(request.body, true);
  if (!parsed) return errors_response(parsed.errors());
  return with_managed_org(services, request, params, true, [&](Transaction& tx, const Caller& caller,
                                                               const Organization& org) {
    const oat::Errors errors = oat::validate_oidc_connection(
        *parsed->issuer, *parsed->rulesets, org.name, services.options.oidc_issuers, repositories_of(tx, org));
    if (!errors.empty()) return errors_response(errors);
    if (tx.list_oidc_connections(org.id).size() >= oat::kMaxOidcConnections) {
      return errors_response({{oat::ErrorCode::TooManyOidcConnections, "",
                               "An organization has at most " + std::to_string(oat::kMaxOidcConnections) +
                                   " connections; delete one first."}});
    }
    const Timestamp now = services.clock();
    OidcConnectionRecord c;
    c.id = random_uuid();
    c.org_id = org.id;
    c.name = *parsed->name;
    c.issuer = *parsed->issuer;
    c.audience = *parsed->audience;
    c.active = parsed->active.value_or(true);
    c.rulesets = oat::json_text(oat::oidc_rulesets_json(*parsed->rulesets));
    c.version = 1;
    c.created_at = c.updated_at = now;
    c.created_by = caller.subject;
    tx.insert_oidc_connection(c);
    audit_change(tx, org, oat::audit::kOidcConnectionCreate, c, caller.subject, now);
    return json_response(201, oat::oidc_connection_json(api_view(c)));
  });
}

http::Response list(Services& services, const http::Request& request, const http::Params& params) {
  return with_managed_org(services, request, params, false, [&](Transaction& tx, const Caller&,
                                                                const Organization& org) {
    json results = json::array();
    for (const auto& c : tx.list_oidc_connections(org.id)) results.push_back(oat::oidc_connection_json(api_view(c)));
    return json_response(200, {{"results", results}});
  });
}

http::Response view(Services& services, const http::Request& request, const http::Params& params) {
  return with_managed_org(services, request, params, false, [&](Transaction& tx, const Caller&,
                                                                const Organization& org) {
    const auto c = tx.find_oidc_connection(org.id, params.at("id"));
    if (!c) return connection_not_found();
    return json_response(200, oat::oidc_connection_json(api_view(*c)));
  });
}

// Any change moves the version, so the access tokens issued before it are refused.
http::Response edit(Services& services, const http::Request& request, const http::Params& params) {
  auto parsed = oat::parse_oidc_connection_request(request.body, false);
  if (!parsed) return errors_response(parsed.errors());
  return with_managed_org(services, request, params, true, [&](Transaction& tx, const Caller& caller,
                                                               const Organization& org) {
    auto c = tx.find_oidc_connection(org.id, params.at("id"));
    if (!c) return connection_not_found();
    const auto rulesets = parsed->rulesets ? *parsed->rulesets : stored_rulesets(*c);
    const std::string issuer = parsed->issuer.value_or(c->issuer);
    const oat::Errors errors = oat::validate_oidc_connection(issuer, rulesets, org.name,
                                                             services.options.oidc_issuers, repositories_of(tx, org));
    if (!errors.empty()) return errors_response(errors);
    if (parsed->name) c->name = *parsed->name;
    c->issuer = issuer;
    if (parsed->audience) c->audience = *parsed->audience;
    if (parsed->active) c->active = *parsed->active;
    c->rulesets = oat::json_text(oat::oidc_rulesets_json(rulesets));
    c->version += 1;
    c->updated_at = services.clock();
    tx.update_oidc_connection(*c);
    audit_change(tx, org, oat::audit::kOidcConnectionUpdate, *c, caller.subject, c->updated_at);
    return json_response(200, oat::oidc_connection_json(api_view(*c)));
  });
}

http::Response remove(Services& services, const http::Request& request, const http::Params& params) {
  return with_managed_org(services, request, params, true, [&](Transaction& tx, const Caller& caller,
                                                               const Organization& org) {
    const auto c = tx.find_oidc_connection(org.id, params.at("id"));
    if (!c || !tx.delete_oidc_connection(org.id, c->id)) return connection_not_found();
    audit_change(tx, org, oat::audit::kOidcConnectionDelete, *c, caller.subject, services.clock());
    return http::Response::no_content();
  });
}

http::Response failures(Services& services, const http::Request& request, const http::Params& params) {
  return with_managed_org(services, request, params, false, [&](Transaction& tx, const Caller&,
                                                                const Organization& org) {
    if (!tx.find_oidc_connection(org.id, params.at("id"))) return connection_not_found();
    json out = json::array();
    for (const auto& f : tx.list_oidc_failures(params.at("id"), oat::kOidcFailureLogSize)) {
      // The stored texts are the core's shapes: read back through it, whole.
      auto stored = oat::parse_oidc_failure_json({{"at", oat::format_rfc3339(f.at)},
                                                   {"reason", f.reason},
                                                   {"claims", json::parse(f.claims, nullptr, false)},
                                                   {"mismatches", json::parse(f.mismatches, nullptr, false)}});
      if (stored) out.push_back(oat::oidc_failure_json(*stored));
    }
    return json_response(200, {{"failures", out}});
  });
}

// ---- The exchange --------------------------------------------------------------------------------

http::Response oauth_response(int status, const oat::OAuthError& error) {
  http::Response response = json_response(status, oat::oauth_error_json(error));
  response.header("Cache-Control", "no-store");
  return response;
}

// The limiter's key for refused exchanges from an address (beside the sign-ins' own).
std::string exchange_key(std::string_view address) { return "oidc:" + std::string(address); }

struct Refusal {
  Refusal(int status_in, oat::OAuthError error_in, json claims_in = json::object())
      : status(status_in), error(std::move(error_in)), claims(std::move(claims_in)) {}
  int status;
  oat::OAuthError error;
  json claims;                                // as presented, for the failures log
  std::vector<oat::OidcMismatch> mismatches;
  bool counts = true;                         // against the address's limit
};

http::Response exchange(Services& services, const http::Request& request) {
  const Timestamp now = services.clock();
  const std::string& address = request.remote_address;
  const std::string key = exchange_key(address);

  std::optional<std::int64_t> retry_after;
  services.store.read([&](Transaction& tx) {
    retry_after = services.address_limiter.retry_after(services.address_limiter.failures(tx, key, now), now);
  });
  if (retry_after) {
    http::Response limited = oauth_response(
        429, oat::too_many_exchanges(*retry_after));
    add_rate_limit_headers(limited, {*retry_after, services.address_limiter.limit()}, now);
    return limited;
  }

  oat::FormFields form;
  for (const auto& [k, v] : request.form()) form.emplace_back(k, v);
  const auto parsed = oat::parse_exchange_request(form);

  std::optional<OidcConnectionRecord> connection;
  std::optional<Organization> org;
  std::string access_token;
  std::int64_t lifetime = 0;
  json claims = json::object();

  const auto decide = [&]() -> std::optional<Refusal> {
    if (const auto* error = std::get_if<oat::OAuthError>(&parsed)) return Refusal{400, *error};
    const auto& req = std::get<oat::ExchangeRequest>(parsed);
    services.store.read([&](Transaction& tx) {
      connection = tx.find_oidc_connection_by_id(req.connection_id);
      if (connection) org = tx.find_organization_by_id(connection->org_id);
    });
    if (!connection || !org) return Refusal{400, {"invalid_target", std::string(oat::oidc::kUnknownConnection)}};
    const auto invalid_grant = [&](std::string_view why) {
      return Refusal{400, {"invalid_grant", std::string(why)}, claims};
    };
    std::string reason;
    const auto jws = oat::read_compact_jws(req.subject_token, &reason, &claims);
    if (!connection->active) {
      return Refusal{400, {"invalid_target", std::string(oat::oidc::kReasonInactive)}, claims};
    }
    if (!jws) return invalid_grant(reason);
    if (auto refused = oat::check_id_token_claims(jws->claims, connection->issuer, connection->audience,
                                                  oat::to_unix(now))) {
      return invalid_grant(*refused);
    }
    std::optional<std::string> kid;
    if (const auto k = jws->header.find("kid"); k != jws->header.end() && k->is_string()) kid = k->get<std::string>();
    const std::string alg = jws->header.value("alg", std::string());
    const auto keys = services.oidc_keys->find(connection->issuer, kid, alg);
    if (keys.outcome == OidcKeys::Outcome::Unreachable) {
      Refusal r{503, {"temporarily_unavailable",
                      std::string(oat::oidc::kReasonUnreachable) + " Try again later."}, claims};
      r.counts = false;
      return r;
    }
    if (keys.outcome == OidcKeys::Outcome::UnknownKey) return invalid_grant(oat::oidc::kReasonUnknownKey);
    const bool verified = std::any_of(keys.keys.begin(), keys.keys.end(), [&](const PublicKey& k) {
      return verify_jws_signature(k, alg, jws->signing_input, jws->signature);
    });
    if (!verified) return invalid_grant(oat::oidc::kReasonBadSignature);
    const oat::OidcMatch match = oat::match_oidc_rulesets(stored_rulesets(*connection), jws->claims);
    if (match.matched.empty()) {
      Refusal r = invalid_grant(oat::oidc::kReasonNoRuleset);
      r.mismatches = match.mismatches;
      return r;
    }
    lifetime = oat::oidc_lifetime(req.expires_in, match.max_lifetime_seconds);
    const std::string jti = jws->claims.value("jti", std::string());
    const std::int64_t exp = jws->claims.value("exp", std::int64_t{0});
    std::optional<Refusal> refusal;
    services.store.write([&](Transaction& tx) {
      // The connection as it is now: a change since the read above wins.
      const auto current = tx.find_oidc_connection_by_id(connection->id);
      if (!current || !current->active || current->version != connection->version) {
        refusal.emplace(400, oat::OAuthError{"invalid_target", std::string(oat::oidc::kConnectionChanged)}, claims);
        refusal->counts = false;
        return;
      }
      if (!tx.use_oidc_token_id(connection->issuer, jti, oat::from_unix(exp + oat::kOidcLeewaySeconds), now)) {
        refusal = invalid_grant(oat::oidc::kReasonReplayed);
        return;
      }
      tx.note_oidc_exchange(connection->id, now);
      tx.add_audit_event({0, org->name, std::string(oat::audit::kOidcExchange), connection->name,
                          oat::oidc_actor(jws->claims, connection->name),
                          oat::json_text(oat::oidc_exchange_audit_data(connection->id, connection->name,
                                                                       jws->claims, lifetime, std::nullopt, address)),
                          now});
    });
    if (refusal) return refusal;
    const oat::ExchangedToken token{org->name, connection->id, connection->version, match.resources,
                                    oat::to_unix(now) + lifetime};
    access_token = services.key.sign_jwt_json(
        oat::exchanged_token_claims(token, services.options.issuer, oat::to_unix(now), random_uuid()));
    return std::nullopt;
  };

  const std::optional<Refusal> refusal = decide();
  if (!refusal) {
    http::Response answer = json_response(200, oat::exchange_answer_json(access_token, lifetime));
    answer.header("Cache-Control", "no-store");
    return answer;
  }
  services.store.write([&](Transaction& tx) {
    if (refusal->counts) tx.add_sign_in_failure(key, now, now - services.address_limiter.window());
    if (!connection || !org) return;
    tx.add_oidc_failure({connection->id, now, refusal->error.description,
                         oat::json_text(oat::claims_to_keep(refusal->claims)),
                         oat::json_text(oat::oidc_mismatches_json(refusal->mismatches))},
                        oat::kOidcFailureLogSize);
    // The claims of a refused token are not proven: the event names the connection, not them.
    tx.add_audit_event({0, org->name, std::string(oat::audit::kOidcExchangeRefused), connection->name,
                        oat::oidc_actor(json::object(), connection->name),
                        oat::json_text(oat::oidc_exchange_audit_data(connection->id, connection->name,
                                                                     json::object(), std::nullopt,
                                                                     refusal->error.description, address)),
                        now});
  });
  return oauth_response(refusal->status, refusal->error);
}

}  // namespace

std::optional<ExchangedSignIn> sign_in_with_exchanged_token(Services& services, std::string_view username,
                                                            std::string_view password, Timestamp now) {
  const auto jwt = verify_jwt(password, services.key, oat::to_unix(now));
  if (!jwt) return std::nullopt;
  const auto token = oat::read_exchanged_token_claims(jwt->claims, services.options.issuer);
  if (!token || token->organization != username || oat::to_unix(now) >= token->expires_at) return std::nullopt;
  std::optional<ExchangedSignIn> signed_in;
  http::wait_point();
  services.store.read([&](Transaction& tx) {
    const auto connection = tx.find_oidc_connection_by_id(token->connection_id);
    if (!connection || !connection->active || connection->version != token->connection_version) return;
    auto org = tx.find_organization_by_id(connection->org_id);
    if (!org || org->name != token->organization) return;
    signed_in = ExchangedSignIn{std::move(*org), token->resources, token->expires_at};
  });
  return signed_in;
}

bool looks_like_exchanged_token(std::string_view password) {
  return !oat::has_token_prefix(password) && std::count(password.begin(), password.end(), '.') == 2;
}

void add_oidc_routes(http::Router& router, Services& services) {
  constexpr const char* kList = "/v2/orgs/{org}/oidc-connections";
  constexpr const char* kItem = "/v2/orgs/{org}/oidc-connections/{id}";
  using Handler = http::Response (*)(Services&, const http::Request&, const http::Params&);
  const auto route = [&](const char* method, const char* pattern, Handler handler) {
    router.add(method, pattern, [&services, handler](const http::Request& r, const http::Params& p) {
      return handler(services, r, p);
    });
  };
  route("POST", kList, create);
  route("GET", kList, list);
  route("GET", kItem, view);
  route("PATCH", kItem, edit);
  route("DELETE", kItem, remove);
  route("GET", "/v2/orgs/{org}/oidc-connections/{id}/failures", failures);
  router.add("POST", "/v2/oidc/token", [&services](const http::Request& r, const http::Params&) {
    return exchange(services, r);
  });
}

}  // namespace oatd::api
