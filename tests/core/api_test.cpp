// The management API's shapes: request bodies parsed into validated values,
// token objects and lists serialized with Docker's names, and the error bodies.
#include <cctype>
#include <limits>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "oat/api.h"
#include "oat/error.h"
#include "test_support.h"

namespace {

using nlohmann::json;
using oat::ErrorCode;
using oat::Scope;
using oat_test::has_code;
using oat_test::has_error;
using oat_test::has_error_at;

json J(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << "bad JSON in the test itself: " << text;
  return j;
}

oat::OrganizationContext context(oat::Timestamp now = oat_test::fixed_now()) {
  return oat::OrganizationContext{"acme", oat_test::acme_repositories(), now};
}

const char* const kPullApp =
    R"([{"type":"TYPE_REPO","path":"acme/app","scopes":["scope-image-pull"]}])";

// A valid create body with `extra` merged over it.
std::string create_body(const json& extra = json::object()) {
  json body = {{"label", "CI"}, {"resources", J(kPullApp)}};
  for (auto it = extra.begin(); it != extra.end(); ++it) body[it.key()] = it.value();
  return body.dump();
}

oat::Result<oat::CreateTokenRequest> create(const std::string& body) {
  return oat::parse_create_request(body, context());
}
oat::Result<oat::UpdateTokenRequest> update(const std::string& body) {
  return oat::parse_update_request(body, context());
}

std::set<std::string> keys(const json& object) {
  std::set<std::string> out;
  for (auto it = object.begin(); it != object.end(); ++it) out.insert(it.key());
  return out;
}

// ---- parse_create_request -------------------------------------------------------------------

TEST(CreateRequest, AMinimalBodyIsAccepted) {
  auto r = create(create_body());
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  EXPECT_EQ(r->label, "CI");
  EXPECT_EQ(r->description, "");
  EXPECT_EQ(r->resources,
            (std::vector<oat::Resource>{oat_test::repo("acme/app", {Scope::ImagePull})}));
  EXPECT_FALSE(r->expires_at.has_value());
}

TEST(CreateRequest, EveryFieldIsRead) {
  auto r = create(R"({"label":"deploy","description":"prod deploys",
      "resources":[{"type":"TYPE_REPO","path":"acme/*","scopes":["scope-image-push","scope-tag-read"]},
                   {"type":"TYPE_ORG","path":"acme","scopes":["scope-repository-list"]}],
      "expires_at":"2026-02-14T12:00:00Z"})");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  EXPECT_EQ(r->label, "deploy");
  EXPECT_EQ(r->description, "prod deploys");
  EXPECT_EQ(r->resources,
            (std::vector<oat::Resource>{
                oat_test::repo("acme/*", {Scope::ImagePush, Scope::TagRead}),
                oat_test::org_resource("acme", {Scope::RepositoryList})}));
  ASSERT_TRUE(r->expires_at.has_value());
  EXPECT_EQ(oat::to_unix(*r->expires_at), oat::to_unix(oat_test::fixed_now()) + 30 * 86400);
}

TEST(CreateRequest, TheLabelIsTrimmed) {
  auto r = create(create_body({{"label", "  CI  "}}));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  EXPECT_EQ(r->label, "CI");
}

TEST(CreateRequest, ExpiresAtNullMeansNever) {
  auto r = create(create_body({{"expires_at", nullptr}}));
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  EXPECT_FALSE(r->expires_at.has_value());
}

TEST(CreateRequest, ExpiresAtIsCheckedAgainstTheContextsNow) {
  std::string body = create_body({{"expires_at", "2026-02-14T12:00:00Z"}});
  EXPECT_TRUE(oat::parse_create_request(body, context()).ok());
  auto later = oat::parse_create_request(body, context(oat::from_unix(1798761600)));  // 2027
  ASSERT_FALSE(later.ok());
  EXPECT_TRUE(has_error(later.errors(), ErrorCode::ExpiryInPast, "expires_at"))
      << ::testing::PrintToString(later.errors());
}

TEST(CreateRequest, ExpiresAtExactlyAYearAheadIsAccepted) {
  auto r = create(create_body({{"expires_at", "2027-01-15T12:00:00Z"}}));
  EXPECT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
}

TEST(CreateRequest, ALabelIsRequired) {
  auto r = create(R"({"resources":)" + std::string(kPullApp) + "}");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has_error(r.errors(), ErrorCode::LabelRequired, "label"))
      << ::testing::PrintToString(r.errors());
}

TEST(CreateRequest, ResourcesAreRequired) {
  auto r = create(R"({"label":"CI"})");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has_error(r.errors(), ErrorCode::ResourcesRequired, "resources"))
      << ::testing::PrintToString(r.errors());
}

TEST(CreateRequest, EveryBadFieldIsReportedAtOnce) {
  auto r = create(R"({"label":"   ","description":")" + oat_test::repeat("d", 201) +
                  R"(","resources":[]})");
  ASSERT_FALSE(r.ok());
  const auto& errors = r.errors();
  EXPECT_TRUE(has_error(errors, ErrorCode::LabelRequired, "label"));
  EXPECT_TRUE(has_error(errors, ErrorCode::DescriptionTooLong, "description"));
  EXPECT_TRUE(has_error(errors, ErrorCode::ResourcesRequired, "resources"));
  EXPECT_TRUE(oat_test::all_messages_non_empty(errors));
}

