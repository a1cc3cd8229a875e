// OIDC connections: rulesets, presets, matching, the exchange request, ID token claims and the
// access tokens issued (oat/oidc.h).
#include <gtest/gtest.h>

#include "oat/oidc.h"
#include "test_support.h"

namespace {

using nlohmann::json;
using oat::ErrorCode;
using oat_test::acme_repositories;
using oat_test::has_error;
using oat_test::kOrg;

const std::vector<std::string> kAllowed = oat::default_oidc_issuers();

json pull(std::string path) {
  return json::array({{{"type", "TYPE_REPO"}, {"path", std::move(path)}, {"scopes", {"scope-image-pull"}}}});
}

json github_ruleset(json conditions = {{"repository_owner_id", "1234567"}, {"repository", "acme/app"}}) {
  return {{"name", "main"}, {"conditions", std::move(conditions)}, {"resources", pull("acme/app")}};
}

json github_connection() {
  return {{"name", "GitHub Actions"},
          {"issuer", oat::kGitHubActionsIssuer},
          {"audience", "https://oat.example.com"},
          {"rulesets", json::array({github_ruleset()})}};
}

oat::Errors validate(const oat::OidcConnectionRequest& r) {
  return oat::validate_oidc_connection(*r.issuer, *r.rulesets, kOrg, kAllowed, acme_repositories());
}

// ---- Connections ---------------------------------------------------------------------------------

TEST(OidcConnection, AGitHubConnectionThatPinsTheOwnerIsAccepted) {
  const auto r = oat::parse_oidc_connection_request(github_connection().dump(), true);
  ASSERT_TRUE(r.ok()) << testing::PrintToString(r.errors());
  EXPECT_EQ(*r->name, "GitHub Actions");
  EXPECT_EQ(r->active, std::nullopt);
  ASSERT_EQ(r->rulesets->size(), 1u);
  const oat::OidcRuleset& rs = r->rulesets->front();
  EXPECT_EQ(rs.max_lifetime_seconds, oat::kMaxOidcLifetime);
  EXPECT_EQ(rs.conditions.size(), 2u);
  EXPECT_TRUE(validate(*r).empty()) << testing::PrintToString(validate(*r));
}

TEST(OidcConnection, CreationNeedsNameIssuerAudienceAndRulesets) {
  const auto r = oat::parse_oidc_connection_request("{}", true);
  ASSERT_FALSE(r.ok());
  for (const char* field : {"name", "issuer", "audience", "rulesets"}) {
    EXPECT_TRUE(has_error(r.errors(), ErrorCode::InvalidOidcConnection, field)) << field;
  }
  EXPECT_FALSE(oat::parse_oidc_connection_request("{}", false).ok());  // a PATCH changes something
  EXPECT_TRUE(oat::parse_oidc_connection_request(R"({"active":false})", false).ok());
}

TEST(OidcConnection, UnknownFieldsAndWrongTypesAreRefused) {
  json body = github_connection();
  body["subject"] = "x";
  body["active"] = "yes";
  const auto r = oat::parse_oidc_connection_request(body.dump(), true);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has_error(r.errors(), ErrorCode::UnknownField, "subject"));
  EXPECT_TRUE(has_error(r.errors(), ErrorCode::WrongType, "active"));
}

TEST(OidcConnection, TheIssuerIsAnHttpsUrlWithoutQuery) {
  for (const char* bad : {"http://token.actions.githubusercontent.com", "token.actions.githubusercontent.com",
                          "https://", "https://user:pw@gitlab.com", "https://gitlab.com/?x=1", "ftp://x"}) {
    json body = github_connection();
    body["issuer"] = bad;
    const auto r = oat::parse_oidc_connection_request(body.dump(), true);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(has_error(r.errors(), ErrorCode::InvalidOidcConnection, "issuer")) << bad;
  }
  EXPECT_FALSE(oat::validate_oidc_issuer("https://gitlab.example.com"));
}

