// The console's views are URLs: the hash names the organization, the view and, for a token's
// details drawer, the token ("#/orgs/acme/tokens/{id}"). Moving between views is a new history
// entry (main.cpp), Back and Forward move between them, and a link, a new tab or a reload
// (after signing in again) lands on the view the URL names. Dialogs are not views: they leave
// the URL alone.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "state.h"

namespace console {

// "#/orgs/acme/tokens", "#/orgs/acme" (the tokens view), "#/orgs/acme/tokens/{id}",
// "#/orgs/acme/activity", "#/orgs/acme/policy", "#/orgs/acme/ci-sign-in", with or without the
// leading '#'.
// Anything else, an organization name that cannot exist, or a token id with other characters
// than letters, digits, '-' and '_' (at most 64), is no route.
std::optional<Route> ParseRoute(std::string_view hash);

// "#/orgs/acme/tokens", "#/orgs/acme/tokens/{id}", ...
std::string FormatRoute(const Route& route);

// The token whose details drawer is open, or will be again when the dialog opened from it
// (edit, rotate, the new secret, the delete confirmation) closes; "" for none.
std::string DrawerToken(const State& state);

// Where the state is, signed in or not: the selected organization, view and drawer; nullopt
// before an organization is chosen.
std::optional<Route> StateRoute(const State& state);
// The same, while signed in; nullopt on the sign-in page.
std::optional<Route> CurrentRoute(const State& state);

// Makes the state show `route` (Back, Forward, a link typed, the landing after sign-in): its
// organization (known to be one of the person's), its view loaded as a click on its tab would,
// the drawer of its token opened, or closed when it names none. A dialog open on top closes,
// except the secret shown once, which stays (and returns to the drawer only when the route has
// one). Does nothing when the state already shows the route.
void ApplyRoute(State& state, const Route& route);

}  // namespace console
