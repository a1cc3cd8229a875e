#define IMGUI_DEFINE_MATH_OPERATORS
#include <algorithm>
#include <cmath>

#include "client.h"
#include "format.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "oat/lifecycle.h"
#include "oat/plan.h"
#include "oat/token_policy.h"
#include "test_hook.h"
#include "theme.h"
#include "views/views.h"
#include "widget_names.h"
#include "widgets.h"

namespace console {
namespace {

constexpr float kMinTableHeight = 260;

// Title and intro on the left; refresh and generate on the right (on a phone, under them).
void Heading(State& state, float left, float width) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  const bool narrow = theme::Narrow();
  float top = ImGui::GetCursorScreenPos().y;

  ImGui::SetCursorScreenPos(ImVec2(left, top));
  ui::Text("Access tokens", p.text, fonts.title);
  ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y - 4));
  ImGui::PushTextWrapPos(left + width - (narrow ? 0 : 260));
  ui::Text("Tokens that belong to " + state.selected_org +
               ", not to a person: for CI and deploy jobs that push and pull its images.",
           p.text_muted);
  ImGui::PopTextWrapPos();
  float bottom = ImGui::GetCursorScreenPos().y;
  if (narrow) {  // the buttons on a line of their own, at the right
    top = bottom + 4;
    bottom = top + 44;
  }

  // Right: refresh, generate.
  ImGui::PushFont(fonts.strong);
  const float generate_width = std::floor(ImGui::CalcTextSize("Generate token").x + 12 + 16 + 8 + 16);
  ImGui::PopFont();
  float x = left + width - generate_width;
  ImGui::SetCursorScreenPos(ImVec2(x, top + 4));
  // Generate is offered only when the core's rules allow one more token here; else why not.
  const oat::Status refusal = GenerateRefusal(state);
  ImGui::BeginDisabled(refusal.has_value());
  if (ui::IconLabelButton("Generate token", ui::Icon::Plus, ui::ButtonKind::Primary, ImVec2(generate_width, 36))) {
    OpenGenerateDialog(state);
  }
  ImGui::EndDisabled();
  test_hook::MarkLastItem(names::kTokensGenerate);
  test_hook::Flag(names::kTokensGenerate, names::kFlagDisabled, refusal.has_value());
  test_hook::Status(names::kStatusGenerateEnabled, refusal ? 0 : 1);
  if (refusal) {
    test_hook::Status(names::kStatusGenerateRefusal, refusal->message);
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ui::Tooltip(refusal->message);
  }
  x -= 8 + 36;
  if (ui::RefreshButton(ImVec2(x, top + 4), state.tokens.loading, "Reload the list")) {
    LoadTokens(state);
    LoadTokenPolicy(state);  // what it blocks
  }
  test_hook::MarkLastItem(names::kTokensRefresh);
  ImGui::SetCursorScreenPos(ImVec2(left, std::max(bottom, top + 44)));
}