TEST(OidcConnection, OnlyTheOperatorsIssuersAreAllowed) {
  const auto refused = oat::check_issuer_allowed("https://ci.example.com", kAllowed);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, ErrorCode::IssuerNotAllowed);
  EXPECT_NE(refused->message.find(std::string(oat::kGitHubActionsIssuer)), std::string::npos);
  EXPECT_NE(refused->message.find("--oidc-issuer"), std::string::npos);
  EXPECT_FALSE(oat::check_issuer_allowed(oat::kGitLabIssuer, kAllowed));
  // Exactly: a trailing slash is another issuer.
  EXPECT_TRUE(oat::check_issuer_allowed("https://gitlab.com/", kAllowed));
}

TEST(OidcConnection, AudienceIsRequiredAndBounded) {
  for (const json& bad : {json(""), json(std::string(257, 'a')), json("a\nb"), json(3)}) {
    json body = github_connection();
    body["audience"] = bad;
    const auto r = oat::parse_oidc_connection_request(body.dump(), true);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(has_error(r.errors(), ErrorCode::InvalidOidcConnection, "audience") ||
                has_error(r.errors(), ErrorCode::WrongType, "audience"))
        << bad;
  }
}

TEST(OidcRulesets, OneToFiveWithDistinctNames) {
  EXPECT_FALSE(oat::parse_oidc_rulesets(json::array()).ok());
  json six = json::array();
  for (int i = 0; i < 6; ++i) {
    json r = github_ruleset();
    r["name"] = "r" + std::to_string(i);
    six.push_back(r);
  }
  const auto too_many = oat::parse_oidc_rulesets(six);
  ASSERT_FALSE(too_many.ok());
  EXPECT_TRUE(has_error(too_many.errors(), ErrorCode::InvalidOidcRuleset, "rulesets"));
  six.erase(5);
  EXPECT_TRUE(oat::parse_oidc_rulesets(six).ok());
  const auto twice = oat::parse_oidc_rulesets(json::array({github_ruleset(), github_ruleset()}));
  ASSERT_FALSE(twice.ok());
  EXPECT_TRUE(has_error(twice.errors(), ErrorCode::InvalidOidcRuleset, "rulesets[1].name"));
}

TEST(OidcRulesets, ConditionsAreNeededAndBounded) {
  const auto none = oat::parse_oidc_rulesets(json::array({github_ruleset(json::object())}));
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(has_error(none.errors(), ErrorCode::InvalidOidcCondition, "rulesets[0].conditions"));
  const auto long_pattern = oat::parse_oidc_rulesets(
      json::array({github_ruleset({{"repository_owner_id", "1"}, {"ref", std::string(501, 'a')}})}));
  EXPECT_TRUE(has_error(long_pattern.errors(), ErrorCode::InvalidOidcCondition, "rulesets[0].conditions.ref"));
  const auto number = oat::parse_oidc_rulesets(json::array({github_ruleset({{"repository_owner_id", 1234567}})}));
  EXPECT_TRUE(has_error(number.errors(), ErrorCode::WrongType, "rulesets[0].conditions.repository_owner_id"));
  const auto bad_name = oat::parse_oidc_rulesets(json::array({github_ruleset({{"a b", "x"}})}));
  EXPECT_TRUE(has_error(bad_name.errors(), ErrorCode::InvalidOidcCondition, "rulesets[0].conditions"));
}

TEST(OidcRulesets, GlobsOnlyOnStringClaimsAndNeverOnTheConnectionsOwnChecks) {
  const auto id_glob = oat::parse_oidc_rulesets(json::array({github_ruleset({{"repository_owner_id", "12*"}})}));
  ASSERT_FALSE(id_glob.ok());
  EXPECT_TRUE(has_error(id_glob.errors(), ErrorCode::InvalidOidcCondition,
                        "rulesets[0].conditions.repository_owner_id"));
  for (const char* claim : {"iss", "aud", "exp", "iat", "nbf", "jti"}) {
    const auto r = oat::parse_oidc_rulesets(json::array({github_ruleset({{"repository_owner_id", "1"}, {claim, "x"}})}));
    EXPECT_TRUE(has_error(r.errors(), ErrorCode::InvalidOidcCondition, std::string("rulesets[0].conditions.") + claim))
        << claim;
  }
  const auto star_only = oat::parse_oidc_rulesets(json::array({github_ruleset({{"repository_owner_id", "1"}, {"ref", "**"}})}));
  EXPECT_TRUE(has_error(star_only.errors(), ErrorCode::InvalidOidcCondition, "rulesets[0].conditions.ref"));
  EXPECT_TRUE(oat::parse_oidc_rulesets(
                  json::array({github_ruleset({{"repository_owner_id", "1"}, {"ref", "refs/tags/v*"},
                                               {"job_workflow_ref", "acme/app/.github/workflows/*@refs/heads/main"}})}))
                  .ok());
}