TEST(CreateRequest, BadResourceEntriesAreReportedBesideOtherFields) {
  auto r = create(R"({"label":")" + oat_test::repeat("x", 101) + R"(",
      "resources":[{"type":"TYPE_REPO","path":"acme/app","scopes":["scope-image-pull"]},
                   {"type":"TYPE_REPO","path":"acme/nope","scopes":["scope-image-pull"]}],
      "expires_at":"yesterday"})");
  ASSERT_FALSE(r.ok());
  const auto& errors = r.errors();
  EXPECT_TRUE(has_error(errors, ErrorCode::LabelTooLong, "label"));
  EXPECT_TRUE(has_error(errors, ErrorCode::RepositoryNotFound, "resources[1].path"));
  EXPECT_TRUE(has_error(errors, ErrorCode::InvalidTime, "expires_at"));
}

TEST(CreateRequest, MalformedJsonIsRefused) {
  for (std::string_view body : {"", "{", "not json", "{\"label\":}", "{'label':'x'}"}) {
    SCOPED_TRACE(body);
    EXPECT_TRUE(oat_test::refused(create(std::string(body)), ErrorCode::MalformedBody));
  }
}

TEST(CreateRequest, ABodyThatIsNotAnObjectIsRefused) {
  for (std::string_view body : {"[]", "\"CI\"", "42", "null", "true"}) {
    SCOPED_TRACE(body);
    EXPECT_TRUE(oat_test::refused(create(std::string(body)), ErrorCode::MalformedBody));
  }
}

TEST(CreateRequest, WrongTypesAreRefusedNamingTheField) {
  struct Row {
    const char* field;
    json value;
  };
  for (const Row& row : {Row{"label", 5}, Row{"label", json::array({"CI"})},
                         Row{"description", true}, Row{"resources", json::object()},
                         Row{"resources", "acme/app"}}) {
    SCOPED_TRACE(std::string(row.field) + "=" + row.value.dump());
    auto r = create(create_body({{row.field, row.value}}));
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(has_error(r.errors(), ErrorCode::WrongType, row.field))
        << ::testing::PrintToString(r.errors());
  }
}

// A request body refused: the error it reports, at which field (as has_error_at reads it). Each
// row one test.
struct BadBody {
  std::string_view name;
  std::string body;  // JSON; for a create request, the fields that replace a valid body's
  ErrorCode code;
  std::string_view field;
};

void PrintTo(const BadBody& row, std::ostream* os) { *os << row.name; }