// Text filter, status filter, freshness.
void Toolbar(State& state, float left, float width) {
  const theme::Palette& p = theme::Current();
  const float top = ImGui::GetCursorScreenPos().y;
  TokensTable& view = state.tokens_table;

  const bool narrow = theme::Narrow();
  ImGui::SetCursorScreenPos(ImVec2(left, top));
  ui::SearchInput("##filter", &view.filter, "Filter by label, description or creator",
                  narrow ? width : std::min(340.0f, width * 0.4f));
  test_hook::MarkLastItem(names::kTokensFilter);

  int counts[4] = {static_cast<int>(state.tokens.items.size()), 0, 0, 0};
  for (const oat::AccessToken& t : state.tokens.items) {
    switch (oat::derive_state(t.is_active, t.expires_at, state.now)) {
      case oat::TokenState::Active: ++counts[1]; break;
      case oat::TokenState::Inactive: ++counts[2]; break;
      case oat::TokenState::Expired: ++counts[3]; break;
    }
  }
  static const char* const kLabels[4] = {"All", "Active", "Inactive", "Expired"};
  // On a phone, the status filter is under the text filter.
  const float row_top = narrow ? top + ImGui::GetFrameHeight() + 10 : top;
  if (narrow) {
    ImGui::SetCursorScreenPos(ImVec2(left, row_top));
  } else {
    ImGui::SameLine(0, 12);
  }
  const int clicked = ui::Segmented("##status", kLabels, counts, 4, static_cast<int>(view.status),
                                    names::kTokensStatus);
  if (clicked >= 0) view.status = static_cast<StatusFilter>(clicked);

  if (state.tokens.loaded) {
    const std::string updated = "Updated " + format::RelativeTime(state.tokens.loaded_at, state.now);
    const ImVec2 size = ImGui::CalcTextSize(updated.c_str());
    const float row_height = ImGui::GetFrameHeight();
    const float x = left + width - size.x;
    if (x > ImGui::GetItemRectMax().x + 16) {
      ImGui::GetWindowDrawList()->AddText(ImVec2(x, std::floor(row_top + (row_height - size.y) * 0.5f)),
                                          theme::U32(p.text_faint), updated.c_str());
    }
  }
  ImGui::SetCursorScreenPos(ImVec2(left, row_top + ImGui::GetFrameHeight() + 16));
}

// How many active tokens stop working within oat::kExpiryBannerDays, as the server counts them,
// and a button that lists them first (active ones, soonest expiry first).
void ExpiringBanner(State& state, float left, float width) {
  const ExpiringTokens& expiring = state.expiring;
  if (!expiring.loaded || expiring.org != state.selected_org) return;
  test_hook::Status(names::kTokensExpiring, static_cast<long long>(expiring.count));
  if (expiring.count == 0) return;
  const std::string within = " within " + std::to_string(oat::kExpiryBannerDays) + " days";
  const std::string text = expiring.count == 1 ? "1 token expires" + within
                                               : std::to_string(expiring.count) + " tokens expire" + within;
  ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 12));
  ui::Banner(text, theme::Current().warning, width);
  test_hook::MarkLastItem(names::kTokensExpiring, text);
  const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
  const ImVec2 end = ImGui::GetCursorScreenPos();
  ImGui::PushFont(theme::GetFonts().strong);
  const float button = std::floor(ImGui::CalcTextSize("Show them").x + 24);
  ImGui::PopFont();
  ImGui::SetCursorScreenPos(ImVec2(max.x - button - 5, std::floor((min.y + max.y) * 0.5f) - 14));
  if (ui::Button("Show them", ui::ButtonKind::Ghost, ImVec2(button, 28))) {
    TokensTable& view = state.tokens_table;
    view.filter.clear();
    view.status = StatusFilter::Active;
    view.sort_column = TokenColumn::Expires;
    view.sort_ascending = true;
  }
  test_hook::MarkLastItem(names::kTokensExpiringShow);
  ImGui::SetCursorScreenPos(end);
}

// When there is no organization to show.
void NoOrganization(State& state, float left, float width) {
  const theme::Palette& p = theme::Current();
  if (state.orgs.loading) {
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 40));
    ui::Spinner(10, p.primary);
    ImGui::SameLine(0, 10);
    ui::Text("Loading your organizations\xE2\x80\xA6", p.text_muted);
  } else if (!state.orgs.error.empty()) {
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 24));
    ui::Banner(state.orgs.error, p.danger, width);
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 8));
    if (ui::Button("Try again", ui::ButtonKind::Secondary)) LoadOrganizations(state);
  } else {
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 24));
    ui::Text("You are not a member of any organization.", p.text, theme::GetFonts().strong);
    ui::Text("Ask an organization owner to add you; its tokens will show here.", p.text_muted);
  }
}

}  // namespace

