// Resources: repository paths, the checks on a token's resources, and
// the label and description rules.
#include <string>
#include <string_view>
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
using oat_test::has_error_under;
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
    auto p = oat::parse_repo_path(path);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().code, ErrorCode::InvalidRepositoryPath);
    EXPECT_FALSE(p.error().message.empty());
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
  auto refusal = oat::validate_account_name(oat_test::repeat("a", 256));
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->code, ErrorCode::InvalidName);
}

TEST(AccountName, RefusesWhatTheGrammarDoesNot) {
  for (std::string_view name : {"", "Acme", "-acme", "acme-", ".acme", "acme_", "acme--corp",
                                "acme..corp", "acme-_corp", "ac me", "acme/app", "acme!",
                                "Ã©tÃ©"}) {
    SCOPED_TRACE(name);
    auto refusal = oat::validate_account_name(name);
    ASSERT_TRUE(refusal.has_value());
    EXPECT_EQ(refusal->code, ErrorCode::InvalidName);
    EXPECT_FALSE(refusal->message.empty());
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
    auto refusal = oat::validate_repository_name(name);
    ASSERT_TRUE(refusal.has_value());
    EXPECT_EQ(refusal->code, ErrorCode::InvalidName);
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

TEST(Resources, AnExistingRepositoryWithPullIsAccepted) {
  auto errors = validate({repo("acme/app", {Scope::ImagePull})});
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
}

TEST(Resources, SeveralScopesOnOneRepositoryAreAccepted) {
  auto errors = validate(
      {repo("acme/app", {Scope::ImagePush, Scope::RepositoryAdmin, Scope::TagRead,
                         Scope::WebhookEdit, Scope::RepoGroupAdmin, Scope::RepositorySettingsAdmin})});
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
}

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

TEST(Resources, PublicRepositoriesWithPullAreAccepted) {
  auto errors = validate({repo("*/*/public", {Scope::ImagePull})});
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
}

TEST(Resources, AnOrganizationEntryWithOrgScopesIsAccepted) {
  auto errors = validate({org_resource("acme", {Scope::MemberRead, Scope::RepositoryList,
                                                Scope::RepositoryCreate})});
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
}

TEST(Resources, AreRequired) {
  auto errors = validate({});
  EXPECT_TRUE(has_error(errors, ErrorCode::ResourcesRequired, "resources"))
      << ::testing::PrintToString(errors);
  EXPECT_TRUE(oat_test::all_messages_non_empty(errors));
}

TEST(Resources, FiftyRepositoriesAreAllowed) {
  auto errors = validate(numbered_repositories(50));
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
}

TEST(Resources, FiftyOneRepositoriesAreRefused) {
  auto errors = validate(numbered_repositories(51));
  EXPECT_TRUE(has_error(errors, ErrorCode::TooManyRepositories, "resources"))
      << ::testing::PrintToString(errors);
}

TEST(Resources, TheTooManyMessageStatesTheLimit) {
  auto errors = validate(numbered_repositories(51));
  const oat::Error* e = oat_test::find_code(errors, ErrorCode::TooManyRepositories);
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(oat_test::contains(e->message, "50")) << e->message;
}

TEST(Resources, OrganizationEntriesDoNotCountTowardTheFifty) {
  auto resources = numbered_repositories(50);
  resources.push_back(org_resource("acme", {Scope::MemberRead}));
  auto errors = validate(resources);
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
}

TEST(Resources, PublicRepositoriesCountTowardTheFifty) {
  auto resources = numbered_repositories(50);
  resources.push_back(repo("*/*/public", {Scope::ImagePull}));
  EXPECT_TRUE(has_code(validate(resources), ErrorCode::TooManyRepositories));
}

TEST(Resources, DuplicatePathsAreRefused) {
  auto errors = validate({repo("acme/app", {Scope::ImagePull}), repo("acme/app", {Scope::ImagePush})});
  EXPECT_TRUE(has_error_under(errors, ErrorCode::DuplicateResource, "resources"))
      << ::testing::PrintToString(errors);
}

TEST(Resources, DuplicateAllRepositoriesEntriesAreRefused) {
  auto errors = validate({repo("acme/*", {Scope::ImagePull}), repo("acme/web", {Scope::ImagePull}),
                          repo("acme/*", {Scope::TagRead})});
  EXPECT_TRUE(has_code(errors, ErrorCode::DuplicateResource)) << ::testing::PrintToString(errors);
}

TEST(Resources, DistinctPathsAreNotDuplicates) {
  auto errors = validate({repo("acme/app", {Scope::ImagePull}), repo("acme/web", {Scope::ImagePull}),
                          repo("acme/*", {Scope::TagRead})});
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
}

TEST(Resources, AnotherOrganizationsRepositoryIsRefused) {
  auto errors = validate({repo("other/app", {Scope::ImagePull})});
  EXPECT_TRUE(has_error(errors, ErrorCode::ForeignNamespace, "resources[0].path"))
      << ::testing::PrintToString(errors);
}

TEST(Resources, AnotherOrganizationsWildcardIsRefused) {
  auto errors = validate({repo("other/*", {Scope::ImagePull})});
  EXPECT_TRUE(has_error(errors, ErrorCode::ForeignNamespace, "resources[0].path"))
      << ::testing::PrintToString(errors);
}

TEST(Resources, ARepositoryTheOrganizationDoesNotHaveIsRefused) {
  auto errors = validate({repo("acme/nope", {Scope::ImagePull})});
  EXPECT_TRUE(has_error(errors, ErrorCode::RepositoryNotFound, "resources[0].path"))
      << ::testing::PrintToString(errors);
}

TEST(Resources, TheNotFoundMessageNamesTheRepository) {
  auto errors = validate({repo("acme/nope", {Scope::ImagePull})});
  const oat::Error* e = oat_test::find_code(errors, ErrorCode::RepositoryNotFound);
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(oat_test::contains(e->message, "nope")) << e->message;
}

TEST(Resources, AMalformedPathIsRefused) {
  auto errors = validate({repo("acme/App", {Scope::ImagePull})});
  EXPECT_TRUE(has_error(errors, ErrorCode::InvalidRepositoryPath, "resources[0].path"))
      << ::testing::PrintToString(errors);
}

TEST(Resources, ErrorsNameTheIndexOfTheEntry) {
  auto errors = validate({repo("acme/app", {Scope::ImagePull}), repo("acme/web", {Scope::ImagePull}),
                          repo("acme/api", {Scope::ImagePull}), repo("acme/nope", {Scope::ImagePull})});
  EXPECT_TRUE(has_error(errors, ErrorCode::RepositoryNotFound, "resources[3].path"))
      << ::testing::PrintToString(errors);
}

TEST(Resources, PublicRepositoriesWithPushAreRefused) {
  auto errors = validate({repo("*/*/public", {Scope::ImagePush})});
  EXPECT_TRUE(has_error_under(errors, ErrorCode::PublicPullOnly, "resources[0]"))
      << ::testing::PrintToString(errors);
}

TEST(Resources, PublicRepositoriesWithPullAndAnotherScopeAreRefused) {
  for (Scope extra : {Scope::ImagePush, Scope::ImageDelete, Scope::RepositoryRead, Scope::TagRead}) {
    SCOPED_TRACE(oat::scope_name(extra));
    auto errors = validate({repo("*/*/public", {Scope::ImagePull, extra})});
    EXPECT_TRUE(has_code(errors, ErrorCode::PublicPullOnly)) << ::testing::PrintToString(errors);
  }
}

TEST(Resources, AnOrganizationScopeOnARepositoryIsRefused) {
  auto errors = validate({repo("acme/app", {Scope::MemberRead})});
  EXPECT_TRUE(has_error(errors, ErrorCode::ScopeWrongType, "resources[0].scopes"))
      << ::testing::PrintToString(errors);
}

TEST(Resources, ARepositoryScopeOnTheOrganizationIsRefused) {
  auto errors = validate({org_resource("acme", {Scope::ImagePull})});
  EXPECT_TRUE(has_error(errors, ErrorCode::ScopeWrongType, "resources[0].scopes"))
      << ::testing::PrintToString(errors);
}

TEST(Resources, RepositoryCreateOnARepositoryIsRefused) {
  auto errors = validate({repo("acme/*", {Scope::RepositoryCreate})});
  EXPECT_TRUE(has_code(errors, ErrorCode::ScopeWrongType)) << ::testing::PrintToString(errors);
}

TEST(Resources, EachEntryNeedsAScope) {
  auto errors = validate({repo("acme/app", {})});
  EXPECT_TRUE(has_error(errors, ErrorCode::ScopesRequired, "resources[0].scopes"))
      << ::testing::PrintToString(errors);
}

TEST(Resources, AnOrganizationEntryNeedsAScope) {
  auto errors = validate({org_resource("acme", {})});
  EXPECT_TRUE(has_error(errors, ErrorCode::ScopesRequired, "resources[0].scopes"))
      << ::testing::PrintToString(errors);
}

TEST(Resources, AnOrganizationEntryMustNameThisOrganization) {
  auto errors = validate({org_resource("other", {Scope::MemberRead})});
  EXPECT_TRUE(has_error(errors, ErrorCode::OrgPathMismatch, "resources[0].path"))
      << ::testing::PrintToString(errors);
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
  auto label = oat::validate_label("");
  ASSERT_FALSE(label.ok());
  EXPECT_EQ(label.error().code, ErrorCode::LabelRequired);
  EXPECT_EQ(label.error().field, "label");
  EXPECT_FALSE(label.error().message.empty());
}

TEST(Label, WhitespaceOnlyIsRefusedAsEmpty) {
  auto label = oat::validate_label("    ");
  ASSERT_FALSE(label.ok());
  EXPECT_EQ(label.error().code, ErrorCode::LabelRequired);
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
  auto label = oat::validate_label(oat_test::repeat("a", 101));
  ASSERT_FALSE(label.ok());
  EXPECT_EQ(label.error().code, ErrorCode::LabelTooLong);
  EXPECT_EQ(label.error().field, "label");
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
  auto label = oat::validate_label(oat_test::repeat("\xC3\xA9", 101));
  ASSERT_FALSE(label.ok());
  EXPECT_EQ(label.error().code, ErrorCode::LabelTooLong);
}

TEST(Label, ControlCharactersInsideAreRefused) {
  for (std::string_view text : {std::string_view("ab\x01" "cd"), std::string_view("ab\ncd"),
                                std::string_view("ab\tcd"), std::string_view("ab\x1b" "cd"),
                                std::string_view("ab\x7f" "cd"), std::string_view("ab\0cd", 5)}) {
    SCOPED_TRACE(::testing::PrintToString(std::string(text)));
    auto label = oat::validate_label(text);
    ASSERT_FALSE(label.ok());
    EXPECT_EQ(label.error().code, ErrorCode::LabelControlCharacter);
    EXPECT_EQ(label.error().field, "label");
  }
}

TEST(Label, UnicodeC1ControlCharactersAreRefused) {
  // U+0085 (NEXT LINE) is a control character too, encoded in two bytes.
  auto label = oat::validate_label("ab\xC2\x85" "cd");
  ASSERT_FALSE(label.ok());
  EXPECT_EQ(label.error().code, ErrorCode::LabelControlCharacter);
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
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, ErrorCode::DescriptionTooLong);
  EXPECT_EQ(error->field, "description");
  EXPECT_TRUE(oat_test::contains(error->message, "200")) << error->message;
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
