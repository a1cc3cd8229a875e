// libFuzzer target: what an OIDC exchange reads from strangers (oat/oidc.h). The first byte
// chooses the parser, the rest is its input:
//   'f'  the exchange's form fields ("key=value&key=value", not percent-decoded: the HTTP layer's
//        decoding has its own target), then parse_exchange_request
//   'j'  a compact JWS: read_compact_jws, then check_id_token_claims and the rulesets' matching
//        on the claims it carries, and read_exchanged_token_claims
//   'c'  a connection's create or PATCH body: parse_oidc_connection_request, then
//        validate_oidc_connection and the answer's shape
// Anything may be refused; nothing may crash, throw, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "oat/oidc.h"

namespace {

using nlohmann::json;

const std::vector<oat::OidcRuleset>& rulesets() {
  static const auto parsed = oat::parse_oidc_rulesets(json::parse(R"([
    {"name": "main", "conditions": {"repository_owner_id": "1234567", "ref": "refs/heads/*",
                                    "job_workflow_ref": "acme/app/.github/workflows/*@refs/heads/main"},
     "resources": [{"type": "TYPE_REPO", "path": "acme/app", "scopes": ["scope-image-push"]}],
     "max_lifetime_seconds": 900},
    {"name": "pull", "conditions": {"repository_owner_id": "1234567"},
     "resources": [{"type": "TYPE_REPO", "path": "acme/*", "scopes": ["scope-image-pull"]}]}])"));
  return parsed.value();
}

void form(std::string_view data) {
  oat::FormFields fields;
  while (!data.empty()) {
    const auto amp = data.find('&');
    const std::string_view pair = data.substr(0, amp);
    const auto eq = pair.find('=');
    fields.emplace_back(std::string(pair.substr(0, eq)),
                        eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    data.remove_prefix(amp + 1);
  }
  const auto parsed = oat::parse_exchange_request(fields);
  if (const auto* error = std::get_if<oat::OAuthError>(&parsed)) (void)oat::oauth_error_json(*error).dump();
}

void jws(std::string_view data) {
  std::string reason;
  json claims;
  const auto read = oat::read_compact_jws(data, &reason, &claims);
  (void)oat::claims_to_keep(claims).dump();
  if (!read) return;
  (void)oat::check_id_token_claims(read->claims, oat::kGitHubActionsIssuer, "https://oat.example.com", 1'800'000'000);
  const oat::OidcMatch match = oat::match_oidc_rulesets(rulesets(), read->claims);
  (void)oat::oidc_mismatches_json(match.mismatches).dump(-1, ' ', false, json::error_handler_t::replace);
  (void)oat::oidc_exchange_audit_data("c", "n", read->claims, 300, std::nullopt, "::1")
      .dump(-1, ' ', false, json::error_handler_t::replace);
  (void)oat::oidc_actor(read->claims, "n");
  (void)oat::read_exchanged_token_claims(read->claims, "oatd");
}

void connection(std::string_view data, bool create) {
  const auto parsed = oat::parse_oidc_connection_request(data, create);
  if (!parsed || !parsed->issuer || !parsed->rulesets) return;
  (void)oat::validate_oidc_connection(*parsed->issuer, *parsed->rulesets, "acme", oat::default_oidc_issuers(),
                                      [](std::string_view name) { return name == "app"; });
  (void)oat::oidc_rulesets_json(*parsed->rulesets).dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  switch (bytes[0]) {
    case 'f': form(data); break;
    case 'j': jws(data); break;
    case 'c': connection(data, true); break;
    case 'p': connection(data, false); break;
    default: break;
  }
  return 0;
}