TEST(OidcRulesets, LifetimeIsWithinFiveMinutesAndAnHour) {
  for (const json& bad : {json(299), json(3601), json("600"), json(600.5)}) {
    json r = github_ruleset();
    r["max_lifetime_seconds"] = bad;
    const auto parsed = oat::parse_oidc_rulesets(json::array({r}));
    EXPECT_TRUE(has_error(parsed.errors(), ErrorCode::InvalidOidcRuleset, "rulesets[0].max_lifetime_seconds")) << bad;
  }
  json r = github_ruleset();
  r["max_lifetime_seconds"] = 300;
  EXPECT_EQ(oat::parse_oidc_rulesets(json::array({r}))->front().max_lifetime_seconds, 300);
}

TEST(OidcRulesets, ResourcesFollowTheTokensRulesWithTheirFieldNamed) {
  json r = github_ruleset();
  r["resources"] = pull("other/app");
  const auto parsed = oat::parse_oidc_rulesets(json::array({r}));
  ASSERT_TRUE(parsed.ok());
  const auto errors = oat::validate_oidc_connection(oat::kGitHubActionsIssuer, *parsed, kOrg, kAllowed,
                                                    acme_repositories());
  EXPECT_TRUE(has_error(errors, ErrorCode::ForeignNamespace, "rulesets[0].resources[0].path"))
      << testing::PrintToString(errors);
  r["resources"] = json::array({{{"type", "TYPE_REPO"}, {"path", "acme/app"}, {"scopes", {"scope-fly"}}}});
  const auto unknown = oat::parse_oidc_rulesets(json::array({r}));
  EXPECT_TRUE(has_error(unknown.errors(), ErrorCode::UnknownScope, "rulesets[0].resources[0].scopes"))
      << testing::PrintToString(unknown.errors());
}

TEST(OidcPresets, GitHubRulesetsMustPinTheOwnersNumericId) {
  const auto by_name = oat::parse_oidc_rulesets(json::array({github_ruleset({{"repository_owner", "acme"}})}));
  ASSERT_TRUE(by_name.ok());
  const auto errors = oat::validate_oidc_connection(oat::kGitHubActionsIssuer, *by_name, kOrg, kAllowed,
                                                    acme_repositories());
  const auto* e = oat_test::find_code(errors, ErrorCode::OwnerNotPinned);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->field, "rulesets[0].conditions.repository_owner_id");
  EXPECT_NE(e->message.find("any repository on github.com could match"), std::string::npos) << e->message;
  const auto not_digits = oat::parse_oidc_rulesets(json::array({github_ruleset({{"repository_owner_id", "acme"}})}));
  EXPECT_TRUE(has_error(oat::validate_oidc_connection(oat::kGitHubActionsIssuer, *not_digits, kOrg, kAllowed,
                                                      acme_repositories()),
                        ErrorCode::OwnerNotPinned, "rulesets[0].conditions.repository_owner_id"));
}

TEST(OidcPresets, GitLabAndSelfManagedGitLabPinTheNamespaceId) {
  const std::vector<std::string> allowed = {"https://gitlab.com", "https://gitlab.example.com",
                                            "https://ci.example.com"};
  const auto by_path = oat::parse_oidc_rulesets(json::array({github_ruleset({{"namespace_path", "acme"}})}));
  ASSERT_TRUE(by_path.ok());
  for (const char* issuer : {"https://gitlab.com", "https://gitlab.example.com"}) {
    EXPECT_TRUE(has_error(oat::validate_oidc_connection(issuer, *by_path, kOrg, allowed, acme_repositories()),
                          ErrorCode::OwnerNotPinned, "rulesets[0].conditions.namespace_id"))
        << issuer;
  }
  const auto pinned = oat::parse_oidc_rulesets(
      json::array({github_ruleset({{"namespace_id", "42"}, {"namespace_path", "acme"}})}));
  EXPECT_TRUE(oat::validate_oidc_connection("https://gitlab.example.com", *pinned, kOrg, allowed,
                                            acme_repositories()).empty());
  // Another issuer with other claims: no preset, no pin required.
  const auto other = oat::parse_oidc_rulesets(json::array({github_ruleset({{"sub", "deploy"}})}));
  EXPECT_TRUE(oat::validate_oidc_connection("https://ci.example.com", *other, kOrg, allowed,
                                            acme_repositories()).empty());
  EXPECT_EQ(oat::oidc_presets().size(), 2u);
  EXPECT_EQ(oat::oidc_presets()[0].owner_claim, "repository_owner_id");
}

