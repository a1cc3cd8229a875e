#include "oat/api.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "oat/lifecycle.h"
#include "oat/network.h"

namespace oat {
namespace {

using nlohmann::json;

Error wrong_type(std::string field, std::string_view expected) {
  std::string message = "\"" + field + "\" must be " + std::string(expected) + ".";
  return Error{ErrorCode::WrongType, std::move(field), std::move(message)};
}

Error unknown_field(const std::string& field) {
  return Error{ErrorCode::UnknownField, field, "\"" + field + "\" is not a field of an access token."};
}

std::string indexed(std::size_t i, std::string_view what) {
  return "resources[" + std::to_string(i) + "]" + (what.empty() ? "" : ".") + std::string(what);
}

json time_or_null(const std::optional<Timestamp>& t) {
  return t ? json(format_rfc3339(*t)) : json(nullptr);
}

// Reads the label, description and resources that create and update share.
void read_label(const json& v, Errors& errors, std::optional<std::string>& out) {
  if (!v.is_string()) return errors.push_back(wrong_type("label", "a string"));
  auto label = validate_label(v.get_ref<const std::string&>());
  if (!label) return errors.push_back(label.error());
  out = std::move(label).value();
}

void read_description(const json& v, Errors& errors, std::optional<std::string>& out) {
  if (v.is_null()) {
    out = std::string();
    return;
  }
  if (!v.is_string()) return errors.push_back(wrong_type("description", "a string"));
  const auto& text = v.get_ref<const std::string&>();
  if (auto e = validate_description(text)) return errors.push_back(*e);
  out = text;
}

void read_resources(const json& v, const OrganizationContext& context, Errors& errors,
                    std::optional<std::vector<Resource>>& out) {
  auto parsed = parse_resources_json(v);
  if (!parsed) {
    errors.insert(errors.end(), parsed.errors().begin(), parsed.errors().end());
    return;
  }
  Errors invalid = validate_resources(*parsed, context.org, context.repository_exists);
  if (!invalid.empty()) {
    errors.insert(errors.end(), invalid.begin(), invalid.end());
    return;
  }
  out = std::move(parsed).value();
}

template <class Flag>
void read_flag(const std::string& key, const json& v, Errors& errors, Flag& out) {
  if (!v.is_boolean()) return errors.push_back(wrong_type(key, "true or false"));
  out = v.get<bool>();
}

void read_cidrs(const json& v, Errors& errors, std::optional<std::vector<std::string>>& out) {
  auto blocks = parse_allowed_cidrs(v);
  if (!blocks) {
    errors.insert(errors.end(), blocks.errors().begin(), blocks.errors().end());
    return;
  }
  out = std::move(blocks).value();
}

std::optional<std::size_t> parse_positive(std::string_view text) {
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0) return std::nullopt;
  return value;
}

}  // namespace

Result<json> parse_request_object(std::string_view body) {
  json value = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return Error{ErrorCode::MalformedBody, "", "The request body is not valid JSON."};
  }
  if (!value.is_object()) {
    return Error{ErrorCode::MalformedBody, "", "The request body must be a JSON object."};
  }
  return value;
}

