#include "route.h"

#include <vector>

#include "oat/resource.h"

namespace console {

std::optional<Route> ParseRoute(std::string_view hash) {
  if (!hash.empty() && hash.front() == '#') hash.remove_prefix(1);
  if (!hash.empty() && hash.front() == '/') hash.remove_prefix(1);
  while (!hash.empty() && hash.back() == '/') hash.remove_suffix(1);
  std::vector<std::string_view> parts;
  while (!hash.empty()) {
    const auto slash = hash.find('/');
    parts.push_back(hash.substr(0, slash));
    hash = slash == std::string_view::npos ? std::string_view{} : hash.substr(slash + 1);
  }
  if (parts.size() < 2 || parts.size() > 3 || parts[0] != "orgs") return std::nullopt;
  if (oat::validate_account_name(parts[1])) return std::nullopt;  // an Error: not a name
  if (parts.size() == 3 && parts[2] == "activity") return Route{std::string(parts[1]), View::Activity};
  if (parts.size() == 3 && parts[2] == "policy") return Route{std::string(parts[1]), View::Policy};
  if (parts.size() == 3 && parts[2] != "tokens") return std::nullopt;
  return Route{std::string(parts[1]), View::Tokens};
}

std::string FormatRoute(const Route& route) {
  switch (route.view) {
    case View::Tokens:
      break;
    case View::Activity:
      return "#/orgs/" + route.org + "/activity";
    case View::Policy:
      return "#/orgs/" + route.org + "/policy";
  }
  return "#/orgs/" + route.org + "/tokens";
}

std::optional<Route> CurrentRoute(const State& state) {
  if (!state.session.signed_in() || state.selected_org.empty()) return std::nullopt;
  return Route{state.selected_org, state.view};
}

}  // namespace console
