#include "oat/token_policy.h"

#include <algorithm>

namespace oat {
namespace {

using nlohmann::json;

Error wrong_type(const std::string& field, std::string_view expected) {
  return {ErrorCode::WrongType, field, "\"" + field + "\" must be " + std::string(expected) + "."};
}

std::string days(int n) { return std::to_string(n) + (n == 1 ? " day" : " days"); }

// "2027-03-01": the date part of a time, as the policy's sentences name it.
std::string date_of(Timestamp t) { return format_rfc3339(t).substr(0, 10); }

// Reads null or a whole number of days 1..kMaxPolicyDays.
void read_days(const json& object, const char* key, Errors& errors, std::optional<int>& out) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return;
  const std::string range = "null or a whole number of days from 1 to " + std::to_string(kMaxPolicyDays);
  if (!it->is_number_integer()) return errors.push_back(wrong_type(key, range));
  const auto n = it->get<long long>();
  if (n < 1 || n > kMaxPolicyDays) {
    return errors.push_back({ErrorCode::InvalidPolicy, key, "\"" + std::string(key) + "\" must be " + range + "."});
  }
  out = static_cast<int>(n);
}

}  // namespace

// ---- Rotation -------------------------------------------------------------------------------

Result<RotateTokenRequest> parse_rotate_request(std::string_view body, Timestamp now) {
  RotateTokenRequest request;
  // An empty body is the defaults: no grace, the same expiry.
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return request;
  auto object = parse_request_object(body);
  if (!object) return object.errors();
  Errors errors;
  for (const auto& [key, v] : object->items()) {
    if (key == "grace_period_seconds") {
      const std::string range = "a whole number of seconds from 0 to " +
                                std::to_string(kMaxGracePeriodSeconds) + " (7 days)";
      if (!v.is_number_integer()) {
        errors.push_back(wrong_type(key, range));
      } else if (const auto n = v.get<long long>(); n < 0 || n > kMaxGracePeriodSeconds) {
        errors.push_back({ErrorCode::InvalidGracePeriod, key, "\"grace_period_seconds\" must be " + range + "."});
      } else {
        request.grace_period_seconds = n;
      }
    } else if (key == "expires_at") {
      if (v.is_null()) {
        request.expires_at.emplace(std::nullopt);
      } else if (!v.is_string()) {
        errors.push_back(wrong_type(key, "a date and time (RFC 3339) or null"));
      } else if (const auto t = parse_rfc3339(v.get_ref<const std::string&>()); !t) {
        errors.push_back({ErrorCode::InvalidTime, key,
                          "\"expires_at\" must be a date and time such as \"2027-01-31T12:00:00Z\", "
                          "or null for a token that never expires."});
      } else if (auto e = validate_expires_at(*t, now)) {
        errors.push_back(*e);
      } else {
        request.expires_at.emplace(*t);
      }
    } else {
      errors.push_back({ErrorCode::UnknownField, key, "\"" + key + "\" is not a field of a rotation."});
    }
  }
  if (!errors.empty()) return errors;
  return request;
}

std::string rotate_request_body(const RotateTokenRequest& request) {
  json body = {{"grace_period_seconds", request.grace_period_seconds}};
  if (request.expires_at) {
    body["expires_at"] = *request.expires_at ? json(format_rfc3339(**request.expires_at)) : json();
  }
  return body.dump();
}

Result<RotationPlan> plan_rotation(const RotateTokenRequest& request, TokenState state,
                                   std::optional<Timestamp> current_expiry,
                                   const TokenPolicy& policy, Timestamp now) {
  if (auto refused = check_token_action(state, TokenAction::Rotate)) return *refused;
  RotationPlan plan;
  plan.expires_at = request.expires_at.value_or(current_expiry);
  if (auto refused = check_expiry_policy(policy, plan.expires_at, now)) return *refused;
  if (state == TokenState::Active) {
    plan.previous_expires_at = previous_secret_expiry(request.grace_period_seconds, now);
  }
  return plan;
}

