// Registry use per day (one token's for the details drawer, the organization's for the activity
// page) and how many tokens expire soon (the banner above the tokens table). Read-only calls
// that need what listing tokens needs; a refusal leaves the chart saying so and the banner out.
#include <utility>

#include "client.h"
#include "client_internal.h"

namespace console {

using namespace calls;

namespace {

std::string DaysQuery() { return "?days=" + std::to_string(oat::kDefaultUsageDays); }

// Asks for `usage` anew; another token's or organization's days never show meanwhile.
void StartSeries(State& state, UsageSeries& usage, Call kind, std::string path, const std::string& token_id) {
  if (usage.org != state.selected_org || usage.token_id != token_id) {
    const std::uint64_t generation = usage.generation;
    usage = UsageSeries{};
    usage.generation = generation;
  }
  usage.org = state.selected_org;
  usage.token_id = token_id;
  usage.loading = true;
  PendingCall call = OrgCall(state, kind, "GET", std::move(path));
  call.token_id = token_id;
  call.list_generation = ++usage.generation;
  Send(state, std::move(call));
}

}  // namespace

void LoadTokenUsage(State& state, const std::string& token_id) {
  if (state.selected_org.empty() || token_id.empty()) return;
  StartSeries(state, state.token_usage, Call::TokenUsage,
              TokensPath(state.selected_org) + "/" + token_id + "/usage" + DaysQuery(), token_id);
}

void LoadOrgUsage(State& state) {
  if (state.selected_org.empty()) return;
  StartSeries(state, state.org_usage, Call::OrgUsage, "/v2/orgs/" + state.selected_org + "/usage" + DaysQuery(), "");
}

void LoadExpiringCount(State& state) {
  if (state.selected_org.empty()) return;
  ExpiringTokens& expiring = state.expiring;
  if (expiring.org != state.selected_org) expiring = ExpiringTokens{"", 0, false, expiring.generation};
  expiring.org = state.selected_org;
  PendingCall call = OrgCall(state, Call::ExpiringCount, "GET",
                             TokensPath(state.selected_org) + "?expiring_within_days=" +
                                 std::to_string(oat::kExpiryBannerDays) + "&page_size=1");
  call.list_generation = ++expiring.generation;
  Send(state, std::move(call));
}

namespace calls {

void OnUsage(State& state, const PendingCall& call, const net::Response& answer) {
  UsageSeries& usage = call.call == Call::TokenUsage ? state.token_usage : state.org_usage;
  if (call.list_generation != usage.generation || call.org != usage.org || call.token_id != usage.token_id) return;
  usage.loading = false;
  if (!answer.ok()) {
    usage.error = answer.message();
    return;
  }
  auto days = oat::parse_usage_json(answer.body);
  if (!days) {
    usage.error = kUnreadable;
    return;
  }
  usage.days = std::move(days).value();
  usage.loaded = true;
  usage.error.clear();
}

void OnExpiringCount(State& state, const PendingCall& call, const net::Response& answer) {
  ExpiringTokens& expiring = state.expiring;
  if (call.list_generation != expiring.generation || call.org != expiring.org) return;
  // Unknown (refused, unreadable): no banner rather than a wrong one.
  expiring.loaded = false;
  expiring.count = 0;
  if (!answer.ok()) return;
  if (const auto page = oat::parse_page_json(answer.body)) {
    expiring.loaded = true;
    expiring.count = page->total;
  }
}

}  // namespace calls
}  // namespace console
