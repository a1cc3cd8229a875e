// The wire shapes the server writes and the console reads (oat/wire.h): each writer's exact
// text, each reader taking back what the writer wrote, and each reader naming what it refuses.
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "oat/audit.h"
#include "oat/wire.h"
#include "test_support.h"

namespace {

using nlohmann::json;
using oat::ErrorCode;
using oat_test::has_error;

oat::Timestamp at(long long seconds) { return oat::from_unix(seconds); }
constexpr long long kT = 1'767'225'600;  // 2026-01-01T00:00:00Z

TEST(Wire, JsonTextIsCompactAndReplacesInvalidUtf8) {
  EXPECT_EQ(oat::json_text({{"b", 1}, {"a", "x"}}), R"({"a":"x","b":1})");
  EXPECT_EQ(oat::json_text(std::string("a\xFF" "b")), "\"a\xEF\xBF\xBD" "b\"");
  EXPECT_TRUE(oat::parse_json_text("{").is_discarded());
}

TEST(Wire, SignInAnswerRoundTrips) {
  oat::SignInAnswer answer{"jwt", 600, std::string("id.secret"), at(kT)};
  EXPECT_EQ(oat::json_text(oat::sign_in_answer_json(answer)),
            R"({"access_token":"jwt","expires_in":600,"refresh_expires_at":"2026-01-01T00:00:00Z",)"
            R"("refresh_token":"id.secret"})");
  auto back = oat::parse_sign_in_answer(oat::json_text(oat::sign_in_answer_json(answer)));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->access_token, "jwt");
  EXPECT_EQ(back->expires_in, 600);
  EXPECT_EQ(back->refresh_token, "id.secret");
  EXPECT_EQ(back->refresh_expires_at, at(kT));
}

TEST(Wire, ASignInAnswerWithoutSessionHasNoRefreshFields) {
  const json j = oat::sign_in_answer_json({"jwt", 600, std::nullopt, std::nullopt});
  EXPECT_EQ(oat::json_text(j), R"({"access_token":"jwt","expires_in":600})");
  auto back = oat::parse_sign_in_answer(oat::json_text(j));
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->refresh_token);
}

TEST(Wire, ASignInAnswerWithoutABearerIsRefused) {
  for (std::string_view body : {"", "{}", R"({"access_token":""})", R"({"access_token":5})", "[]"}) {
    auto r = oat::parse_sign_in_answer(body);
    EXPECT_FALSE(r.ok()) << body;
  }
  auto r = oat::parse_sign_in_answer(R"({"expires_in":600})");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has_error(r.errors(), ErrorCode::WrongType, "access_token"));
}

TEST(Wire, RequestBodiesAreWhatTheServerReads) {
  const std::string body = oat::sign_in_request_body({"owner", "pw", true});
  EXPECT_EQ(body, R"({"identifier":"owner","refresh":true,"secret":"pw"})");
  auto parsed = oat::parse_sign_in_request(body, oat::SignInForm::Current);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->identifier, "owner");
  EXPECT_TRUE(parsed->refresh);
  auto refresh = oat::parse_refresh_request(oat::refresh_request_body("id.s"), true);
  ASSERT_TRUE(refresh.ok());
  EXPECT_EQ(refresh->value_or(""), "id.s");
  EXPECT_EQ(oat::activation_request_body(false), R"({"is_active":false})");
  EXPECT_EQ(oat::json_text(oat::legacy_sign_in_answer_json("jwt")), R"({"token":"jwt"})");
}

TEST(Wire, UserShape) {
  EXPECT_EQ(oat::json_text(oat::user_json({7, "owner", at(kT)})),
            R"({"date_joined":"2026-01-01T00:00:00Z","id":7,"username":"owner"})");
}

oat::OrganizationInfo acme() {
  oat::OrganizationInfo org;
  org.id = 3;
  org.name = "acme";
  org.plan = oat::Plan::Team;
  org.role = "owner";
  org.is_company_owner = true;
  org.can_manage_tokens = true;
  org.token_quota = 10;
  org.token_count = 4;
  return org;
}