std::optional<Timestamp> previous_secret_expiry(std::int64_t grace_period_seconds, Timestamp now) {
  if (grace_period_seconds <= 0) return std::nullopt;
  return now + std::chrono::seconds(grace_period_seconds);
}

bool previous_secret_usable(std::optional<Timestamp> expires_at, Timestamp now) {
  return expires_at && now < *expires_at;
}

Timestamp lifetime_start(Timestamp created_at, std::optional<Timestamp> rotated_at) {
  return rotated_at ? std::max(*rotated_at, created_at) : created_at;
}

// ---- Organization token policy -------------------------------------------------------------

Result<TokenPolicy> parse_token_policy_request(std::string_view body) {
  auto object = parse_request_object(body);
  if (!object) return object.errors();
  Errors errors;
  for (const auto& [key, v] : object->items()) {
    if (key != "max_lifetime_days" && key != "require_expiration" && key != "max_idle_days") {
      errors.push_back({ErrorCode::UnknownField, key, "\"" + key + "\" is not a field of the token policy."});
    }
  }
  auto policy = parse_token_policy_json(*object);
  if (!policy) errors.insert(errors.end(), policy.errors().begin(), policy.errors().end());
  if (!errors.empty()) return errors;
  return policy;
}

json token_policy_json(const TokenPolicy& policy) {
  auto days_or_null = [](const std::optional<int>& n) { return n ? json(*n) : json(); };
  return {{"max_lifetime_days", days_or_null(policy.max_lifetime_days)},
          {"require_expiration", policy.require_expiration},
          {"max_idle_days", days_or_null(policy.max_idle_days)}};
}

Result<TokenPolicy> parse_token_policy_json(const json& value) {
  if (!value.is_object()) return wrong_type("policy", "an object");
  TokenPolicy policy;
  Errors errors;
  read_days(value, "max_lifetime_days", errors, policy.max_lifetime_days);
  read_days(value, "max_idle_days", errors, policy.max_idle_days);
  if (const auto it = value.find("require_expiration"); it != value.end() && !it->is_null()) {
    if (it->is_boolean()) {
      policy.require_expiration = it->get<bool>();
    } else {
      errors.push_back(wrong_type("require_expiration", "true or false"));
    }
  }
  if (!errors.empty()) return errors;
  return policy;
}

std::string describe_token_policy(const TokenPolicy& policy) {
  if (policy.empty()) return "No policy: tokens may last as long as their expiration allows.";
  std::vector<std::string> parts;
  if (policy.max_lifetime_days) {
    parts.push_back("tokens must expire within " + days(*policy.max_lifetime_days) +
                    " of their creation or last rotation");
  } else if (policy.require_expiration) {
    parts.push_back("tokens must have an expiration date");
  }
  if (policy.max_idle_days) {
    parts.push_back("a token unused for " + days(*policy.max_idle_days) + " stops signing in");
  }
  std::string text;
  for (const auto& part : parts) text += (text.empty() ? "" : "; ") + part;
  text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text + ".";
}

Status check_expiry_policy(const TokenPolicy& policy, std::optional<Timestamp> expires_at,
                           Timestamp start, PolicyCheck check) {
  const bool existing = check == PolicyCheck::Existing;
  const std::string fix = existing ? " Rotate it with an expiration date first." : "";
  if ((policy.require_expiration || policy.max_lifetime_days) && !expires_at) {
    return Error{ErrorCode::PolicyRequiresExpiration, "expires_at",
                 std::string(existing ? "This token never expires, but the"
                                      : "The") +
                     " organization's token policy requires every token to expire." + fix};
  }
  if (policy.max_lifetime_days && expires_at &&
      *expires_at - start > std::chrono::days(*policy.max_lifetime_days)) {
    const Timestamp latest = start + std::chrono::days(*policy.max_lifetime_days);
    return Error{ErrorCode::PolicyLifetimeExceeded, "expires_at",
                 std::string(existing ? "This token lasts longer than the"
                                      : "The") +
                     " organization's token policy allows: at most " +
                     days(*policy.max_lifetime_days) +
                     (existing ? "." : "; choose an expiration on or before " + date_of(latest) + ".") +
                     fix};
  }
  return std::nullopt;
}