TEST(OidcConnection, TheApiShapeReadsBack) {
  oat::OidcConnection c;
  c.id = "4c3a9d0e-3a55-4a51-8f5d-7c1fa2f1e001";
  c.name = "ci";
  c.issuer = std::string(oat::kGitHubActionsIssuer);
  c.audience = "https://oat.example.com";
  c.active = false;
  c.rulesets = *oat::parse_oidc_rulesets(json::array({github_ruleset()}));
  c.version = 7;
  c.created_at = oat_test::fixed_now();
  c.updated_at = oat_test::fixed_now();
  c.created_by = "owner";
  const json j = oat::oidc_connection_json(c);
  EXPECT_EQ(j["last_exchange_at"], nullptr);
  EXPECT_EQ(j["rulesets"][0]["conditions"]["repository_owner_id"], "1234567");
  const auto back = oat::parse_oidc_connection_json(j);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->rulesets, c.rulesets);
  EXPECT_EQ(back->version, 7);
  EXPECT_FALSE(back->active);
}

// ---- Matching ------------------------------------------------------------------------------------

TEST(OidcMatching, ExactGlobAndScalarClaims) {
  const json s = "refs/heads/main";
  EXPECT_TRUE(oat::oidc_pattern_matches("refs/heads/main", &s));
  EXPECT_FALSE(oat::oidc_pattern_matches("refs/heads/mai", &s));
  EXPECT_TRUE(oat::oidc_pattern_matches("refs/heads/*", &s));
  EXPECT_TRUE(oat::oidc_pattern_matches("*/main", &s));
  EXPECT_TRUE(oat::oidc_pattern_matches("refs/*/m*n", &s));
  EXPECT_FALSE(oat::oidc_pattern_matches("refs/tags/*", &s));
  const json n = 1234567, b = true, list = json::array({"refs/heads/main"});
  EXPECT_TRUE(oat::oidc_pattern_matches("1234567", &n));
  EXPECT_FALSE(oat::oidc_pattern_matches("123456*", &n));  // globs only on strings
  EXPECT_TRUE(oat::oidc_pattern_matches("true", &b));
  EXPECT_FALSE(oat::oidc_pattern_matches("refs/heads/main", &list));
  EXPECT_FALSE(oat::oidc_pattern_matches("x", nullptr));
  // Many stars against a long text: linear, not exponential.
  const json long_text = std::string(5000, 'a');
  EXPECT_FALSE(oat::oidc_pattern_matches("*a*a*a*a*a*a*a*a*a*a*a*b", &long_text));
}