Result<CreateTokenRequest> parse_create_request(std::string_view body,
                                                const OrganizationContext& context) {
  auto object = parse_request_object(body);
  if (!object) return object.errors();
  Errors errors;
  std::optional<std::string> label, description;
  std::optional<std::vector<Resource>> resources;
  std::optional<Timestamp> expires_at;
  bool allow_self_rotation = false;
  std::optional<std::vector<std::string>> allowed_cidrs;
  bool has_label = false, has_resources = false;
  for (const auto& [key, v] : object->items()) {
    if (key == "label") {
      has_label = true;
      read_label(v, errors, label);
    } else if (key == "description") {
      read_description(v, errors, description);
    } else if (key == "resources") {
      has_resources = true;
      read_resources(v, context, errors, resources);
    } else if (key == "expires_at") {
      if (v.is_null()) continue;
      if (!v.is_string()) {
        errors.push_back(wrong_type("expires_at", "a date and time (RFC 3339) or null"));
        continue;
      }
      auto t = parse_rfc3339(v.get_ref<const std::string&>());
      if (!t) {
        errors.push_back({ErrorCode::InvalidTime, "expires_at",
                          "\"expires_at\" must be a date and time such as "
                          "\"2027-01-31T12:00:00Z\", or null for a token that never expires."});
      } else if (auto e = validate_expires_at(*t, context.now)) {
        errors.push_back(*e);
      } else {
        expires_at = t;
      }
    } else if (key == "allow_self_rotation") {
      read_flag(key, v, errors, allow_self_rotation);
    } else if (key == "allowed_cidrs") {
      read_cidrs(v, errors, allowed_cidrs);
    } else {
      errors.push_back(unknown_field(key));
    }
  }
  if (!has_label) errors.push_back({ErrorCode::LabelRequired, "label", "Enter a label."});
  if (!has_resources) {
    errors.push_back({ErrorCode::ResourcesRequired, "resources",
                      "Choose at least one repository or organization resource."});
  }
  if (!errors.empty()) return errors;
  return CreateTokenRequest{*label, description.value_or(""), *resources, expires_at,
                            allow_self_rotation, allowed_cidrs.value_or(std::vector<std::string>())};
}

Result<UpdateTokenRequest> parse_update_request(std::string_view body,
                                                const OrganizationContext& context) {
  auto object = parse_request_object(body);
  if (!object) return object.errors();
  Errors errors;
  UpdateTokenRequest update;
  for (const auto& [key, v] : object->items()) {
    if (key == "label") {
      read_label(v, errors, update.label);
    } else if (key == "description") {
      read_description(v, errors, update.description);
    } else if (key == "resources") {
      read_resources(v, context, errors, update.resources);
    } else if (key == "is_active") {
      read_flag(key, v, errors, update.is_active);
    } else if (key == "allow_self_rotation") {
      read_flag(key, v, errors, update.allow_self_rotation);
    } else if (key == "allowed_cidrs") {
      read_cidrs(v, errors, update.allowed_cidrs);
    } else if (key == "expires_at") {
      errors.push_back({ErrorCode::FieldNotEditable, "expires_at",
                        "The expiration of a token cannot be changed after it is created."});
    } else {
      errors.push_back(unknown_field(key));
    }
  }
  if (!errors.empty()) return errors;
  return update;
}

std::optional<std::int64_t> sign_in_retry_after(const std::vector<Timestamp>& failures,
                                                const SignInPolicy& policy, Timestamp now) {
  std::size_t first = 0;  // the failures before `first` have left the window
  while (first < failures.size() && failures[first] + policy.window <= now) ++first;
  const std::size_t in_window = failures.size() - first;
  if (policy.max_failures == 0 || in_window < policy.max_failures) return std::nullopt;
  // The key may try again when only max_failures - 1 are left in the window: when the failure
  // that many places before the newest leaves it.
  const Timestamp leaves = failures[first + (in_window - policy.max_failures)] + policy.window;
  return std::max<std::int64_t>(1, (leaves - now).count());
}

std::string too_many_sign_ins_message(long long seconds) {
  return "Too many failed sign-in attempts. Try again in " + std::to_string(seconds) +
         (seconds == 1 ? " second." : " seconds.");
}

Result<SignInRequest> parse_sign_in_request(std::string_view body, SignInForm form) {
  auto object = parse_request_object(body);
  if (!object) return object.errors();
  const bool legacy = form == SignInForm::Legacy;
  Errors errors;
  auto text = [&](const char* field, std::string& out) {
    const auto it = object->find(field);
    if (it == object->end() || it->is_null() ||
        (it->is_string() && it->get_ref<const std::string&>().empty())) {
      return errors.push_back(
          {ErrorCode::WrongType, field, "\"" + std::string(field) + "\" is required."});
    }
    if (!it->is_string()) return errors.push_back(wrong_type(field, "a string"));
    out = it->get<std::string>();
  };
  SignInRequest request;
  text(legacy ? "username" : "identifier", request.identifier);
  text(legacy ? "password" : "secret", request.secret);
  if (!legacy) {
    if (const auto it = object->find("refresh"); it != object->end()) {
      if (it->is_boolean()) {
        request.refresh = it->get<bool>();
      } else {
        errors.push_back(wrong_type("refresh", "true or false"));
      }
    }
  }
  if (!errors.empty()) return errors;
  return request;
}