const BadBody kBadCreateBodies[] = {
    {"ExpiresAtInThePastIsRefused", R"({"expires_at":"2026-01-15T12:00:00Z"})",  // == now
     ErrorCode::ExpiryInPast, "expires_at"},
    {"ExpiresAtMoreThanAYearAheadIsRefused",
     R"({"expires_at":"2027-01-15T12:00:01Z"})",  // now + 365d + 1s
     ErrorCode::ExpiryTooFar, "expires_at"},
    {"ExpiresAtThatIsNotATimeIsRefused", R"({"expires_at":"next tuesday"})",
     ErrorCode::InvalidTime, "expires_at"},
    {"ExpiresAtAsANumberIsTheWrongType", R"({"expires_at":1798761600})", ErrorCode::WrongType,
     "expires_at"},
    {"AnUnknownFieldIsRefused", R"({"colour":"blue"})", ErrorCode::UnknownField, "colour"},
    {"ResourcesAreCheckedAgainstTheOrganization",
     R"({"resources":[{"type":"TYPE_REPO","path":"other/app","scopes":["scope-image-pull"]}]})",
     ErrorCode::ForeignNamespace, "resources[0].path"},
    {"AnUnknownScopeNameIsRefused",
     R"({"resources":[{"type":"TYPE_REPO","path":"acme/app","scopes":["scope-image-fly"]}]})",
     ErrorCode::UnknownScope, "resources[0].scopes*"},
    {"AScopeOnTheWrongTypeIsRefused",
     R"({"resources":[{"type":"TYPE_ORG","path":"acme","scopes":["scope-image-pull"]}]})",
     ErrorCode::ScopeWrongType, "resources[0]*"},
    {"AnUnknownResourceTypeIsRefused",
     R"({"resources":[{"type":"TYPE_TEAM","path":"acme/app","scopes":["scope-image-pull"]}]})",
     ErrorCode::UnknownResourceType, "resources[0]*"},
    {"PublicRepositoriesWithPushAreRefused",
     R"({"resources":[{"type":"TYPE_REPO","path":"*/*/public","scopes":["scope-image-push"]}]})",
     ErrorCode::PublicPullOnly, "*"},
};

class BadCreateBody : public ::testing::TestWithParam<BadBody> {};

TEST_P(BadCreateBody, IsRefusedNamingTheField) {
  auto r = create(create_body(J(GetParam().body)));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has_error_at(r.errors(), GetParam().code, GetParam().field))
      << ::testing::PrintToString(r.errors());
}

INSTANTIATE_TEST_SUITE_P(CreateRequest, BadCreateBody, ::testing::ValuesIn(kBadCreateBodies),
                         oat_test::RowName());

TEST(CreateRequest, FiftyOneRepositoriesAreRefused) {
  json resources = json::array();
  for (int i = 0; i < 51; ++i)
    resources.push_back({{"type", "TYPE_REPO"},
                         {"path", "acme/r" + std::to_string(i)},
                         {"scopes", {"scope-image-pull"}}});
  auto r = create(create_body({{"resources", resources}}));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has_error(r.errors(), ErrorCode::TooManyRepositories, "resources"))
      << ::testing::PrintToString(r.errors());
}

// ---- parse_update_request -------------------------------------------------------------------

std::vector<BadBody> bad_update_bodies() {
  return {
      {"ExpiresAtCannotBeChanged", R"({"expires_at":"2026-02-14T12:00:00Z"})",
       ErrorCode::FieldNotEditable, "expires_at"},
      {"ExpiresAtNullCannotBeSentEither", R"({"label":"x","expires_at":null})",
       ErrorCode::FieldNotEditable, "expires_at"},
      {"EmptyResourcesAreRefused", R"({"resources":[]})", ErrorCode::ResourcesRequired,
       "resources"},
      {"AnEmptyLabelIsRefused", R"({"label":""})", ErrorCode::LabelRequired, "label"},
      {"ALongDescriptionIsRefused", R"({"description":")" + oat_test::repeat("d", 201) + R"("})",
       ErrorCode::DescriptionTooLong, "description"},
      {"IsActiveMustBeABoolean", R"({"is_active":"no"})", ErrorCode::WrongType, "is_active"},
      {"AnUnknownFieldIsRefused", R"({"is_active":true,"owner":"bob"})", ErrorCode::UnknownField,
       "owner"},
  };
}

class BadUpdateBody : public ::testing::TestWithParam<BadBody> {};

TEST_P(BadUpdateBody, IsRefusedNamingTheField) {
  auto r = update(GetParam().body);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has_error_at(r.errors(), GetParam().code, GetParam().field))
      << ::testing::PrintToString(r.errors());
}

INSTANTIATE_TEST_SUITE_P(UpdateRequest, BadUpdateBody, ::testing::ValuesIn(bad_update_bodies()),
                         oat_test::RowName());

TEST(UpdateRequest, IsActiveAloneIsAccepted) {
  auto r = update(R"({"is_active":false})");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  EXPECT_EQ(r->is_active, std::optional<bool>(false));
  EXPECT_FALSE(r->label.has_value());
  EXPECT_FALSE(r->description.has_value());
  EXPECT_FALSE(r->resources.has_value());
  EXPECT_FALSE(r->empty());
}

TEST(UpdateRequest, LabelAloneIsAcceptedAndTrimmed) {
  auto r = update(R"({"label":"  renamed "})");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  EXPECT_EQ(r->label, std::optional<std::string>("renamed"));
  EXPECT_FALSE(r->is_active.has_value());
  EXPECT_FALSE(r->resources.has_value());
}

TEST(UpdateRequest, DescriptionAloneIsAccepted) {
  auto r = update(R"({"description":"new words"})");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  EXPECT_EQ(r->description, std::optional<std::string>("new words"));
  EXPECT_FALSE(r->label.has_value());
}

TEST(UpdateRequest, ResourcesAreReadAndChecked) {
  auto ok = update(R"({"resources":[{"type":"TYPE_REPO","path":"acme/web","scopes":["scope-image-push"]}]})");
  ASSERT_TRUE(ok.ok()) << ::testing::PrintToString(ok.errors());
  ASSERT_TRUE(ok->resources.has_value());
  EXPECT_EQ(*ok->resources,
            (std::vector<oat::Resource>{oat_test::repo("acme/web", {Scope::ImagePush})}));

  auto bad = update(R"({"resources":[{"type":"TYPE_REPO","path":"acme/nope","scopes":["scope-image-pull"]}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(has_error(bad.errors(), ErrorCode::RepositoryNotFound, "resources[0].path"));
}

TEST(UpdateRequest, EveryBadFieldIsReportedAtOnce) {
  auto r = update(R"({"label":"","is_active":1,"expires_at":null})");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has_error(r.errors(), ErrorCode::LabelRequired, "label"));
  EXPECT_TRUE(has_error(r.errors(), ErrorCode::WrongType, "is_active"));
  EXPECT_TRUE(has_error(r.errors(), ErrorCode::FieldNotEditable, "expires_at"));
}

TEST(UpdateRequest, MalformedBodiesAreRefused) {
  for (std::string_view body : {"", "{", "[]", "\"x\""}) {
    SCOPED_TRACE(body);
    EXPECT_TRUE(oat_test::refused(update(std::string(body)), ErrorCode::MalformedBody));
  }
}

TEST(UpdateRequest, EmptyMeansNoFieldWasGiven) {
  oat::UpdateTokenRequest none;
  EXPECT_TRUE(none.empty());
  oat::UpdateTokenRequest some;
  some.is_active = false;
  EXPECT_FALSE(some.empty());
}

// ---- Resources as JSON ----------------------------------------------------------------------

TEST(ResourcesJson, HasDockersShape) {
  json j = oat::resources_json({oat_test::repo("acme/app", {Scope::ImagePull, Scope::TagRead}),
                                oat_test::org_resource("acme", {Scope::MemberRead})});
  EXPECT_EQ(j, J(R"([{"type":"TYPE_REPO","path":"acme/app","scopes":["scope-image-pull","scope-tag-read"]},
                     {"type":"TYPE_ORG","path":"acme","scopes":["scope-member-read"]}])"));
}

TEST(ResourcesJson, RoundTrips) {
  std::vector<oat::Resource> resources{
      oat_test::repo("acme/*", {Scope::ImageDelete, Scope::WebhookAdmin}),
      oat_test::repo("*/*/public", {Scope::ImagePull}),
      oat_test::org_resource("acme", {Scope::RamWrite, Scope::SiemCredentialsRead})};
  auto parsed = oat::parse_resources_json(oat::resources_json(resources));
  ASSERT_TRUE(parsed.ok()) << ::testing::PrintToString(parsed.errors());
  EXPECT_EQ(*parsed, resources);
}

