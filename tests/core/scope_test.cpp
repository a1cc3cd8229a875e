// The scope vocabulary: names, resource types, and which scope includes which.
#include <algorithm>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "oat/scope.h"
#include "test_support.h"

namespace {

using oat::ResourceType;
using oat::Scope;

struct ScopeRow {
  Scope scope;
  std::string_view name;
  ResourceType type;
  std::optional<Scope> includes;  // directly
};

// The spec's table as chains of inclusion, lowest scope first: each scope directly includes the
// one before it in its chain, and the first includes none.
struct Chain {
  ResourceType type;
  std::vector<std::pair<Scope, std::string_view>> scopes;
};

const Chain kChains[] = {
    {ResourceType::Repo, {{Scope::ImagePull, "scope-image-pull"},
                          {Scope::ImagePush, "scope-image-push"},
                          {Scope::ImageDelete, "scope-image-delete"}}},
    {ResourceType::Repo, {{Scope::RepositoryRead, "scope-repository-read"},
                          {Scope::RepositoryEdit, "scope-repository-edit"},
                          {Scope::RepositoryAdmin, "scope-repository-admin"}}},
    {ResourceType::Repo, {{Scope::TagRead, "scope-tag-read"},
                          {Scope::TagAdmin, "scope-tag-admin"}}},
    {ResourceType::Repo, {{Scope::WebhookRead, "scope-webhook-read"},
                          {Scope::WebhookEdit, "scope-webhook-edit"},
                          {Scope::WebhookAdmin, "scope-webhook-admin"}}},
    {ResourceType::Repo, {{Scope::RepoGroupRead, "scope-repo-group-read"},
                          {Scope::RepoGroupEdit, "scope-repo-group-edit"},
                          {Scope::RepoGroupAdmin, "scope-repo-group-admin"}}},
    {ResourceType::Repo, {{Scope::RepositorySettingsAdmin, "scope-repository-settings-admin"}}},
    {ResourceType::Org, {{Scope::MemberRead, "scope-member-read"},
                         {Scope::MemberEdit, "scope-member-edit"}}},
    {ResourceType::Org, {{Scope::InviteRead, "scope-invite-read"},
                         {Scope::InviteEdit, "scope-invite-edit"}}},
    {ResourceType::Org, {{Scope::GroupRead, "scope-group-read"},
                         {Scope::GroupEdit, "scope-group-edit"}}},
    {ResourceType::Org, {{Scope::ActivityRead, "scope-activity-read"}}},
    {ResourceType::Org, {{Scope::SiemCredentialsRead, "scope-siem_credentials-read"}}},
    {ResourceType::Org, {{Scope::RamRead, "scope-ram-read"},
                         {Scope::RamWrite, "scope-ram-write"}}},
    {ResourceType::Org, {{Scope::ReportRead, "scope-report-read"}}},
    {ResourceType::Org, {{Scope::RepositoryCreate, "scope-repository-create"}}},
    {ResourceType::Org, {{Scope::RepositoryList, "scope-repository-list"}}},
    {ResourceType::Org, {{Scope::RegistryUsageRead, "scope-registry-usage-read"}}},
};

// The chains, one row a scope.
std::vector<ScopeRow> scope_rows() {
  std::vector<ScopeRow> rows;
  for (const Chain& chain : kChains) {
    std::optional<Scope> below;
    for (const auto& [scope, name] : chain.scopes) {
      rows.push_back({scope, name, chain.type, below});
      below = scope;
    }
  }
  return rows;
}

void PrintTo(const ScopeRow& row, std::ostream* os) { *os << row.name; }

class ScopeTable : public ::testing::TestWithParam<ScopeRow> {};

TEST_P(ScopeTable, HasItsDocumentedName) {
  EXPECT_EQ(oat::scope_name(GetParam().scope), GetParam().name);
}

TEST_P(ScopeTable, ParsesFromItsName) {
  EXPECT_EQ(oat::parse_scope(GetParam().name), GetParam().scope);
}

TEST_P(ScopeTable, AppliesToItsResourceType) {
  EXPECT_EQ(oat::scope_resource_type(GetParam().scope), GetParam().type);
}

TEST_P(ScopeTable, DirectlyIncludesTheNextLowerScope) {
  EXPECT_EQ(oat::directly_included(GetParam().scope), GetParam().includes);
}

TEST_P(ScopeTable, IncludesItself) {
  EXPECT_TRUE(oat::scope_includes(GetParam().scope, GetParam().scope));
}

INSTANTIATE_TEST_SUITE_P(EveryScope, ScopeTable, ::testing::ValuesIn(scope_rows()),
                         [](const ::testing::TestParamInfo<ScopeRow>& info) {
                           std::string name;
                           for (char c : info.param.name.substr(6))  // drop "scope-"
                             name += (c == '-' || c == '_') ? '_' : c;
                           return name;
                         });

TEST(Scope, TheTableCoversEveryScope) {
  EXPECT_EQ(scope_rows().size(), static_cast<std::size_t>(oat::kScopeCount));
  EXPECT_EQ(oat::all_scopes().size(), static_cast<std::size_t>(oat::kScopeCount));
}

TEST(Scope, AllScopesListsThemInDeclarationOrder) {
  const auto& all = oat::all_scopes();
  for (std::size_t i = 0; i < all.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(static_cast<int>(all[i]), static_cast<int>(i));
  }
}

TEST(Scope, NamesAreUnique) {
  EXPECT_TRUE(oat_test::all_distinct(oat::all_scopes(), oat::scope_name));
  EXPECT_EQ(oat::all_scopes().size(), static_cast<std::size_t>(oat::kScopeCount));
}

TEST(Scope, UnknownNamesDoNotParse) {
  EXPECT_TRUE(oat_test::parses_none(oat::parse_scope, {"", "scope-image-fly", "image-pull",
                                                       "scope-image-pull ", "scope_image_pull",
                                                       "pull"}));
}

TEST(Scope, InclusionsNeverCrossResourceTypes) {
  for (Scope s : oat::all_scopes()) {
    SCOPED_TRACE(oat::scope_name(s));
    if (auto lower = oat::directly_included(s)) {
      EXPECT_EQ(oat::scope_resource_type(*lower), oat::scope_resource_type(s));
    }
  }
}

TEST(Scope, DeleteIncludesPushAndPullTransitively) {
  EXPECT_TRUE(oat::scope_includes(Scope::ImageDelete, Scope::ImagePush));
  EXPECT_TRUE(oat::scope_includes(Scope::ImageDelete, Scope::ImagePull));
}

TEST(Scope, AdminIncludesEditAndRead) {
  EXPECT_TRUE(oat::scope_includes(Scope::RepositoryAdmin, Scope::RepositoryRead));
  EXPECT_TRUE(oat::scope_includes(Scope::WebhookAdmin, Scope::WebhookRead));
  EXPECT_TRUE(oat::scope_includes(Scope::RepoGroupAdmin, Scope::RepoGroupRead));
}

TEST(Scope, ALowerScopeDoesNotIncludeAHigherOne) {
  EXPECT_FALSE(oat::scope_includes(Scope::ImagePull, Scope::ImagePush));
  EXPECT_FALSE(oat::scope_includes(Scope::ImagePush, Scope::ImageDelete));
  EXPECT_FALSE(oat::scope_includes(Scope::RepositoryRead, Scope::RepositoryEdit));
  EXPECT_FALSE(oat::scope_includes(Scope::RamRead, Scope::RamWrite));
}

TEST(Scope, RepositoryAdminDoesNotIncludeImageScopes) {
  EXPECT_FALSE(oat::scope_includes(Scope::RepositoryAdmin, Scope::ImagePull));
  EXPECT_FALSE(oat::scope_includes(Scope::RepositorySettingsAdmin, Scope::ImagePull));
}

TEST(Scope, OnlyRepositoryCreateGrantsRepositoryCreation) {
  for (Scope s : oat::all_scopes()) {
    if (s == Scope::RepositoryCreate) continue;
    SCOPED_TRACE(oat::scope_name(s));
    EXPECT_FALSE(oat::scope_includes(s, Scope::RepositoryCreate));
  }
}

TEST(Scope, IncludesAgreesWithTheInclusionChain) {
  // scope_includes(a, b) exactly when b is reachable from a by directly_included.
  for (Scope held : oat::all_scopes()) {
    std::set<Scope> reachable{held};
    for (auto s = oat::directly_included(held); s; s = oat::directly_included(*s))
      reachable.insert(*s);
    for (Scope wanted : oat::all_scopes()) {
      SCOPED_TRACE(std::string(oat::scope_name(held)) + " -> " +
                   std::string(oat::scope_name(wanted)));
      EXPECT_EQ(oat::scope_includes(held, wanted), reachable.count(wanted) == 1);
    }
  }
}

const std::vector<oat_test::Word<ResourceType>> kDockersResourceTypes = {
    {ResourceType::Repo, "TYPE_REPO"},
    {ResourceType::Org, "TYPE_ORG"},
};

TEST(ResourceType, HasDockersNames) {
  EXPECT_TRUE(oat_test::names_are(kDockersResourceTypes, oat::resource_type_name));
}

TEST(ResourceType, ParsesDockersNames) {
  EXPECT_TRUE(oat_test::parses_as(kDockersResourceTypes, oat::parse_resource_type));
}

TEST(ResourceType, RefusesOtherNames) {
  EXPECT_TRUE(
      oat_test::parses_none(oat::parse_resource_type, {"", "TYPE_TEAM", "repo", "TYPE_REPO "}));
}

TEST(ScopeSet, StartsEmpty) {
  oat::ScopeSet set;
  EXPECT_TRUE(set.empty());
  for (Scope s : oat::all_scopes()) EXPECT_FALSE(set.contains(s));
}

TEST(ScopeSet, ContainsWhatWasAddedAndNothingElse) {
  oat::ScopeSet set;
  set.add(Scope::TagRead);
  EXPECT_FALSE(set.empty());
  for (Scope s : oat::all_scopes()) {
    SCOPED_TRACE(oat::scope_name(s));
    EXPECT_EQ(set.contains(s), s == Scope::TagRead);
  }
}

TEST(ScopeSet, ListsItsScopesInDeclarationOrder) {
  oat::ScopeSet set =
      oat::ScopeSet::of({Scope::RegistryUsageRead, Scope::ImagePush, Scope::MemberRead});
  EXPECT_EQ(set.to_vector(),
            (std::vector<Scope>{Scope::ImagePush, Scope::MemberRead, Scope::RegistryUsageRead}));
}

TEST(ScopeSet, InitializerListAndOfAgree) {
  EXPECT_EQ((oat::ScopeSet{Scope::ImagePull, Scope::RamWrite}),
            oat::ScopeSet::of({Scope::RamWrite, Scope::ImagePull}));
}

TEST(ScopeSet, DuplicatesCollapse) {
  EXPECT_EQ(oat::ScopeSet::of({Scope::ImagePull, Scope::ImagePull}).to_vector(),
            (std::vector<Scope>{Scope::ImagePull}));
}

TEST(WithInclusions, DeleteBringsPushAndPull) {
  EXPECT_EQ(oat::with_inclusions({Scope::ImageDelete}),
            (oat::ScopeSet{Scope::ImageDelete, Scope::ImagePush, Scope::ImagePull}));
}

TEST(WithInclusions, PullAloneStaysPull) {
  EXPECT_EQ(oat::with_inclusions({Scope::ImagePull}), (oat::ScopeSet{Scope::ImagePull}));
}

TEST(WithInclusions, ExpandsEveryMemberOfTheSet) {
  EXPECT_EQ(oat::with_inclusions({Scope::TagAdmin, Scope::MemberEdit}),
            (oat::ScopeSet{Scope::TagAdmin, Scope::TagRead, Scope::MemberEdit, Scope::MemberRead}));
}

TEST(WithInclusions, OfTheEmptySetIsEmpty) {
  EXPECT_TRUE(oat::with_inclusions({}).empty());
}

}  // namespace
