// Resources: repository paths, the checks on a token's resources, and
// the label and description rules.
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "oat/resource.h"
#include "oat/scope.h"
#include "test_support.h"

namespace {

using oat::ErrorCode;
using oat::RepoPathKind;
using oat::Resource;
using oat::Scope;
using oat_test::has_code;
using oat_test::has_error;
using oat_test::org_resource;
using oat_test::repo;

// ---- Repository paths -----------------------------------------------------------------------

TEST(RepoPath, ParsesOrgSlashRepo) {
  auto p = oat::parse_repo_path("acme/app");
  ASSERT_TRUE(p.ok()) << ::testing::PrintToString(p.errors());
  EXPECT_EQ(p->kind, RepoPathKind::Repository);
  EXPECT_EQ(p->namespace_, "acme");
  EXPECT_EQ(p->name, "app");
}

TEST(RepoPath, ParsesAllRepositoriesOfAnOrganization) {
  auto p = oat::parse_repo_path("acme/*");
  ASSERT_TRUE(p.ok()) << ::testing::PrintToString(p.errors());
  EXPECT_EQ(p->kind, RepoPathKind::AllOfOrganization);
  EXPECT_EQ(p->namespace_, "acme");
  EXPECT_EQ(p->name, "*");
}

TEST(RepoPath, ParsesPublicRepositories) {
  auto p = oat::parse_repo_path(oat::kPublicRepositoriesPath);
  ASSERT_TRUE(p.ok()) << ::testing::PrintToString(p.errors());
  EXPECT_EQ(p->kind, RepoPathKind::PublicRepositories);
  EXPECT_EQ(p->namespace_, "");
  EXPECT_EQ(p->name, "");
}

TEST(RepoPath, AcceptsDigitsAndInnerSeparators) {
  for (std::string_view path : {"acme/app2", "acme/my-app", "acme/my_app", "acme/my.app",
                                "acme/a", "acme2/app", "acme/1app"}) {
    SCOPED_TRACE(path);
    auto p = oat::parse_repo_path(path);
    EXPECT_TRUE(p.ok()) << ::testing::PrintToString(p.errors());
  }
}

TEST(RepoPath, RefusesMalformedPaths) {
  for (std::string_view path :
       {"", "acme", "acme/", "/app", "acme//app", "acme/app/extra", "Acme/app", "acme/App",
        "acme/-app", "acme/app-", "acme/.app", "acme/app.", "acme/_app", "acme/my app",
        "acme/app!", "*/app", "*/*", "acme/*/public", "*/*/PUBLIC", "*/*/public/", " acme/app",
        "acme/app ", "acme/ap*"}) {
    SCOPED_TRACE(path);
    EXPECT_TRUE(oat_test::refused(oat::parse_repo_path(path), ErrorCode::InvalidRepositoryPath));
  }
}

TEST(RepoPath, AnErrorNamesTheGivenField) {
  auto p = oat::parse_repo_path("Not A Path", "resources[4].path");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().field, "resources[4].path");
}

TEST(RepoPath, AnErrorNamesPathByDefault) {
  auto p = oat::parse_repo_path("acme");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().field, "path");
}

// ---- Account and repository names -----------------------------------------------------------

TEST(AccountName, AcceptsDockerNames) {
  for (std::string_view name : {"acme", "a", "acme2", "2acme", "acme-corp", "acme.corp",
                                "acme_corp", "a-b.c_d"}) {
    SCOPED_TRACE(name);
    auto refusal = oat::validate_account_name(name);
    EXPECT_FALSE(refusal.has_value()) << ::testing::PrintToString(*refusal);
  }
}

TEST(AccountName, TwoHundredAndFiftyFiveCharactersAreAllowed) {
  EXPECT_FALSE(oat::validate_account_name(oat_test::repeat("a", 255)).has_value());
}

TEST(AccountName, TwoHundredAndFiftySixCharactersAreRefused) {
  EXPECT_TRUE(oat_test::refused(oat::validate_account_name(oat_test::repeat("a", 256)),
                                ErrorCode::InvalidName));
}

TEST(AccountName, RefusesWhatTheGrammarDoesNot) {
  for (std::string_view name : {"", "Acme", "-acme", "acme-", ".acme", "acme_", "acme--corp",
                                "acme..corp", "acme-_corp", "ac me", "acme/app", "acme!",
                                "Ã©tÃ©"}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(oat_test::refused(oat::validate_account_name(name), ErrorCode::InvalidName));
  }
}