TEST(OidcMatching, AllConditionsOfARulesetAndEveryMatchingRulesetMerged) {
  auto rulesets = *oat::parse_oidc_rulesets(json::array({
      {{"name", "pull"}, {"conditions", {{"repository_owner_id", "1"}}}, {"resources", pull("acme/app")},
       {"max_lifetime_seconds", 3600}},
      {{"name", "push on main"},
       {"conditions", {{"repository_owner_id", "1"}, {"ref", "refs/heads/main"}}},
       {"resources", json::array({{{"type", "TYPE_REPO"}, {"path", "acme/app"}, {"scopes", {"scope-image-push"}}},
                                  {{"type", "TYPE_REPO"}, {"path", "acme/web"}, {"scopes", {"scope-image-pull"}}}})},
       {"max_lifetime_seconds", 900}},
  }));
  const auto main = oat::match_oidc_rulesets(rulesets, {{"repository_owner_id", "1"}, {"ref", "refs/heads/main"}});
  EXPECT_EQ(main.matched, (std::vector<std::string>{"pull", "push on main"}));
  ASSERT_EQ(main.resources.size(), 2u);
  EXPECT_EQ(main.resources[0].path, "acme/app");
  EXPECT_EQ(main.resources[0].scopes, (std::vector<oat::Scope>{oat::Scope::ImagePull, oat::Scope::ImagePush}));
  EXPECT_EQ(main.max_lifetime_seconds, 900);
  EXPECT_TRUE(main.mismatches.empty());

  const auto branch = oat::match_oidc_rulesets(rulesets, {{"repository_owner_id", 1}, {"ref", "refs/heads/x"}});
  EXPECT_EQ(branch.matched, (std::vector<std::string>{"pull"}));
  EXPECT_EQ(branch.max_lifetime_seconds, 3600);

  const auto stranger = oat::match_oidc_rulesets(rulesets, {{"repository_owner_id", "2"}});
  EXPECT_TRUE(stranger.matched.empty());
  EXPECT_TRUE(stranger.resources.empty());
  ASSERT_EQ(stranger.mismatches.size(), 3u);
  EXPECT_EQ(stranger.mismatches[0], (oat::OidcMismatch{"pull", "repository_owner_id", "1", "2"}));
  // Conditions are kept in claim-name order (a JSON object's).
  EXPECT_EQ(stranger.mismatches[1], (oat::OidcMismatch{"push on main", "ref", "refs/heads/main", std::nullopt}));
  EXPECT_EQ(stranger.mismatches[2], (oat::OidcMismatch{"push on main", "repository_owner_id", "1", "2"}));
}

// ---- The exchange request ------------------------------------------------------------------------

oat::FormFields exchange_form() {
  return {{"grant_type", std::string(oat::kTokenExchangeGrant)},
          {"subject_token", "a.b.c"},
          {"subject_token_type", std::string(oat::kIdTokenType)},
          {"connection_id", "4c3a9d0e-3a55-4a51-8f5d-7c1fa2f1e001"}};
}

std::string refusal(const oat::FormFields& form) {
  const auto r = oat::parse_exchange_request(form);
  const auto* e = std::get_if<oat::OAuthError>(&r);
  return e ? e->error : "accepted";
}

TEST(OidcExchange, ARequestInDockersShape) {
  const auto r = oat::parse_exchange_request(exchange_form());
  ASSERT_TRUE(std::holds_alternative<oat::ExchangeRequest>(r));
  EXPECT_EQ(std::get<oat::ExchangeRequest>(r).expires_in, oat::kDefaultOidcExpiresIn);
  auto with = exchange_form();
  with.push_back({"expires_in", "3600"});
  with.push_back({"audience", "ignored"});
  EXPECT_EQ(std::get<oat::ExchangeRequest>(oat::parse_exchange_request(with)).expires_in, 3600);
}

TEST(OidcExchange, EachRefusalHasItsRfcCode) {
  auto form = exchange_form();
  form[0].second = "password";
  EXPECT_EQ(refusal(form), "unsupported_grant_type");
  EXPECT_EQ(refusal({}), "invalid_request");
  for (const char* bad : {"299", "3601", "-1", "x", "600.0", ""}) {
    auto f = exchange_form();
    f.push_back({"expires_in", bad});
    EXPECT_EQ(refusal(f), "invalid_request") << bad;
  }
  auto twice = exchange_form();
  twice.push_back({"connection_id", "other"});
  EXPECT_EQ(refusal(twice), "invalid_request");
  auto type = exchange_form();
  type[2].second = std::string(oat::kAccessTokenType);
  EXPECT_EQ(refusal(type), "invalid_request");
  auto large = exchange_form();
  large[1].second = std::string(oat::kMaxSubjectTokenBytes + 1, 'a');
  EXPECT_EQ(refusal(large), "invalid_grant");
  auto no_connection = exchange_form();
  no_connection.pop_back();
  EXPECT_EQ(refusal(no_connection), "invalid_request");
}

// ---- ID tokens -----------------------------------------------------------------------------------

