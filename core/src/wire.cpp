#include "oat/wire.h"

#include <utility>

#include "oat/audit.h"

namespace oat {
namespace {

using nlohmann::json;

json time_json(Timestamp t) { return format_rfc3339(t); }

// Reads the fields of one JSON object, collecting an error for each that is missing or of the
// wrong type; `what` names the object in messages ("organization").
class Fields {
 public:
  Fields(const json& value, std::string_view what) : value_(value), what_(what) {
    if (!value.is_object()) fail("", "must be an object");
  }

  std::string text(const char* key, bool non_empty = true) {
    const json* v = find(key);
    if (!v) return {};
    if (!v->is_string() || (non_empty && v->get_ref<const std::string&>().empty())) {
      fail(key, non_empty ? "must be a non-empty string" : "must be a string");
      return {};
    }
    return v->get<std::string>();
  }
  // A string, or "" for null.
  std::string text_or_null(const char* key) {
    const json* v = find(key);
    if (!v || v->is_null()) return {};
    if (!v->is_string()) fail(key, "must be a string or null");
    return v->is_string() ? v->get<std::string>() : std::string();
  }
  bool boolean(const char* key) {
    const json* v = find(key);
    if (!v) return false;
    if (!v->is_boolean()) fail(key, "must be true or false");
    return v->is_boolean() && v->get<bool>();
  }
  std::size_t count(const char* key) {
    const json* v = find(key);
    if (!v) return 0;
    if (!v->is_number_unsigned() && !(v->is_number_integer() && v->get<long long>() >= 0)) {
      fail(key, "must be a whole number, at least 0");
      return 0;
    }
    return static_cast<std::size_t>(v->get<unsigned long long>());
  }
  std::int64_t integer(const char* key) {
    const json* v = find(key);
    if (!v) return 0;
    if (!v->is_number_integer()) fail(key, "must be a whole number");
    return v->is_number_integer() ? v->get<std::int64_t>() : 0;
  }
  Timestamp time(const char* key) {
    const std::string t = text(key);
    if (t.empty()) return {};
    const auto parsed = parse_rfc3339(t);
    if (!parsed) fail(key, "must be an RFC 3339 time");
    return parsed.value_or(Timestamp{});
  }
  std::optional<std::string> optional_text(const char* key) {
    if (!value_.is_object()) return std::nullopt;
    const auto it = value_.find(key);
    if (it == value_.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) {
      fail(key, "must be a string or null");
      return std::nullopt;
    }
    return it->get<std::string>();
  }

  const Errors& errors() const { return errors_; }

 private:
  const json* find(const char* key) {
    if (!value_.is_object()) return nullptr;
    const auto it = value_.find(key);
    if (it == value_.end()) {
      fail(key, "is missing");
      return nullptr;
    }
    return &*it;
  }
  void fail(std::string_view key, std::string_view problem) {
    std::string field(key);
    std::string subject = key.empty() ? "The " + std::string(what_)
                                      : "\"" + field + "\" of the " + std::string(what_);
    errors_.push_back({ErrorCode::WrongType, std::move(field),
                       subject + " " + std::string(problem) + "."});
  }