void DrawTokensPage(State& state) {
  const theme::Palette& p = theme::Current();
  const PageColumn column = StartPageColumn();
  const float left = column.left, width = column.width;

  if (state.selected_org.empty()) {
    NoOrganization(state, left, width);
    test_hook::Status(names::kStatusScreen, names::kScreenNoOrganization);
    return;
  }

  DrawViewTabs(state, left);
  Heading(state, left, width);
  if (const oat::Status refusal = GenerateRefusal(state); refusal && (state.tokens.loaded || state.tokens.error_status == 403)) {
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 12));
    ui::Banner(refusal->message, p.warning, width);
    test_hook::MarkLastItem(names::kTokensGenerateReason, refusal->message);
  }
  // Where a link led (a token that is not there), until dismissed or the person moves on.
  if (!state.tokens_notice.empty()) {
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 12));
    const ImVec2 at = ImGui::GetCursorScreenPos();
    ui::Banner(state.tokens_notice, p.warning, width);
    test_hook::MarkLastItem(names::kTokensNotice, state.tokens_notice);
    test_hook::Status(names::kTokensNotice, state.tokens_notice);
    const ImVec2 end = ImGui::GetCursorScreenPos();
    ImGui::SetCursorScreenPos(ImVec2(at.x + width - 34, at.y + 5));
    if (ui::IconButton("##dismiss-notice", ui::Icon::Close, 28, "Dismiss")) state.tokens_notice.clear();
    test_hook::MarkLastItem(names::kTokensNoticeDismiss);
    ImGui::SetCursorScreenPos(end);
  }
  // A row action the server refused, in its words, until dismissed or another action.
  if (state.action.origin == ActionOrigin::Table && !state.action.error.empty()) {
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 12));
    const char* verb = state.action.kind == TokenActionKind::Activate ? "activate" : "deactivate";
    const std::string text = "Could not " + std::string(verb) + " \xE2\x80\x9C" + state.action.label +
                             "\xE2\x80\x9D: " + state.action.error;
    const ImVec2 at = ImGui::GetCursorScreenPos();
    ui::Banner(text, p.danger, width);
    test_hook::ErrorShown(names::kTokensActionError, state.action.error);
    const ImVec2 end = ImGui::GetCursorScreenPos();
    ImGui::SetCursorScreenPos(ImVec2(at.x + width - 34, at.y + 5));
    if (ui::IconButton("##dismiss", ui::Icon::Close, 28, "Dismiss")) state.action = TokenAction{};
    ImGui::SetCursorScreenPos(end);
  }
  ExpiringBanner(state, left, width);
  ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 18));
  Toolbar(state, left, width);

  // A failed reload keeps the last list on screen, with the reason above it.
  if (state.tokens.loaded && !state.tokens.error.empty()) {
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y));
    ui::Banner(state.tokens.error, p.danger, width);
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 6));
  }

  const float footer = 34;
  const float bottom = column.bottom - 24;
  // The card hugs its rows, and scrolls once they outgrow the window.
  const float room = std::max(kMinTableHeight, bottom - footer - ImGui::GetCursorScreenPos().y);
  const float table_height = std::floor(std::min(room, TokensTableNaturalHeight(state)));
  ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y));
  DrawTokensTable(state, width, table_height);

  // Footer: how much is shown.
  const std::size_t total = state.tokens.items.size();
  const std::size_t shown = VisibleTokenCount(state);
  if (state.tokens.loaded && total > 0) {
    const std::string text = "Showing " + std::to_string(shown) + " of " + std::to_string(total) +
                             (total == 1 ? " token" : " tokens");
    ImGui::SetCursorScreenPos(ImVec2(left + 2, ImGui::GetCursorScreenPos().y + 4));
    ui::Text(text, p.text_faint);
  }
  test_hook::Status(names::kStatusScreen, names::kScreenTokens);
  test_hook::Status(names::kStatusOrg, state.selected_org);
  test_hook::Status(names::kStatusTokens, static_cast<long long>(total));
  test_hook::Status(names::kStatusLoading, state.tokens.loading ? 1 : 0);
  const oat::TokenPolicy* policy = SelectedPolicy(state);
  test_hook::Status(names::kStatusPolicy, policy ? oat::describe_token_policy(*policy) : "");
}

}  // namespace console
