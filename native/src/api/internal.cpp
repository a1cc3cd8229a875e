// [SECTION] Answers in Docker's shapes, and the caller's standing in an organization.
#include "api/internal.h"

#include "log/log.h"

namespace oatd::api {

http::Response json_response(int status, const json& body) {
  // Text from a request (a Host header, say) may not be UTF-8: replace, never fail.
  return http::Response::json(status, oat::json_text(body));
}

http::Response detail_response(int status, std::string_view message) {
  return json_response(status, oat::detail_error_json(message));
}

http::Response errors_response(const oat::Errors& errors) {
  const int status = errors.empty() ? 400 : oat::http_status(errors.front().code);
  if (status == 400) return json_response(400, oat::field_errors_json(errors));
  return detail_response(status, errors.front().message);
}

http::Response too_many_response(const RateLimited& limited, Timestamp now) {
  http::Response response =
      detail_response(429, oat::too_many_sign_ins_message(limited.retry_after));
  add_rate_limit_headers(response, limited, now);
  return response;
}

http::Response org_not_found() { return detail_response(404, "Organization not found."); }

oat::Actor actor_in(Transaction& tx, const Caller& caller, const Organization& org) {
  oat::Actor actor;
  if (caller.is_access_token) {
    actor.is_access_token = true;
    if (caller.token && caller.token->org_id == org.id) {
      // An OAT stands in its own organization with the organization scopes it holds.
      actor.role = oat::OrgRole::Member;
      for (const oat::Resource& r : caller.token->resources) {
        if (r.type == oat::ResourceType::Org && r.path == org.name) {
          for (oat::Scope s : r.scopes) actor.access_token_scopes.add(s);
        }
      }
    }
    return actor;
  }
  if (const auto membership = tx.find_membership(org.id, caller.user->id)) {
    if (const auto builtin = oat::parse_builtin_org_role(membership->role)) {
      actor.role = *builtin;
    } else {
      actor.role = oat::OrgRole::Custom;
      const auto role = tx.find_custom_role(org.id, membership->role);
      actor.custom_role_manages_tokens = role && role->manages_tokens;
    }
  }
  actor.is_company_owner = org.company_id && tx.is_company_owner(*org.company_id, caller.user->id);
  return actor;
}

std::variant<Organization, http::Response> organization_for_member(Transaction& tx,
                                                                   const Caller& caller,
                                                                   std::string_view org_name) {
  auto org = tx.find_organization(org_name);
  if (!org) return org_not_found();
  if (!oat::is_affiliated(actor_in(tx, caller, *org))) return org_not_found();
  return *org;
}

std::variant<Organization, http::Response> organization_for_token_management(
    Transaction& tx, const Caller& caller, std::string_view org_name) {
  auto org = tx.find_organization(org_name);
  if (!org) return org_not_found();
  const oat::Actor actor = actor_in(tx, caller, *org);
  // Outsiders learn nothing, not even that the organization exists: the same 404 as for a
  // name nobody has. Members without the permission, and OATs, are told why (403).
  if (!oat::is_affiliated(actor)) return org_not_found();
  if (auto refused = oat::check_may_manage_tokens(actor)) return errors_response({*refused});
  return *org;
}

std::string base_url(const http::Request& request, const Services& services) {
  if (services.options.public_url) return *services.options.public_url;
  const auto host = request.header("host");
  return "http://" + std::string(host ? *host : "localhost");
}

json audit_event_json(const AuditEvent& event) {
  json data = json::parse(event.data, nullptr, false);
  if (data.is_discarded()) data = json::object();
  return oat::audit_event_json(
      {event.account, event.action, event.name, event.actor, std::move(data), event.timestamp, {}});
}

// What an exception escaping a handler means to a client: a full disk, a database another
// process kept busy, or a database server out of reach, is the server's trouble and passes
// (503, try again later); anything else stays the router's 500.
std::optional<http::Response> exception_answer(const http::Request& request,
                                               const std::exception& e) {
  const auto* store_error = dynamic_cast<const StoreError*>(&e);
  if (!store_error) return std::nullopt;
  std::string_view message;
  int retry_after = 0;
  if (store_error->kind() == StoreError::Kind::StorageFull) {
    message = oat::kStorageFull;
    retry_after = oat::kStorageRetrySeconds;
  } else if (store_error->kind() == StoreError::Kind::Busy) {
    message = oat::kStorageBusy;
    retry_after = 1;
  } else if (store_error->kind() == StoreError::Kind::Unavailable) {
    message = oat::kDatabaseUnavailable;
    retry_after = oat::kDatabaseRetrySeconds;
  } else {
    return std::nullopt;
  }
  log::error("a request was refused: the storage is full, busy or unreachable",
             {{"method", request.method}, {"path", request.path}, {"error", e.what()}});
  http::Response answer =
      request.path == "/token"
          ? json_response(503, oat::registry_error_json("UNAVAILABLE", message))
          : detail_response(503, message);
  answer.header("Retry-After", std::to_string(retry_after));
  return answer;
}

}  // namespace oatd::api

namespace oatd {

http::Response api_error(int status, std::string_view message) {
  return api::detail_response(status, message);
}

void add_api_routes(http::Router& router, Services& services) {
  router.set_error_writer(api_error);
  router.set_exception_handler(api::exception_answer);
  api::add_auth_routes(router, services);
  api::add_token_routes(router, services);
  api::add_account_routes(router, services);
  api::add_lifecycle_routes(router, services);
  api::add_webhook_routes(router, services);
  api::add_oidc_routes(router, services);
}

}  // namespace oatd
