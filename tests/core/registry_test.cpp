// The registry side (the distribution registry's token authentication): scope strings as
// clients send them, and the grant a token earns for a request.
#include <algorithm>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "oat/registry.h"
#include "oat/resource.h"
#include "oat/scope.h"
#include "test_support.h"

namespace oat {
inline void PrintTo(const Access& a, std::ostream* os) {
  *os << a.type << ":" << a.name << ":";
  for (std::size_t i = 0; i < a.actions.size(); ++i) *os << (i ? "," : "") << a.actions[i];
}
}  // namespace oat

namespace {

using oat::Access;
using oat::ErrorCode;
using oat::Resource;
using oat::Scope;
using oat_test::org_resource;
using oat_test::repo;
using Actions = std::vector<std::string>;

// ---- Scope strings --------------------------------------------------------------------------

TEST(ScopeString, ParsesARepositoryScope) {
  auto r = oat::parse_scope_string("repository:acme/app:pull");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  EXPECT_EQ(*r, (std::vector<Access>{{"repository", "acme/app", {"pull"}}}));
}

TEST(ScopeString, ParsesSeveralActions) {
  auto r = oat::parse_scope_string("repository:acme/app:pull,push");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  EXPECT_EQ(*r, (std::vector<Access>{{"repository", "acme/app", {"pull", "push"}}}));
}

TEST(ScopeString, ANameMayHoldAHostWithAPort) {
  auto r = oat::parse_scope_string("repository:localhost:5000/acme/app:pull,push");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].type, "repository");
  EXPECT_EQ((*r)[0].name, "localhost:5000/acme/app");
  EXPECT_EQ((*r)[0].actions, (Actions{"pull", "push"}));
}

TEST(ScopeString, ParsesTheCatalogScope) {
  auto r = oat::parse_scope_string("registry:catalog:*");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  EXPECT_EQ(*r, (std::vector<Access>{{"registry", "catalog", {"*"}}}));
}

TEST(ScopeString, ParsesSpaceSeparatedScopesInOrder) {
  auto r = oat::parse_scope_string(
      "repository:acme/app:pull repository:acme/web:pull,push registry:catalog:*");
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  EXPECT_EQ(*r, (std::vector<Access>{{"repository", "acme/app", {"pull"}},
                                     {"repository", "acme/web", {"pull", "push"}},
                                     {"registry", "catalog", {"*"}}}));
}

TEST(ScopeString, MalformedEntriesAreRefused) {
  for (std::string_view scope :
       {"", "repository", "repository:acme/app", ":acme/app:pull", "repository::pull",
        "repository:acme/app:pull garbage"}) {
    SCOPED_TRACE(scope);
    EXPECT_TRUE(oat_test::refused(oat::parse_scope_string(scope), ErrorCode::InvalidScopeString));
  }
}

TEST(ScopeParams, ParsesEveryParameterInOrder) {
  auto r = oat::parse_scope_params(
      {"repository:acme/app:pull", "repository:acme/web:push repository:acme/api:pull"});
  ASSERT_TRUE(r.ok()) << ::testing::PrintToString(r.errors());
  EXPECT_EQ(*r, (std::vector<Access>{{"repository", "acme/app", {"pull"}},
                                     {"repository", "acme/web", {"push"}},
                                     {"repository", "acme/api", {"pull"}}}));
}

