#include "oat/oidc.h"

#include <algorithm>
#include <set>

#include "oat/api.h"
#include "oat/webhook.h"

namespace oat {
namespace {

using nlohmann::json;

Error wrong_type(const std::string& field, std::string_view expected) {
  return {ErrorCode::WrongType, field, "\"" + field + "\" must be " + std::string(expected) + "."};
}

Error invalid(ErrorCode code, std::string field, std::string message) {
  return {code, std::move(field), std::move(message)};
}

// Claims the connection checks itself: a condition on them would say nothing or contradict it.
bool is_checked_claim(std::string_view claim) {
  return claim == "iss" || claim == "aud" || claim == "exp" || claim == "iat" || claim == "nbf" ||
         claim == "jti";
}

// An id claim (repository_owner_id, namespace_id, run_id ...): exact match only.
bool is_id_claim(std::string_view claim) { return claim.size() > 3 && claim.ends_with("_id"); }

bool is_claim_name(std::string_view claim) {
  if (claim.empty() || claim.size() > kMaxOidcClaimNameLength) return false;
  return std::all_of(claim.begin(), claim.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == ':';
  });
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A string, or a number or boolean as its JSON text; nullopt for anything else.
std::optional<std::string> scalar_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer() || value.is_number_unsigned() || value.is_boolean()) return value.dump();
  if (value.is_number_float()) return value.dump();
  return std::nullopt;
}

// '*' matches any run of characters (none included): the classic two-pointer match with the
// last star remembered, linear in practice and never exponential.
bool glob_matches(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::optional<std::string> text_field(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

json time_or_null(const std::optional<Timestamp>& t) { return t ? json(format_rfc3339(*t)) : json(); }

const std::vector<std::string_view>& gitlab_claims() {
  static const std::vector<std::string_view> claims = {
      "namespace_id", "namespace_path", "project_id", "project_path", "pipeline_source",
      "ci_config_ref_uri", "ci_config_sha", "pipeline_id", "user_login", "ref_protected"};
  return claims;
}

Result<std::string> parse_name_field(const json& value, const std::string& field) {
  if (!value.is_string()) return wrong_type(field, "a string");
  auto label = validate_label(value.get_ref<const std::string&>());
  if (!label) return Error{label.error().code, field, "\"" + field + "\": " + label.error().message};
  return *label;
}

Status validate_audience(const json& value) {
  if (!value.is_string()) return wrong_type("audience", "a string");
  const auto& text = value.get_ref<const std::string&>();
  if (text.empty() || count_characters(text) > kMaxOidcAudienceLength || has_control_character(text) ||
      !is_text(text)) {
    return invalid(ErrorCode::InvalidOidcConnection, "audience",
                   "\"audience\" must be 1 to " + std::to_string(kMaxOidcAudienceLength) +
                       " characters without control characters: what the ID tokens' aud must be "
                       "(usually this server's URL).");
  }
  return std::nullopt;
}

}  // namespace

// ---- Issuers and presets -------------------------------------------------------------------------

std::vector<std::string> default_oidc_issuers() {
  return {std::string(kGitHubActionsIssuer), std::string(kGitLabIssuer)};
}

Status validate_oidc_issuer(std::string_view issuer, std::string_view field) {
  const std::string f(field);
  const auto refused = [&](std::string why) {
    return Error{ErrorCode::InvalidOidcConnection, f, "\"" + f + "\" " + why};
  };
  if (issuer.size() > kMaxOidcIssuerLength) return refused("is too long.");
  const auto url = parse_webhook_url(issuer);
  if (!url || url->scheme != "https" || !issuer.starts_with("https://")) {
    return refused("must be an https URL, such as " + std::string(kGitHubActionsIssuer) + ".");
  }
  if (issuer.find('?') != std::string_view::npos || issuer.find('#') != std::string_view::npos) {
    return refused("must not have a query or a fragment.");
  }
  return std::nullopt;
}

Status check_issuer_allowed(std::string_view issuer, const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), issuer) != allowed.end()) return std::nullopt;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  return Error{ErrorCode::IssuerNotAllowed, "issuer",
               "This server accepts ID tokens from " + (list.empty() ? std::string("no issuer") : list) +
                   "; its operator can allow others (oatd serve --oidc-issuer)."};
}