TEST(Wire, OrganizationShapeAndRoundTrip) {
  EXPECT_EQ(oat::json_text(oat::organization_json(acme())),
            R"({"can_manage_tokens":true,"id":3,"is_company_owner":true,"orgname":"acme",)"
            R"("plan":"team","plan_name":"Team","role":"owner","token_count":4,"token_quota":10})");
  auto back = oat::parse_organization_json(oat::organization_json(acme()));
  ASSERT_TRUE(back.ok()) << ::testing::PrintToString(back.errors());
  EXPECT_EQ(back->name, "acme");
  EXPECT_EQ(back->plan, oat::Plan::Team);
  EXPECT_EQ(back->role, "owner");
  EXPECT_TRUE(back->can_manage_tokens);
  EXPECT_EQ(back->token_quota, 10u);
  EXPECT_EQ(back->token_count, 4u);
}

TEST(Wire, NoRoleIsNullAndReadsBackEmpty) {
  oat::OrganizationInfo org = acme();
  org.role.clear();
  const json j = oat::organization_json(org);
  EXPECT_TRUE(j["role"].is_null());
  auto back = oat::parse_organization_json(j);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->role, "");
}

TEST(Wire, AnOrganizationReaderNamesEachBadField) {
  json j = oat::organization_json(acme());
  j["plan"] = "platinum";
  j["token_quota"] = -1;
  j["can_manage_tokens"] = "yes";
  j.erase("orgname");
  auto r = oat::parse_organization_json(j);
  ASSERT_FALSE(r.ok());
  for (const char* field : {"plan", "token_quota", "can_manage_tokens", "orgname"}) {
    EXPECT_TRUE(has_error(r.errors(), ErrorCode::WrongType, field))
        << field << ": " << ::testing::PrintToString(r.errors());
  }
  EXPECT_FALSE(oat::parse_organization_json(json::array()).ok());
}

