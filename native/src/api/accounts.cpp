// [SECTION] What the console needs: the signed-in user, their organizations (role, plan, quota
// usage), an organization's repositories; and the audit log.
#include "api/internal.h"

namespace oatd::api {
namespace {

template <class Work>
http::Response as_user(Services& services, const http::Request& request, Work work) {
  auto caller = authenticate(request, services);
  if (auto* refusal = std::get_if<http::Response>(&caller)) return *refusal;
  const Caller& c = std::get<Caller>(caller);
  if (c.is_access_token) {
    return detail_response(403, "This endpoint needs a user's sign-in, not an access token.");
  }
  http::Response response;
  services.store.read([&](Transaction& tx) { response = work(tx, c); });
  return response;
}

json organization_json(Transaction& tx, const Caller& caller, const Organization& org) {
  const oat::Actor actor = actor_in(tx, caller, org);
  oat::OrganizationInfo info;
  info.id = org.id;
  info.name = org.name;
  info.plan = org.plan;
  if (const auto m = tx.find_membership(org.id, caller.user->id)) info.role = m->role;
  info.is_company_owner = actor.is_company_owner;
  info.can_manage_tokens = oat::may_manage_tokens(actor);
  info.token_quota = oat::token_quota(org.plan);
  info.token_count = tx.count_tokens(org.id);
  return oat::organization_json(info);
}

http::Response user(Services& services, const http::Request& request) {
  return as_user(services, request, [](Transaction&, const Caller& caller) {
    return json_response(
        200, oat::user_json({caller.user->id, caller.user->username, caller.user->created_at}));
  });
}

http::Response user_orgs(Services& services, const http::Request& request) {
  return as_user(services, request, [&](Transaction& tx, const Caller& caller) {
    json results = json::array();
    for (const Organization& org : tx.organizations_of_user(caller.user->id)) {
      results.push_back(organization_json(tx, caller, org));
    }
    return json_response(200, oat::single_page_json(std::move(results)));
  });
}

http::Response org(Services& services, const http::Request& request, const http::Params& params) {
  return as_user(services, request, [&](Transaction& tx, const Caller& caller) {
    auto org = organization_for_member(tx, caller, params.at("org"));
    if (auto* refusal = std::get_if<http::Response>(&org)) return *refusal;
    return json_response(200, organization_json(tx, caller, std::get<Organization>(org)));
  });
}

http::Response repositories(Services& services, const http::Request& request,
                            const http::Params& params) {
  auto page = oat::parse_page_request(request.query_value("page"), request.query_value("page_size"));
  if (!page) return errors_response(page.errors());
  return as_user(services, request, [&](Transaction& tx, const Caller& caller) {
    auto found = organization_for_member(tx, caller, params.at("org"));
    if (auto* refusal = std::get_if<http::Response>(&found)) return *refusal;
    const Organization& org = std::get<Organization>(found);
    json results = json::array();
    for (const Repository& r :
         tx.list_repositories(org.id, (page->page - 1) * page->page_size, page->page_size)) {
      results.push_back(oat::repository_json({r.name, org.name, !r.is_public, r.created_at}));
    }
    const std::string url = base_url(request, services) + "/v2/namespaces/" + org.name + "/repositories";
    return json_response(200, oat::page_json(tx.count_repositories(org.id), *page, url, results));
  });
}

// The audit log is readable by token managers, and by an OAT of the organization holding
// scope-activity-read.
http::Response audit_logs(Services& services, const http::Request& request,
                          const http::Params& params) {
  auto page = oat::parse_page_request(request.query_value("page"), request.query_value("page_size"));
  if (!page) return errors_response(page.errors());
  oat::Errors errors;
  AuditQuery query;
  query.offset = (page->page - 1) * page->page_size;
  query.limit = page->page_size;
  for (const char* key : {"from", "to"}) {
    if (const auto text = request.query_value(key)) {
      const auto t = oat::parse_rfc3339(*text);
      if (!t) {
        errors.push_back({oat::ErrorCode::InvalidTime, key,
                          "\"" + std::string(key) + "\" must be a time such as 2027-01-31T12:00:00Z."});
      } else {
        (std::string_view(key) == "from" ? query.from : query.to) = *t;
      }
    }
  }
  if (const auto action = request.query_value("action"); action && !action->empty()) {
    query.action = std::string(*action);
  }
  if (!errors.empty()) return errors_response(errors);

  auto caller = authenticate(request, services);
  if (auto* refusal = std::get_if<http::Response>(&caller)) return *refusal;
  http::Response response;
  services.store.read([&](Transaction& tx) {
    const Caller& c = std::get<Caller>(caller);
    auto org = tx.find_organization(params.at("account"));
    if (!org) return void(response = org_not_found());
    const oat::Actor actor = actor_in(tx, c, *org);
    if (!oat::is_affiliated(actor)) return void(response = org_not_found());
    if (auto refused = oat::check_may_read_audit_log(actor)) {
      return void(response = errors_response({*refused}));
    }
    query.account = org->name;
    json logs = json::array();
    for (const AuditEvent& e : tx.list_audit_events(query)) logs.push_back(audit_event_json(e));
    const std::string url = base_url(request, services) + "/v2/auditlogs/" + org->name;
    response = json_response(
        200, oat::page_json_as(oat::kLogsKey, tx.count_audit_events(query), *page, url, logs));
  });
  return response;
}

http::Response audit_actions(Services& services, const http::Request& request,
                             const http::Params& params) {
  auto caller = authenticate(request, services);
  if (auto* refusal = std::get_if<http::Response>(&caller)) return *refusal;
  http::Response response;
  services.store.read([&](Transaction& tx) {
    auto org = tx.find_organization(params.at("account"));
    if (!org || !oat::is_affiliated(actor_in(tx, std::get<Caller>(caller), *org))) {
      return void(response = org_not_found());
    }
    response = json_response(200, oat::audit_actions_json());
  });
  return response;
}

}  // namespace

void add_account_routes(http::Router& router, Services& services) {
  router.add("GET", "/v2/user", [&services](const http::Request& r, const http::Params&) {
    return user(services, r);
  });
  router.add("GET", "/v2/user/orgs", [&services](const http::Request& r, const http::Params&) {
    return user_orgs(services, r);
  });
  router.add("GET", "/v2/orgs/{org}", [&services](const http::Request& r, const http::Params& p) {
    return org(services, r, p);
  });
  router.add("GET", "/v2/namespaces/{org}/repositories",
             [&services](const http::Request& r, const http::Params& p) {
               return repositories(services, r, p);
             });
  router.add("GET", "/v2/auditlogs/{account}",
             [&services](const http::Request& r, const http::Params& p) {
               return audit_logs(services, r, p);
             });
  router.add("GET", "/v2/auditlogs/{account}/actions",
             [&services](const http::Request& r, const http::Params& p) {
               return audit_actions(services, r, p);
             });
}

}  // namespace oatd::api
