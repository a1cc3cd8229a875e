#include "oat/plan.h"

#include <string>

#include "names.h"

namespace oat {

std::string_view plan_name(Plan plan) {
  switch (plan) {
    case Plan::Free: return "free";
    case Plan::Team: return "team";
    case Plan::Business: return "business";
  }
  return "free";
}

std::string_view plan_display_name(Plan plan) {
  switch (plan) {
    case Plan::Free: return "Free";
    case Plan::Team: return "Team";
    case Plan::Business: return "Business";
  }
  return "Free";
}

std::optional<Plan> parse_plan(std::string_view name) {
  return parse_name(name, {Plan::Free, Plan::Team, Plan::Business}, plan_name, Case::Ignored);
}

std::size_t token_quota(Plan plan) {
  switch (plan) {
    case Plan::Free: return 0;
    case Plan::Team: return 10;
    case Plan::Business: return 100;
  }
  return 0;
}

Status check_can_create_token(Plan plan, std::size_t held) {
  const std::size_t quota = token_quota(plan);
  if (quota == 0) {
    return Error{ErrorCode::PlanHasNoTokens, "",
                 "Organization access tokens need a Team or Business plan."};
  }
  if (held >= quota) {
    return Error{ErrorCode::QuotaReached, "",
                 "This organization has reached its limit of " + std::to_string(quota) +
                     " access tokens on the " + std::string(plan_display_name(plan)) +
                     " plan. Delete a token to create a new one."};
  }
  return std::nullopt;
}

}  // namespace oat