const std::vector<OidcPreset>& oidc_presets() {
  static const std::vector<OidcPreset> presets = {
      {"github", "GitHub Actions", kGitHubActionsIssuer, "repository_owner_id",
       "https://api.github.com/users/OWNER gives it as \"id\"",
       {"repository_owner_id", "repository", "ref", "job_workflow_ref", "environment", "sub"}},
      {"gitlab", "GitLab CI", kGitLabIssuer, "namespace_id",
       "the group's or user's page in GitLab shows it",
       {"namespace_id", "project_path", "ref", "ref_type", "environment", "sub"}},
  };
  return presets;
}

const OidcPreset* oidc_preset_for(std::string_view issuer, const std::vector<std::string>& claims_named) {
  const auto& presets = oidc_presets();
  if (issuer == kGitHubActionsIssuer) return &presets[0];
  if (issuer == kGitLabIssuer) return &presets[1];
  for (const auto& claim : claims_named) {
    const auto& gl = gitlab_claims();
    if (std::find(gl.begin(), gl.end(), claim) != gl.end()) return &presets[1];
  }
  return nullptr;
}

// ---- Connections ---------------------------------------------------------------------------------

json oidc_rulesets_json(const std::vector<OidcRuleset>& rulesets) {
  json out = json::array();
  for (const OidcRuleset& r : rulesets) {
    json conditions = json::object();
    for (const OidcCondition& c : r.conditions) conditions[c.claim] = c.pattern;
    out.push_back({{"name", r.name},
                   {"conditions", conditions},
                   {"resources", resources_json(r.resources)},
                   {"max_lifetime_seconds", r.max_lifetime_seconds}});
  }
  return out;
}