std::string b64(std::string_view s) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const unsigned char c : s) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) out += kAlphabet[(buffer >> (bits -= 6)) & 63];
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 63];
  return out;
}

std::string jws(const json& header, const json& claims, std::string_view signature = "sig") {
  return b64(header.dump()) + "." + b64(claims.dump()) + "." + b64(signature);
}

TEST(OidcIdToken, OnlyRs256AndEs256SignedTokensAreRead) {
  const json claims = {{"sub", "x"}};
  std::string reason;
  const auto ok = oat::read_compact_jws(jws({{"alg", "RS256"}, {"kid", "k"}}, claims), &reason);
  ASSERT_TRUE(ok) << reason;
  EXPECT_EQ(ok->claims, claims);
  EXPECT_EQ(ok->signature, "sig");
  for (const char* alg : {"none", "HS256", "RS512", "ES384", "PS256"}) {
    json kept;
    EXPECT_FALSE(oat::read_compact_jws(jws({{"alg", alg}}, claims), &reason, &kept)) << alg;
    EXPECT_NE(reason.find("algorithm"), std::string::npos) << reason;
    EXPECT_EQ(kept, claims);  // read for the failures log
  }
  EXPECT_FALSE(oat::read_compact_jws(jws({{"alg", "ES256"}, {"crit", {"b64"}}}, claims), &reason));
  EXPECT_FALSE(oat::read_compact_jws(jws({{"alg", "ES256"}}, claims, ""), &reason));
  EXPECT_FALSE(oat::read_compact_jws("a.b", &reason));
  EXPECT_FALSE(oat::read_compact_jws("a.b.c.d", &reason));
  EXPECT_FALSE(oat::read_compact_jws(b64(R"({"alg":"ES256"})") + "=.e30.c2ln", &reason));
  EXPECT_FALSE(oat::read_compact_jws(b64("[]") + "." + b64("{}") + ".c2ln", &reason));
  EXPECT_FALSE(oat::read_compact_jws(std::string(oat::kMaxSubjectTokenBytes + 1, 'a'), &reason));
}

TEST(OidcIdToken, Base64UrlIsStrict) {
  EXPECT_EQ(oat::base64url_decode_strict("aGk"), "hi");
  EXPECT_EQ(oat::base64url_decode_strict(""), "");
  EXPECT_FALSE(oat::base64url_decode_strict("aGk="));
  EXPECT_FALSE(oat::base64url_decode_strict("aGl"));  // non-zero trailing bits
  EXPECT_FALSE(oat::base64url_decode_strict("a"));
  EXPECT_FALSE(oat::base64url_decode_strict("a+b/"));
}

json id_claims(std::int64_t now) {
  return {{"iss", oat::kGitHubActionsIssuer}, {"aud", "https://oat.example.com"}, {"exp", now + 300},
          {"iat", now}, {"nbf", now}, {"jti", "abc"}};
}

std::optional<std::string> check(const json& claims, std::int64_t now) {
  return oat::check_id_token_claims(claims, oat::kGitHubActionsIssuer, "https://oat.example.com", now);
}

TEST(OidcIdToken, IssuerAudienceTimesAndIdAreChecked) {
  const std::int64_t now = 1'800'000'000;
  EXPECT_EQ(check(id_claims(now), now), std::nullopt);
  auto c = id_claims(now);
  c["aud"] = json::array({"other", "https://oat.example.com"});
  EXPECT_EQ(check(c, now), std::nullopt);
  const auto refused = [&](const char* key, const json& value, std::string_view says) {
    auto claims = id_claims(now);
    if (value.is_discarded()) claims.erase(key); else claims[key] = value;
    const auto r = check(claims, now);
    ASSERT_TRUE(r) << key << "=" << value;
    EXPECT_NE(r->find(says), std::string::npos) << *r;
  };
  refused("iss", "https://token.actions.githubusercontent.com/", "issuer");
  refused("aud", "https://oat.example.com/", "audience");
  refused("aud", json::array({"x"}), "audience");
  refused("exp", now - 60, "expired");  // the leeway is 60 s: exactly then it has lapsed
  refused("exp", json(json::value_t::discarded), "no expiry");
  refused("exp", "soon", "no expiry");
  refused("iat", now + 61, "future");
  refused("nbf", now + 61, "not valid yet");
  refused("jti", json(json::value_t::discarded), "jti");
  refused("jti", "", "jti");
  auto leeway = id_claims(now);
  leeway["exp"] = now - 59;
  leeway["nbf"] = now + 60;
  leeway["iat"] = now + 60;
  EXPECT_EQ(check(leeway, now), std::nullopt);
}