Result<std::optional<std::string>> parse_refresh_request(std::string_view body, bool required) {
  const Error missing{ErrorCode::WrongType, "refresh_token", "\"refresh_token\" is required."};
  if (!required && body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return std::optional<std::string>();
  }
  auto object = parse_request_object(body);
  if (!object) return object.errors();
  const auto it = object->find("refresh_token");
  if (it == object->end()) {
    if (required) return missing;
    return std::optional<std::string>();
  }
  if (!it->is_string()) return wrong_type("refresh_token", "a string");
  if (it->get_ref<const std::string&>().empty()) return missing;
  return std::optional<std::string>(it->get<std::string>());
}

json resources_json(const std::vector<Resource>& resources) {
  json out = json::array();
  for (const Resource& r : resources) {
    json scopes = json::array();
    for (Scope s : r.scopes) scopes.push_back(scope_name(s));
    out.push_back({{"type", resource_type_name(r.type)}, {"path", r.path}, {"scopes", scopes}});
  }
  return out;
}

Result<std::vector<Resource>> parse_resources_json(const json& value) {
  if (!value.is_array()) return wrong_type("resources", "a list of resources");
  Errors errors;
  std::vector<Resource> resources;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const json& item = value[i];
    if (!item.is_object()) {
      errors.push_back(wrong_type(indexed(i, ""), "an object with type, path and scopes"));
      continue;
    }
    Resource r;
    bool ok = true;
    for (const auto& [key, v] : item.items()) {
      if (key != "type" && key != "path" && key != "scopes") {
        errors.push_back({ErrorCode::UnknownField, indexed(i, key),
                          "\"" + key + "\" is not a field of a resource."});
        ok = false;
      }
    }
    const auto type = item.find("type");
    if (type == item.end() || !type->is_string()) {
      errors.push_back(wrong_type(indexed(i, "type"), "\"TYPE_REPO\" or \"TYPE_ORG\""));
      ok = false;
    } else if (auto t = parse_resource_type(type->get_ref<const std::string&>())) {
      r.type = *t;
    } else {
      errors.push_back({ErrorCode::UnknownResourceType, indexed(i, "type"),
                        "\"" + type->get<std::string>() +
                            "\" is not a resource type; use \"TYPE_REPO\" or \"TYPE_ORG\"."});
      ok = false;
    }
    const auto path = item.find("path");
    if (path == item.end() || !path->is_string()) {
      errors.push_back(wrong_type(indexed(i, "path"), "a string"));
      ok = false;
    } else {
      r.path = path->get<std::string>();
    }
    const auto scopes = item.find("scopes");
    if (scopes == item.end() || !scopes->is_array()) {
      errors.push_back(wrong_type(indexed(i, "scopes"), "a list of scope names"));
      ok = false;
    } else {
      for (const json& s : *scopes) {
        if (!s.is_string()) {
          errors.push_back(wrong_type(indexed(i, "scopes"), "a list of scope names"));
          ok = false;
          break;
        }
        const auto& name = s.get_ref<const std::string&>();
        if (auto scope = parse_scope(name)) {
          r.scopes.push_back(*scope);
        } else {
          errors.push_back({ErrorCode::UnknownScope, indexed(i, "scopes"),
                            "\"" + name + "\" is not a known scope."});
          ok = false;
        }
      }
    }
    if (ok) resources.push_back(std::move(r));
  }
  if (!errors.empty()) return errors;
  return resources;
}