Result<std::vector<OidcRuleset>> parse_oidc_rulesets(const json& value) {
  if (!value.is_array()) return wrong_type("rulesets", "a list of rulesets");
  Errors errors;
  if (value.empty() || value.size() > kMaxOidcRulesets) {
    errors.push_back(invalid(ErrorCode::InvalidOidcRuleset, "rulesets",
                             "A connection has 1 to " + std::to_string(kMaxOidcRulesets) + " rulesets."));
  }
  std::vector<OidcRuleset> rulesets;
  std::set<std::string> names;
  for (std::size_t i = 0; i < value.size() && i < kMaxOidcRulesets; ++i) {
    const std::string at = "rulesets[" + std::to_string(i) + "]";
    const json& item = value[i];
    if (!item.is_object()) {
      errors.push_back(wrong_type(at, "an object with name, conditions, resources and max_lifetime_seconds"));
      continue;
    }
    OidcRuleset r;
    for (const auto& [key, v] : item.items()) {
      if (key != "name" && key != "conditions" && key != "resources" && key != "max_lifetime_seconds") {
        errors.push_back(invalid(ErrorCode::UnknownField, at + "." + key,
                                 "\"" + key + "\" is not a field of a ruleset (name, conditions, "
                                 "resources, max_lifetime_seconds)."));
      }
    }
    if (!item.contains("name")) {
      errors.push_back(invalid(ErrorCode::InvalidOidcRuleset, at + ".name", "Each ruleset needs a name."));
    } else if (auto name = parse_name_field(item["name"], at + ".name"); !name) {
      errors.push_back(name.error());
    } else if (!names.insert(*name).second) {
      errors.push_back(invalid(ErrorCode::InvalidOidcRuleset, at + ".name",
                               "Two rulesets are named \"" + *name + "\"; names must differ."));
    } else {
      r.name = *name;
    }
    // Conditions.
    const auto conditions = item.find("conditions");
    if (conditions == item.end() || !conditions->is_object()) {
      errors.push_back(wrong_type(at + ".conditions", "an object of claim names and patterns"));
    } else if (conditions->empty() || conditions->size() > kMaxOidcConditions) {
      errors.push_back(invalid(ErrorCode::InvalidOidcCondition, at + ".conditions",
                               "A ruleset has 1 to " + std::to_string(kMaxOidcConditions) +
                                   " conditions; without one, every token of the issuer would match."));
    } else {
      for (const auto& [claim, pattern] : conditions->items()) {
        const std::string field = at + ".conditions." + claim;
        if (!is_claim_name(claim)) {
          errors.push_back(invalid(ErrorCode::InvalidOidcCondition, at + ".conditions",
                                   "\"" + claim + "\" is not a claim name (letters, digits, _ - . :, at most " +
                                       std::to_string(kMaxOidcClaimNameLength) + ")."));
          continue;
        }
        if (is_checked_claim(claim)) {
          errors.push_back(invalid(ErrorCode::InvalidOidcCondition, field,
                                   "\"" + claim + "\" is checked by the connection itself (issuer, "
                                   "audience, times, single use); it cannot be a condition."));
          continue;
        }
        if (!pattern.is_string()) {
          errors.push_back(wrong_type(field, "a string (a number's digits are written as a string)"));
          continue;
        }
        const auto& p = pattern.get_ref<const std::string&>();
        if (p.empty() || p.size() > kMaxOidcPatternLength || has_control_character(p) || !is_text(p)) {
          errors.push_back(invalid(ErrorCode::InvalidOidcCondition, field,
                                   "A pattern is 1 to " + std::to_string(kMaxOidcPatternLength) +
                                       " characters without control characters."));
          continue;
        }
        if (p.find('*') != std::string::npos && is_id_claim(claim)) {
          errors.push_back(invalid(ErrorCode::InvalidOidcCondition, field,
                                   "\"" + claim + "\" is an id: it must match exactly, without *."));
          continue;
        }
        if (p.find_first_not_of('*') == std::string::npos) {
          errors.push_back(invalid(ErrorCode::InvalidOidcCondition, field,
                                   "A pattern of only * matches anything; leave the condition out or "
                                   "name what must match."));
          continue;
        }
        r.conditions.push_back({claim, p});
      }
    }
    // Resources: their shape here, their rules for the organization in validate_oidc_connection.
    const auto resources = item.find("resources");
    if (resources == item.end()) {
      errors.push_back(invalid(ErrorCode::ResourcesRequired, at + ".resources",
                               "Each ruleset grants at least one resource."));
    } else if (auto parsed = parse_resources_json(*resources); !parsed) {
      for (Error e : parsed.errors()) {
        e.field = at + "." + e.field;
        errors.push_back(std::move(e));
      }
    } else {
      r.resources = *parsed;
    }
    if (const auto max = item.find("max_lifetime_seconds"); max != item.end()) {
      if (!max->is_number_integer() || max->get<std::int64_t>() < kMinOidcLifetime ||
          max->get<std::int64_t>() > kMaxOidcLifetime) {
        errors.push_back(invalid(ErrorCode::InvalidOidcRuleset, at + ".max_lifetime_seconds",
                                 "\"max_lifetime_seconds\" is a whole number from " +
                                     std::to_string(kMinOidcLifetime) + " to " +
                                     std::to_string(kMaxOidcLifetime) + "."));
      } else {
        r.max_lifetime_seconds = max->get<std::int64_t>();
      }
    }
    rulesets.push_back(std::move(r));
  }
  if (!errors.empty()) return errors;
  return rulesets;
}

Result<OidcConnectionRequest> parse_oidc_connection_request(std::string_view body, bool create) {
  auto object = parse_request_object(body);
  if (!object) return object.errors();
  OidcConnectionRequest request;
  Errors errors;
  for (const auto& [key, value] : object->items()) {
    if (key == "name") {
      if (auto name = parse_name_field(value, "name"); !name) {
        errors.push_back(name.error());
      } else {
        request.name = *name;
      }
    } else if (key == "issuer") {
      if (!value.is_string()) {
        errors.push_back(wrong_type(key, "an https URL"));
      } else if (auto refused = validate_oidc_issuer(value.get_ref<const std::string&>())) {
        errors.push_back(*refused);
      } else {
        request.issuer = value.get<std::string>();
      }
    } else if (key == "audience") {
      if (auto refused = validate_audience(value)) {
        errors.push_back(*refused);
      } else {
        request.audience = value.get<std::string>();
      }
    } else if (key == "active") {
      if (!value.is_boolean()) {
        errors.push_back(wrong_type(key, "true or false"));
      } else {
        request.active = value.get<bool>();
      }
    } else if (key == "rulesets") {
      if (auto rulesets = parse_oidc_rulesets(value); !rulesets) {
        errors.insert(errors.end(), rulesets.errors().begin(), rulesets.errors().end());
      } else {
        request.rulesets = *rulesets;
      }
    } else {
      errors.push_back(invalid(ErrorCode::UnknownField, key,
                               "\"" + key + "\" is not a field of a connection (name, issuer, audience, "
                               "active, rulesets)."));
    }
  }
  if (create) {
    for (const char* required : {"name", "issuer", "audience", "rulesets"}) {
      if (!object->contains(required)) {
        errors.push_back(invalid(ErrorCode::InvalidOidcConnection, required,
                                 "\"" + std::string(required) + "\" is required."));
      }
    }
  } else if (object->empty()) {
    errors.push_back(invalid(ErrorCode::MalformedBody, "",
                             "Send at least one of name, issuer, audience, active, rulesets."));
  }
  if (!errors.empty()) return errors;
  return request;
}

