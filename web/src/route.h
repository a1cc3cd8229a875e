// Deep links: the URL hash names the organization and the view ("#/orgs/acme/tokens"), so a
// link or a reload (after signing in again) lands in the same place.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "state.h"

namespace console {

// "#/orgs/acme/tokens", "#/orgs/acme" (the tokens view), "#/orgs/acme/activity",
// "#/orgs/acme/policy", with or without the leading '#'.
// Anything else, or an organization name that cannot exist, is no route.
std::optional<Route> ParseRoute(std::string_view hash);

// "#/orgs/acme/tokens"
std::string FormatRoute(const Route& route);

// Where the state is now: the selected organization and view; nullopt before one is chosen.
std::optional<Route> CurrentRoute(const State& state);

}  // namespace console