TEST(AccountName, TheRefusalNamesTheGivenField) {
  auto by_default = oat::validate_account_name("Bad Name");
  ASSERT_TRUE(by_default.has_value());
  EXPECT_EQ(by_default->field, "name");
  auto named = oat::validate_account_name("Bad Name", "org");
  ASSERT_TRUE(named.has_value());
  EXPECT_EQ(named->field, "org");
}

TEST(RepositoryName, FollowsTheSameGrammar) {
  for (std::string_view name : {"app", "my-app", "my.app", "my_app", "app2"}) {
    SCOPED_TRACE(name);
    EXPECT_FALSE(oat::validate_repository_name(name).has_value());
  }
  for (std::string_view name : {"", "App", "-app", "app-", "my--app", "my app", "acme/app", "*"}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(oat_test::refused(oat::validate_repository_name(name), ErrorCode::InvalidName));
  }
}

TEST(RepositoryName, TheRefusalNamesTheGivenField) {
  auto refusal = oat::validate_repository_name("", "repository");
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->field, "repository");
}

// ---- validate_resources ---------------------------------------------------------------------

oat::Errors validate(const std::vector<Resource>& resources) {
  return oat::validate_resources(resources, oat_test::kOrg, oat_test::acme_repositories());
}

// acme/r0 .. acme/r{n-1}, each with image pull.
std::vector<Resource> numbered_repositories(int n) {
  std::vector<Resource> out;
  for (int i = 0; i < n; ++i) out.push_back(repo("acme/r" + std::to_string(i), {Scope::ImagePull}));
  return out;
}

// Resources validate_resources accepts, each row one test.
struct ValidRow {
  std::string_view name;
  std::vector<Resource> resources;
};

void PrintTo(const ValidRow& row, std::ostream* os) { *os << row.name; }

std::vector<Resource> plus(std::vector<Resource> resources, Resource more) {
  resources.push_back(std::move(more));
  return resources;
}

std::vector<ValidRow> valid_rows() {
  return {
      {"AnExistingRepositoryWithPullIsAccepted", {repo("acme/app", {Scope::ImagePull})}},
      {"SeveralScopesOnOneRepositoryAreAccepted",
       {repo("acme/app", {Scope::ImagePush, Scope::RepositoryAdmin, Scope::TagRead,
                          Scope::WebhookEdit, Scope::RepoGroupAdmin,
                          Scope::RepositorySettingsAdmin})}},
      {"PublicRepositoriesWithPullAreAccepted", {repo("*/*/public", {Scope::ImagePull})}},
      {"AnOrganizationEntryWithOrgScopesIsAccepted",
       {org_resource("acme", {Scope::MemberRead, Scope::RepositoryList, Scope::RepositoryCreate})}},
      {"FiftyRepositoriesAreAllowed", numbered_repositories(50)},
      {"OrganizationEntriesDoNotCountTowardTheFifty",
       plus(numbered_repositories(50), org_resource("acme", {Scope::MemberRead}))},
      {"DistinctPathsAreNotDuplicates",
       {repo("acme/app", {Scope::ImagePull}), repo("acme/web", {Scope::ImagePull}),
        repo("acme/*", {Scope::TagRead})}},
  };
}

class ValidResources : public ::testing::TestWithParam<ValidRow> {};

TEST_P(ValidResources, AreAccepted) {
  auto errors = validate(GetParam().resources);
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
}

INSTANTIATE_TEST_SUITE_P(Resources, ValidResources, ::testing::ValuesIn(valid_rows()),
                         oat_test::RowName());

// Resources validate_resources refuses: the error it reports, at which field (as has_error_at
// reads it), each with a message. Each row one test.
struct InvalidRow {
  std::string_view name;
  std::vector<Resource> resources;
  ErrorCode code;
  std::string_view field;
};

void PrintTo(const InvalidRow& row, std::ostream* os) { *os << row.name; }