  const json& value_;
  std::string_view what_;
  Errors errors_;
};

}  // namespace

std::string json_text(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

json parse_json_text(std::string_view text) {
  return json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
}

// ---- Signing in -----------------------------------------------------------------------------

json sign_in_answer_json(const SignInAnswer& answer) {
  json out = {{"access_token", answer.access_token}, {"expires_in", answer.expires_in}};
  if (answer.refresh_token) out["refresh_token"] = *answer.refresh_token;
  if (answer.refresh_expires_at) out["refresh_expires_at"] = time_json(*answer.refresh_expires_at);
  return out;
}

Result<SignInAnswer> parse_sign_in_answer(std::string_view body) {
  const json value = parse_json_text(body);
  Fields f(value, "sign-in answer");
  SignInAnswer answer;
  answer.access_token = f.text("access_token");
  answer.expires_in = f.integer("expires_in");
  answer.refresh_token = f.optional_text("refresh_token");
  if (const auto t = f.optional_text("refresh_expires_at")) answer.refresh_expires_at = parse_rfc3339(*t);
  if (!f.errors().empty()) return f.errors();
  return answer;
}

json legacy_sign_in_answer_json(std::string_view token) { return {{"token", token}}; }

std::string sign_in_request_body(const SignInRequest& request) {
  return json_text({{"identifier", request.identifier},
               {"secret", request.secret},
               {"refresh", request.refresh}});
}

std::string refresh_request_body(std::string_view refresh_token) {
  return json_text({{"refresh_token", refresh_token}});
}

// ---- The signed-in user, organizations, repositories ----------------------------------------

json user_json(const UserInfo& user) {
  return {{"id", user.id}, {"username", user.username}, {"date_joined", time_json(user.date_joined)}};
}

Result<UserInfo> parse_user_json(const json& value) {
  Fields f(value, "user");
  UserInfo user;
  user.id = f.integer("id");
  user.username = f.text("username");
  user.date_joined = f.time("date_joined");
  if (!f.errors().empty()) return f.errors();
  return user;
}

json organization_json(const OrganizationInfo& org) {
  return {{"id", org.id},
          {"orgname", org.name},
          {"plan", plan_name(org.plan)},
          {"plan_name", plan_display_name(org.plan)},
          {"role", org.role.empty() ? json(nullptr) : json(org.role)},
          {"is_company_owner", org.is_company_owner},
          {"can_manage_tokens", org.can_manage_tokens},
          {"token_quota", org.token_quota},
          {"token_count", org.token_count}};
}

Result<OrganizationInfo> parse_organization_json(const json& value) {
  Fields f(value, "organization");
  OrganizationInfo org;
  org.id = f.integer("id");
  org.name = f.text("orgname");
  const std::string plan = f.text("plan");
  org.role = f.text_or_null("role");
  org.is_company_owner = f.boolean("is_company_owner");
  org.can_manage_tokens = f.boolean("can_manage_tokens");
  org.token_quota = f.count("token_quota");
  org.token_count = f.count("token_count");
  Errors errors = f.errors();
  if (const auto known = parse_plan(plan)) {
    org.plan = *known;
  } else if (!plan.empty()) {
    errors.push_back({ErrorCode::WrongType, "plan", "\"" + plan + "\" is not a plan."});
  }
  if (!errors.empty()) return errors;
  return org;
}

json repository_json(const RepositoryInfo& repository) {
  return {{"name", repository.name},
          {"namespace", repository.namespace_},
          {"is_private", repository.is_private},
          {"date_registered", time_json(repository.date_registered)}};
}

Result<RepositoryInfo> parse_repository_json(const json& value) {
  Fields f(value, "repository");
  RepositoryInfo repository;
  repository.name = f.text("name");
  repository.namespace_ = f.text("namespace");
  repository.is_private = f.boolean("is_private");
  repository.date_registered = f.time("date_registered");
  if (!f.errors().empty()) return f.errors();
  return repository;
}

// ---- The audit log ---------------------------------------------------------------------------

json audit_data_json(const AuditData& data) {
  json out = json::object();
  auto text = [&](const char* key, const std::optional<std::string>& value) {
    if (value) out[key] = *value;
  };
  text("token_id", data.token_id);
  text("label", data.label);
  text("previous_label", data.previous_label);
  if (data.resources) out["resources"] = resources_json(*data.resources);
  if (data.expires_at) out["expires_at"] = *data.expires_at ? time_json(**data.expires_at) : json();
  text("reason", data.reason);
  text("address", data.address);
  text("service", data.service);
  if (data.grace_period_seconds) out["grace_period_seconds"] = *data.grace_period_seconds;
  if (data.allowed_cidrs) out["allowed_cidrs"] = *data.allowed_cidrs;
  if (data.allow_self_rotation) out["allow_self_rotation"] = *data.allow_self_rotation;
  if (data.policy) out["policy"] = token_policy_json(*data.policy);
  return out;
}

AuditData parse_audit_data(const json& value) {
  AuditData data;
  if (!value.is_object()) return data;
  auto text = [&](const char* key) -> std::optional<std::string> {
    const auto it = value.find(key);
    if (it == value.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  data.token_id = text("token_id");
  data.label = text("label");
  data.previous_label = text("previous_label");
  if (const auto r = value.find("resources"); r != value.end()) {
    if (auto resources = parse_resources_json(*r)) data.resources = std::move(resources).value();
  }
  if (const auto e = value.find("expires_at"); e != value.end()) {
    if (e->is_null()) {
      data.expires_at.emplace(std::nullopt);
    } else if (e->is_string()) {
      if (const auto t = parse_rfc3339(e->get<std::string>())) data.expires_at.emplace(*t);
    }
  }
  data.reason = text("reason");
  data.address = text("address");
  data.service = text("service");
  if (const auto g = value.find("grace_period_seconds"); g != value.end() && g->is_number_integer()) {
    data.grace_period_seconds = g->get<std::int64_t>();
  }
  if (const auto c = value.find("allowed_cidrs"); c != value.end() && c->is_array()) {
    data.allowed_cidrs.emplace();
    for (const json& block : *c) {
      if (block.is_string()) data.allowed_cidrs->push_back(block.get<std::string>());
    }
  }
  if (const auto f = value.find("allow_self_rotation"); f != value.end() && f->is_boolean()) {
    data.allow_self_rotation = f->get<bool>();
  }
  if (const auto p = value.find("policy"); p != value.end()) {
    if (auto policy = parse_token_policy_json(*p)) data.policy = *policy;
  }
  return data;
}

json audit_event_json(const AuditEventInfo& event) {
  return {{"account", event.account},
          {"action", event.action},
          {"name", event.name},
          {"actor", event.actor},
          {"data", event.data.is_object() ? event.data : json::object()},
          {"timestamp", time_json(event.timestamp)},
          {"action_description",
           std::string(audit_action_description(event.action).value_or(event.action))}};
}

Result<AuditEventInfo> parse_audit_event_json(const json& value) {
  Fields f(value, "audit event");
  AuditEventInfo event;
  event.account = f.text("account");
  event.action = f.text("action");
  event.name = f.text("name", /*non_empty=*/false);
  event.actor = f.text("actor", /*non_empty=*/false);
  event.timestamp = f.time("timestamp");
  event.description = f.text("action_description", /*non_empty=*/false);
  if (value.is_object()) {
    if (const auto d = value.find("data"); d != value.end() && d->is_object()) event.data = *d;
  }
  if (!f.errors().empty()) return f.errors();
  return event;
}

json audit_actions_json() {
  // Two groups, as Docker's answer groups actions by what they concern: access tokens (and
  // their policy), and CI sign-in (OIDC connections and exchanges).
  json tokens = json::array(), oidc = json::array();
  for (const AuditAction& a : audit_actions()) {
    (a.name.starts_with("oidc") ? oidc : tokens)
        .push_back({{"name", a.name}, {"description", a.description}, {"label", a.description}});
  }
  return {{"actions",
           {{"access_token", {{"label", "Access tokens"}, {"actions", tokens}}},
            {"oidc", {{"label", "CI sign-in"}, {"actions", oidc}}}}}};
}

// ---- Pages -----------------------------------------------------------------------------------

json page_json_as(std::string_view items_key, std::size_t total, const PageRequest& page,
                  std::string_view base_url, json items) {
  json out = page_json(total, page, base_url, json::array());
  out.erase(std::string(kResultsKey));
  out[std::string(items_key)] = std::move(items);
  return out;
}

json single_page_json(json items) {
  const std::size_t total = items.size();
  return {{"total", total}, {"next", nullptr}, {"previous", nullptr}, {"results", std::move(items)}};
}

Result<PageAnswer> parse_page_json(std::string_view body, std::string_view items_key) {
  const json value = parse_json_text(body);
  Fields f(value, "page");
  PageAnswer page;
  page.total = f.count("total");
  page.next = f.optional_text("next");
  page.previous = f.optional_text("previous");
  Errors errors = f.errors();
  const std::string key(items_key);
  if (value.is_object()) {
    const auto items = value.find(key);
    if (items == value.end() || !items->is_array()) {
      errors.push_back({ErrorCode::WrongType, key, "\"" + key + "\" of the page must be a list."});
    } else {
      page.items = *items;
    }
  }
  if (!errors.empty()) return errors;
  return page;
}

// ---- Tokens ----------------------------------------------------------------------------------

Result<CreatedToken> take_created_token(json& value) {
  auto token = parse_token_json(value);
  if (!token) return token.errors();
  const auto it = value.find("token");
  if (it == value.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return Error{ErrorCode::WrongType, "token", "The answer to a create holds no token."};
  }
  std::string& held = it->get_ref<std::string&>();
  CreatedToken created{std::move(token).value(), held};
  wipe_secret(held);
  return created;
}

void wipe_secret(std::string& text) {
  volatile char* bytes = text.data();
  for (std::size_t i = 0; i < text.size(); ++i) bytes[i] = 0;
  text.clear();
  text.shrink_to_fit();
}

// ---- Token requests a client sends -----------------------------------------------------------

json token_request_json(std::string_view label, std::string_view description, json resources) {
  return {{"label", label}, {"description", description}, {"resources", std::move(resources)}};
}

json token_request_json(std::string_view label, std::string_view description, json resources,
                        bool allow_self_rotation, const std::vector<std::string>& allowed_cidrs) {
  json body = token_request_json(label, description, std::move(resources));
  body["allow_self_rotation"] = allow_self_rotation;
  body["allowed_cidrs"] = allowed_cidrs;
  return body;
}

std::string activation_request_body(bool active) { return json_text({{"is_active", active}}); }

}  // namespace oat