TEST(Wire, RepositoryShapeAndRoundTrip) {
  const oat::RepositoryInfo repo{"app", "acme", false, at(kT)};
  EXPECT_EQ(oat::json_text(oat::repository_json(repo)),
            R"({"date_registered":"2026-01-01T00:00:00Z","is_private":false,"name":"app",)"
            R"("namespace":"acme"})");
  auto back = oat::parse_repository_json(oat::repository_json(repo));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->name, "app");
  EXPECT_EQ(back->namespace_, "acme");
  EXPECT_FALSE(back->is_private);
  EXPECT_EQ(back->date_registered, at(kT));
  auto bad = oat::parse_repository_json(json{{"name", "app"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(has_error(bad.errors(), ErrorCode::WrongType, "namespace"));
}

TEST(Wire, UserShapeAndRoundTrip) {
  const oat::UserInfo user{7, "owner", at(kT)};
  EXPECT_EQ(oat::json_text(oat::user_json(user)),
            R"({"date_joined":"2026-01-01T00:00:00Z","id":7,"username":"owner"})");
  auto back = oat::parse_user_json(oat::user_json(user));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->id, 7);
  EXPECT_EQ(back->username, "owner");
  EXPECT_EQ(back->date_joined, at(kT));
  auto bad = oat::parse_user_json(json{{"id", 7}, {"username", 3}});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(has_error(bad.errors(), ErrorCode::WrongType, "username"));
}

TEST(Wire, AuditDataWritesOnlyWhatWasRecorded) {
  oat::AuditData data;
  data.token_id = "t1";
  data.label = "CI";
  EXPECT_EQ(oat::json_text(oat::audit_data_json(data)), R"({"label":"CI","token_id":"t1"})");
  data.expires_at.emplace(std::nullopt);  // never expires
  data.resources = std::vector<oat::Resource>{
      {oat::ResourceType::Repo, "acme/app", {oat::Scope::ImagePull}}};
  EXPECT_EQ(oat::json_text(oat::audit_data_json(data)),
            R"({"expires_at":null,"label":"CI","resources":[{"path":"acme/app","scopes":)"
            R"(["scope-image-pull"],"type":"TYPE_REPO"}],"token_id":"t1"})");
}

TEST(Wire, AuditDataRoundTrips) {
  oat::AuditData data;
  data.previous_label = "old";
  data.expires_at = at(kT);
  data.reason = "unknown token";
  data.address = "10.0.0.1";
  data.service = "registry";
  const oat::AuditData back = oat::parse_audit_data(oat::audit_data_json(data));
  EXPECT_EQ(back.previous_label, "old");
  ASSERT_TRUE(back.expires_at);
  EXPECT_EQ(*back.expires_at, at(kT));
  EXPECT_EQ(back.reason, "unknown token");
  EXPECT_EQ(back.address, "10.0.0.1");
  EXPECT_EQ(back.service, "registry");
  EXPECT_FALSE(back.token_id);
  // Fields of another shape are left out rather than refused.
  const oat::AuditData odd = oat::parse_audit_data(json{{"reason", 5}, {"expires_at", "soon"}});
  EXPECT_FALSE(odd.reason);
  EXPECT_FALSE(odd.expires_at);
}

TEST(Wire, AuditEventShapeAndRoundTrip) {
  const oat::AuditEventInfo event{"acme", "access_token.create", "CI", "owner",
                                  json{{"token_id", "t1"}}, at(kT), ""};
  const json j = oat::audit_event_json(event);
  EXPECT_EQ(oat::json_text(j),
            R"({"account":"acme","action":"access_token.create","action_description":)"
            R"("Access token created","actor":"owner","data":{"token_id":"t1"},"name":"CI",)"
            R"("timestamp":"2026-01-01T00:00:00Z"})");
  auto back = oat::parse_audit_event_json(j);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->description, "Access token created");
  EXPECT_EQ(back->data, (json{{"token_id", "t1"}}));
  EXPECT_EQ(back->timestamp, at(kT));
  // An action this build does not know is described by its name.
  EXPECT_EQ(oat::audit_event_json({"acme", "future.thing", "", "", json::object(), at(kT), ""})
                ["action_description"],
            "future.thing");
  auto bad = oat::parse_audit_event_json(json{{"action", "x"}, {"timestamp", "yesterday"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(has_error(bad.errors(), ErrorCode::WrongType, "timestamp"));
}

TEST(Wire, AuditActionsListEveryActionOfTheCore) {
  const json j = oat::audit_actions_json();
  const json& actions = j["actions"]["access_token"]["actions"];
  const json& oidc = j["actions"]["oidc"]["actions"];
  ASSERT_EQ(actions.size() + oidc.size(), oat::audit_actions().size());
  EXPECT_EQ(actions[0]["name"], std::string(oat::audit_actions()[0].name));
  ASSERT_EQ(oidc.size(), 5u);
  for (const json& a : oidc) EXPECT_TRUE(a["name"].get<std::string>().starts_with("oidc")) << a;
  for (const json& a : actions) EXPECT_TRUE(a["name"].get<std::string>().starts_with("access_token")) << a;
}

TEST(Wire, PagesWriteTheirItemsUnderTheirKeyAndReadBack) {
  const oat::PageRequest page{2, 10};
  const json logs = oat::page_json_as(oat::kLogsKey, 25, page, "http://h/v2/auditlogs/acme",
                                      json::array({1, 2}));
  EXPECT_FALSE(logs.contains("results"));
  auto back = oat::parse_page_json(oat::json_text(logs), oat::kLogsKey);
  ASSERT_TRUE(back.ok()) << ::testing::PrintToString(back.errors());
  EXPECT_EQ(back->total, 25u);
  EXPECT_EQ(back->next, "http://h/v2/auditlogs/acme?page=3&page_size=10");
  EXPECT_EQ(back->previous, "http://h/v2/auditlogs/acme?page=1&page_size=10");
  EXPECT_EQ(back->items, json::array({1, 2}));
  // Read with the wrong key, the items are missing, and the reader says so.
  auto wrong = oat::parse_page_json(oat::json_text(logs));
  ASSERT_FALSE(wrong.ok());
  EXPECT_TRUE(has_error(wrong.errors(), ErrorCode::WrongType, "results"));
}

TEST(Wire, ASinglePageHoldsTheWholeList) {
  EXPECT_EQ(oat::json_text(oat::single_page_json(json::array({"a"}))),
            R"({"next":null,"previous":null,"results":["a"],"total":1})");
}

TEST(Wire, TheCreatedTokensSecretIsTakenOutOfTheAnswer) {
  oat::AccessToken token;
  token.id = "00000000-0000-4000-8000-000000000000";
  token.label = "CI";
  token.created_by = "owner";
  token.created_at = at(kT);
  json answer = oat::token_json(token, /*with_resources=*/true, std::string_view("dckr_oat_secret"));
  auto created = oat::take_created_token(answer);
  ASSERT_TRUE(created.ok()) << ::testing::PrintToString(created.errors());
  EXPECT_EQ(created->secret, "dckr_oat_secret");
  EXPECT_EQ(created->token.label, "CI");
  EXPECT_EQ(answer["token"], "");  // overwritten where it was
  json without = oat::token_json(token, true);
  EXPECT_FALSE(oat::take_created_token(without).ok());
}

TEST(Wire, WipeSecretEmptiesTheString) {
  std::string secret = "dckr_oat_secret";
  oat::wipe_secret(secret);
  EXPECT_TRUE(secret.empty());
}

TEST(Wire, TokenRequestIsWhatTheCreateParserReads) {
  json body = oat::token_request_json(
      "CI", "deploys", oat::resources_json({{oat::ResourceType::Repo, "acme/app",
                                             {oat::Scope::ImagePull}}}));
  body["expires_at"] = nullptr;
  auto parsed = oat::parse_create_request(
      oat::json_text(body), {"acme", oat_test::acme_repositories(), oat_test::fixed_now()});
  ASSERT_TRUE(parsed.ok()) << ::testing::PrintToString(parsed.errors());
  EXPECT_EQ(parsed->label, "CI");
  EXPECT_EQ(parsed->description, "deploys");
}

TEST(Wire, TokenRequestWithSelfRotationAndAddressesIsWhatTheParsersRead) {
  const json resources = oat::resources_json(
      {{oat::ResourceType::Repo, "acme/app", {oat::Scope::ImagePull}}});
  json body = oat::token_request_json("CI", "", resources, true, {"192.0.2.7", "2001:db8::/32"});
  const oat::OrganizationContext context{"acme", oat_test::acme_repositories(), oat_test::fixed_now()};
  auto update = oat::parse_update_request(oat::json_text(body), context);
  ASSERT_TRUE(update.ok()) << ::testing::PrintToString(update.errors());
  EXPECT_EQ(update->allow_self_rotation, true);
  EXPECT_EQ(update->allowed_cidrs, (std::vector<std::string>{"192.0.2.7/32", "2001:db8::/32"}));
  body["expires_at"] = nullptr;
  auto create = oat::parse_create_request(oat::json_text(body), context);
  ASSERT_TRUE(create.ok()) << ::testing::PrintToString(create.errors());
  EXPECT_TRUE(create->allow_self_rotation);
  EXPECT_EQ(create->allowed_cidrs.size(), 2u);
}

TEST(Wire, TokenRequestWithABadAddressIsRefusedNamingTheEntry) {
  const json resources = oat::resources_json(
      {{oat::ResourceType::Repo, "acme/app", {oat::Scope::ImagePull}}});
  const json body = oat::token_request_json("CI", "", resources, false, {"10.0.0.0/8", "192.0.2.7/24"});
  auto update = oat::parse_update_request(
      oat::json_text(body), {"acme", oat_test::acme_repositories(), oat_test::fixed_now()});
  ASSERT_FALSE(update.ok());
  ASSERT_EQ(update.errors().size(), 1u);
  EXPECT_EQ(update.errors().front().field, "allowed_cidrs[1]");
}

}  // namespace