Timestamp latest_allowed_expiry(const TokenPolicy& policy, Timestamp now) {
  Timestamp latest = now + kMaxCustomExpiry;
  if (policy.max_lifetime_days) {
    latest = std::min(latest, now + std::chrono::days(*policy.max_lifetime_days));
  }
  return latest;
}

bool expiry_preset_allowed(const TokenPolicy& policy, ExpiryPreset preset) {
  switch (preset) {
    case ExpiryPreset::Never:
      return !policy.require_expiration && !policy.max_lifetime_days;
    case ExpiryPreset::Days30:
      return !policy.max_lifetime_days || *policy.max_lifetime_days >= 30;
    case ExpiryPreset::Days90:
      return !policy.max_lifetime_days || *policy.max_lifetime_days >= 90;
    case ExpiryPreset::Custom:
      return true;
  }
  return true;
}

bool update_needs_policy_check(const UpdateTokenRequest& update, bool is_active) {
  return update.is_active.value_or(false) && !is_active;
}

Status check_policy_at_use(const TokenPolicy& policy, Timestamp lifetime_start,
                           std::optional<Timestamp> last_used_at, Timestamp now) {
  if (policy.max_lifetime_days &&
      now - lifetime_start > std::chrono::days(*policy.max_lifetime_days)) {
    return Error{ErrorCode::TokenBeyondPolicyLifetime, "",
                 "This access token is older than the organization's token policy allows (" +
                     days(*policy.max_lifetime_days) + "); an owner must rotate it."};
  }
  const Timestamp idle_since = std::max(lifetime_start, last_used_at.value_or(lifetime_start));
  if (policy.max_idle_days && now - idle_since > std::chrono::days(*policy.max_idle_days)) {
    return Error{ErrorCode::TokenIdleTooLong, "",
                 "This access token has not been used for longer than the organization's token "
                 "policy allows (" + days(*policy.max_idle_days) + "); an owner must rotate it."};
  }
  return std::nullopt;
}

// ---- Leaked tokens ---------------------------------------------------------------------------

Result<std::vector<std::string>> parse_revoke_request(std::string_view body) {
  auto object = parse_request_object(body);
  if (!object) return object.errors();
  const std::string range = "a list of 1 to " + std::to_string(kMaxRevokedTokens) + " tokens";
  Errors errors;
  for (const auto& [key, v] : object->items()) {
    if (key != "tokens") {
      errors.push_back({ErrorCode::UnknownField, key, "\"" + key + "\" is not a field of a report."});
    }
  }
  const auto it = object->find("tokens");
  std::vector<std::string> tokens;
  if (it == object->end() || !it->is_array() || it->empty() || it->size() > kMaxRevokedTokens) {
    errors.push_back({it != object->end() && it->is_array() ? ErrorCode::TooManyTokens : ErrorCode::WrongType,
                      "tokens", "\"tokens\" must be " + range + "."});
  } else {
    for (const json& t : *it) {
      if (!t.is_string()) {
        errors.push_back(wrong_type("tokens", range + " (strings)"));
        break;
      }
      tokens.push_back(t.get<std::string>());
    }
  }
  if (!errors.empty()) return errors;
  return tokens;
}

LeakAction leaked_secret_action(bool previous, TokenState state,
                                std::optional<Timestamp> previous_expires_at, Timestamp now) {
  if (previous) {
    return previous_secret_usable(previous_expires_at, now) ? LeakAction::EndGrace
                                                            : LeakAction::RecordOnly;
  }
  return state == TokenState::Active ? LeakAction::Deactivate : LeakAction::RecordOnly;
}

json revoke_answer_json(std::size_t received) { return {{"received", received}}; }

std::string too_many_reports_message(long long seconds) {
  return "Too many reports of leaked tokens from this address. Try again in " +
         std::to_string(seconds) + (seconds == 1 ? " second." : " seconds.");
}

}  // namespace oat