std::vector<InvalidRow> invalid_rows() {
  const Resource pull_app = repo("acme/app", {Scope::ImagePull});
  return {
      {"AreRequired", {}, ErrorCode::ResourcesRequired, "resources"},
      {"FiftyOneRepositoriesAreRefused", numbered_repositories(51),
       ErrorCode::TooManyRepositories, "resources"},
      {"PublicRepositoriesCountTowardTheFifty",
       plus(numbered_repositories(50), repo("*/*/public", {Scope::ImagePull})),
       ErrorCode::TooManyRepositories, "*"},
      {"DuplicatePathsAreRefused", {pull_app, repo("acme/app", {Scope::ImagePush})},
       ErrorCode::DuplicateResource, "resources*"},
      {"DuplicateAllRepositoriesEntriesAreRefused",
       {repo("acme/*", {Scope::ImagePull}), repo("acme/web", {Scope::ImagePull}),
        repo("acme/*", {Scope::TagRead})},
       ErrorCode::DuplicateResource, "*"},
      {"AnotherOrganizationsRepositoryIsRefused", {repo("other/app", {Scope::ImagePull})},
       ErrorCode::ForeignNamespace, "resources[0].path"},
      {"AnotherOrganizationsWildcardIsRefused", {repo("other/*", {Scope::ImagePull})},
       ErrorCode::ForeignNamespace, "resources[0].path"},
      {"ARepositoryTheOrganizationDoesNotHaveIsRefused", {repo("acme/nope", {Scope::ImagePull})},
       ErrorCode::RepositoryNotFound, "resources[0].path"},
      {"AMalformedPathIsRefused", {repo("acme/App", {Scope::ImagePull})},
       ErrorCode::InvalidRepositoryPath, "resources[0].path"},
      {"ErrorsNameTheIndexOfTheEntry",
       {pull_app, repo("acme/web", {Scope::ImagePull}), repo("acme/api", {Scope::ImagePull}),
        repo("acme/nope", {Scope::ImagePull})},
       ErrorCode::RepositoryNotFound, "resources[3].path"},
      {"PublicRepositoriesWithPushAreRefused", {repo("*/*/public", {Scope::ImagePush})},
       ErrorCode::PublicPullOnly, "resources[0]*"},
      {"AnOrganizationScopeOnARepositoryIsRefused", {repo("acme/app", {Scope::MemberRead})},
       ErrorCode::ScopeWrongType, "resources[0].scopes"},
      {"ARepositoryScopeOnTheOrganizationIsRefused", {org_resource("acme", {Scope::ImagePull})},
       ErrorCode::ScopeWrongType, "resources[0].scopes"},
      {"RepositoryCreateOnARepositoryIsRefused", {repo("acme/*", {Scope::RepositoryCreate})},
       ErrorCode::ScopeWrongType, "*"},
      {"EachEntryNeedsAScope", {repo("acme/app", {})}, ErrorCode::ScopesRequired,
       "resources[0].scopes"},
      {"AnOrganizationEntryNeedsAScope", {org_resource("acme", {})}, ErrorCode::ScopesRequired,
       "resources[0].scopes"},
      {"AnOrganizationEntryMustNameThisOrganization", {org_resource("other", {Scope::MemberRead})},
       ErrorCode::OrgPathMismatch, "resources[0].path"},
  };
}

class InvalidResources : public ::testing::TestWithParam<InvalidRow> {};

TEST_P(InvalidResources, AreRefusedAtTheField) {
  auto errors = validate(GetParam().resources);
  EXPECT_TRUE(oat_test::has_error_at(errors, GetParam().code, GetParam().field))
      << ::testing::PrintToString(errors);
  EXPECT_TRUE(oat_test::all_messages_non_empty(errors));
}

INSTANTIATE_TEST_SUITE_P(Resources, InvalidResources, ::testing::ValuesIn(invalid_rows()),
                         oat_test::RowName());

TEST(Resources, TheExistenceCheckIsAskedForTheRepositoryName) {
  std::vector<std::string> asked;
  oat::RepositoryExists spy = [&](std::string_view name) {
    asked.emplace_back(name);
    return name == "app";
  };
  auto errors = oat::validate_resources({repo("acme/app", {Scope::ImagePull})}, "acme", spy);
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
  EXPECT_EQ(asked, std::vector<std::string>{"app"});
}

TEST(Resources, AllRepositoriesOfTheOrganizationNeedsNoExistingRepository) {
  oat::RepositoryExists none = [](std::string_view) { return false; };
  auto errors = oat::validate_resources({repo("acme/*", {Scope::ImagePush})}, "acme", none);
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
}

TEST(Resources, TheTooManyMessageStatesTheLimit) {
  auto errors = validate(numbered_repositories(51));
  const oat::Error* e = oat_test::find_code(errors, ErrorCode::TooManyRepositories);
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(oat_test::contains(e->message, "50")) << e->message;
}

TEST(Resources, TheNotFoundMessageNamesTheRepository) {
  auto errors = validate({repo("acme/nope", {Scope::ImagePull})});
  const oat::Error* e = oat_test::find_code(errors, ErrorCode::RepositoryNotFound);
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(oat_test::contains(e->message, "nope")) << e->message;
}

