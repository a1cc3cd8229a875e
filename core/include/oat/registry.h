// The registry side: distribution token-auth scope strings and the grant a token earns.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oat/error.h"
#include "oat/resource.h"

namespace oat {

// One entry of a scope request or of a grant: {"type","name","actions"} as in the JWT claim.
struct Access {
  std::string type;                  // "repository", "registry", ...
  std::string name;                  // "acme/app", "localhost:5000/acme/app", "catalog"
  std::vector<std::string> actions;  // "pull", "push", "delete", "*"

  bool operator==(const Access&) const = default;
};

// Parses a `scope` parameter value: one or more "type:name:action[,action]*" separated by
// spaces. The type runs to the first ':' and the actions follow the last ':', so a name may
// hold a host with a port. Refuses an entry without both colons, with an empty type or name,
// and a value with no entry at all.
Result<std::vector<Access>> parse_scope_string(std::string_view scope);

// Parses every `scope` parameter of a request, in order.
Result<std::vector<Access>> parse_scope_params(const std::vector<std::string>& scopes);

// The repository path a registry name refers to: "localhost:5000/acme/app" -> "acme/app"
// (a first component holding '.' or ':', or equal to "localhost", is a host). For display and
// logs only: grants match names literally, as the registry does.
std::string_view strip_registry_host(std::string_view name);

// Registry actions a set of scopes allows on a repository: image-pull -> pull;
// image-push -> pull, push; image-delete -> pull, push, delete.
std::vector<std::string> registry_actions(ScopeSet scopes);

// Answers whether the repository ("other/app") is public.
using RepositoryIsPublic = std::function<bool(std::string_view repository)>;

// What a token of organization `org` holding `resources` is granted for `requested`:
// for each requested entry, the requested actions it is allowed, in request order. Entries
// granted nothing are left out; requests for the same type and name are merged. Never an
// error: a partial or empty grant is still a grant.
// - Names are matched literally, as the registry will check them: "localhost/org/app" is not
//   "org/app". A name outside the registry's grammar (lower-case components joined by '/') is
//   granted nothing.
// - "org/app" allows on exactly that repository; "org/*" on every repository of org's namespace;
//   "*/*/public" allows pull on any repository `is_public` accepts.
// - "registry:catalog:*" needs the TYPE_ORG scope scope-repository-list.
std::vector<Access> compute_grant(const std::vector<Access>& requested,
                                  const std::vector<Resource>& resources, std::string_view org,
                                  const RepositoryIsPublic& is_public);

// The registry a client signs in to, as `docker login` names it: HOST or HOST:PORT, a host name
// (letters, digits, '-', '.') or an IPv4 address or a bracketed IPv6 one ("[2001:db8::1]:5000"),
// no scheme and no path. `field` names it in the error ("--registry-host").
Status validate_registry_host(std::string_view host, std::string_view field);

// What the console shows a new token's holder: `docker login HOST -u ORG` and its CI form
// (`echo "$TOKEN" | docker login HOST -u ORG --password-stdin`), or nullopt without a registry
// host: a line without one signs in to Docker Hub, never the organization's registry.
struct LoginLines {
  std::string interactive, ci;
};
std::optional<LoginLines> docker_login_lines(std::optional<std::string_view> registry_host,
                                             std::string_view org);
// The key of the console's config.json that names the registry ("registryHost"); oatd serve
// --registry-host adds it to the config.json it serves.
inline constexpr std::string_view kConfigRegistryHost = "registryHost";
// Where the console says the registry host comes from, when it has none.
inline constexpr std::string_view kNoRegistryHost =
    "The sign-in line needs the registry's address: start oatd with --registry-host HOST[:PORT] "
    "(or, for a console hosted elsewhere, set \"registryHost\" in its config.json).";

}  // namespace oat