Errors validate_oidc_connection(std::string_view issuer, const std::vector<OidcRuleset>& rulesets,
                                std::string_view org, const std::vector<std::string>& allowed_issuers,
                                const RepositoryExists& exists) {
  Errors errors;
  if (auto refused = check_issuer_allowed(issuer, allowed_issuers)) errors.push_back(*refused);
  for (std::size_t i = 0; i < rulesets.size(); ++i) {
    const OidcRuleset& r = rulesets[i];
    const std::string at = "rulesets[" + std::to_string(i) + "]";
    for (Error e : validate_resources(r.resources, org, exists)) {
      e.field = at + "." + e.field;
      errors.push_back(std::move(e));
    }
    std::vector<std::string> claims;
    for (const auto& c : r.conditions) claims.push_back(c.claim);
    const OidcPreset* preset = oidc_preset_for(issuer, claims);
    if (!preset) continue;
    const auto pin = std::find_if(r.conditions.begin(), r.conditions.end(),
                                  [&](const OidcCondition& c) { return c.claim == preset->owner_claim; });
    if (pin == r.conditions.end() || !all_digits(pin->pattern)) {
      errors.push_back(invalid(
          ErrorCode::OwnerNotPinned, at + ".conditions." + std::string(preset->owner_claim),
          "A " + std::string(preset->name) + " ruleset must pin \"" + std::string(preset->owner_claim) +
              "\" to the owner's numeric id (" + std::string(preset->owner_hint) +
              "): names can be renamed and re-registered, and without it any " +
              (preset->key == "github" ? std::string("repository on github.com")
                                       : std::string("project on that GitLab")) +
              " could match."));
    }
  }
  return errors;
}

json oidc_connection_json(const OidcConnection& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"issuer", c.issuer},
          {"audience", c.audience},
          {"active", c.active},
          {"rulesets", oidc_rulesets_json(c.rulesets)},
          {"version", c.version},
          {"created_at", format_rfc3339(c.created_at)},
          {"created_by", c.created_by},
          {"updated_at", format_rfc3339(c.updated_at)},
          {"last_exchange_at", time_or_null(c.last_exchange_at)}};
}

Result<OidcConnection> parse_oidc_connection_json(const json& value) {
  const Error bad{ErrorCode::ServerRefused, "", "The server's answer is not a connection."};
  if (!value.is_object()) return bad;
  OidcConnection c;
  const auto id = text_field(value, "id"), name = text_field(value, "name"),
             issuer = text_field(value, "issuer"), audience = text_field(value, "audience"),
             created = text_field(value, "created_at"), updated = text_field(value, "updated_at");
  if (!id || !name || !issuer || !audience || !created || !updated) return bad;
  c.id = *id;
  c.name = *name;
  c.issuer = *issuer;
  c.audience = *audience;
  c.created_by = text_field(value, "created_by").value_or("");
  const auto created_at = parse_rfc3339(*created), updated_at = parse_rfc3339(*updated);
  if (!created_at || !updated_at) return bad;
  c.created_at = *created_at;
  c.updated_at = *updated_at;
  if (const auto last = text_field(value, "last_exchange_at")) c.last_exchange_at = parse_rfc3339(*last);
  const auto active = value.find("active");
  const auto version = value.find("version");
  if (active == value.end() || !active->is_boolean() || version == value.end() || !version->is_number_integer()) {
    return bad;
  }
  c.active = active->get<bool>();
  c.version = version->get<std::int64_t>();
  const auto rulesets = value.find("rulesets");
  if (rulesets == value.end()) return bad;
  auto parsed = parse_oidc_rulesets(*rulesets);
  if (!parsed) return bad;
  c.rulesets = *parsed;
  return c;
}

// ---- Matching claims -----------------------------------------------------------------------------