TEST(Resources, PublicRepositoriesWithPullAndAnotherScopeAreRefused) {
  for (Scope extra : {Scope::ImagePush, Scope::ImageDelete, Scope::RepositoryRead, Scope::TagRead}) {
    SCOPED_TRACE(oat::scope_name(extra));
    auto errors = validate({repo("*/*/public", {Scope::ImagePull, extra})});
    EXPECT_TRUE(has_code(errors, ErrorCode::PublicPullOnly)) << ::testing::PrintToString(errors);
  }
}

TEST(Resources, EveryProblemIsReported) {
  auto errors = validate({repo("other/app", {Scope::ImagePull}), repo("acme/nope", {Scope::ImagePull}),
                          repo("acme/web", {})});
  EXPECT_TRUE(has_error(errors, ErrorCode::ForeignNamespace, "resources[0].path"));
  EXPECT_TRUE(has_error(errors, ErrorCode::RepositoryNotFound, "resources[1].path"));
  EXPECT_TRUE(has_error(errors, ErrorCode::ScopesRequired, "resources[2].scopes"));
  EXPECT_TRUE(oat_test::all_messages_non_empty(errors));
}

TEST(Resources, AGoodEntryBesideABadOneRaisesNoError) {
  auto errors = validate({repo("acme/app", {Scope::ImagePull}), repo("acme/nope", {Scope::ImagePull})});
  ASSERT_EQ(errors.size(), 1u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0].field, "resources[1].path");
}

// ---- Label ----------------------------------------------------------------------------------

TEST(Label, AnOrdinaryLabelIsAcceptedAsIs) {
  auto label = oat::validate_label("CI deploy");
  ASSERT_TRUE(label.ok()) << ::testing::PrintToString(label.errors());
  EXPECT_EQ(*label, "CI deploy");
}

TEST(Label, IsTrimmed) {
  auto label = oat::validate_label("  CI deploy  ");
  ASSERT_TRUE(label.ok()) << ::testing::PrintToString(label.errors());
  EXPECT_EQ(*label, "CI deploy");
}

TEST(Label, EmptyIsRefused) {
  EXPECT_TRUE(oat_test::refused(oat::validate_label(""), ErrorCode::LabelRequired, "label"));
}

TEST(Label, WhitespaceOnlyIsRefusedAsEmpty) {
  EXPECT_TRUE(oat_test::refused(oat::validate_label("    "), ErrorCode::LabelRequired));
}

TEST(Label, OneCharacterIsEnough) {
  EXPECT_TRUE(oat::validate_label("x").ok());
}

TEST(Label, OneHundredCharactersAreAllowed) {
  std::string text = oat_test::repeat("a", 100);
  auto label = oat::validate_label(text);
  ASSERT_TRUE(label.ok()) << ::testing::PrintToString(label.errors());
  EXPECT_EQ(*label, text);
}

TEST(Label, OneHundredAndOneCharactersAreRefused) {
  EXPECT_TRUE(oat_test::refused(oat::validate_label(oat_test::repeat("a", 101)),
                                ErrorCode::LabelTooLong, "label"));
}

TEST(Label, TheTooLongMessageStatesTheLimit) {
  auto label = oat::validate_label(oat_test::repeat("a", 101));
  ASSERT_FALSE(label.ok());
  EXPECT_TRUE(oat_test::contains(label.error().message, "100")) << label.error().message;
}

TEST(Label, LengthIsMeasuredAfterTrimming) {
  auto label = oat::validate_label("   " + oat_test::repeat("a", 100) + "   ");
  ASSERT_TRUE(label.ok()) << ::testing::PrintToString(label.errors());
  EXPECT_EQ(label->size(), 100u);
}

TEST(Label, MultibyteCharactersCountAsOne) {
  // 100 x "é" is 200 bytes but 100 characters.
  EXPECT_TRUE(oat::validate_label(oat_test::repeat("\xC3\xA9", 100)).ok());
  // 100 x U+1F600 is 400 bytes.
  EXPECT_TRUE(oat::validate_label(oat_test::repeat("\xF0\x9F\x98\x80", 100)).ok());
}

TEST(Label, OneHundredAndOneMultibyteCharactersAreRefused) {
  EXPECT_TRUE(oat_test::refused(oat::validate_label(oat_test::repeat("\xC3\xA9", 101)),
                                ErrorCode::LabelTooLong));
}