json token_json(const AccessToken& token, bool with_resources,
                std::optional<std::string_view> secret) {
  json out = {
      {"id", token.id},
      {"label", token.label},
      {"description", token.description},
      {"created_by", token.created_by},
      {"is_active", token.is_active},
      {"created_at", format_rfc3339(token.created_at)},
      {"expires_at", time_or_null(token.expires_at)},
      {"last_used_at", time_or_null(token.last_used_at)},
      {"rotated_at", time_or_null(token.rotated_at)},
      {"previous_token_expires_at", time_or_null(token.previous_token_expires_at)},
  };
  if (with_resources) {
    out["resources"] = resources_json(token.resources);
    out["last_used_addresses"] = token.last_used_addresses;
    out["pull_count"] = token.pull_count;
    out["push_count"] = token.push_count;
    out["previous_token_last_used_at"] = time_or_null(token.previous_token_last_used_at);
    out["allow_self_rotation"] = token.allow_self_rotation;
    out["allowed_cidrs"] = token.allowed_cidrs;
  }
  if (secret) out["token"] = std::string(*secret);
  return out;
}

Result<AccessToken> parse_token_json(const json& value) {
  if (!value.is_object()) return wrong_type("token", "an object");
  AccessToken token;
  Errors errors;
  auto text = [&](const char* key, std::string& out) {
    const auto it = value.find(key);
    if (it == value.end() || !it->is_string()) return errors.push_back(wrong_type(key, "a string"));
    out = it->get<std::string>();
  };
  auto time = [&](const char* key, std::optional<Timestamp>& out, bool nullable) {
    const auto it = value.find(key);
    if (it != value.end() && it->is_null() && nullable) return;
    if (it == value.end() || !it->is_string()) return errors.push_back(wrong_type(key, "a time"));
    out = parse_rfc3339(it->get_ref<const std::string&>());
    if (!out) errors.push_back({ErrorCode::InvalidTime, key, "\"" + std::string(key) + "\" is not a time."});
  };
  text("id", token.id);
  text("label", token.label);
  text("description", token.description);
  text("created_by", token.created_by);
  const auto active = value.find("is_active");
  if (active == value.end() || !active->is_boolean()) {
    errors.push_back(wrong_type("is_active", "true or false"));
  } else {
    token.is_active = active->get<bool>();
  }
  std::optional<Timestamp> created;
  time("created_at", created, false);
  if (created) token.created_at = *created;
  time("expires_at", token.expires_at, true);
  time("last_used_at", token.last_used_at, true);
  // Lifecycle fields: optional, so that an older server's answers still read.
  for (auto [key, out] : {std::pair{"rotated_at", &token.rotated_at},
                          {"previous_token_expires_at", &token.previous_token_expires_at},
                          {"previous_token_last_used_at", &token.previous_token_last_used_at}}) {
    if (value.contains(key)) time(key, *out, true);
  }
  if (const auto f = value.find("allow_self_rotation"); f != value.end() && f->is_boolean()) {
    token.allow_self_rotation = f->get<bool>();
  }
  if (const auto c = value.find("allowed_cidrs"); c != value.end() && c->is_array()) {
    for (const json& block : *c) {
      if (block.is_string()) token.allowed_cidrs.push_back(block.get<std::string>());
    }
  }
  if (const auto r = value.find("resources"); r != value.end()) {
    auto resources = parse_resources_json(*r);
    if (resources) {
      token.resources = std::move(resources).value();
    } else {
      errors.insert(errors.end(), resources.errors().begin(), resources.errors().end());
    }
  }
  if (const auto a = value.find("last_used_addresses"); a != value.end() && a->is_array()) {
    for (const json& address : *a) {
      if (address.is_string()) token.last_used_addresses.push_back(address.get<std::string>());
    }
  }
  for (auto [key, out] : {std::pair{"pull_count", &token.pull_count}, {"push_count", &token.push_count}}) {
    if (const auto n = value.find(key); n != value.end() && n->is_number_integer()) {
      *out = n->get<long long>();
    }
  }
  if (!errors.empty()) return errors;
  return token;
}