TEST(ResourcesJson, ParsingDoesNotCheckTheOrganization) {
  auto parsed = oat::parse_resources_json(
      J(R"([{"type":"TYPE_REPO","path":"other/whatever","scopes":["scope-image-pull"]}])"));
  ASSERT_TRUE(parsed.ok()) << ::testing::PrintToString(parsed.errors());
  EXPECT_EQ(*parsed, (std::vector<oat::Resource>{oat_test::repo("other/whatever", {Scope::ImagePull})}));
}

TEST(ResourcesJson, ParsingRefusesUnknownScopeNames) {
  auto parsed = oat::parse_resources_json(
      J(R"([{"type":"TYPE_REPO","path":"acme/app","scopes":["scope-everything"]}])"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_TRUE(has_code(parsed.errors(), ErrorCode::UnknownScope));
}

TEST(ResourcesJson, ParsingRefusesUnknownTypes) {
  auto parsed = oat::parse_resources_json(
      J(R"([{"type":"TYPE_USER","path":"acme/app","scopes":["scope-image-pull"]}])"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_TRUE(has_code(parsed.errors(), ErrorCode::UnknownResourceType));
}

TEST(ResourcesJson, ParsingRefusesAValueThatIsNotAList) {
  EXPECT_FALSE(oat::parse_resources_json(J(R"({"type":"TYPE_REPO"})")).ok());
  EXPECT_FALSE(oat::parse_resources_json(J(R"("acme/app")")).ok());
}

// ---- Token objects --------------------------------------------------------------------------

oat::AccessToken sample_token() {
  oat::AccessToken t;
  t.id = "a7a5ef25-8889-43a0-8cb7-f2fd3b1b8e1b";
  t.label = "CI";
  t.description = "deploys";
  t.created_by = "alice";
  t.is_active = true;
  t.created_at = oat::from_unix(1767323045);  // 2026-01-02T03:04:05Z
  t.resources = {oat_test::repo("acme/app", {Scope::ImagePull})};
  return t;
}

TEST(TokenJson, HasDockersFieldNamesAndTheTwoRotationTimes) {
  // A list's rows: Docker's fields, and the rotation's two times that a row is marked by.
  json j = oat::token_json(sample_token(), /*with_resources=*/false);
  EXPECT_EQ(keys(j), (std::set<std::string>{"id", "label", "description", "created_by",
                                            "is_active", "created_at", "expires_at",
                                            "last_used_at", "rotated_at",
                                            "previous_token_expires_at"}));
}

TEST(TokenJson, CarriesTheTokensValues) {
  json j = oat::token_json(sample_token(), false);
  EXPECT_EQ(j["id"], "a7a5ef25-8889-43a0-8cb7-f2fd3b1b8e1b");
  EXPECT_EQ(j["label"], "CI");
  EXPECT_EQ(j["description"], "deploys");
  EXPECT_EQ(j["created_by"], "alice");
  EXPECT_EQ(j["is_active"], true);
  EXPECT_EQ(j["created_at"], "2026-01-02T03:04:05Z");
}

TEST(TokenJson, IsActiveIsABoolean) {
  oat::AccessToken t = sample_token();
  t.is_active = false;
  json j = oat::token_json(t, false);
  ASSERT_TRUE(j["is_active"].is_boolean());
  EXPECT_EQ(j["is_active"], false);
}

TEST(TokenJson, AbsentTimesAreNull) {
  json j = oat::token_json(sample_token(), false);
  EXPECT_TRUE(j["expires_at"].is_null());
  EXPECT_TRUE(j["last_used_at"].is_null());
}

TEST(TokenJson, PresentTimesAreRfc3339WithZ) {
  oat::AccessToken t = sample_token();
  t.expires_at = oat::from_unix(1767323045 + 86400);
  t.last_used_at = oat::from_unix(1767323045 + 60);
  json j = oat::token_json(t, false);
  EXPECT_EQ(j["expires_at"], "2026-01-03T03:04:05Z");
  EXPECT_EQ(j["last_used_at"], "2026-01-02T03:05:05Z");
}

TEST(TokenJson, ResourcesOnlyWhenAsked) {
  json with = oat::token_json(sample_token(), true);
  ASSERT_TRUE(with.contains("resources"));
  EXPECT_EQ(with["resources"], oat::resources_json(sample_token().resources));
  EXPECT_FALSE(oat::token_json(sample_token(), false).contains("resources"));
}

TEST(TokenJson, SingleTokenAnswersCarryUsage) {
  oat::AccessToken t = sample_token();
  t.last_used_addresses = {"10.0.0.2", "10.0.0.1"};
  t.pull_count = 7;
  t.push_count = 2;
  json with = oat::token_json(t, true);
  EXPECT_EQ(with["last_used_addresses"], json({"10.0.0.2", "10.0.0.1"}));
  EXPECT_EQ(with["pull_count"], 7);
  EXPECT_EQ(with["push_count"], 2);
  json without = oat::token_json(t, false);
  EXPECT_FALSE(without.contains("last_used_addresses"));
  EXPECT_FALSE(without.contains("pull_count"));
}

TEST(TokenJson, UsageRoundTrips) {
  oat::AccessToken t = sample_token();
  t.last_used_addresses = {"::1"};
  t.pull_count = 3;
  t.push_count = 1;
  auto parsed = oat::parse_token_json(oat::token_json(t, true));
  ASSERT_TRUE(parsed.ok()) << ::testing::PrintToString(parsed.errors());
  EXPECT_EQ(parsed->last_used_addresses, t.last_used_addresses);
  EXPECT_EQ(parsed->pull_count, 3);
  EXPECT_EQ(parsed->push_count, 1);
}

TEST(TokenJson, TheSecretOnlyWhenGiven) {
  const std::string secret = "dckr_oat_0123456789abcdefghijABCDEFGHIJ";
  json with = oat::token_json(sample_token(), true, secret);
  EXPECT_EQ(with["token"], secret);
  EXPECT_FALSE(oat::token_json(sample_token(), true).contains("token"));
}

void expect_same_token(const oat::AccessToken& a, const oat::AccessToken& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.label, b.label);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.created_by, b.created_by);
  EXPECT_EQ(a.is_active, b.is_active);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.expires_at, b.expires_at);
  EXPECT_EQ(a.last_used_at, b.last_used_at);
  EXPECT_EQ(a.resources, b.resources);
}

TEST(TokenJson, RoundTripsWithResources) {
  oat::AccessToken t = sample_token();
  t.is_active = false;
  t.expires_at = oat::from_unix(1767323045 + 86400);
  t.last_used_at = oat::from_unix(1767323045 + 60);
  auto parsed = oat::parse_token_json(oat::token_json(t, true));
  ASSERT_TRUE(parsed.ok()) << ::testing::PrintToString(parsed.errors());
  expect_same_token(*parsed, t);
}

TEST(TokenJson, RoundTripsWithNullTimes) {
  oat::AccessToken t = sample_token();
  auto parsed = oat::parse_token_json(oat::token_json(t, true));
  ASSERT_TRUE(parsed.ok()) << ::testing::PrintToString(parsed.errors());
  expect_same_token(*parsed, t);
}

TEST(TokenJson, AListItemParsesWithNoResources) {
  auto parsed = oat::parse_token_json(oat::token_json(sample_token(), false));
  ASSERT_TRUE(parsed.ok()) << ::testing::PrintToString(parsed.errors());
  EXPECT_EQ(parsed->label, "CI");
  EXPECT_TRUE(parsed->resources.empty());
}

TEST(TokenJson, TheCreateAnswerParses) {
  auto parsed = oat::parse_token_json(
      oat::token_json(sample_token(), true, std::string_view("dckr_oat_secret")));
  ASSERT_TRUE(parsed.ok()) << ::testing::PrintToString(parsed.errors());
  EXPECT_EQ(parsed->id, sample_token().id);
}

TEST(TokenJson, ParsingRefusesSomethingElse) {
  EXPECT_FALSE(oat::parse_token_json(J("[]")).ok());
  EXPECT_FALSE(oat::parse_token_json(J(R"({"detail":"not found"})")).ok());
  json bad_time = oat::token_json(sample_token(), false);
  bad_time["created_at"] = "yesterday";
  EXPECT_FALSE(oat::parse_token_json(bad_time).ok());
}

// ---- Pages ----------------------------------------------------------------------------------

const char* const kBase = "https://oat.example/v2/orgs/acme/access-tokens";

oat::PageRequest page(std::size_t number, std::size_t size = 10) {
  oat::PageRequest p;
  p.page = number;
  p.page_size = size;
  return p;
}

TEST(PageJson, HasDockersFieldNames) {
  json j = oat::page_json(25, page(1), kBase, json::array());
  EXPECT_EQ(keys(j), (std::set<std::string>{"total", "next", "previous", "results"}));
}

TEST(PageJson, TheFirstOfThreePagesHasNextButNoPrevious) {
  json j = oat::page_json(25, page(1), kBase, json::array());
  EXPECT_EQ(j["total"], 25);
  EXPECT_TRUE(j["previous"].is_null());
  EXPECT_EQ(j["next"], std::string(kBase) + "?page=2&page_size=10");
}

TEST(PageJson, AMiddlePageHasBoth) {
  json j = oat::page_json(25, page(2), kBase, json::array());
  EXPECT_EQ(j["previous"], std::string(kBase) + "?page=1&page_size=10");
  EXPECT_EQ(j["next"], std::string(kBase) + "?page=3&page_size=10");
}

TEST(PageJson, TheLastPageHasNoNext) {
  json j = oat::page_json(25, page(3), kBase, json::array());
  EXPECT_TRUE(j["next"].is_null());
  EXPECT_EQ(j["previous"], std::string(kBase) + "?page=2&page_size=10");
}

TEST(PageJson, AFullLastPageHasNoNext) {
  json j = oat::page_json(20, page(2), kBase, json::array());
  EXPECT_TRUE(j["next"].is_null());
}

TEST(PageJson, NoTokensIsOnePageWithNeitherLink) {
  json j = oat::page_json(0, page(1), kBase, json::array());
  EXPECT_EQ(j["total"], 0);
  EXPECT_TRUE(j["next"].is_null());
  EXPECT_TRUE(j["previous"].is_null());
  EXPECT_EQ(j["results"], json::array());
}

TEST(PageJson, LinksKeepThePageSize) {
  json j = oat::page_json(100, page(2, 25), kBase, json::array());
  EXPECT_EQ(j["next"], std::string(kBase) + "?page=3&page_size=25");
  EXPECT_EQ(j["previous"], std::string(kBase) + "?page=1&page_size=25");
}

TEST(PageJson, CarriesTheResultsAsGiven) {
  json results = json::array({oat::token_json(sample_token(), false)});
  json j = oat::page_json(1, page(1), kBase, results);
  EXPECT_EQ(j["results"], results);
}

TEST(PageRequest, DefaultsToPageOneOfTen) {
  auto r = oat::parse_page_request(std::nullopt, std::nullopt);
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  EXPECT_EQ(r->page, 1u);
  EXPECT_EQ(r->page_size, 10u);
}

TEST(PageRequest, ReadsGivenValues) {
  auto r = oat::parse_page_request("3", "25");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  EXPECT_EQ(r->page, 3u);
  EXPECT_EQ(r->page_size, 25u);
}

TEST(PageRequest, OneParameterAloneKeepsTheOtherDefault) {
  auto r = oat::parse_page_request("2", std::nullopt);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->page, 2u);
  EXPECT_EQ(r->page_size, 10u);
  auto s = oat::parse_page_request(std::nullopt, "50");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->page, 1u);
  EXPECT_EQ(s->page_size, 50u);
}

