#include "oat/scope.h"

namespace oat {
namespace {

struct ScopeInfo {
  Scope scope;
  std::string_view name;
  ResourceType type;
  std::optional<Scope> includes;
};

// The vocabulary, in declaration order. A higher scope names the one it directly includes.
constexpr ScopeInfo kScopes[kScopeCount] = {
    {Scope::ImagePull, "scope-image-pull", ResourceType::Repo, std::nullopt},
    {Scope::ImagePush, "scope-image-push", ResourceType::Repo, Scope::ImagePull},
    {Scope::ImageDelete, "scope-image-delete", ResourceType::Repo, Scope::ImagePush},
    {Scope::RepositoryRead, "scope-repository-read", ResourceType::Repo, std::nullopt},
    {Scope::RepositoryEdit, "scope-repository-edit", ResourceType::Repo, Scope::RepositoryRead},
    {Scope::RepositoryAdmin, "scope-repository-admin", ResourceType::Repo, Scope::RepositoryEdit},
    {Scope::TagRead, "scope-tag-read", ResourceType::Repo, std::nullopt},
    {Scope::TagAdmin, "scope-tag-admin", ResourceType::Repo, Scope::TagRead},
    {Scope::WebhookRead, "scope-webhook-read", ResourceType::Repo, std::nullopt},
    {Scope::WebhookEdit, "scope-webhook-edit", ResourceType::Repo, Scope::WebhookRead},
    {Scope::WebhookAdmin, "scope-webhook-admin", ResourceType::Repo, Scope::WebhookEdit},
    {Scope::RepoGroupRead, "scope-repo-group-read", ResourceType::Repo, std::nullopt},
    {Scope::RepoGroupEdit, "scope-repo-group-edit", ResourceType::Repo, Scope::RepoGroupRead},
    {Scope::RepoGroupAdmin, "scope-repo-group-admin", ResourceType::Repo, Scope::RepoGroupEdit},
    {Scope::RepositorySettingsAdmin, "scope-repository-settings-admin", ResourceType::Repo,
     std::nullopt},
    {Scope::MemberRead, "scope-member-read", ResourceType::Org, std::nullopt},
    {Scope::MemberEdit, "scope-member-edit", ResourceType::Org, Scope::MemberRead},
    {Scope::InviteRead, "scope-invite-read", ResourceType::Org, std::nullopt},
    {Scope::InviteEdit, "scope-invite-edit", ResourceType::Org, Scope::InviteRead},
    {Scope::GroupRead, "scope-group-read", ResourceType::Org, std::nullopt},
    {Scope::GroupEdit, "scope-group-edit", ResourceType::Org, Scope::GroupRead},
    {Scope::ActivityRead, "scope-activity-read", ResourceType::Org, std::nullopt},
    {Scope::SiemCredentialsRead, "scope-siem_credentials-read", ResourceType::Org, std::nullopt},
    {Scope::RamRead, "scope-ram-read", ResourceType::Org, std::nullopt},
    {Scope::RamWrite, "scope-ram-write", ResourceType::Org, Scope::RamRead},
    {Scope::ReportRead, "scope-report-read", ResourceType::Org, std::nullopt},
    {Scope::RepositoryCreate, "scope-repository-create", ResourceType::Org, std::nullopt},
    {Scope::RepositoryList, "scope-repository-list", ResourceType::Org, std::nullopt},
    {Scope::RegistryUsageRead, "scope-registry-usage-read", ResourceType::Org, std::nullopt},
};

const ScopeInfo& info(Scope s) { return kScopes[static_cast<int>(s)]; }

}  // namespace

std::string_view resource_type_name(ResourceType type) {
  return type == ResourceType::Repo ? "TYPE_REPO" : "TYPE_ORG";
}

std::optional<ResourceType> parse_resource_type(std::string_view name) {
  if (name == "TYPE_REPO") return ResourceType::Repo;
  if (name == "TYPE_ORG") return ResourceType::Org;
  return std::nullopt;
}

const std::array<Scope, kScopeCount>& all_scopes() {
  static const std::array<Scope, kScopeCount> scopes = [] {
    std::array<Scope, kScopeCount> a{};
    for (int i = 0; i < kScopeCount; ++i) a[i] = kScopes[i].scope;
    return a;
  }();
  return scopes;
}

std::string_view scope_name(Scope scope) { return info(scope).name; }

std::optional<Scope> parse_scope(std::string_view name) {
  for (const auto& s : kScopes) {
    if (s.name == name) return s.scope;
  }
  return std::nullopt;
}

ResourceType scope_resource_type(Scope scope) { return info(scope).type; }

std::optional<Scope> directly_included(Scope scope) { return info(scope).includes; }

ScopeSet::ScopeSet(std::initializer_list<Scope> scopes) {
  for (Scope s : scopes) add(s);
}

ScopeSet ScopeSet::of(const std::vector<Scope>& scopes) {
  ScopeSet set;
  for (Scope s : scopes) set.add(s);
  return set;
}

std::vector<Scope> ScopeSet::to_vector() const {
  std::vector<Scope> out;
  for (const auto& s : kScopes) {
    if (contains(s.scope)) out.push_back(s.scope);
  }
  return out;
}

ScopeSet with_inclusions(ScopeSet scopes) {
  ScopeSet out;
  for (const auto& s : kScopes) {
    if (!scopes.contains(s.scope)) continue;
    for (std::optional<Scope> cur = s.scope; cur; cur = directly_included(*cur)) out.add(*cur);
  }
  return out;
}

bool scope_includes(Scope held, Scope wanted) {
  return with_inclusions(ScopeSet{held}).contains(wanted);
}

}  // namespace oat