bool oidc_pattern_matches(std::string_view pattern, const json* value) {
  if (!value) return false;
  if (value->is_string()) {
    const auto& text = value->get_ref<const std::string&>();
    return pattern.find('*') == std::string_view::npos ? text == pattern : glob_matches(pattern, text);
  }
  if (value->is_number_integer() || value->is_number_unsigned() || value->is_boolean()) {
    return value->dump() == pattern;
  }
  return false;
}

OidcMatch match_oidc_rulesets(const std::vector<OidcRuleset>& rulesets, const json& claims) {
  OidcMatch match;
  for (const OidcRuleset& r : rulesets) {
    bool all = true;
    for (const OidcCondition& c : r.conditions) {
      const json* value = nullptr;
      if (claims.is_object()) {
        const auto it = claims.find(c.claim);
        if (it != claims.end()) value = &*it;
      }
      if (oidc_pattern_matches(c.pattern, value)) continue;
      all = false;
      std::optional<std::string> got;
      if (value) got = scalar_text(*value).value_or(value->dump());
      match.mismatches.push_back({r.name, c.claim, c.pattern, std::move(got)});
    }
    if (!all) continue;
    match.matched.push_back(r.name);
    match.max_lifetime_seconds = match.max_lifetime_seconds == 0
                                     ? r.max_lifetime_seconds
                                     : std::min(match.max_lifetime_seconds, r.max_lifetime_seconds);
    for (const Resource& res : r.resources) {
      auto same = std::find_if(match.resources.begin(), match.resources.end(), [&](const Resource& m) {
        return m.type == res.type && m.path == res.path;
      });
      if (same == match.resources.end()) {
        match.resources.push_back(res);
        continue;
      }
      for (const Scope s : res.scopes) {
        if (std::find(same->scopes.begin(), same->scopes.end(), s) == same->scopes.end()) {
          same->scopes.push_back(s);
        }
      }
    }
  }
  if (!match.matched.empty()) match.mismatches.clear();
  return match;
}

// ---- The exchange --------------------------------------------------------------------------------

json oauth_error_json(const OAuthError& error) {
  return {{"error", error.error}, {"error_description", error.description}};
}

std::variant<ExchangeRequest, OAuthError> parse_exchange_request(const FormFields& form) {
  const auto refuse = [](std::string error, std::string description) {
    return OAuthError{std::move(error), std::move(description)};
  };
  std::optional<std::string> grant_type, subject_token, subject_token_type, connection_id, expires_in;
  for (const auto& [key, value] : form) {
    std::optional<std::string>* slot = nullptr;
    if (key == "grant_type") slot = &grant_type;
    else if (key == "subject_token") slot = &subject_token;
    else if (key == "subject_token_type") slot = &subject_token_type;
    else if (key == "connection_id") slot = &connection_id;
    else if (key == "expires_in") slot = &expires_in;
    if (!slot) continue;  // RFC 6749 3.2: unknown parameters are ignored
    if (*slot) return refuse("invalid_request", "\"" + key + "\" is given more than once.");
    *slot = value;
  }
  if (!grant_type) return refuse("invalid_request", "\"grant_type\" is required.");
  if (*grant_type != kTokenExchangeGrant) {
    return refuse("unsupported_grant_type",
                  "Only grant_type=" + std::string(kTokenExchangeGrant) + " is supported here.");
  }
  if (!subject_token || subject_token->empty()) {
    return refuse("invalid_request", "\"subject_token\" is required: the CI job's ID token.");
  }
  if (subject_token->size() > kMaxSubjectTokenBytes) {  // an ID token not accepted (RFC 8693 2.2.2)
    return refuse("invalid_grant", "The ID token is larger than " +
                                       std::to_string(kMaxSubjectTokenBytes / 1024) + " KiB.");
  }
  if (!subject_token_type || *subject_token_type != kIdTokenType) {
    return refuse("invalid_request", "\"subject_token_type\" must be " + std::string(kIdTokenType) + ".");
  }
  if (!connection_id || connection_id->empty()) {
    return refuse("invalid_request", "\"connection_id\" is required: the id of the organization's connection.");
  }
  if (connection_id->size() > 64 || !is_text(*connection_id) || has_control_character(*connection_id)) {
    return refuse("invalid_target", std::string(oidc::kUnknownConnection));
  }
  ExchangeRequest request{*subject_token, *connection_id, kDefaultOidcExpiresIn};
  if (expires_in) {
    const std::string& t = *expires_in;
    if (!all_digits(t) || t.size() > 5 || std::stoll(t) < kMinOidcLifetime || std::stoll(t) > kMaxOidcLifetime) {
      return refuse("invalid_request", "\"expires_in\" is a whole number of seconds from " +
                                           std::to_string(kMinOidcLifetime) + " to " +
                                           std::to_string(kMaxOidcLifetime) + ".");
    }
    request.expires_in = std::stoll(t);
  }
  return request;
}