TEST(PageRequest, PageSizeOneHundredIsTheMost) {
  auto r = oat::parse_page_request("1", "100");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  EXPECT_EQ(r->page_size, oat::kMaxPageSize);
}

TEST(PageRequest, PageSizeOneHundredAndOneIsRefused) {
  EXPECT_TRUE(
      oat_test::refused(oat::parse_page_request("1", "101"), ErrorCode::InvalidPage, "page_size"));
}

TEST(PageRequest, BadPagesAreRefused) {
  for (std::string_view value : {"0", "-1", "abc", "", "1.5", "2x", " 2"}) {
    SCOPED_TRACE(value);
    EXPECT_TRUE(oat_test::refused(oat::parse_page_request(value, std::nullopt),
                                  ErrorCode::InvalidPage, "page"));
  }
}

// From the text fuzz target (tests/fuzz): (page - 1) * page_size, where a list's page starts,
// wrapped around for a huge page and read another page's items.
TEST(PageRequest, APageWhoseItemsCannotBeCountedIsRefused) {
  const std::size_t most = std::numeric_limits<std::size_t>::max();
  EXPECT_TRUE(oat::parse_page_request(std::to_string(most / 10), "10").ok());
  EXPECT_TRUE(oat_test::refused(oat::parse_page_request(std::to_string(most / 10 + 1), "10"),
                                ErrorCode::InvalidPage, "page"));
  EXPECT_TRUE(oat_test::refused(oat::parse_page_request("1844674407370955163", std::nullopt),
                                ErrorCode::InvalidPage, "page"));
  EXPECT_TRUE(oat::parse_page_request(std::to_string(most), "1").ok());
}

