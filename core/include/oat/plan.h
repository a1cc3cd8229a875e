// Plans and how many organization access tokens each allows.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "oat/error.h"

namespace oat {

enum class Plan { Free, Team, Business };

// "free", "team", "business"
std::string_view plan_name(Plan plan);
// Accepts the names above in any letter case.
std::optional<Plan> parse_plan(std::string_view name);
// "Free", "Team", "Business"
std::string_view plan_display_name(Plan plan);

// How many tokens an organization on this plan may hold: Team 10, Business 100, Free 0.
std::size_t token_quota(Plan plan);

// May an organization that holds `held` tokens (every state counts: active, inactive and
// expired, until deleted) create one more?
Status check_can_create_token(Plan plan, std::size_t held);

}  // namespace oat