std::optional<std::string> base64url_decode_strict(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '-') v = 62;
    else if (c == '_') v = 63;
    else return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  // Leftover bits must be zero (one encoding per byte string).
  if (bits > 0 && (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::optional<CompactJws> read_compact_jws(std::string_view token, std::string* reason, json* claims_out) {
  const auto refuse = [&](std::string_view why) -> std::optional<CompactJws> {
    if (reason) *reason = why;
    return std::nullopt;
  };
  if (token.size() > kMaxSubjectTokenBytes) return refuse("The ID token is too large.");
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return refuse("The ID token is not a signed JWT (three parts separated by dots).");
  }
  const auto header_text = base64url_decode_strict(token.substr(0, first));
  const auto claims_text = base64url_decode_strict(token.substr(first + 1, second - first - 1));
  const auto signature = base64url_decode_strict(token.substr(second + 1));
  if (!header_text || !claims_text || !signature) return refuse("The ID token is not base64url.");
  CompactJws jws;
  jws.header = json::parse(*header_text, nullptr, false);
  jws.claims = json::parse(*claims_text, nullptr, false);
  if (!jws.header.is_object() || !jws.claims.is_object()) {
    return refuse("The ID token's header and claims must be JSON objects.");
  }
  if (claims_out) *claims_out = jws.claims;
  const auto alg = text_field(jws.header, "alg");
  if (!alg || (*alg != "RS256" && *alg != "ES256")) {
    return refuse("The ID token's algorithm \"" + alg.value_or("") + "\" is not accepted; only RS256 and ES256 are.");
  }
  if (jws.header.contains("crit")) return refuse("The ID token's header has \"crit\", which is not supported.");
  if (signature->empty()) return refuse("The ID token has no signature.");
  jws.signing_input = std::string(token.substr(0, second));
  jws.signature = *signature;
  return jws;
}

std::optional<std::string> check_id_token_claims(const json& claims, std::string_view issuer,
                                                 std::string_view audience, std::int64_t now) {
  if (text_field(claims, "iss") != std::optional<std::string>(std::string(issuer))) {
    return "The ID token's issuer (iss) is not the connection's.";
  }
  const auto aud = claims.find("aud");
  bool aud_ok = false;
  if (aud != claims.end() && aud->is_string()) aud_ok = aud->get_ref<const std::string&>() == audience;
  if (aud != claims.end() && aud->is_array()) {
    aud_ok = std::any_of(aud->begin(), aud->end(),
                         [&](const json& a) { return a.is_string() && a.get_ref<const std::string&>() == audience; });
  }
  if (!aud_ok) return "The ID token's audience (aud) is not the connection's.";
  const auto number = [&](const char* key) -> std::optional<std::int64_t> {
    const auto it = claims.find(key);
    if (it == claims.end() || !it->is_number()) return std::nullopt;
    const double v = it->get<double>();
    if (!(v > -1e15 && v < 1e15)) return std::nullopt;
    return static_cast<std::int64_t>(v);
  };
  const auto exp = number("exp");
  if (!exp) return "The ID token has no expiry (exp).";
  if (now >= *exp + kOidcLeewaySeconds) return "The ID token has expired.";
  const auto iat = number("iat");
  if (!iat) return "The ID token has no issue time (iat).";
  if (*iat > now + kOidcLeewaySeconds) return "The ID token's issue time (iat) is in the future.";
  if (claims.contains("nbf")) {
    const auto nbf = number("nbf");
    if (!nbf) return "The ID token's nbf is not a time.";
    if (*nbf > now + kOidcLeewaySeconds) return "The ID token is not valid yet (nbf).";
  }
  const auto jti = text_field(claims, "jti");
  if (!jti || jti->empty() || jti->size() > 256 || !is_text(*jti)) {
    return "The ID token has no usable id (jti), so its single use cannot be checked.";
  }
  return std::nullopt;
}

OAuthError too_many_exchanges(std::int64_t retry_after_seconds) {
  return {"slow_down", "Too many refused exchanges from this address; try again in " +
                           std::to_string(retry_after_seconds) + " seconds."};
}

std::int64_t oidc_lifetime(std::int64_t requested, std::int64_t rulesets_maximum) {
  return rulesets_maximum > 0 ? std::min(requested, rulesets_maximum) : requested;
}

json exchange_answer_json(std::string_view access_token, std::int64_t expires_in) {
  return {{"access_token", access_token},
          {"issued_token_type", kAccessTokenType},
          {"token_type", "Bearer"},
          {"expires_in", expires_in}};
}

// ---- Access tokens issued ------------------------------------------------------------------------

std::string exchanged_token_claims(const ExchangedToken& token, std::string_view issuer,
                                   std::int64_t issued_at, std::string_view jti) {
  return json{{"iss", issuer},
              {"aud", kExchangedTokenAudience},
              {"sub", token.organization},
              {"cid", token.connection_id},
              {"cver", token.connection_version},
              {"res", resources_json(token.resources)},
              {"iat", issued_at},
              {"nbf", issued_at},
              {"exp", token.expires_at},
              {"jti", jti}}
      .dump();
}

std::optional<ExchangedToken> read_exchanged_token_claims(const json& claims, std::string_view issuer) {
  if (!claims.is_object()) return std::nullopt;
  if (text_field(claims, "aud") != std::optional<std::string>(std::string(kExchangedTokenAudience)) ||
      text_field(claims, "iss") != std::optional<std::string>(std::string(issuer))) {
    return std::nullopt;
  }
  const auto sub = text_field(claims, "sub"), cid = text_field(claims, "cid");
  const auto cver = claims.find("cver"), exp = claims.find("exp"), res = claims.find("res");
  if (!sub || !cid || cver == claims.end() || !cver->is_number_integer() || exp == claims.end() ||
      !exp->is_number_integer() || res == claims.end()) {
    return std::nullopt;
  }
  auto resources = parse_resources_json(*res);
  if (!resources) return std::nullopt;
  return ExchangedToken{*sub, *cid, cver->get<std::int64_t>(), *resources, exp->get<std::int64_t>()};
}

// ---- Setting up a CI job -------------------------------------------------------------------------

namespace {

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// For a URL's query inside a shell's double quotes: RFC 3986's unreserved characters, ':' and
// '/' as they are; every other byte as %XX.
std::string query_escaped(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    if (is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == ':' || c == '/') {
      out += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0f];
    }
  }
  return out;
}