TEST(PageRequest, BadPageSizesAreRefused) {
  for (std::string_view value : {"0", "-10", "ten", "", "99999999999999999999999"}) {
    SCOPED_TRACE(value);
    EXPECT_TRUE(oat_test::refused(oat::parse_page_request(std::nullopt, value),
                                  ErrorCode::InvalidPage, "page_size"));
  }
}

// ---- Error bodies ---------------------------------------------------------------------------

TEST(FieldErrorsJson, GroupsMessagesByField) {
  oat::Errors errors{{ErrorCode::LabelRequired, "label", "Give the token a label."},
                     {ErrorCode::LabelControlCharacter, "label", "No control characters."},
                     {ErrorCode::DescriptionTooLong, "description", "At most 200 characters."}};
  json j = oat::field_errors_json(errors);
  EXPECT_EQ(keys(j), (std::set<std::string>{"fields", "text"}));
  EXPECT_EQ(j["fields"], J(R"({"label":["Give the token a label.","No control characters."],
                               "description":["At most 200 characters."]})"));
  ASSERT_TRUE(j["text"].is_string());
  EXPECT_FALSE(j["text"].get<std::string>().empty());
}

TEST(FieldErrorsJson, KeepsNestedFieldNames) {
  json j = oat::field_errors_json(
      {{ErrorCode::RepositoryNotFound, "resources[2].path", "No repository acme/nope."}});
  EXPECT_EQ(j["fields"], J(R"({"resources[2].path":["No repository acme/nope."]})"));
}

TEST(DetailErrorJson, HasDetailAndMessage) {
  json j = oat::detail_error_json("You may not manage this organization's tokens.");
  EXPECT_EQ(keys(j), (std::set<std::string>{"detail", "message"}));
  EXPECT_EQ(j["detail"], "You may not manage this organization's tokens.");
  EXPECT_EQ(j["message"], "You may not manage this organization's tokens.");
}

TEST(RegistryErrorJson, HasTheRegistrysShape) {
  json j = oat::registry_error_json("UNAUTHORIZED", "authentication required");
  EXPECT_EQ(keys(j), (std::set<std::string>{"errors"}));
  ASSERT_TRUE(j["errors"].is_array());
  ASSERT_EQ(j["errors"].size(), 1u);
  json e = j["errors"][0];
  EXPECT_EQ(e["code"], "UNAUTHORIZED");
  EXPECT_EQ(e["message"], "authentication required");
  EXPECT_TRUE(e.contains("detail"));
}

TEST(ErrorResponse, ReadsFieldErrorsBack) {
  oat::Errors errors{{ErrorCode::LabelRequired, "label", "Give the token a label."},
                     {ErrorCode::LabelControlCharacter, "label", "No control characters."},
                     {ErrorCode::DescriptionTooLong, "description", "At most 200 characters."}};
  oat::Errors back = oat::parse_error_response(oat::field_errors_json(errors).dump(), "fallback");
  ASSERT_EQ(back.size(), 3u) << ::testing::PrintToString(back);
  // Codes do not travel; fields and messages do, every message of a field kept.
  std::multiset<std::pair<std::string, std::string>> got, want;
  for (const auto& e : back) got.insert({e.field, e.message});
  for (const auto& e : errors) want.insert({e.field, e.message});
  EXPECT_EQ(got, want);
}

TEST(ErrorResponse, ErrorsReadBackCarryTheServerRefusedCode) {
  oat::Errors sent{{ErrorCode::LabelRequired, "label", "Give the token a label."}};
  for (const std::string& body :
       {oat::field_errors_json(sent).dump(), oat::detail_error_json("Token not found.").dump(),
        oat::registry_error_json("DENIED", "denied").dump(), std::string("<html>")}) {
    SCOPED_TRACE(body);
    for (const auto& e : oat::parse_error_response(body, "fallback"))
      EXPECT_EQ(e.code, ErrorCode::ServerRefused);
  }
}