// ---- Access tokens issued ------------------------------------------------------------------------

TEST(OidcAccessToken, ClaimsReadBackOnlyAsAnExchangedTokenOfThisIssuer) {
  const oat::ExchangedToken token{"acme", "cid-1", 3, {oat_test::repo("acme/app", {oat::Scope::ImagePull})},
                                  1'800'000'300};
  const json claims = json::parse(oat::exchanged_token_claims(token, "oatd", 1'800'000'000, "j1"));
  EXPECT_EQ(claims["aud"], oat::kExchangedTokenAudience);
  const auto back = oat::read_exchanged_token_claims(claims, "oatd");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->organization, "acme");
  EXPECT_EQ(back->connection_version, 3);
  EXPECT_EQ(back->resources, token.resources);
  EXPECT_EQ(back->expires_at, 1'800'000'300);
  EXPECT_FALSE(oat::read_exchanged_token_claims(claims, "another"));
  json bearer = claims;
  bearer["aud"] = "oat-api";  // a management bearer's claims are never an exchanged token
  EXPECT_FALSE(oat::read_exchanged_token_claims(bearer, "oatd"));
  json no_version = claims;
  no_version.erase("cver");
  EXPECT_FALSE(oat::read_exchanged_token_claims(no_version, "oatd"));
}

TEST(OidcAccessToken, TheLifetimeNeverExceedsTheRulesets) {
  EXPECT_EQ(oat::oidc_lifetime(3600, 900), 900);
  EXPECT_EQ(oat::oidc_lifetime(300, 900), 300);
  const json answer = oat::exchange_answer_json("tok", 300);
  EXPECT_EQ(answer, (json{{"access_token", "tok"}, {"issued_token_type", oat::kAccessTokenType},
                          {"token_type", "Bearer"}, {"expires_in", 300}}));
}

// ---- Audit and failures --------------------------------------------------------------------------

TEST(OidcAudit, TheExchangeRecordsWhoFromTheClaimsNeverTheToken) {
  const json claims = {{"sub", "repo:acme/app:ref:refs/heads/main"}, {"repository", "acme/app"},
                       {"ref", "refs/heads/main"}, {"job_workflow_ref", "acme/app/.github/workflows/r.yml@refs/heads/main"},
                       {"run_id", "42"}};
  const json data = oat::oidc_exchange_audit_data("cid", "ci", claims, 300, std::nullopt, "10.0.0.1");
  EXPECT_EQ(data["repository"], "acme/app");
  EXPECT_EQ(data["ref"], "refs/heads/main");
  EXPECT_EQ(data["workflow"], "acme/app/.github/workflows/r.yml@refs/heads/main");
  EXPECT_EQ(data["run_id"], "42");
  EXPECT_EQ(data["expires_in"], 300);
  EXPECT_FALSE(data.contains("reason"));
  const json gitlab = oat::oidc_exchange_audit_data("cid", "ci", {{"project_path", "acme/app"}, {"pipeline_id", 7}},
                                                    std::nullopt, "no", "::1");
  EXPECT_EQ(gitlab["repository"], "acme/app");
  EXPECT_EQ(gitlab["run_id"], "7");
  EXPECT_EQ(gitlab["reason"], "no");
  EXPECT_EQ(oat::oidc_actor(claims, "ci"), "oidc:repo:acme/app:ref:refs/heads/main");
  EXPECT_EQ(oat::oidc_actor(json::object(), "ci"), "oidc:ci");
}

TEST(OidcFailures, KeptClaimsAreBoundedAndTheShapeReadsBack) {
  EXPECT_EQ(oat::claims_to_keep({{"big", std::string(5000, 'x')}}), json::object());
  EXPECT_EQ(oat::claims_to_keep({{"ref", "x"}}), (json{{"ref", "x"}}));
  oat::OidcFailure f{oat_test::fixed_now(), "no", {{"ref", "x"}}, {{"main", "ref", "refs/heads/main", "x"},
                                                                  {"main", "env", "prod", std::nullopt}}};
  const json j = oat::oidc_failure_json(f);
  EXPECT_EQ(j["mismatches"][1]["got"], nullptr);
  const auto back = oat::parse_oidc_failure_json(j);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->mismatches, f.mismatches);
  EXPECT_EQ(back->claims, f.claims);
}

// ---- Setting up a CI job -------------------------------------------------------------------------

oat::OidcSnippetInput snippet_input() {
  return {"https://oat.example.com", "https://oat.example.com", "0b6c9d1e-5f0a-4c1e-9d2b-7a3e8f1c2d4b", "acme",
          "registry.example.com"};
}

TEST(OidcSnippet, GitHubActionsAsTheDocsShowIt) {
  const auto text = oat::oidc_snippet(oat::OidcSnippetKind::GitHubActions, snippet_input());
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text,
            "permissions:\n"
            "  id-token: write\n"
            "  contents: read\n"
            "steps:\n"
            "  - name: Sign in to the registry\n"
            "    run: |\n"
            "      ID_TOKEN=$(curl -sSf -H \"Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN\" \\\n"
            "        \"$ACTIONS_ID_TOKEN_REQUEST_URL&audience=https://oat.example.com\" | jq -r .value)\n"
            "      curl -sSf https://oat.example.com/v2/oidc/token \\\n"
            "        -d grant_type=urn:ietf:params:oauth:grant-type:token-exchange \\\n"
            "        -d subject_token_type=urn:ietf:params:oauth:token-type:id_token \\\n"
            "        -d connection_id=0b6c9d1e-5f0a-4c1e-9d2b-7a3e8f1c2d4b \\\n"
            "        --data-urlencode subject_token=\"$ID_TOKEN\" | jq -r .access_token |\n"
            "        docker login registry.example.com -u acme --password-stdin\n");
}

TEST(OidcSnippet, GitLabCiAsTheDocsShowIt) {
  const auto text = oat::oidc_snippet(oat::OidcSnippetKind::GitLabCi, snippet_input());
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text,
            "push:\n"
            "  id_tokens:\n"
            "    OAT_ID_TOKEN:\n"
            "      aud: https://oat.example.com\n"
            "  script:\n"
            "    - curl -sSf https://oat.example.com/v2/oidc/token\n"
            "        -d grant_type=urn:ietf:params:oauth:grant-type:token-exchange\n"
            "        -d subject_token_type=urn:ietf:params:oauth:token-type:id_token\n"
            "        -d connection_id=0b6c9d1e-5f0a-4c1e-9d2b-7a3e8f1c2d4b\n"
            "        --data-urlencode subject_token=\"$OAT_ID_TOKEN\" | jq -r .access_token |\n"
            "        docker login registry.example.com -u acme --password-stdin\n");
}

TEST(OidcSnippet, AnAudienceThatIsNotAPlainUrlIsEscapedAndQuoted) {
  oat::OidcSnippetInput in = snippet_input();
  in.audience = "oat \"ci\" & $HOME #1";
  const auto github = oat::oidc_snippet(oat::OidcSnippetKind::GitHubActions, in);
  ASSERT_TRUE(github.has_value());
  EXPECT_NE(github->find("&audience=oat%20%22ci%22%20%26%20%24HOME%20%231\""), std::string::npos) << *github;
  const auto gitlab = oat::oidc_snippet(oat::OidcSnippetKind::GitLabCi, in);
  ASSERT_TRUE(gitlab.has_value());
  EXPECT_NE(gitlab->find("      aud: \"oat \\\"ci\\\" & $HOME #1\"\n"), std::string::npos) << *gitlab;
}

TEST(OidcSnippet, NoneWithoutARegistryHost) {
  oat::OidcSnippetInput in = snippet_input();
  in.registry_host = "";
  EXPECT_FALSE(oat::oidc_snippet(oat::OidcSnippetKind::GitHubActions, in).has_value());
  EXPECT_FALSE(oat::oidc_snippet(oat::OidcSnippetKind::GitLabCi, in).has_value());
}

}  // namespace