Result<PageRequest> parse_page_request(std::optional<std::string_view> page,
                                       std::optional<std::string_view> page_size) {
  PageRequest request;
  Errors errors;
  if (page) {
    if (auto n = parse_positive(*page)) {
      request.page = *n;
    } else {
      errors.push_back({ErrorCode::InvalidPage, "page", "\"page\" must be a whole number from 1."});
    }
  }
  if (page_size) {
    auto n = parse_positive(*page_size);
    if (n && *n <= kMaxPageSize) {
      request.page_size = *n;
    } else {
      errors.push_back({ErrorCode::InvalidPage, "page_size",
                        "\"page_size\" must be a whole number from 1 to " +
                            std::to_string(kMaxPageSize) + "."});
    }
  }
  // The page's first item is item (page - 1) * page_size, its end page * page_size: a page whose
  // end cannot be counted would wrap around to another page's items.
  if (errors.empty() && request.page > std::numeric_limits<std::size_t>::max() / request.page_size) {
    errors.push_back({ErrorCode::InvalidPage, "page", "\"page\" is beyond the end of any list."});
  }
  if (!errors.empty()) return errors;
  return request;
}

json page_json(std::size_t total, const PageRequest& page, std::string_view base_url,
               json results) {
  auto link = [&](std::size_t n) {
    const bool has_query = base_url.find('?') != std::string_view::npos;  // a list's own filter
    return std::string(base_url) + (has_query ? "&page=" : "?page=") + std::to_string(n) +
           "&page_size=" + std::to_string(page.page_size);
  };
  const bool has_next = page.page * page.page_size < total;
  const bool has_previous = page.page > 1;
  return {{"total", total},
          {"next", has_next ? json(link(page.page + 1)) : json(nullptr)},
          {"previous", has_previous ? json(link(page.page - 1)) : json(nullptr)},
          {"results", std::move(results)}};
}

json field_errors_json(const Errors& errors) {
  json fields = json::object();
  for (const Error& e : errors) {
    fields[e.field.empty() ? "non_field_errors" : e.field].push_back(e.message);
  }
  std::string text = errors.empty() ? "The request is invalid." : errors.front().message;
  if (errors.size() > 1) {
    text += " (and " + std::to_string(errors.size() - 1) + " more problem" +
            (errors.size() > 2 ? "s" : "") + ")";
  }
  return {{"fields", fields}, {"text", text}};
}

json detail_error_json(std::string_view message) {
  return {{"detail", message}, {"message", message}};
}

json registry_error_json(std::string_view code, std::string_view message) {
  return {{"errors", json::array({{{"code", code}, {"message", message}, {"detail", nullptr}}})}};
}

Errors parse_error_response(std::string_view body, std::string_view fallback) {
  const json value = json::parse(body.begin(), body.end(), nullptr, false);
  Errors errors;
  auto add = [&](std::string field, const json& message) {
    if (message.is_string()) {
      errors.push_back({ErrorCode::ServerRefused, std::move(field), message.get<std::string>()});
    }
  };
  if (value.is_object()) {
    if (const auto f = value.find("fields"); f != value.end() && f->is_object()) {
      for (const auto& [field, messages] : f->items()) {
        const std::string name = field == "non_field_errors" ? "" : field;
        if (messages.is_array()) {
          for (const json& m : messages) add(name, m);
        } else {
          add(name, messages);
        }
      }
      if (errors.empty()) add("", value.value("text", json()));
    } else if (const auto d = value.find("detail"); d != value.end() && d->is_string()) {
      add("", *d);
    } else if (const auto m = value.find("message"); m != value.end() && m->is_string()) {
      add("", *m);
    } else if (const auto e = value.find("errors"); e != value.end() && e->is_array()) {
      for (const json& item : *e) {
        if (item.is_object()) add("", item.value("message", json()));
      }
    }
  }
  if (errors.empty()) errors.push_back({ErrorCode::ServerRefused, "", std::string(fallback)});
  return errors;
}

}  // namespace oat