TEST(ScopeParams, NoParametersIsAnEmptyRequest) {
  auto r = oat::parse_scope_params({});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(ScopeParams, OneMalformedParameterRefusesTheRequest) {
  auto r = oat::parse_scope_params({"repository:acme/app:pull", "repository:acme/web"});
  EXPECT_TRUE(oat_test::refused(r, ErrorCode::InvalidScopeString));
}

TEST(StripRegistryHost, RemovesAHostWithAPort) {
  EXPECT_EQ(oat::strip_registry_host("localhost:5000/acme/app"), "acme/app");
}

TEST(StripRegistryHost, RemovesADottedHost) {
  EXPECT_EQ(oat::strip_registry_host("registry.example.com/acme/app"), "acme/app");
  EXPECT_EQ(oat::strip_registry_host("docker.io/acme/app"), "acme/app");
}

TEST(StripRegistryHost, RemovesLocalhostWithoutAPort) {
  EXPECT_EQ(oat::strip_registry_host("localhost/acme/app"), "acme/app");
}

TEST(StripRegistryHost, LeavesAPlainPathAlone) {
  EXPECT_EQ(oat::strip_registry_host("acme/app"), "acme/app");
  EXPECT_EQ(oat::strip_registry_host("acme"), "acme");
}

// ---- Registry actions of scopes -------------------------------------------------------------

Actions sorted(Actions a) {
  std::sort(a.begin(), a.end());
  return a;
}

TEST(RegistryActions, PullScopeAllowsPull) {
  EXPECT_EQ(sorted(oat::registry_actions({Scope::ImagePull})), (Actions{"pull"}));
}

TEST(RegistryActions, PushScopeAllowsPullAndPush) {
  EXPECT_EQ(sorted(oat::registry_actions({Scope::ImagePush})), (Actions{"pull", "push"}));
}

TEST(RegistryActions, DeleteScopeAllowsPullPushAndDelete) {
  EXPECT_EQ(sorted(oat::registry_actions({Scope::ImageDelete})),
            (Actions{"delete", "pull", "push"}));
}

TEST(RegistryActions, NonImageScopesAllowNoRegistryAction) {
  EXPECT_TRUE(oat::registry_actions({Scope::RepositoryAdmin, Scope::TagAdmin,
                                     Scope::WebhookAdmin})
                  .empty());
  EXPECT_TRUE(oat::registry_actions({}).empty());
}

TEST(RegistryActions, DoNotRepeatActions) {
  EXPECT_EQ(sorted(oat::registry_actions({Scope::ImagePull, Scope::ImagePush})),
            (Actions{"pull", "push"}));
}

// ---- Grants ---------------------------------------------------------------------------------

bool nothing_is_public(std::string_view) { return false; }

std::vector<Access> grant(const std::vector<Access>& requested, const std::vector<Resource>& held,
                          const oat::RepositoryIsPublic& is_public = nothing_is_public) {
  return oat::compute_grant(requested, held, "acme", is_public);
}

Access repository(std::string name, Actions actions) {
  return Access{"repository", std::move(name), std::move(actions)};
}

TEST(Grant, PullOnAPullTokenIsGranted) {
  EXPECT_EQ(grant({repository("acme/app", {"pull"})}, {repo("acme/app", {Scope::ImagePull})}),
            (std::vector<Access>{repository("acme/app", {"pull"})}));
}

TEST(Grant, PushOnAPullOnlyTokenYieldsAPullOnlyGrant) {
  EXPECT_EQ(grant({repository("acme/app", {"pull", "push"})},
                  {repo("acme/app", {Scope::ImagePull})}),
            (std::vector<Access>{repository("acme/app", {"pull"})}));
}

TEST(Grant, PushAloneOnAPullOnlyTokenIsGrantedNothing) {
  EXPECT_TRUE(
      grant({repository("acme/app", {"push"})}, {repo("acme/app", {Scope::ImagePull})}).empty());
}

TEST(Grant, PushScopeGrantsPullAndPush) {
  EXPECT_EQ(grant({repository("acme/app", {"pull", "push"})},
                  {repo("acme/app", {Scope::ImagePush})}),
            (std::vector<Access>{repository("acme/app", {"pull", "push"})}));
}

TEST(Grant, ImageDeleteImpliesPushAndPull) {
  EXPECT_EQ(grant({repository("acme/app", {"pull", "push", "delete"})},
                  {repo("acme/app", {Scope::ImageDelete})}),
            (std::vector<Access>{repository("acme/app", {"pull", "push", "delete"})}));
}

TEST(Grant, DeleteIsNotGrantedByPush) {
  EXPECT_EQ(grant({repository("acme/app", {"pull", "push", "delete"})},
                  {repo("acme/app", {Scope::ImagePush})}),
            (std::vector<Access>{repository("acme/app", {"pull", "push"})}));
}

TEST(Grant, ActionsKeepTheRequestOrder) {
  EXPECT_EQ(grant({repository("acme/app", {"push", "pull"})},
                  {repo("acme/app", {Scope::ImagePush})}),
            (std::vector<Access>{repository("acme/app", {"push", "pull"})}));
}

TEST(Grant, ARepositoryNotCoveredYieldsNoEntry) {
  EXPECT_TRUE(
      grant({repository("acme/web", {"pull"})}, {repo("acme/app", {Scope::ImagePush})}).empty());
}

TEST(Grant, OnlyCoveredEntriesAppearInRequestOrder) {
  EXPECT_EQ(grant({repository("acme/web", {"pull"}), repository("acme/app", {"pull"}),
                   repository("acme/api", {"push"})},
                  {repo("acme/app", {Scope::ImagePull}), repo("acme/api", {Scope::ImagePush})}),
            (std::vector<Access>{repository("acme/app", {"pull"}),
                                 repository("acme/api", {"push"})}));
}

TEST(Grant, EachRepositoryGetsItsOwnScopes) {
  EXPECT_EQ(grant({repository("acme/app", {"pull", "push"}), repository("acme/web", {"pull", "push"})},
                  {repo("acme/app", {Scope::ImagePull}), repo("acme/web", {Scope::ImagePush})}),
            (std::vector<Access>{repository("acme/app", {"pull"}),
                                 repository("acme/web", {"pull", "push"})}));
}

TEST(Grant, NonImageScopesGrantNothingOnTheRegistry) {
  EXPECT_TRUE(grant({repository("acme/app", {"pull"})},
                    {repo("acme/app", {Scope::RepositoryAdmin, Scope::TagAdmin})})
                  .empty());
}

TEST(Grant, AllOfTheOrganizationCoversAnyRepositoryInItsNamespace) {
  std::vector<Resource> held{repo("acme/*", {Scope::ImagePush})};
  for (std::string name : {"acme/app", "acme/created-later", "acme/x"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(grant({repository(name, {"pull", "push"})}, held),
              (std::vector<Access>{repository(name, {"pull", "push"})}));
  }
}

TEST(Grant, AllOfTheOrganizationDoesNotCoverOtherNamespaces) {
  std::vector<Resource> held{repo("acme/*", {Scope::ImagePush})};
  for (std::string name : {"other/app", "acmecorp/app", "library/nginx"}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(grant({repository(name, {"pull"})}, held).empty());
  }
}

TEST(Grant, ARepositoryEntryDoesNotCoverItsNamesakeElsewhere) {
  EXPECT_TRUE(
      grant({repository("other/app", {"pull"})}, {repo("acme/app", {Scope::ImagePull})}).empty());
}

TEST(Grant, AnEntryOutsideTheTokensOrganizationGrantsNothing) {
  // validate_resources refuses such entries; the grant must not rely on that.
  std::vector<Resource> held{repo("other/app", {Scope::ImagePush}), repo("other/*", {Scope::ImagePush})};
  EXPECT_TRUE(grant({repository("other/app", {"pull"}), repository("other/web", {"pull"})}, held)
                  .empty());
}

TEST(Grant, PublicRepositoriesGrantPullOnPublicRepositories) {
  auto is_public = [](std::string_view name) { return name == "library/nginx"; };
  EXPECT_EQ(grant({repository("library/nginx", {"pull"})},
                  {repo("*/*/public", {Scope::ImagePull})}, is_public),
            (std::vector<Access>{repository("library/nginx", {"pull"})}));
}

TEST(Grant, PublicRepositoriesNeverGrantPush) {
  auto is_public = [](std::string_view) { return true; };
  EXPECT_EQ(grant({repository("library/nginx", {"pull", "push"})},
                  {repo("*/*/public", {Scope::ImagePull})}, is_public),
            (std::vector<Access>{repository("library/nginx", {"pull"})}));
}

TEST(Grant, PublicRepositoriesGrantOnlyPullWhateverScopesTheEntryHolds) {
  // validate_resources refuses such an entry; the grant must not rely on that.
  auto is_public = [](std::string_view) { return true; };
  EXPECT_EQ(grant({repository("library/nginx", {"pull", "push", "delete"})},
                  {repo("*/*/public", {Scope::ImageDelete})}, is_public),
            (std::vector<Access>{repository("library/nginx", {"pull"})}));
}

TEST(Grant, PublicRepositoriesGrantNothingOnAPrivateRepository) {
  auto is_public = [](std::string_view name) { return name == "library/nginx"; };
  EXPECT_TRUE(grant({repository("other/secret", {"pull"})},
                    {repo("*/*/public", {Scope::ImagePull})}, is_public)
                  .empty());
}

TEST(Grant, ThePublicPredicateIsAskedAboutTheRepositoryPath) {
  std::vector<std::string> asked;
  oat::RepositoryIsPublic spy = [&](std::string_view name) {
    asked.emplace_back(name);
    return true;
  };
  auto g = grant({repository("other/app", {"pull"})}, {repo("*/*/public", {Scope::ImagePull})},
                 spy);
  EXPECT_EQ(g, (std::vector<Access>{repository("other/app", {"pull"})}));
  EXPECT_NE(std::find(asked.begin(), asked.end(), "other/app"), asked.end());
}

// The registry compares the granted name literally: "localhost/acme/app" is a repository of
// a namespace "localhost", not acme/app, so a host-like prefix must never borrow acme's grant.
TEST(Grant, ANameWithAHostPrefixIsNotTheRepositoryWithoutIt) {
  for (const char* name : {"localhost:5000/acme/app", "localhost/acme/app", "evil.com/acme/app"}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(grant({repository(name, {"pull", "push"})}, {repo("acme/app", {Scope::ImagePush})})
                    .empty());
    EXPECT_TRUE(grant({repository(name, {"pull", "push"})}, {repo("acme/*", {Scope::ImagePush})})
                    .empty());
  }
}

TEST(Grant, NamesOutsideTheRepositoryGrammarGetNothingEvenUnderOrgStar) {
  for (const char* name : {"acme/\xff", "acme/App", "acme/", "acme//app", "acme/app/", "acme/a..b"}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(grant({repository(name, {"pull"})}, {repo("acme/*", {Scope::ImagePull})}).empty());
  }
}

TEST(Grant, NestedRepositoryNamesInTheNamespaceAreCoveredByOrgStar) {
  auto g = grant({repository("acme/team/app", {"pull"})}, {repo("acme/*", {Scope::ImagePull})});
  EXPECT_EQ(g, (std::vector<Access>{repository("acme/team/app", {"pull"})}));
}

TEST(Grant, RequestsForTheSameRepositoryAreMerged) {
  auto g = grant({repository("acme/app", {"pull"}), repository("acme/app", {"push"})},
                 {repo("acme/app", {Scope::ImagePush})});
  ASSERT_EQ(g.size(), 1u) << ::testing::PrintToString(g);
  EXPECT_EQ(g[0].name, "acme/app");
  EXPECT_EQ(sorted(g[0].actions), (Actions{"pull", "push"}));
}

TEST(Grant, MergingDoesNotRepeatAnAction) {
  auto g = grant({repository("acme/app", {"pull"}), repository("acme/app", {"pull", "push"})},
                 {repo("acme/app", {Scope::ImagePush})});
  ASSERT_EQ(g.size(), 1u) << ::testing::PrintToString(g);
  EXPECT_EQ(sorted(g[0].actions), (Actions{"pull", "push"}));
}

TEST(Grant, CatalogNeedsTheRepositoryListScope) {
  EXPECT_EQ(grant({Access{"registry", "catalog", {"*"}}},
                  {org_resource("acme", {Scope::RepositoryList})}),
            (std::vector<Access>{Access{"registry", "catalog", {"*"}}}));
}

TEST(Grant, CatalogIsNotGrantedByOtherOrganizationScopes) {
  EXPECT_TRUE(grant({Access{"registry", "catalog", {"*"}}},
                    {org_resource("acme", {Scope::MemberEdit, Scope::RepositoryCreate,
                                           Scope::RegistryUsageRead})})
                  .empty());
}

TEST(Grant, CatalogIsNotGrantedByRepositoryScopes) {
  EXPECT_TRUE(grant({Access{"registry", "catalog", {"*"}}},
                    {repo("acme/*", {Scope::ImageDelete, Scope::RepositoryAdmin})})
                  .empty());
}

TEST(Grant, UnknownActionsAndTypesAreGrantedNothing) {
  std::vector<Resource> held{repo("acme/*", {Scope::ImageDelete}),
                             org_resource("acme", {Scope::RepositoryList})};
  EXPECT_TRUE(grant({repository("acme/app", {"fly"}), Access{"blob", "acme/app", {"pull"}}}, held)
                  .empty());
}

TEST(Grant, AnEmptyRequestIsAnEmptyGrant) {
  EXPECT_TRUE(grant({}, {repo("acme/*", {Scope::ImageDelete})}).empty());
}

TEST(Grant, ATokenWithNoResourcesIsGrantedNothing) {
  EXPECT_TRUE(grant({repository("acme/app", {"pull"})}, {}).empty());
}

TEST(Grant, TheActionsOfEveryCoveringEntryAddUp) {
  EXPECT_EQ(grant({repository("acme/app", {"pull", "push"})},
                  {repo("acme/app", {Scope::ImagePull}), repo("acme/*", {Scope::ImagePush})}),
            (std::vector<Access>{repository("acme/app", {"pull", "push"})}));
  EXPECT_EQ(grant({repository("acme/app", {"pull", "push"})},
                  {repo("acme/*", {Scope::ImagePush}), repo("acme/app", {Scope::ImagePull})}),
            (std::vector<Access>{repository("acme/app", {"pull", "push"})}));
}

TEST(Grant, EverythingOnARepositoryNeedsPullPushAndDelete) {
  EXPECT_EQ(grant({repository("acme/app", {"*"})}, {repo("acme/app", {Scope::ImageDelete})}),
            (std::vector<Access>{repository("acme/app", {"*"})}));
  EXPECT_EQ(grant({repository("acme/app", {"delete", "*", "pull"})},
                  {repo("acme/*", {Scope::ImageDelete})}),
            (std::vector<Access>{repository("acme/app", {"delete", "*", "pull"})}));
  EXPECT_TRUE(grant({repository("acme/app", {"*"})}, {repo("acme/app", {Scope::ImagePush})}).empty());
  auto is_public = [](std::string_view) { return true; };
  EXPECT_TRUE(grant({repository("library/nginx", {"*"})}, {repo("*/*/public", {Scope::ImageDelete})},
                    is_public)
                  .empty());
}

TEST(Grant, MergedActionsKeepTheOrderTheyWereFirstAskedIn) {
  EXPECT_EQ(grant({repository("acme/app", {"push"}), repository("acme/app", {"pull", "push"})},
                  {repo("acme/app", {Scope::ImagePush})}),
            (std::vector<Access>{repository("acme/app", {"push", "pull"})}));
}

TEST(Grant, AMergedEntryTakesThePlaceOfItsFirstRequest) {
  EXPECT_EQ(grant({repository("acme/app", {"pull"}), repository("acme/web", {"pull"}),
                   repository("acme/app", {"push"})},
                  {repo("acme/*", {Scope::ImagePush})}),
            (std::vector<Access>{repository("acme/app", {"pull", "push"}),
                                 repository("acme/web", {"pull"})}));
}

TEST(Grant, AFirstRequestGrantedNothingStillTakesTheLaterOnesActions) {
  EXPECT_EQ(grant({repository("acme/app", {"fly"}), repository("acme/web", {"pull"}),
                   repository("acme/app", {"pull"})},
                  {repo("acme/*", {Scope::ImagePull})}),
            (std::vector<Access>{repository("acme/app", {"pull"}),
                                 repository("acme/web", {"pull"})}));
}

TEST(Grant, AnActionRepeatedInOneRequestIsGrantedOnce) {
  EXPECT_EQ(grant({repository("acme/app", {"pull", "pull", "push", "pull"})},
                  {repo("acme/app", {Scope::ImagePush})}),
            (std::vector<Access>{repository("acme/app", {"pull", "push"})}));
}

TEST(Grant, RequestsForTheCatalogAreMergedToo) {
  EXPECT_EQ(grant({Access{"registry", "catalog", {"*"}}, Access{"registry", "catalog", {"pull", "*"}}},
                  {org_resource("acme", {Scope::RepositoryList})}),
            (std::vector<Access>{Access{"registry", "catalog", {"*"}}}));
}

TEST(Grant, OnlyTheSameTypeAndNameAreMerged) {
  // A repository may be called "catalog" (a public one of no namespace, say).
  auto is_public = [](std::string_view) { return true; };
  std::vector<Resource> held{repo("*/*/public", {Scope::ImagePull}),
                             org_resource("acme", {Scope::RepositoryList})};
  EXPECT_EQ(grant({Access{"registry", "catalog", {"*"}}, repository("catalog", {"pull"}),
                   Access{"registry", "catalog", {"pull"}}},
                  held, is_public),
            (std::vector<Access>{Access{"registry", "catalog", {"*"}},
                                 repository("catalog", {"pull"})}));
}

TEST(Grant, CatalogNeedsTheScopeOnTheTokensOwnOrganization) {
  EXPECT_TRUE(grant({Access{"registry", "catalog", {"*"}}},
                    {org_resource("other", {Scope::RepositoryList})})
                  .empty());
}

// Resource paths are compared whole: same length, same start or same end is not enough.
TEST(Grant, PathsAlikeButForOneCharacterAreOtherRepositories) {
  std::vector<Resource> held{repo("acme/app1", {Scope::ImagePush}),
                             repo("acme/xblic", {Scope::ImagePush})};
  for (const char* name : {"acme/abp1", "acme/app2", "acme/bpp1", "acme/xblia", "acme/yblic"}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(grant({repository(name, {"pull"})}, held).empty());
  }
  // "acme/xblic" is as long as "*/*/public" and ends like it, yet is an ordinary repository.
  auto everything_is_public = [](std::string_view) { return true; };
  EXPECT_EQ(grant({repository("acme/xblic", {"pull", "push"})}, held, everything_is_public),
            (std::vector<Access>{repository("acme/xblic", {"pull", "push"})}));
}

TEST(Grant, WithoutAPublicPredicatePublicRepositoriesGrantNothing) {
  std::vector<Resource> held{repo("*/*/public", {Scope::ImagePull}),
                             repo("acme/app", {Scope::ImagePull})};
  EXPECT_EQ(oat::compute_grant({repository("other/app", {"pull"}), repository("acme/app", {"pull"})},
                               held, "acme", nullptr),
            (std::vector<Access>{repository("acme/app", {"pull"})}));
}

// oatd's anonymous grant: organization "", public repositories only.
TEST(Grant, NoOrganizationAndPublicRepositoriesGrantPullOnPublicOnes) {
  auto is_public = [](std::string_view name) { return name == "acme/app"; };
  EXPECT_EQ(oat::compute_grant({repository("acme/app", {"push", "pull"}),
                                repository("acme/secret", {"pull"})},
                               {repo("*/*/public", {Scope::ImagePull})}, "", is_public),
            (std::vector<Access>{repository("acme/app", {"pull"})}));
}

TEST(Grant, ThePublicPredicateIsAskedOncePerRepositoryInRequestOrder) {
  std::vector<std::string> asked;
  oat::RepositoryIsPublic spy = [&](std::string_view name) {
    asked.emplace_back(name);
    return false;
  };
  grant({repository("other/web", {"pull"}), repository("other/app", {"pull"}),
         repository("other/web", {"pull"})},
        {repo("*/*/public", {Scope::ImagePull})}, spy);
  EXPECT_EQ(asked, (std::vector<std::string>{"other/web", "other/app"}));
}

TEST(Grant, ThePublicPredicateIsNotAskedWhenItCannotMatter) {
  std::vector<std::string> asked;
  oat::RepositoryIsPublic spy = [&](std::string_view name) {
    asked.emplace_back(name);
    return true;
  };
  // No public repositories among the token's resources.
  grant({repository("other/app", {"pull"})},
        {repo("acme/*", {Scope::ImagePull}), org_resource("acme", {Scope::RepositoryList})}, spy);
  // Names outside the repository grammar, and entries of other types.
  grant({repository("localhost:5000/other/app", {"pull"}), repository("Other/App", {"pull"}),
         Access{"registry", "catalog", {"*"}}, Access{"blob", "other/app", {"pull"}}},
        {repo("*/*/public", {Scope::ImagePull})}, spy);
  EXPECT_TRUE(asked.empty()) << ::testing::PrintToString(asked);
}

}  // namespace

namespace {

TEST(RegistryHost, TakesAHostOrAHostAndPortAndNothingElse) {
  for (std::string_view ok : {"registry.example.com", "registry.example.com:5000", "localhost:5000",
                              "10.0.0.7:443", "[2001:db8::1]:5000", "[::1]", "reg-1.internal"}) {
    EXPECT_FALSE(oat::validate_registry_host(ok, "--registry-host")) << ok;
  }
  for (std::string_view bad : {"", "https://registry.example.com", "registry.example.com/acme", ":5000",
                               "registry.example.com:", "registry.example.com:70000", "host:port",
                               "-bad.example", "a..b", "[2001:db8::1", "[zz::1]:5000", "two words"}) {
    EXPECT_TRUE(oat_test::refused(oat::validate_registry_host(bad, "--registry-host"), oat::ErrorCode::InvalidName,
                                  "--registry-host"))
        << bad;
  }
}

TEST(RegistryHost, TheLoginLinesNameTheRegistryOrThereAreNone) {
  const auto lines = oat::docker_login_lines("registry.example.com:5000", "acme");
  ASSERT_TRUE(lines);
  EXPECT_EQ(lines->interactive, "docker login registry.example.com:5000 -u acme");
  EXPECT_EQ(lines->ci, "echo \"$TOKEN\" | docker login registry.example.com:5000 -u acme --password-stdin");
  // Without a host, docker would sign in to Docker Hub: no line at all.
  EXPECT_FALSE(oat::docker_login_lines(std::nullopt, "acme"));
  EXPECT_FALSE(oat::docker_login_lines("", "acme"));
}

}  // namespace
