#include "oat/registry.h"

#include <algorithm>
#include <bit>

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

// The registry actions, as bits: a grant is worked out on these and spelled out at the end.
enum Action : unsigned { kPull = 1, kPush = 2, kDelete = 4, kEverything = 8 /* "*" */ };
constexpr unsigned kImageActions = kPull | kPush | kDelete;

unsigned action_bit(std::string_view action) {
  if (action == "pull") return kPull;
  if (action == "push") return kPush;
  if (action == "delete") return kDelete;
  if (action == "*") return kEverything;
  return 0;
}

// Registry actions a held scope allows, through the scopes it includes: image-pull -> pull;
// image-push -> pull, push; image-delete -> pull, push, delete.
unsigned image_actions(Scope held) {
  unsigned actions = 0;
  for (std::optional<Scope> s = held; s; s = directly_included(*s)) {
    if (*s == Scope::ImagePull) actions |= kPull;
    if (*s == Scope::ImagePush) actions |= kPush;
    if (*s == Scope::ImageDelete) actions |= kDelete;
  }
  return actions;
}

// Whether a == b, looking at the size and the last character first: the paths of one token
// mostly share their start ("acme/app1", "acme/app2", ...), so these tell most apart cheaply.
bool same_path(std::string_view a, std::string_view b) {
  return a.size() == b.size() && (a.empty() || a.back() == b.back()) && a == b;
}

// Actions (bits) allowed on repository `path` ("acme/app") by the token's resources.
unsigned allowed_on_repository(std::string_view path, const std::vector<Resource>& resources,
                               std::string_view org, const RepositoryIsPublic& is_public) {
  // The repository is in org's namespace when it starts with "org/".
  const std::size_t prefix = org.size() + 1;
  const auto in_namespace = [&](std::string_view p) {
    return p.size() >= prefix && p[org.size()] == '/' && p.starts_with(org);
  };
  const bool in_org = in_namespace(path);
  unsigned allowed = 0;
  for (const Resource& r : resources) {
    if (r.type != ResourceType::Repo) continue;
    // Stored resources were validated at creation, so their kind shows in plain comparisons;
    // no parse on this hot path. A path outside `org` never matches.
    const std::string_view rp = r.path;
    bool covers = false;
    bool public_only = false;
    if (same_path(rp, kPublicRepositoriesPath)) {
      covers = is_public && is_public(path);
      public_only = true;
    } else if (rp.size() == prefix + 1 && rp.back() == '*' && in_namespace(rp)) {
      covers = in_org && path.size() > prefix;
    } else {
      covers = in_org && same_path(rp, path);
    }
    if (!covers) continue;
    unsigned actions = 0;
    for (Scope held : r.scopes) actions |= image_actions(held);
    allowed |= public_only ? actions & kPull : actions;
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
  unsigned actions = 0;
  for (Scope held : all_scopes()) {
    if (scopes.contains(held)) actions |= image_actions(held);
  }
  std::vector<std::string> names;
  if (actions & kPull) names.emplace_back("pull");
  if (actions & kPush) names.emplace_back("push");
  if (actions & kDelete) names.emplace_back("delete");
  return names;
}

std::vector<Access> compute_grant(const std::vector<Access>& requested,
                                  const std::vector<Resource>& resources, std::string_view org,
                                  const RepositoryIsPublic& is_public) {
  std::vector<Access> grant;
  for (auto want = requested.begin(); want != requested.end(); ++want) {
    // Requests for the same type and name are merged into the first of them, in its place.
    const auto same_entry = [&](const Access& a) {
      return a.type == want->type && a.name == want->name;
    };
    if (std::any_of(requested.begin(), want, same_entry)) continue;

    unsigned allowed = 0;
    if (want->type == "repository" && is_repository_name(want->name)) {
      // The registry checks the granted name literally, so match it literally too: a host-like
      // prefix ("localhost/acme/app") names another repository, never acme/app.
      allowed = allowed_on_repository(want->name, resources, org, is_public);
      if ((allowed & kImageActions) == kImageActions) allowed |= kEverything;
    } else if (want->type == "registry" && want->name == "catalog" &&
               has_org_scope(resources, org, Scope::RepositoryList)) {
      allowed = kEverything;
    }
    if (allowed == 0) continue;

    // The allowed actions of every request for this entry, each once, in request order.
    std::vector<std::string> actions;
    actions.reserve(static_cast<std::size_t>(std::popcount(allowed)));
    unsigned given = 0;
    for (auto it = want; it != requested.end(); ++it) {
      if (it != want && !same_entry(*it)) continue;
      for (const std::string& a : it->actions) {
        const unsigned bit = action_bit(a) & allowed & ~given;
        if (bit == 0) continue;
        given |= bit;
        actions.push_back(a);
      }
    }
    if (!actions.empty()) grant.push_back(Access{want->type, want->name, std::move(actions)});
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