// A YAML scalar: plain when it starts with a letter or digit and holds only characters that
// mean nothing to YAML there (a URL's), else double-quoted (JSON's escapes are YAML's).
std::string yaml_scalar(std::string_view text) {
  const bool plain = !text.empty() && is_alnum(text.front()) &&
                     std::all_of(text.begin(), text.end(), [](char c) {
                       return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == ':' ||
                              c == '/' || c == '+' || c == '=' || c == '@' || c == '%';
                     });
  return plain ? std::string(text) : json(std::string(text)).dump();
}

}  // namespace

std::optional<std::string> oidc_snippet(OidcSnippetKind kind, const OidcSnippetInput& in) {
  if (in.registry_host.empty()) return std::nullopt;
  const std::string server(in.server_url), id(in.connection_id), org(in.org), host(in.registry_host);
  const std::string grant = "-d grant_type=" + std::string(kTokenExchangeGrant);
  const std::string type = "-d subject_token_type=" + std::string(kIdTokenType);
  const std::string login = "docker login " + host + " -u " + org + " --password-stdin";
  switch (kind) {
    case OidcSnippetKind::GitHubActions:
      return "permissions:\n"
             "  id-token: write\n"
             "  contents: read\n"
             "steps:\n"
             "  - name: Sign in to the registry\n"
             "    run: |\n"
             "      ID_TOKEN=$(curl -sSf -H \"Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN\" \\\n"
             "        \"$ACTIONS_ID_TOKEN_REQUEST_URL&audience=" + query_escaped(in.audience) + "\" | jq -r .value)\n"
             "      curl -sSf " + server + "/v2/oidc/token \\\n"
             "        " + grant + " \\\n"
             "        " + type + " \\\n"
             "        -d connection_id=" + id + " \\\n"
             "        --data-urlencode subject_token=\"$ID_TOKEN\" | jq -r .access_token |\n"
             "        " + login + "\n";
    case OidcSnippetKind::GitLabCi:
      return "push:\n"
             "  id_tokens:\n"
             "    OAT_ID_TOKEN:\n"
             "      aud: " + yaml_scalar(in.audience) + "\n"
             "  script:\n"
             "    - curl -sSf " + server + "/v2/oidc/token\n"
             "        " + grant + "\n"
             "        " + type + "\n"
             "        -d connection_id=" + id + "\n"
             "        --data-urlencode subject_token=\"$OAT_ID_TOKEN\" | jq -r .access_token |\n"
             "        " + login + "\n";
  }
  return std::nullopt;
}

