// The scope vocabulary: what a token may do, on which type of resource, and which scope
// includes which (push includes pull, edit includes read, ...).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace oat {

enum class ResourceType { Repo, Org };

// "TYPE_REPO" / "TYPE_ORG"
std::string_view resource_type_name(ResourceType type);
std::optional<ResourceType> parse_resource_type(std::string_view name);

enum class Scope : std::uint8_t {
  // TYPE_REPO
  ImagePull, ImagePush, ImageDelete,
  RepositoryRead, RepositoryEdit, RepositoryAdmin,
  TagRead, TagAdmin,
  WebhookRead, WebhookEdit, WebhookAdmin,
  RepoGroupRead, RepoGroupEdit, RepoGroupAdmin,
  RepositorySettingsAdmin,
  // TYPE_ORG
  MemberRead, MemberEdit,
  InviteRead, InviteEdit,
  GroupRead, GroupEdit,
  ActivityRead,
  SiemCredentialsRead,
  RamRead, RamWrite,
  ReportRead,
  RepositoryCreate,
  RepositoryList,
  RegistryUsageRead,
};

inline constexpr int kScopeCount = 29;

// Every scope, in declaration order (the order the console lists them).
const std::array<Scope, kScopeCount>& all_scopes();

// "scope-image-pull", ...
std::string_view scope_name(Scope scope);
std::optional<Scope> parse_scope(std::string_view name);

// The resource type a scope applies to.
ResourceType scope_resource_type(Scope scope);

// The scope directly included by this one (push -> pull), if any.
std::optional<Scope> directly_included(Scope scope);

// A set of scopes; cheap to copy.
class ScopeSet {
 public:
  ScopeSet() = default;
  ScopeSet(std::initializer_list<Scope> scopes);
  static ScopeSet of(const std::vector<Scope>& scopes);

  void add(Scope s) { bits_ |= bit(s); }
  bool contains(Scope s) const { return (bits_ & bit(s)) != 0; }
  bool empty() const { return bits_ == 0; }
  std::vector<Scope> to_vector() const;  // declaration order
  bool operator==(const ScopeSet&) const = default;

 private:
  static std::uint32_t bit(Scope s) { return std::uint32_t{1} << static_cast<int>(s); }
  std::uint32_t bits_ = 0;
};

// The scopes together with every scope they include, transitively
// (delete -> push -> pull).
ScopeSet with_inclusions(ScopeSet scopes);

// True when holding `held` grants `wanted` (itself or by inclusion).
bool scope_includes(Scope held, Scope wanted);

}  // namespace oat
