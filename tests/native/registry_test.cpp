// The registry token service (GET and POST /token) in process: a real SQLite store in a fresh
// temporary directory, an in-memory key, the routes as the server registers them. What is
// checked here is the shape of the answers and of the JWT, byte for byte; the rules (grants,
// refusals, rate limits) are checked end to end by tests/api and tests/registry.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/service.h"
#include "api/usage.h"
#include "crypto/crypto.h"
#include "http/http.h"
#include "store/store.h"
#include "temp_dir.h"

namespace oatd {
namespace {

using json = nlohmann::json;

constexpr long long kNow = 1'760'000'000;

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string base64(std::string_view text) { return base64_encode(text); }

// The JSON object `text` holds, checked to be written byte for byte as nlohmann writes it (keys
// sorted, no spaces); an empty object, and a test failure, if it holds none.
json compact_object(const std::string& text) {
  const json value = json::parse(text, nullptr, false);
  if (!value.is_object()) {
    ADD_FAILURE() << "not a JSON object: " << text;
    return json::object();
  }
  EXPECT_EQ(text, dump(value));
  return value;
}

class RegistryTokens : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_sqlite_store(dir_.file("oatd.db"));
    secret_ = oat::generate_token(random_bytes);
    store_->write([&](Transaction& tx) {
      const auto acme = tx.add_organization("acme", oat::Plan::Team, std::nullopt);
      tx.add_organization("other", oat::Plan::Team, std::nullopt);
      TokenRecord t;
      t.id = random_uuid();
      t.org_id = acme;
      t.label = "ci";
      t.created_by = "alice";
      t.created_at = oat::from_unix(kNow - 60);
      t.resources = {{oat::ResourceType::Repo, "acme/*", {oat::Scope::ImagePush}},
                     {oat::ResourceType::Org, "acme", {oat::Scope::RepositoryList}}};
      t.secret_hash = sha256_hex(secret_);
      tx.insert_token(t);
    });
  }
  void TearDown() override {
    router_.reset();
    usage_.reset();
    services_.reset();
    store_.reset();
  }

  // Starts the routes with these registry options.
  void serve(RegistryOptions options) {
    ServiceOptions service_options;
    service_options.registry = std::move(options);
    services_.reset(new Services{*store_, key_, [] { return oat::from_unix(kNow); },
                                 service_options});  // in place: its limiters cannot move
    usage_ = std::make_unique<UsageRecorder>(*store_);
    services_->usage = usage_.get();
    router_ = std::make_unique<http::Router>();
    add_registry_routes(*router_, *services_);
  }

  http::Response get(const std::string& target, const std::string& username) {
    http::Request request = http::Request::make("GET", target);
    request.remote_address = "10.0.0.7";
    request.headers.emplace_back("Authorization", "Basic " + base64(username + ":" + secret_));
    return router_->route(request);
  }

  // The claims of the JWT in `answer` ("token"), as the text that was signed.
  std::string claims_text(const http::Response& answer) {
    const json body = json::parse(answer.body, nullptr, false);
    if (!body.is_object() || !body.contains("token") || !body["token"].is_string()) {
      ADD_FAILURE() << "no token in " << answer.body;
      return {};
    }
    const std::string token = body["token"].get<std::string>();
    std::string reason;
    EXPECT_TRUE(verify_jwt(token, key_, kNow, 0, &reason).has_value()) << reason;
    const auto first = token.find('.');
    const auto second = token.find('.', first + 1);
    return base64url_decode(token.substr(first + 1, second - first - 1)).value_or("");
  }

  oatd_test::TempDir dir_{"oatd-registry"};
  std::unique_ptr<Store> store_;
  SigningKey key_ = SigningKey::generate();
  std::string secret_;
  std::unique_ptr<Services> services_;
  std::unique_ptr<UsageRecorder> usage_;
  std::unique_ptr<http::Router> router_;
};