// ---- Audit and failures --------------------------------------------------------------------------

json oidc_connection_audit_data(const OidcConnection& c) {
  return {{"connection_id", c.id}, {"name", c.name}, {"issuer", c.issuer}, {"active", c.active},
          {"version", c.version}};
}

json oidc_exchange_audit_data(std::string_view connection_id, std::string_view connection_name,
                              const json& claims, std::optional<std::int64_t> expires_in,
                              std::optional<std::string_view> reason, std::string_view address) {
  json out = {{"connection_id", connection_id}, {"connection", connection_name}};
  const auto copy = [&](const char* key, std::initializer_list<const char*> names) {
    if (!claims.is_object()) return;
    for (const char* name : names) {
      const auto it = claims.find(name);
      if (it == claims.end()) continue;
      if (auto text = scalar_text(*it)) {
        out[key] = text->substr(0, 500);
        return;
      }
    }
  };
  copy("repository", {"repository", "project_path"});
  copy("ref", {"ref"});
  copy("workflow", {"job_workflow_ref", "workflow_ref", "workflow", "ci_config_ref_uri"});
  copy("run_id", {"run_id", "pipeline_id"});
  copy("subject", {"sub"});
  if (expires_in) out["expires_in"] = *expires_in;
  if (reason) out["reason"] = *reason;
  out["address"] = address;
  return out;
}

std::string oidc_actor(const json& claims, std::string_view connection_name) {
  if (claims.is_object()) {
    if (const auto sub = text_field(claims, "sub"); sub && !sub->empty() && is_text(*sub)) {
      return "oidc:" + sub->substr(0, 200);
    }
  }
  return "oidc:" + std::string(connection_name);
}

json oidc_mismatches_json(const std::vector<OidcMismatch>& mismatches) {
  json out = json::array();
  for (const auto& m : mismatches) {
    out.push_back({{"ruleset", m.ruleset},
                   {"claim", m.claim},
                   {"expected", m.expected},
                   {"got", m.got ? json(*m.got) : json()}});
  }
  return out;
}

json oidc_failure_json(const OidcFailure& f) {
  return {{"at", format_rfc3339(f.at)},
          {"reason", f.reason},
          {"claims", f.claims.is_object() ? f.claims : json::object()},
          {"mismatches", oidc_mismatches_json(f.mismatches)}};
}

Result<OidcFailure> parse_oidc_failure_json(const json& value) {
  const Error bad{ErrorCode::ServerRefused, "", "The server's answer is not a refused exchange."};
  if (!value.is_object()) return bad;
  OidcFailure f;
  const auto at = text_field(value, "at");
  const auto reason = text_field(value, "reason");
  if (!at || !reason || !parse_rfc3339(*at)) return bad;
  f.at = *parse_rfc3339(*at);
  f.reason = *reason;
  if (const auto c = value.find("claims"); c != value.end() && c->is_object()) f.claims = *c;
  if (const auto m = value.find("mismatches"); m != value.end() && m->is_array()) {
    for (const json& item : *m) {
      if (!item.is_object()) return bad;
      OidcMismatch mm{text_field(item, "ruleset").value_or(""), text_field(item, "claim").value_or(""),
                      text_field(item, "expected").value_or(""), text_field(item, "got")};
      f.mismatches.push_back(std::move(mm));
    }
  }
  return f;
}

json claims_to_keep(const json& claims) {
  if (!claims.is_object()) return json::object();
  const std::string text = claims.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 4096) return json::object();
  return json::parse(text, nullptr, false);
}

}  // namespace oat
