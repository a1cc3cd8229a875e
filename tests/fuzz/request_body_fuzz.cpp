// libFuzzer target: the JSON bodies clients send the management API, as the core reads them
// (oat/api.h, oat/token_policy.h, oat/webhook.h). The first byte chooses the parser, the rest is
// the body:
//   'c'  a token's create body: parse_create_request, then the token object it makes
//   'u'  a token's PATCH body: parse_update_request, update_needs_policy_check
//   'r'  a rotation's body: parse_rotate_request, then plan_rotation in every state
//   'p'  the token policy's PUT body: parse_token_policy_request, its JSON read back, the
//        expiry checks under it
//   'k'  a leaked-token report: parse_revoke_request
//   'w'  a webhook's create body, 'W' its PATCH body: parse_webhook_request, parse_webhook_url
//   's'  a sign-in body (POST /v2/auth/token), 'l' the legacy one (POST /v2/users/login):
//        parse_sign_in_request, and the body a client writes for what it read, read again
//   'f'  a refresh body (the token required), 'o' a sign-out body (optional):
//        parse_refresh_request
// Anything may be refused; nothing may crash, throw, hang or read out of bounds, a refusal always
// names at least one error, and what is accepted keeps the rules it was checked against.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <string_view>

#include "oat/oat.h"

#include "property.h"