TEST_F(RegistryTokens, ClaimsAreTheSortedCompactJsonOfEveryClaim) {
  serve({});
  const http::Response answer =
      get("/token?service=oat-registry&scope=repository:acme/app:push,pull"
          "&scope=registry:catalog:*&scope=repository:other/app:pull",
          "acme");
  ASSERT_EQ(answer.status, 200) << answer.body;
  const json claims = compact_object(claims_text(answer));
  const std::string jti = claims.value("jti", "");
  EXPECT_EQ(claims, (json{{"iss", "oatd"},
                          {"sub", "acme"},
                          {"aud", "oat-registry"},
                          {"exp", kNow + 300},
                          {"nbf", kNow},
                          {"iat", kNow},
                          {"jti", jti},
                          {"access", json::array({{{"type", "repository"},
                                                   {"name", "acme/app"},
                                                   {"actions", {"push", "pull"}}},
                                                  {{"type", "registry"},
                                                   {"name", "catalog"},
                                                   {"actions", {"*"}}}})}}));
  EXPECT_EQ(jti.size(), 36u);
}

TEST_F(RegistryTokens, TextThatNeedsEscapingIsEscapedAsNlohmannDoes) {
  RegistryOptions options;
  options.issuer = "oatd \"main\" \\ tab\t \x01 \x7f caf\xc3\xa9 bad\xff";
  options.service = "registry/\xc3\xbc";
  serve(options);
  const http::Response answer = get("/token?scope=repository:acme/app:pull", "acme");
  ASSERT_EQ(answer.status, 200) << answer.body;
  const json claims = compact_object(claims_text(answer));
  EXPECT_EQ(claims.value("iss", ""),
            "oatd \"main\" \\ tab\t \x01 \x7f caf\xc3\xa9 bad\xef\xbf\xbd");  // U+FFFD
  EXPECT_EQ(claims.value("aud", ""), options.service);
}

TEST_F(RegistryTokens, GetAnswersTokenAccessTokenExpiresInAndIssuedAt) {
  serve({});
  const http::Response answer = get("/token?scope=repository:acme/app:pull", "acme");
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.find_header("Content-Type"), "application/json");
  const json body = compact_object(answer.body);
  const std::string token = body.value("token", "");
  EXPECT_EQ(body, (json{{"token", token},
                        {"access_token", token},
                        {"expires_in", 300},
                        {"issued_at", oat::format_rfc3339(oat::from_unix(kNow))}}));
}

TEST_F(RegistryTokens, PostAnswerAlsoCarriesTheGrantedScope) {
  serve({});
  http::Request request = http::Request::make(
      "POST", "/token",
      "grant_type=password&username=acme&password=" + secret_ +
          "&scope=repository%3Aacme%2Fapp%3Apull%2Cpush&scope=repository%3Aother%2Fapp%3Apull");
  request.remote_address = "10.0.0.7";
  const http::Response answer = router_->route(request);
  ASSERT_EQ(answer.status, 200) << answer.body;
  const json body = compact_object(answer.body);
  const std::string token = body.value("token", "");
  EXPECT_EQ(body, (json{{"access_token", token},
                        {"token", token},
                        {"scope", "repository:acme/app:pull,push"},
                        {"expires_in", 300},
                        {"issued_at", oat::format_rfc3339(oat::from_unix(kNow))}}));
}

TEST_F(RegistryTokens, ATokenPresentedWithAnotherOrganizationsNameIsRefusedAndAudited) {
  serve({});
  const http::Response answer = get("/token?scope=repository:acme/app:pull", "other");
  EXPECT_EQ(answer.status, 401);
  std::vector<AuditEvent> events;
  store_->read([&](Transaction& tx) {
    AuditQuery query;
    query.account = "other";
    events = tx.list_audit_events(query);
  });
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].action, oat::audit::kTokenSignInFailed);
  EXPECT_EQ(events[0].name, "");  // the token is not named: it is not this organization's
  const json data = json::parse(events[0].data, nullptr, false);
  EXPECT_EQ(data.value("reason", ""), "unknown token");
}

}  // namespace
}  // namespace oatd
