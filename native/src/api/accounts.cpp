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
  std::string role;
  if (const auto m = tx.find_membership(org.id, caller.user->id)) role = m->role;
  return {{"id", org.id},
          {"orgname", org.name},
          {"plan", oat::plan_name(org.plan)},
          {"plan_name", oat::plan_display_name(org.plan)},
          {"role", role.empty() ? json(nullptr) : json(role)},
          {"is_company_owner", actor.is_company_owner},
          {"can_manage_tokens", oat::may_manage_tokens(actor)},
          {"token_quota", oat::token_quota(org.plan)},
          {"token_count", tx.count_tokens(org.id)}};
}

http::Response user(Services& services, const http::Request& request) {
  return as_user(services, request, [](Transaction&, const Caller& caller) {
    return json_response(200, {{"id", caller.user->id},
                               {"username", caller.user->username},
                               {"date_joined", oat::format_rfc3339(caller.user->created_at)}});
  });
}

http::Response user_orgs(Services& services, const http::Request& request) {
  return as_user(services, request, [&](Transaction& tx, const Caller& caller) {
    json results = json::array();
    for (const Organization& org : tx.organizations_of_user(caller.user->id)) {
      results.push_back(organization_json(tx, caller, org));
    }
    const std::size_t total = results.size();
    return json_response(200, {{"total", total}, {"next", nullptr}, {"previous", nullptr},
                               {"results", results}});
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
      results.push_back({{"name", r.name},
                         {"namespace", org.name},
                         {"is_private", !r.is_public},
                         {"date_registered", oat::format_rfc3339(r.created_at)}});
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
    json body = oat::page_json(tx.count_audit_events(query), *page, url, json::array());
    body.erase("results");
    body["logs"] = logs;
    response = json_response(200, body);
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
    json actions = json::array();
    for (const oat::AuditAction& a : oat::audit_actions()) {
      actions.push_back({{"name", a.name}, {"description", a.description}, {"label", a.description}});
    }
    response = json_response(
        200, {{"actions", {{"access_token", {{"label", "Access tokens"}, {"actions", actions}}}}}});
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
