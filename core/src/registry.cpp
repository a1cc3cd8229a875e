#include "oat/registry.h"

#include <algorithm>

namespace oat {
namespace {

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

void add_unique(std::vector<std::string>& v, std::string_view s) {
  if (!contains(v, s)) v.emplace_back(s);
}

Error invalid_scope(std::string_view entry) {
  return Error{ErrorCode::InvalidScopeString, "scope",
               "\"" + std::string(entry) +
                   "\" is not a valid scope; expected \"type:name:action[,action]\"."};
}

// Actions allowed on repository `path` ("acme/app") by the token's resources.
std::vector<std::string> allowed_on_repository(std::string_view path,
                                               const std::vector<Resource>& resources,
                                               std::string_view org,
                                               const RepositoryIsPublic& is_public) {
  std::vector<std::string> allowed;
  const std::string own_prefix = std::string(org) + "/";
  const bool in_org = path.substr(0, own_prefix.size()) == own_prefix;
  for (const Resource& r : resources) {
    if (r.type != ResourceType::Repo) continue;
    // Stored resources were validated at creation, so their kind shows in plain comparisons;
    // no parse on this hot path. A path outside `org` never matches.
    const std::string_view rp = r.path;
    bool covers = false;
    bool public_only = false;
    if (rp == kPublicRepositoriesPath) {
      covers = is_public && is_public(path);
      public_only = true;
    } else if (rp.size() == own_prefix.size() + 1 && rp.back() == '*' &&
               rp.substr(0, own_prefix.size()) == own_prefix) {
      covers = in_org && path.size() > own_prefix.size();
    } else {
      covers = in_org && rp == path;
    }
    if (!covers) continue;
    ScopeSet scopes = with_inclusions(ScopeSet::of(r.scopes));
    if (public_only) {
      scopes = scopes.contains(Scope::ImagePull) ? ScopeSet{Scope::ImagePull} : ScopeSet{};
    }
    for (const std::string& a : registry_actions(scopes)) add_unique(allowed, a);
  }
  return allowed;
}

// Distribution's repository name grammar: components of lower-case letters and digits joined by
// single separators, split by '/'. Anything else names no repository and is granted nothing
// (and never reaches a JWT: a name there must be valid UTF-8 text).
bool is_repository_name(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = name.find('/', start);
    const std::string_view part =
        name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (validate_repository_name(part)) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

bool has_org_scope(const std::vector<Resource>& resources, std::string_view org, Scope scope) {
  return std::any_of(resources.begin(), resources.end(), [&](const Resource& r) {
    return r.type == ResourceType::Org && r.path == org &&
           with_inclusions(ScopeSet::of(r.scopes)).contains(scope);
  });
}

}  // namespace

Result<std::vector<Access>> parse_scope_string(std::string_view scope) {
  std::vector<Access> out;
  std::size_t pos = 0;
  while (pos < scope.size()) {
    if (scope[pos] == ' ') {
      ++pos;
      continue;
    }
    std::size_t end = scope.find(' ', pos);
    if (end == std::string_view::npos) end = scope.size();
    const std::string_view entry = scope.substr(pos, end - pos);
    pos = end;

    const auto first = entry.find(':');
    const auto last = entry.rfind(':');
    if (first == std::string_view::npos || first == last || first == 0 || last == first + 1) {
      return invalid_scope(entry);
    }
    Access access{std::string(entry.substr(0, first)),
                  std::string(entry.substr(first + 1, last - first - 1)),
                  {}};
    std::string_view actions = entry.substr(last + 1);
    while (!actions.empty()) {
      const auto comma = actions.find(',');
      const std::string_view action = actions.substr(0, comma);
      if (!action.empty()) add_unique(access.actions, action);
      if (comma == std::string_view::npos) break;
      actions.remove_prefix(comma + 1);
    }
    out.push_back(std::move(access));
  }
  if (out.empty()) return invalid_scope(scope);
  return out;
}

Result<std::vector<Access>> parse_scope_params(const std::vector<std::string>& scopes) {
  std::vector<Access> out;
  for (const std::string& s : scopes) {
    auto parsed = parse_scope_string(s);
    if (!parsed) return parsed.errors();
    out.insert(out.end(), parsed->begin(), parsed->end());
  }
  return out;
}

std::string_view strip_registry_host(std::string_view name) {
  const auto slash = name.find('/');
  if (slash == std::string_view::npos) return name;
  const std::string_view first = name.substr(0, slash);
  if (first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
      first == "localhost") {
    return name.substr(slash + 1);
  }
  return name;
}

std::vector<std::string> registry_actions(ScopeSet scopes) {
  const ScopeSet all = with_inclusions(scopes);
  std::vector<std::string> actions;
  if (all.contains(Scope::ImagePull)) actions.emplace_back("pull");
  if (all.contains(Scope::ImagePush)) actions.emplace_back("push");
  if (all.contains(Scope::ImageDelete)) actions.emplace_back("delete");
  return actions;
}

std::vector<Access> compute_grant(const std::vector<Access>& requested,
                                  const std::vector<Resource>& resources, std::string_view org,
                                  const RepositoryIsPublic& is_public) {
  // Merge repeated requests for the same resource, keeping the order of first appearance.
  std::vector<Access> merged;
  for (const Access& r : requested) {
    auto it = std::find_if(merged.begin(), merged.end(), [&](const Access& m) {
      return m.type == r.type && m.name == r.name;
    });
    if (it == merged.end()) {
      merged.push_back({r.type, r.name, {}});
      it = std::prev(merged.end());
    }
    for (const std::string& a : r.actions) add_unique(it->actions, a);
  }

  std::vector<Access> grant;
  for (const Access& want : merged) {
    std::vector<std::string> allowed;
    if (want.type == "repository" && is_repository_name(want.name)) {
      // The registry checks the granted name literally, so match it literally too: a host-like
      // prefix ("localhost/acme/app") names another repository, never acme/app.
      allowed = allowed_on_repository(want.name, resources, org, is_public);
      if (contains(allowed, "pull") && contains(allowed, "push") && contains(allowed, "delete")) {
        allowed.emplace_back("*");
      }
    } else if (want.type == "registry" && want.name == "catalog" &&
               has_org_scope(resources, org, Scope::RepositoryList)) {
      allowed = {"*"};
    }
    Access given{want.type, want.name, {}};
    for (const std::string& a : want.actions) {
      if (contains(allowed, a)) given.actions.push_back(a);
    }
    if (!given.actions.empty()) grant.push_back(std::move(given));
  }
  return grant;
}

Status validate_registry_host(std::string_view host, std::string_view field) {
  const Error bad{ErrorCode::InvalidName, std::string(field),
                  "\"" + std::string(host.substr(0, 100)) +
                      "\" is not a registry address: give HOST or HOST:PORT, such as "
                      "\"registry.example.com\" or \"registry.example.com:5000\" (no https://, no path)."};
  std::string_view name = host;
  std::string_view port;
  if (name.starts_with('[')) {
    const auto close = name.find(']');
    if (close == std::string_view::npos) return bad;
    port = name.substr(close + 1);
    name = name.substr(0, close + 1);
    if (!port.empty() && !port.starts_with(':')) return bad;
    const std::string_view inner = name.substr(1, name.size() - 2);
    if (inner.empty() || inner.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos) {
      return bad;
    }
  } else {
    const auto colon = name.find(':');
    if (colon != std::string_view::npos) {
      port = name.substr(colon);
      name = name.substr(0, colon);
    }
    if (name.empty() || name.size() > 253 || name.front() == '-' || name.front() == '.' ||
        name.back() == '-' || name.back() == '.' ||
        name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") !=
            std::string_view::npos ||
        name.find("..") != std::string_view::npos) {
      return bad;
    }
  }
  if (!port.empty()) {
    port.remove_prefix(1);  // ':'
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stoi(std::string(port)) < 1 || std::stoi(std::string(port)) > 65535) {
      return bad;
    }
  }
  return std::nullopt;
}

std::optional<LoginLines> docker_login_lines(std::optional<std::string_view> registry_host,
                                             std::string_view org) {
  if (!registry_host || registry_host->empty()) return std::nullopt;
  const std::string base = "docker login " + std::string(*registry_host) + " -u " + std::string(org);
  return LoginLines{base, "echo \"$TOKEN\" | " + base + " --password-stdin"};
}

}  // namespace oat