TEST(Label, ControlCharactersInsideAreRefused) {
  for (std::string_view text : {std::string_view("ab\x01" "cd"), std::string_view("ab\ncd"),
                                std::string_view("ab\tcd"), std::string_view("ab\x1b" "cd"),
                                std::string_view("ab\x7f" "cd"), std::string_view("ab\0cd", 5)}) {
    SCOPED_TRACE(::testing::PrintToString(std::string(text)));
    EXPECT_TRUE(
        oat_test::refused(oat::validate_label(text), ErrorCode::LabelControlCharacter, "label"));
  }
}

TEST(Label, UnicodeC1ControlCharactersAreRefused) {
  // U+0085 (NEXT LINE) is a control character too, encoded in two bytes.
  EXPECT_TRUE(
      oat_test::refused(oat::validate_label("ab\xC2\x85" "cd"), ErrorCode::LabelControlCharacter));
}

TEST(Label, PunctuationAndNonLatinLettersAreAllowed) {
  for (std::string_view text : {"CI/CD: deploy (prod) #1", "\xE6\x97\xA5\xE6\x9C\xAC", "caf\xC3\xA9"}) {
    SCOPED_TRACE(text);
    EXPECT_TRUE(oat::validate_label(text).ok());
  }
}

// ---- Description ----------------------------------------------------------------------------

TEST(Description, EmptyIsAllowed) { EXPECT_FALSE(oat::validate_description("").has_value()); }

TEST(Description, TwoHundredCharactersAreAllowed) {
  EXPECT_FALSE(oat::validate_description(oat_test::repeat("d", 200)).has_value());
}

TEST(Description, TwoHundredAndOneCharactersAreRefused) {
  auto error = oat::validate_description(oat_test::repeat("d", 201));
  ASSERT_TRUE(oat_test::refused(error, ErrorCode::DescriptionTooLong, "description"));
  EXPECT_TRUE(oat_test::contains(error->message, "200")) << error->message;
}

TEST(Description, ANulCharacterIsRefusedLineBreaksAreNot) {
  using namespace std::string_literals;
  EXPECT_TRUE(oat_test::refused(oat::validate_description("built by\0CI"s),
                                ErrorCode::DescriptionNulCharacter, "description"));
  EXPECT_FALSE(oat::validate_description("line one\nline two\tend"));
}

TEST(Description, MultibyteCharactersCountAsOne) {
  EXPECT_FALSE(oat::validate_description(oat_test::repeat("\xE2\x82\xAC", 200)).has_value());
  EXPECT_TRUE(oat::validate_description(oat_test::repeat("\xE2\x82\xAC", 201)).has_value());
}

// ---- Counting characters --------------------------------------------------------------------

TEST(CountCharacters, CountsCodePoints) {
  struct Row {
    std::string_view text;
    std::size_t count;
  };
  for (const Row& row : {Row{"", 0}, Row{"abc", 3}, Row{"\xC3\xA9", 1},
                         Row{"\xE6\x97\xA5\xE6\x9C\xAC", 2}, Row{"\xF0\x9F\x98\x80", 1},
                         Row{"a\xC3\xA9z", 3}}) {
    SCOPED_TRACE(::testing::PrintToString(std::string(row.text)));
    EXPECT_EQ(oat::count_characters(row.text), row.count);
  }
}

TEST(CountCharacters, InvalidBytesCountOneEach) {
  EXPECT_EQ(oat::count_characters("\xFF\xFE"), 2u);
  EXPECT_EQ(oat::count_characters("a\xFF" "b"), 3u);
}

TEST(CountCharacters, StrayContinuationBytesCountOneEach) {
  // 0x80..0xBF with no lead byte before them are invalid, like any other stray byte.
  EXPECT_EQ(oat::count_characters("\x80\x80"), 2u);
  EXPECT_EQ(oat::count_characters("a\xBF" "b"), 3u);
}

}  // namespace

namespace {

TEST(Text, ValidUtf8WithoutNulIsText) {
  using namespace std::string_literals;
  EXPECT_TRUE(oat::is_text(""));
  EXPECT_TRUE(oat::is_text("acme"));
  EXPECT_TRUE(oat::is_text("caf\xC3\xA9 \xF0\x9F\x90\xB3 line\nbreak"));
  EXPECT_FALSE(oat::is_text("ac\xFFme"));            // not UTF-8
  EXPECT_FALSE(oat::is_text("ac\0me"s));             // NUL
  EXPECT_FALSE(oat::is_text("\xC0\xAF"));            // overlong '/'
  EXPECT_FALSE(oat::is_text("\xED\xA0\x80"));        // a surrogate
  EXPECT_FALSE(oat::is_text("\xF4\x90\x80\x80"));    // past U+10FFFF
  EXPECT_FALSE(oat::is_text("\xE2\x82"));            // cut short
}

}  // namespace