TEST(ErrorResponse, ReadsADetailErrorBack) {
  oat::Errors back =
      oat::parse_error_response(oat::detail_error_json("Token not found.").dump(), "fallback");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].message, "Token not found.");
  EXPECT_EQ(back[0].field, "");
}

TEST(ErrorResponse, ReadsADockerDetailOnlyErrorBack) {
  oat::Errors back = oat::parse_error_response(
      R"({"detail":"Cannot log into an organization account"})", "fallback");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].message, "Cannot log into an organization account");
}

TEST(ErrorResponse, ReadsARegistryErrorBack) {
  oat::Errors back = oat::parse_error_response(
      oat::registry_error_json("DENIED", "requested access to the resource is denied").dump(),
      "fallback");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].message, "requested access to the resource is denied");
}

TEST(ErrorResponse, AnythingElseBecomesTheFallback) {
  for (std::string_view body : {"", "<html>502 Bad Gateway</html>", "{}", "[1,2]",
                                R"({"unexpected":true})"}) {
    SCOPED_TRACE(body);
    oat::Errors back = oat::parse_error_response(body, "The server did not answer.");
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0].message, "The server did not answer.");
  }
}

// ---- Error codes ----------------------------------------------------------------------------

std::vector<ErrorCode> all_codes() {
  std::vector<ErrorCode> out;
  for (int i = 0; i <= static_cast<int>(ErrorCode::ServerRefused); ++i)  // the last
    out.push_back(static_cast<ErrorCode>(i));
  return out;
}

TEST(ErrorCodeName, IsSnakeCase) {
  EXPECT_TRUE(oat_test::names_are<ErrorCode>(
      {{ErrorCode::LabelRequired, "label_required"},
       {ErrorCode::TooManyRepositories, "too_many_repositories"}},
      oat::error_code_name));
}

TEST(ErrorCodeName, EveryCodeHasALowerSnakeCaseName) {
  for (ErrorCode code : all_codes()) {
    std::string_view name = oat::error_code_name(code);
    SCOPED_TRACE(static_cast<int>(code));
    ASSERT_FALSE(name.empty());
    EXPECT_TRUE(name.front() >= 'a' && name.front() <= 'z') << name;
    EXPECT_NE(name.back(), '_') << name;
    for (char c : name)
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') << name;
  }
}

TEST(ErrorCodeName, NamesAreUnique) {
  EXPECT_TRUE(oat_test::all_distinct(all_codes(), oat::error_code_name));
}

TEST(HttpStatus, RequestAndValidationErrorsAre400) {
  for (ErrorCode code :
       {ErrorCode::MalformedBody, ErrorCode::WrongType, ErrorCode::UnknownField,
        ErrorCode::FieldNotEditable, ErrorCode::LabelRequired, ErrorCode::LabelTooLong,
        ErrorCode::LabelControlCharacter, ErrorCode::DescriptionTooLong,
        ErrorCode::ResourcesRequired, ErrorCode::TooManyRepositories,
        ErrorCode::UnknownResourceType, ErrorCode::UnknownScope, ErrorCode::ScopeWrongType,
        ErrorCode::ScopesRequired, ErrorCode::DuplicateResource,
        ErrorCode::InvalidRepositoryPath, ErrorCode::ForeignNamespace,
        ErrorCode::RepositoryNotFound, ErrorCode::PublicPullOnly, ErrorCode::OrgPathMismatch,
        ErrorCode::InvalidTime, ErrorCode::ExpiryInPast, ErrorCode::ExpiryTooFar,
        ErrorCode::InvalidName, ErrorCode::InvalidPage}) {
    SCOPED_TRACE(oat::error_code_name(code));
    EXPECT_EQ(oat::http_status(code), 400);
  }
}

TEST(HttpStatus, QuotaReachedIsAClientError) {
  int status = oat::http_status(ErrorCode::QuotaReached);
  EXPECT_GE(status, 400);
  EXPECT_LT(status, 500);
}

TEST(HttpStatus, NotPermittedIs403) { EXPECT_EQ(oat::http_status(ErrorCode::NotPermitted), 403); }

TEST(HttpStatus, TokenCannotManageTokensIs403) {
  EXPECT_EQ(oat::http_status(ErrorCode::TokenCannotManageTokens), 403);
}

TEST(HttpStatus, EveryRuleRefusalIsAClientError) {
  for (ErrorCode code : all_codes()) {
    if (code == ErrorCode::ServerRefused) continue;  // read back from a server: any status
    SCOPED_TRACE(oat::error_code_name(code));
    int status = oat::http_status(code);
    EXPECT_GE(status, 400);
    EXPECT_LT(status, 500);
  }
}

// ---- Sign-in and session bodies -------------------------------------------------------------

TEST(SignInRequest, BothFormsAreRead) {
  auto current = oat::parse_sign_in_request(
      R"({"identifier":"owner","secret":"pw","refresh":true})", oat::SignInForm::Current);
  ASSERT_TRUE(current.ok()) << ::testing::PrintToString(current.errors());
  EXPECT_EQ(current->identifier, "owner");
  EXPECT_EQ(current->secret, "pw");
  EXPECT_TRUE(current->refresh);
  auto legacy = oat::parse_sign_in_request(R"({"username":"owner","password":"pw","extra":1})",
                                           oat::SignInForm::Legacy);
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(legacy->identifier, "owner");
  EXPECT_FALSE(legacy->refresh);
}

