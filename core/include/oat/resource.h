// Resources: what a token reaches, and with which scopes.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "oat/error.h"
#include "oat/scope.h"

namespace oat {

struct Resource {
  ResourceType type = ResourceType::Repo;
  std::string path;           // "acme/app", "acme/*", "*/*/public", or for TYPE_ORG "acme"
  std::vector<Scope> scopes;  // as chosen; inclusions are implied, not listed

  bool operator==(const Resource&) const = default;
};

inline constexpr std::size_t kMaxRepositoryResources = 50;
inline constexpr std::string_view kPublicRepositoriesPath = "*/*/public";

// The three shapes of a TYPE_REPO path.
enum class RepoPathKind { Repository, AllOfOrganization, PublicRepositories };

// A repository path split into namespace and name; for "acme/*" name is "*".
struct RepoPath {
  RepoPathKind kind;
  std::string namespace_;  // "acme"; empty for */*/public
  std::string name;        // "app", "*", or empty for */*/public
};

// Parses "org/repo", "org/*" or "*/*/public". Names are lower-case letters, digits and the
// separators . _ - (not leading or trailing), as Docker repository names are.
Result<RepoPath> parse_repo_path(std::string_view path, std::string_view field = "path");

// Account (user, organization, company) and repository names follow Docker's repository name
// grammar: lower-case letters and digits, with single . _ - between them, 1..255 characters.
// (Custom role names are free text: 1..100 characters after trimming, no control characters.)
Status validate_account_name(std::string_view name, std::string_view field = "name");
Status validate_repository_name(std::string_view name, std::string_view field = "name");

// A person's password: at least 8 characters, at most 1024 bytes.
inline constexpr std::size_t kMinPasswordLength = 8;
Status validate_password(std::string_view password);

// Answers whether the organization has a repository of this name ("app" for "acme/app").
using RepositoryExists = std::function<bool(std::string_view name)>;

// Checks a token's resources for organization `org`: at least one; at most 50 TYPE_REPO
// entries; no duplicate paths; every scope known and of the resource's type, at least one per
// resource; org/repo must exist; org/* and org/repo only in `org`'s namespace; */*/public only
// with image pull; TYPE_ORG path must be `org`. Reports every problem, each naming its field
// ("resources", "resources[3].path", "resources[3].scopes").
Errors validate_resources(const std::vector<Resource>& resources, std::string_view org,
                          const RepositoryExists& exists);

// Label: required, 1..100 characters after trimming, no control characters.
inline constexpr std::size_t kMaxLabelLength = 100;
inline constexpr std::size_t kMaxDescriptionLength = 200;

// Returns the trimmed label, or why it is refused. Lengths count Unicode code points.
Result<std::string> validate_label(std::string_view label);
// At most 200 characters (code points). Empty is allowed.
Status validate_description(std::string_view description);

// Counts UTF-8 code points (what people call characters); invalid bytes count one each.
std::size_t count_characters(std::string_view text);
// Without leading and trailing ASCII white space.
std::string_view trim_space(std::string_view text);
// Whether the text holds a C0 or C1 control character (tab, line break, DEL, U+0080..U+009F).
bool has_control_character(std::string_view text);
// Whether the bytes are text every store keeps as it is: valid UTF-8 (no overlong forms, no
// surrogates, nothing past U+10FFFF) without a NUL.
bool is_text(std::string_view bytes);

}  // namespace oat