namespace {

using nlohmann::json;

// 2026-01-15T12:00:00Z, as the core's tests use.
const oat::Timestamp kNow = oat::from_unix(1768478400);

oat::OrganizationContext context() {
  return {"acme", [](std::string_view name) { return name == "app" || name == "web" || name == "api"; },
          kNow};
}

using oat_fuzz::fail;

// A refusal names at least one error, and its answer is written as the server writes it.
template <class T>
bool accepted(const oat::Result<T>& result) {
  if (result.ok()) return true;
  if (result.errors().empty()) fail("a refusal without an error");
  (void)oat::json_text(oat::field_errors_json(result.errors()));
  return false;
}

void create(std::string_view body) {
  const auto parsed = oat::parse_create_request(body, context());
  if (!accepted(parsed)) return;
  const auto label = oat::validate_label(parsed->label);
  if (!label || *label != parsed->label) fail("an accepted label that is not valid as it is");
  if (!oat::validate_resources(parsed->resources, "acme", context().repository_exists).empty()) {
    fail("accepted resources that do not validate");
  }
  oat::AccessToken token;
  token.label = parsed->label;
  token.description = parsed->description;
  token.resources = parsed->resources;
  token.expires_at = parsed->expires_at;
  token.allowed_cidrs = parsed->allowed_cidrs;
  token.allow_self_rotation = parsed->allow_self_rotation;
  const json shown = oat::token_json(token, true, "dckr_oat_x");
  const auto read = oat::parse_token_json(shown);
  if (!read || read->resources != parsed->resources || read->label != parsed->label ||
      read->expires_at != parsed->expires_at || read->allowed_cidrs != parsed->allowed_cidrs) {
    fail("the token object of an accepted body does not read back as itself");
  }
  (void)oat::json_text(shown);
  (void)oat::check_expiry_policy({30, true, 10}, parsed->expires_at, kNow);
}

void update(std::string_view body) {
  const auto parsed = oat::parse_update_request(body, context());
  if (!accepted(parsed)) return;
  (void)oat::update_needs_policy_check(*parsed, true);
  (void)oat::update_needs_policy_check(*parsed, false);
  if (parsed->resources &&
      !oat::validate_resources(*parsed->resources, "acme", context().repository_exists).empty()) {
    fail("accepted resources that do not validate");
  }
}

void rotate(std::string_view body) {
  const auto parsed = oat::parse_rotate_request(body, kNow);
  if (!accepted(parsed)) return;
  if (parsed->grace_period_seconds < 0 || parsed->grace_period_seconds > oat::kMaxGracePeriodSeconds) {
    fail("a grace period out of range");
  }
  (void)oat::rotate_request_body(*parsed);
  for (const auto state : {oat::TokenState::Active, oat::TokenState::Inactive, oat::TokenState::Expired}) {
    (void)accepted(oat::plan_rotation(*parsed, state, kNow + std::chrono::days(3), {}, kNow));
    (void)accepted(oat::plan_rotation(*parsed, state, std::nullopt, {90, true, 30}, kNow));
  }
}

void policy(std::string_view body) {
  const auto parsed = oat::parse_token_policy_request(body);
  if (!accepted(parsed)) return;
  const auto again = oat::parse_token_policy_json(oat::token_policy_json(*parsed));
  if (!again || *again != *parsed) fail("a policy that does not read back as itself");
  (void)oat::describe_token_policy(*parsed);
  (void)oat::latest_allowed_expiry(*parsed, kNow);
  (void)oat::check_expiry_policy(*parsed, std::nullopt, kNow);
  (void)oat::check_expiry_policy(*parsed, kNow + std::chrono::days(400), kNow, oat::PolicyCheck::Existing);
  (void)oat::check_policy_at_use(*parsed, kNow - std::chrono::days(500), kNow - std::chrono::days(200), kNow);
  for (const auto preset : {oat::ExpiryPreset::Days30, oat::ExpiryPreset::Days90, oat::ExpiryPreset::Custom,
                            oat::ExpiryPreset::Never}) {
    (void)oat::expiry_preset_allowed(*parsed, preset);
  }
}

void revoke(std::string_view body) {
  const auto parsed = oat::parse_revoke_request(body);
  if (!accepted(parsed)) return;
  if (parsed->empty() || parsed->size() > oat::kMaxRevokedTokens) fail("a report of a wrong number of tokens");
  for (const std::string& token : *parsed) (void)oat::check_token_format(token);
}

void webhook(std::string_view body, bool create) {
  const auto parsed = oat::parse_webhook_request(body, create);
  if (!accepted(parsed)) return;
  if (create && (!parsed->url || !parsed->events)) fail("a webhook created without its url or events");
  if (parsed->url && !oat::parse_webhook_url(*parsed->url)) fail("an accepted webhook url that does not parse");
}

void sign_in(std::string_view body, oat::SignInForm form) {
  const auto parsed = oat::parse_sign_in_request(body, form);
  if (!accepted(parsed)) return;
  if (parsed->identifier.empty() || parsed->secret.empty()) fail("a sign-in without an identifier or secret");
  (void)oat::has_token_prefix(parsed->secret);
  if (form == oat::SignInForm::Legacy) return;
  const auto again = oat::parse_sign_in_request(oat::sign_in_request_body(*parsed), form);
  if (!again || again->identifier != parsed->identifier || again->secret != parsed->secret ||
      again->refresh != parsed->refresh) {
    fail("a sign-in body written by the client does not read back as itself");
  }
}

void refresh(std::string_view body, bool required) {
  const auto parsed = oat::parse_refresh_request(body, required);
  if (!accepted(parsed)) return;
  if (required && !*parsed) fail("a required refresh token that is absent");
  if (*parsed) {
    const auto again = oat::parse_refresh_request(oat::refresh_request_body(**parsed), true);
    if (!again || *again != *parsed) fail("a refresh body written by the client does not read back");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  switch (bytes[0]) {
    case 'c': create(data); break;
    case 'u': update(data); break;
    case 'r': rotate(data); break;
    case 'p': policy(data); break;
    case 'k': revoke(data); break;
    case 'w': webhook(data, true); break;
    case 'W': webhook(data, false); break;
    case 's': sign_in(data, oat::SignInForm::Current); break;
    case 'l': sign_in(data, oat::SignInForm::Legacy); break;
    case 'f': refresh(data, true); break;
    case 'o': refresh(data, false); break;
    default: break;
  }
  return 0;
}
