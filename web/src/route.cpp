#include "route.h"

#include <vector>

#include "client.h"
#include "oat/resource.h"

namespace console {
namespace {

constexpr std::size_t kMaxTokenIdLength = 64;

// Letters, digits, '-' and '_': what the server's ids are made of (UUIDs), and safe in a path.
bool LooksLikeTokenId(std::string_view id) {
  if (id.empty() || id.size() > kMaxTokenIdLength) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

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
  if (parts.size() < 2 || parts.size() > 4 || parts[0] != "orgs") return std::nullopt;
  if (oat::validate_account_name(parts[1])) return std::nullopt;  // an Error: not a name
  Route route{std::string(parts[1]), View::Tokens, ""};
  if (parts.size() == 2) return route;
  if (parts.size() == 3 && parts[2] == "activity") route.view = View::Activity;
  else if (parts.size() == 3 && parts[2] == "policy") route.view = View::Policy;
  else if (parts.size() == 3 && parts[2] == "ci-sign-in") route.view = View::CiSignIn;
  else if (parts[2] != "tokens") return std::nullopt;
  if (parts.size() == 4) {
    if (!LooksLikeTokenId(parts[3])) return std::nullopt;
    route.token_id = std::string(parts[3]);
  }
  return route;
}

std::string FormatRoute(const Route& route) {
  switch (route.view) {
    case View::Tokens:
      break;
    case View::Activity:
      return "#/orgs/" + route.org + "/activity";
    case View::Policy:
      return "#/orgs/" + route.org + "/policy";
    case View::CiSignIn:
      return "#/orgs/" + route.org + "/ci-sign-in";
  }
  if (!route.token_id.empty()) return "#/orgs/" + route.org + "/tokens/" + route.token_id;
  return "#/orgs/" + route.org + "/tokens";
}

std::string DrawerToken(const State& state) {
  if (state.view != View::Tokens || state.details.id.empty()) return "";
  bool open = false;
  switch (state.dialog) {
    case Dialog::TokenDetails: open = true; break;
    case Dialog::EditToken: open = state.editor.return_to_details; break;
    case Dialog::RotateToken: open = state.rotate.return_to_details; break;
    case Dialog::ShowToken: open = state.created.return_to_details; break;
    case Dialog::ConfirmDelete: open = state.action.origin == ActionOrigin::Details; break;
    case Dialog::None:
    case Dialog::GenerateToken:
    case Dialog::EditConnection:
    case Dialog::ConfirmDeleteConnection: break;
  }
  return open ? state.details.id : "";
}

std::optional<Route> StateRoute(const State& state) {
  if (state.selected_org.empty()) return std::nullopt;
  return Route{state.selected_org, state.view, DrawerToken(state)};
}

std::optional<Route> CurrentRoute(const State& state) {
  if (!state.session.signed_in()) return std::nullopt;
  return StateRoute(state);
}

void ApplyRoute(State& state, const Route& route) {
  if (StateRoute(state) == route) return;
  state.tokens_notice.clear();
  // The new secret is shown once: moving elsewhere beneath it never closes it.
  const bool secret_shown = state.dialog == Dialog::ShowToken;
  const View from = state.view;
  state.view = route.view;
  if (route.org != state.selected_org) {
    SelectOrganization(state, route.org);  // closes any dialog; loads what the view needs
  } else {
    state.dialog = Dialog::None;
    if (!state.action.pending) state.action = TokenAction{};
    if (!state.connection_action.pending) state.connection_action = ConnectionAction{};
    if (route.view != from) {  // as a click on the view's tab
      if (route.view == View::Activity) {
        LoadAuditLog(state);
        LoadOrgUsage(state);
      }
      if (route.view == View::Tokens) LoadTokens(state);
      if (route.view != View::Activity) LoadTokenPolicy(state);
      if (route.view == View::CiSignIn) LoadOidcConnections(state);
    }
  }
  if (secret_shown) {
    state.dialog = Dialog::ShowToken;
    state.created.return_to_details = false;
  }
  if (route.view != View::Tokens || route.token_id.empty()) return;
  if (state.action.origin == ActionOrigin::Details && !state.action.pending) state.action = TokenAction{};
  LoadTokenDetails(state, route.token_id);
  LoadTokenUsage(state, route.token_id);
  if (secret_shown) state.created.return_to_details = true;
  else state.dialog = Dialog::TokenDetails;
}

}  // namespace console
