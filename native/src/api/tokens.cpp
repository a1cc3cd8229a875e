// [SECTION] /v2/orgs/{org}/access-tokens: create, list, view, edit, rotate, delete.
#include "api/internal.h"
#include "crypto/crypto.h"

namespace oatd::api {

oat::AccessToken api_view(const TokenRecord& r) {
  return {r.id,           r.label,        r.description,    r.created_by,
          r.is_active,    r.created_at,   r.expires_at,     r.last_used_at,
          r.resources,    r.last_addresses, r.pull_count,   r.push_count,
          r.rotated_at,   r.previous_expires_at, r.previous_last_used_at,
          r.allow_self_rotation, r.allowed_cidrs};
}

namespace {

oat::OrganizationContext context_of(Transaction& tx, const Organization& org, Timestamp now) {
  return {org.name,
          [&tx, id = org.id](std::string_view name) {
            return tx.find_repository(id, name).has_value();
          },
          now};
}

oat::AuditData audit_data(const TokenRecord& token) {
  oat::AuditData data;
  data.token_id = token.id;
  data.label = token.label;
  return data;
}

// The change's audit event, and its webhook deliveries, in the change's transaction.
void audit(Transaction& tx, const Organization& org, std::string_view actor, std::string_view action,
           const TokenRecord& token, const oat::AuditData& data, Timestamp now) {
  record_change(tx, org.id, {0, org.name, std::string(action), token.label, std::string(actor), "", now},
                oat::audit_data_json(data));
}
void audit(Transaction& tx, const Organization& org, const Caller& caller, std::string_view action,
           const TokenRecord& token, const oat::AuditData& data, Timestamp now) {
  audit(tx, org, caller.subject, action, token, data, now);
}

http::Response token_not_found() { return detail_response(404, "Access token not found."); }

http::Response create(Services& services, const http::Request& request,
                      const http::Params& params) {
  return with_managed_org(services, request, params, true, [&](Transaction& tx, const Caller& caller,
                                                               const Organization& org) {
    const Timestamp now = services.clock();
    auto parsed = oat::parse_create_request(request.body, context_of(tx, org, now));
    if (!parsed) return errors_response(parsed.errors());
    if (auto refused = oat::check_expiry_policy(tx.find_token_policy(org.id), parsed->expires_at, now)) {
      return errors_response({*refused});
    }
    if (auto refused = oat::check_can_create_token(org.plan, tx.count_tokens(org.id))) {
      return errors_response({*refused});
    }
    const std::string secret = oat::generate_token(random_bytes);
    TokenRecord token;
    token.id = random_uuid();
    token.org_id = org.id;
    token.label = parsed->label;
    token.description = parsed->description;
    token.created_by = caller.subject;
    token.is_active = true;
    token.created_at = now;
    token.expires_at = parsed->expires_at;
    token.resources = parsed->resources;
    token.secret_hash = sha256_hex(secret);
    token.allow_self_rotation = parsed->allow_self_rotation;
    token.allowed_cidrs = parsed->allowed_cidrs;
    tx.insert_token(token);
    oat::AuditData data = audit_data(token);
    data.resources = token.resources;
    data.expires_at.emplace(token.expires_at);  // recorded, even when it is "never"
    if (!token.allowed_cidrs.empty()) data.allowed_cidrs = token.allowed_cidrs;
    if (token.allow_self_rotation) data.allow_self_rotation = true;
    audit(tx, org, caller, oat::audit::kTokenCreate, token, data, now);
    return json_response(201, oat::token_json(api_view(token), true, secret));
  });
}

http::Response list(Services& services, const http::Request& request, const http::Params& params) {
  auto page = oat::parse_page_request(request.query_value("page"), request.query_value("page_size"));
  if (!page) return errors_response(page.errors());
  auto expiring = oat::parse_expiring_within_days(request.query_value("expiring_within_days"));
  if (!expiring) return errors_response(expiring.errors());
  return with_managed_org(services, request, params, false, [&](Transaction& tx, const Caller&,
                                                                const Organization& org) {
    const std::size_t offset = (page->page - 1) * page->page_size;
    const Timestamp now = services.clock();
    const Timestamp before = now + std::chrono::days{expiring->value_or(0)};
    const auto tokens = *expiring ? tx.list_expiring_tokens(org.id, now, before, offset, page->page_size)
                                  : tx.list_tokens(org.id, offset, page->page_size);
    json results = json::array();
    for (const TokenRecord& t : tokens) results.push_back(oat::token_json(api_view(t), false));
    std::string url = base_url(request, services) + "/v2/orgs/" + org.name + "/access-tokens";
    if (*expiring) url += "?expiring_within_days=" + std::to_string(**expiring);
    const std::size_t total = *expiring ? tx.count_expiring_tokens(org.id, now, before) : tx.count_tokens(org.id);
    return json_response(200, oat::page_json(total, *page, url, results));
  });
}

// GET .../access-tokens/{id}/usage?days=N: the token's daily pulls, pushes and sign-ins.
http::Response usage(Services& services, const http::Request& request, const http::Params& params) {
  auto days = oat::parse_usage_days(request.query_value("days"));
  if (!days) return errors_response(days.errors());
  return with_managed_org(services, request, params, false, [&](Transaction& tx, const Caller&,
                                                                const Organization& org) {
    if (!tx.find_token(org.id, params.at("id"))) return token_not_found();
    const std::int64_t today = oat::usage_day(services.clock());
    const auto stored = tx.token_usage_days(params.at("id"), today - *days + 1);
    return json_response(200, oat::usage_json(oat::usage_series(stored, today, *days)));
  });
}

http::Response view(Services& services, const http::Request& request, const http::Params& params) {
  return with_managed_org(services, request, params, false, [&](Transaction& tx, const Caller&,
                                                                const Organization& org) {
    const auto token = tx.find_token(org.id, params.at("id"));
    if (!token) return token_not_found();
    return json_response(200, oat::token_json(api_view(*token), true));
  });
}

http::Response edit(Services& services, const http::Request& request, const http::Params& params) {
  return with_managed_org(services, request, params, true, [&](Transaction& tx, const Caller& caller,
                                                               const Organization& org) {
    const Timestamp now = services.clock();
    auto token = tx.find_token(org.id, params.at("id"));
    if (!token) return token_not_found();
    auto update = oat::parse_update_request(request.body, context_of(tx, org, now));
    if (!update) return errors_response(update.errors());
    const oat::TokenState state = oat::derive_state(token->is_active, token->expires_at, now);
    const bool edits = update->label || update->description || update->resources ||
                       update->allow_self_rotation || update->allowed_cidrs;
    if (edits) {
      if (auto refused = oat::check_token_action(state, oat::TokenAction::Edit)) {
        return errors_response({*refused});
      }
    }
    if (update->is_active) {
      const auto action = *update->is_active ? oat::TokenAction::Activate
                                             : oat::TokenAction::Deactivate;
      if (auto refused = oat::check_token_action(state, action)) return errors_response({*refused});
    }
    // An activation must leave a token the policy allows (a rotation with an expiration brings
    // one back within it).
    if (oat::update_needs_policy_check(*update, token->is_active)) {
      if (auto refused = oat::check_expiry_policy(
              tx.find_token_policy(org.id), token->expires_at,
              oat::lifetime_start(token->created_at, token->rotated_at), oat::PolicyCheck::Existing)) {
        return errors_response({*refused});
      }
    }
    const TokenRecord before = *token;
    if (update->label) token->label = *update->label;
    if (update->description) token->description = *update->description;
    if (update->resources) token->resources = *update->resources;
    if (update->is_active) token->is_active = *update->is_active;
    if (update->allow_self_rotation) token->allow_self_rotation = *update->allow_self_rotation;
    if (update->allowed_cidrs) token->allowed_cidrs = *update->allowed_cidrs;
    tx.update_token(*token);

    const bool content_changed = token->label != before.label ||
                                 token->description != before.description ||
                                 token->resources != before.resources ||
                                 token->allow_self_rotation != before.allow_self_rotation ||
                                 token->allowed_cidrs != before.allowed_cidrs;
    if (content_changed) {
      oat::AuditData data = audit_data(*token);
      if (token->label != before.label) data.previous_label = before.label;
      if (token->resources != before.resources) data.resources = token->resources;
      if (token->allowed_cidrs != before.allowed_cidrs) data.allowed_cidrs = token->allowed_cidrs;
      if (token->allow_self_rotation != before.allow_self_rotation) {
        data.allow_self_rotation = token->allow_self_rotation;
      }
      audit(tx, org, caller, oat::audit::kTokenUpdate, *token, data, now);
    }
    if (token->is_active != before.is_active) {
      audit(tx, org, caller,
            token->is_active ? oat::audit::kTokenActivate : oat::audit::kTokenDeactivate, *token,
            audit_data(*token), now);
    }
    return json_response(200, oat::token_json(api_view(*token), true));
  });
}

http::Response rotate(Services& services, const http::Request& request,
                      const http::Params& params) {
  return with_managed_org(services, request, params, true, [&](Transaction& tx, const Caller& caller,
                                                               const Organization& org) {
    auto token = tx.find_token(org.id, params.at("id"));
    if (!token) return token_not_found();
    return rotate_token(tx, org, std::move(*token), tx.find_token_policy(org.id), request.body,
                        caller.subject, services.clock());
  });
}

http::Response remove(Services& services, const http::Request& request,
                      const http::Params& params) {
  return with_managed_org(services, request, params, true, [&](Transaction& tx, const Caller& caller,
                                                               const Organization& org) {
    const Timestamp now = services.clock();
    const auto token = tx.find_token(org.id, params.at("id"));
    if (!token) return token_not_found();
    if (auto refused = oat::check_token_action(
            oat::derive_state(token->is_active, token->expires_at, now), oat::TokenAction::Delete)) {
      return errors_response({*refused});
    }
    tx.delete_token(token->id);
    audit(tx, org, caller, oat::audit::kTokenDelete, *token, audit_data(*token), now);
    return http::Response::no_content();
  });
}

}  // namespace

http::Response rotate_token(Transaction& tx, const Organization& org, TokenRecord token,
                            const oat::TokenPolicy& policy, std::string_view body,
                            std::string_view actor, Timestamp now) {
  auto parsed = oat::parse_rotate_request(body, now);
  if (!parsed) return errors_response(parsed.errors());
  auto plan = oat::plan_rotation(*parsed, oat::derive_state(token.is_active, token.expires_at, now),
                                 token.expires_at, policy, now);
  if (!plan) return errors_response(plan.errors());
  const std::string secret = oat::generate_token(random_bytes);
  // One previous secret at a time: the one replaced now; an earlier one's grace ends here.
  token.previous_secret_hash = plan->previous_expires_at ? token.secret_hash : std::string();
  token.previous_expires_at = plan->previous_expires_at;
  token.previous_last_used_at.reset();
  token.secret_hash = sha256_hex(secret);
  token.rotated_at = now;
  token.expires_at = plan->expires_at;
  tx.update_token(token);
  oat::AuditData data = audit_data(token);
  data.grace_period_seconds = parsed->grace_period_seconds;
  if (parsed->expires_at) data.expires_at.emplace(token.expires_at);
  audit(tx, org, actor, oat::audit::kTokenRotate, token, data, now);
  return json_response(200, oat::token_json(api_view(token), true, secret));
}

void add_token_routes(http::Router& router, Services& services) {
  constexpr const char* kList = "/v2/orgs/{org}/access-tokens";
  constexpr const char* kItem = "/v2/orgs/{org}/access-tokens/{id}";
  router.add("POST", kList, [&services](const http::Request& r, const http::Params& p) {
    return create(services, r, p);
  });
  router.add("GET", kList, [&services](const http::Request& r, const http::Params& p) {
    return list(services, r, p);
  });
  router.add("GET", kItem, [&services](const http::Request& r, const http::Params& p) {
    return view(services, r, p);
  });
  router.add("PATCH", kItem, [&services](const http::Request& r, const http::Params& p) {
    return edit(services, r, p);
  });
  router.add("DELETE", kItem, [&services](const http::Request& r, const http::Params& p) {
    return remove(services, r, p);
  });
  router.add("POST", "/v2/orgs/{org}/access-tokens/{id}/rotate",
             [&services](const http::Request& r, const http::Params& p) {
               return rotate(services, r, p);
             });
  router.add("GET", "/v2/orgs/{org}/access-tokens/{id}/usage",
             [&services](const http::Request& r, const http::Params& p) {
               return usage(services, r, p);
             });
}

}  // namespace oatd::api