TEST(SignInRequest, RefreshDefaultsToFalse) {
  auto r = oat::parse_sign_in_request(R"({"identifier":"a","secret":"b"})", oat::SignInForm::Current);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->refresh);
}

TEST(SignInRequest, WrongTypesAreRefusedNamingTheField) {
  struct Row {
    oat::SignInForm form;
    const char* field;
    json value;
  };
  const json current = {{"identifier", "owner"}, {"secret", "pw"}};
  const json legacy = {{"username", "owner"}, {"password", "pw"}};
  for (const Row& row : {Row{oat::SignInForm::Current, "refresh", "yes"},
                         Row{oat::SignInForm::Current, "refresh", 1},
                         Row{oat::SignInForm::Current, "refresh", nullptr},
                         Row{oat::SignInForm::Current, "identifier", 7},
                         Row{oat::SignInForm::Current, "secret", json::array({"pw"})},
                         Row{oat::SignInForm::Legacy, "username", json::object()},
                         Row{oat::SignInForm::Legacy, "password", false}}) {
    json body = row.form == oat::SignInForm::Current ? current : legacy;
    body[row.field] = row.value;
    SCOPED_TRACE(body.dump());
    auto r = oat::parse_sign_in_request(body.dump(), row.form);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(has_error(r.errors(), ErrorCode::WrongType, row.field))
        << ::testing::PrintToString(r.errors());
    EXPECT_EQ(r.errors().size(), 1u);
  }
}

TEST(SignInRequest, MissingOrEmptyFieldsAreRequired) {
  auto r = oat::parse_sign_in_request(R"({"identifier":""})", oat::SignInForm::Current);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has_error(r.errors(), ErrorCode::WrongType, "identifier"));
  EXPECT_TRUE(has_error(r.errors(), ErrorCode::WrongType, "secret"));
  EXPECT_NE(r.errors().front().message.find("is required"), std::string::npos);
}

TEST(SignInRequest, ABodyThatIsNotAnObjectIsRefused) {
  for (const char* body : {"", "[]", "\"owner\"", "{"}) {
    auto r = oat::parse_sign_in_request(body, oat::SignInForm::Current);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_TRUE(has_code(r.errors(), ErrorCode::MalformedBody)) << body;
  }
}

TEST(RefreshRequest, TheTokenIsRead) {
  auto r = oat::parse_refresh_request(R"({"refresh_token":"id.secret"})", true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->value_or(""), "id.secret");
}

TEST(RefreshRequest, WhenRequiredItMustBeThere) {
  for (const char* body : {"{}", R"({"refresh_token":""})", R"({"refresh_token":null})"}) {
    auto r = oat::parse_refresh_request(body, true);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_TRUE(has_error(r.errors(), ErrorCode::WrongType, "refresh_token")) << body;
  }
}

TEST(RefreshRequest, WhenOptionalAnEmptyBodyOrNoFieldIsNoToken) {
  for (const char* body : {"", "  ", "{}"}) {
    auto r = oat::parse_refresh_request(body, false);
    ASSERT_TRUE(r.ok()) << body;
    EXPECT_FALSE(r->has_value()) << body;
  }
}

TEST(RefreshRequest, AWrongTypeIsRefusedEvenWhenOptional) {
  for (bool required : {true, false}) {
    auto r = oat::parse_refresh_request(R"({"refresh_token":42})", required);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(has_error(r.errors(), ErrorCode::WrongType, "refresh_token"));
    EXPECT_NE(r.error().message.find("must be a string"), std::string::npos);
  }
}

}  // namespace

// ---- Sign-in rate limit ---------------------------------------------------------------------

namespace {

oat::Timestamp second(long long s) { return oat::from_unix(s); }

TEST(SignInRetryAfter, UnderTheLimitMayTryNow) {
  const oat::SignInPolicy policy{3, std::chrono::seconds(300)};
  EXPECT_EQ(oat::sign_in_retry_after({}, policy, second(1000)), std::nullopt);
  EXPECT_EQ(oat::sign_in_retry_after({second(900), second(950)}, policy, second(1000)),
            std::nullopt);
}

TEST(SignInRetryAfter, AtTheLimitWaitsUntilTheOldestFailureLeavesTheWindow) {
  const oat::SignInPolicy policy{3, std::chrono::seconds(300)};
  const std::vector<oat::Timestamp> failures{second(800), second(900), second(950)};
  EXPECT_EQ(oat::sign_in_retry_after(failures, policy, second(1000)), 100);
  // Failures that have left the window do not count.
  EXPECT_EQ(oat::sign_in_retry_after(failures, policy, second(1100)), std::nullopt);
}

TEST(SignInRetryAfter, OverTheLimitWaitsUntilOnlyOneFewerIsLeft) {
  // Servers sharing a database may each count a failure at once: five failures against a limit
  // of three wait until the third newest leaves, not the oldest.
  const oat::SignInPolicy policy{3, std::chrono::seconds(300)};
  const std::vector<oat::Timestamp> failures{second(700), second(800), second(900), second(950),
                                             second(990)};
  EXPECT_EQ(oat::sign_in_retry_after(failures, policy, second(1000)), 200);
}

TEST(SignInRetryAfter, AWaitIsAtLeastOneSecond) {
  const oat::SignInPolicy policy{1, std::chrono::seconds(10)};
  EXPECT_EQ(oat::sign_in_retry_after({second(990)}, policy, second(999)), 1);
  EXPECT_EQ(oat::sign_in_retry_after({second(990)}, policy, second(1000)), std::nullopt);
}

}  // namespace
