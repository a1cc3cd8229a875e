// One token in full, in a drawer on the right (a row's click): state, dates, its last rotation
// and the old secret's grace (until when it works, when it was last used), last use (relative
// and exact, the addresses it came from), registry pulls and pushes (and per day over the last 30
// days, chart.h), where it may sign in from and whether it may rotate itself, and its resources
// with their scopes. What the token policy blocks is said at the top; the actions its state
// allows (oat::check_token_action) are at the bottom.
#define IMGUI_DEFINE_MATH_OPERATORS
#include <algorithm>
#include <cmath>
#include <utility>

#include "chart.h"
#include "client.h"
#include "dialog.h"
#include "format.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "oat/resource.h"
#include "oat/token_policy.h"
#include "test_hook.h"
#include "theme.h"
#include "views/editor.h"
#include "views/views.h"
#include "widget_names.h"
#include "widgets.h"

namespace console {
namespace {

constexpr float kWidth = 520;
constexpr float kKeyWidth = 118;
constexpr float kChartHeight = 150;

const oat::AccessToken* Listed(const State& state, const std::string& id) {
  for (const oat::AccessToken& t : state.tokens.items) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

// A key on the left, a value on the right.
void Row(const char* key, const std::string& value, const ImVec4& color, const char* name = nullptr,
         const std::string& tooltip = "", ImFont* font = nullptr) {
  const theme::Palette& p = theme::Current();
  const float x = ImGui::GetCursorPosX();
  ui::Text(key, p.text_muted);
  ImGui::SameLine(x + kKeyWidth);
  ImGui::PushTextWrapPos(ImGui::GetWindowContentRegionMax().x);
  ui::Text(value, color, font);
  ImGui::PopTextWrapPos();
  if (name) test_hook::MarkLastItem(name, value);
  if (!tooltip.empty()) ui::Tooltip(tooltip);
}

void SectionTitle(const char* text) {
  ImGui::Dummy(ImVec2(0, 6));
  ui::Text(text, theme::Current().text_faint, theme::GetFonts().small);
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 2);
}

// One resource: its path and every scope it grants (the chosen ones, then those they include).
void Resource(const State& state, const oat::Resource& r, float width) {
  const theme::Palette& p = theme::Current();
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const bool public_repos = r.path == oat::kPublicRepositoriesPath;
  const ui::Icon icon = r.type == oat::ResourceType::Org ? ui::Icon::Key : public_repos ? ui::Icon::Globe : ui::Icon::Box;
  ui::DrawIcon(draw, icon, pos + ImVec2(8, 10), 16, theme::U32(p.text_muted));
  ImGui::SetCursorScreenPos(pos + ImVec2(26, 0));
  std::string title = r.path;
  if (r.type == oat::ResourceType::Org) title = r.path + " (organization)";
  else if (public_repos) title = "Public repositories (*/*/public)";
  else if (r.path == state.selected_org + "/*") title = "All " + state.selected_org + " repositories (" + r.path + ")";
  ui::Text(title, p.text, r.type == oat::ResourceType::Repo && !public_repos ? theme::GetFonts().mono : nullptr);
  // Chips that wrap within the width.
  const oat::ScopeSet chosen = oat::ScopeSet::of(r.scopes);
  const oat::ScopeSet all = oat::with_inclusions(chosen);
  float x = pos.x + 26;
  float y = ImGui::GetCursorScreenPos().y;
  ImGui::PushFont(theme::GetFonts().small);
  for (oat::Scope s : all.to_vector()) {
    const std::string name(oat::scope_name(s));
    const ImVec2 size = ImGui::CalcTextSize(name.c_str());
    const float w = size.x + 14;
    if (x + w > pos.x + width) {
      x = pos.x + 26;
      y += 26;
    }
    const bool direct = chosen.contains(s);
    const ImVec4 color = direct ? p.primary : p.text_muted;
    draw->AddRectFilled(ImVec2(x, y), ImVec2(x + w, y + 21), theme::U32(theme::Alpha(color, direct ? 0.14f : 0.10f)), 6);
    draw->AddText(ImVec2(x + 7, y + std::floor((21 - size.y) * 0.5f)), theme::U32(color), name.c_str());
    x += w + 6;
  }
  ImGui::PopFont();
  ImGui::SetCursorScreenPos(ImVec2(pos.x, y + 30));
}

void Actions(State& state, const oat::AccessToken& token, oat::TokenState token_state) {
  const theme::Palette& p = theme::Current();
  const std::string& id = token.id;
  const std::string& label = token.label;
  TokenAction& action = state.action;
  const bool busy = action.pending && action.token_id == id;
  ui::BeginDialogFooter();
  if (busy) {
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 9);
    ui::Spinner(9, p.text_muted);
    ImGui::SameLine(0, 8);
    ui::Text(action.kind == TokenActionKind::Activate ? "Activating\xE2\x80\xA6" : "Deactivating\xE2\x80\xA6",
             p.text_muted);
  }
  const bool can_delete = Allows(token_state, oat::TokenAction::Delete);
  const bool can_deactivate =
      token_state == oat::TokenState::Active && Allows(token_state, oat::TokenAction::Deactivate);
  const bool can_activate = token_state == oat::TokenState::Inactive && Allows(token_state, oat::TokenAction::Activate);
  const bool can_rotate = Allows(token_state, oat::TokenAction::Rotate);
  const bool can_edit = Allows(token_state, oat::TokenAction::Edit);
  // The buttons' widths; on a phone they are narrowed to fit its width.
  constexpr float kDelete = 96, kDeactivate = 116, kActivate = 100, kRotate = 84, kEdit = 80;
  float widths = 0;
  int buttons = 0;
  for (const auto& [shown, width] : {std::pair{can_delete, kDelete}, {can_deactivate, kDeactivate},
                                     {can_activate, kActivate}, {can_rotate, kRotate}, {can_edit, kEdit}}) {
    widths += shown ? width : 0;
    buttons += shown ? 1 : 0;
  }
  const float fit = ui::FooterFit(widths, buttons);
  const auto size = [fit](float width) { return ImVec2(std::floor(width * fit), 36); };
  ImGui::BeginDisabled(action.pending);
  if (can_delete) {
    ui::RightButtonX(size(kDelete).x);
    if (ui::Button("Delete", ui::ButtonKind::Danger, size(kDelete))) {
      OpenDeleteDialog(state, id, label, ActionOrigin::Details);
    }
    test_hook::MarkLastItem(names::kDetailsDelete);
  }
  if (can_deactivate) {
    ui::RightButtonX(size(kDeactivate).x);
    if (ui::Button("Deactivate", ui::ButtonKind::Secondary, size(kDeactivate))) {
      SetTokenActive(state, id, label, false, ActionOrigin::Details);
    }
    test_hook::MarkLastItem(names::kDetailsDeactivate);
  }
  if (can_activate) {
    ui::RightButtonX(size(kActivate).x);
    if (ui::Button("Activate", ui::ButtonKind::Secondary, size(kActivate))) {
      SetTokenActive(state, id, label, true, ActionOrigin::Details);
    }
    test_hook::MarkLastItem(names::kDetailsActivate);
  }
  if (can_rotate) {
    ui::RightButtonX(size(kRotate).x);
    if (ui::Button("Rotate", ui::ButtonKind::Secondary, size(kRotate))) OpenRotateDialog(state, token, true);
    test_hook::MarkLastItem(names::kDetailsRotate);
  }
  if (can_edit) {
    ui::RightButtonX(size(kEdit).x);
    if (ui::Button("Edit", ui::ButtonKind::Secondary, size(kEdit))) OpenEditDialog(state, id, true);
    test_hook::MarkLastItem(names::kDetailsEdit);
  }
  ImGui::EndDisabled();
  ui::EndDialogFooter();
}

}  // namespace

void DrawDetailsDrawer(State& state) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  TokenDetails& details = state.details;
  if (!ui::BeginDrawer("##details", kWidth)) return;
  // Its use per day: asked when the drawer opens (OpenTokenDetails, a link), or here once when not.
  if (state.token_usage.token_id != details.id || state.token_usage.org != state.selected_org) {
    LoadTokenUsage(state, details.id);
  }

  // While the single token loads, the list's copy (no resources) stands in.
  const oat::AccessToken* token = details.token && details.token->id == details.id ? &*details.token
                                                                                    : Listed(state, details.id);
  const std::string label = token ? token->label : std::string("Access token");
  const std::string description = token && !token->description.empty() ? token->description : "No description.";
  const bool dismissed = ui::DialogHeader(label, description, names::kDetailsClose);
  ui::BeginDialogBody();
  const float width = ui::DialogContentWidth();

  if (!token) {
    if (details.loading) {
      ui::Spinner(9, p.primary);
      ImGui::SameLine(0, 8);
      ui::Text("Loading the token\xE2\x80\xA6", p.text_muted);
    }
  } else {
    const oat::TokenState token_state = oat::derive_state(token->is_active, token->expires_at, state.now);
    ui::Badge(TokenStateWord(token_state), TokenStateColor(token_state));
    test_hook::MarkLastItem(names::kDetailsStatus, TokenStateWord(token_state));
    if (details.loading) {
      ImGui::SameLine(0, 10);
      ui::Spinner(8, p.text_faint);
    }
    if (const oat::Status blocked = PolicyBlock(state, *token)) {
      ImGui::Dummy(ImVec2(0, 4));
      ui::Banner(blocked->message, p.warning, width);
      test_hook::MarkLastItem(names::kDetailsPolicy, blocked->message);
    }
    ImGui::Dummy(ImVec2(0, 2));
    SectionTitle("TOKEN");
    Row("Created", format::ShortDate(token->created_at) + " by " + token->created_by, p.text, names::kDetailsCreated,
        format::ExactLocalTime(token->created_at));
    if (token->expires_at) {
      const bool past = *token->expires_at <= state.now;
      Row(past ? "Expired" : "Expires",
          format::ExactLocalTime(*token->expires_at) + "  (" + format::RelativeTime(*token->expires_at, state.now) + ")",
          past ? p.danger : p.text, names::kDetailsExpires);
    } else {
      Row("Expires", "Never", p.text_muted, names::kDetailsExpires);
    }
    if (token->rotated_at) {
      Row("Rotated", format::RelativeTime(*token->rotated_at, state.now), p.text, names::kDetailsRotated,
          format::ExactLocalTime(*token->rotated_at));
    }
    // The secret a rotation replaced: while it still signs in, and when it last did (which jobs
    // still hold it).
    const char* old_key = "Old secret";
    if (oat::previous_secret_usable(token->previous_token_expires_at, state.now)) {
      const oat::Timestamp until = *token->previous_token_expires_at;
      Row(old_key, "Valid until " + format::ExactLocalTime(until) + "  (" + format::RelativeTime(until, state.now) + ")",
          p.warning, names::kDetailsPreviousExpires,
          "Jobs can still sign in with the secret this token had before its last rotation.");
      old_key = "";
    }
    if (token->previous_token_last_used_at) {
      const oat::Timestamp used = *token->previous_token_last_used_at;
      Row(old_key, "Last used " + format::RelativeTime(used, state.now), p.text, names::kDetailsPreviousLastUsed,
          format::ExactLocalTime(used));
    }
    Row("ID", token->id, p.text_muted, names::kDetailsId, "", fonts.mono);

    SectionTitle("USE");
    if (token->last_used_at) {
      Row("Last used", format::RelativeTime(*token->last_used_at, state.now), p.text, names::kDetailsLastUsed);
      Row("", format::ExactLocalTime(*token->last_used_at), p.text_muted, names::kDetailsLastUsedExact);
    } else {
      Row("Last used", "Never", p.text_muted, names::kDetailsLastUsed);
    }
    const bool full = details.token && details.token->id == token->id;
    if (full) {
      std::string addresses;
      for (const std::string& a : token->last_used_addresses) addresses += (addresses.empty() ? "" : "\n") + a;
      Row("From", addresses.empty() ? "No sign-in yet" : addresses, addresses.empty() ? p.text_muted : p.text,
          names::kDetailsAddresses, "The last 5 addresses it signed in from, most recent first.",
          addresses.empty() ? nullptr : fonts.mono);
      Row("Pulls", format::Thousands(static_cast<std::size_t>(std::max(0LL, token->pull_count))), p.text,
          names::kDetailsPulls);
      Row("Pushes", format::Thousands(static_cast<std::size_t>(std::max(0LL, token->push_count))), p.text,
          names::kDetailsPushes);
      ImGui::Dummy(ImVec2(0, 4));
      ui::UsageChart(state.token_usage, width, kChartHeight, names::kDetailsUsage);

      SectionTitle("SIGN-IN");
      std::string blocks;
      for (const std::string& b : token->allowed_cidrs) blocks += (blocks.empty() ? "" : "\n") + b;
      Row("Addresses", blocks.empty() ? "Any address" : blocks, blocks.empty() ? p.text_muted : p.text,
          names::kDetailsAllowedCidrs, "Where it may sign in from; any other address is refused.",
          blocks.empty() ? nullptr : fonts.mono);
      Row("Self-rotation", token->allow_self_rotation ? "Allowed" : "Not allowed",
          token->allow_self_rotation ? p.text : p.text_muted, names::kDetailsSelfRotation,
          "Whether a job holding it may replace its secret itself.");

      SectionTitle("RESOURCES AND SCOPES");
      ImGui::Dummy(ImVec2(0, 2));
      for (const oat::Resource& r : token->resources) Resource(state, r, width);
      test_hook::Status(names::kStatusDetailsResources, static_cast<long long>(token->resources.size()));
    }
  }
  if (!details.error.empty()) {
    ImGui::Dummy(ImVec2(0, 4));
    ui::Banner(details.error, p.danger, width);
    test_hook::ErrorShown(names::kDetailsError, details.error);
  }
  if (state.action.origin == ActionOrigin::Details && !state.action.error.empty() &&
      state.action.token_id == details.id) {
    ImGui::Dummy(ImVec2(0, 4));
    ui::Banner(state.action.error, p.danger, width);
    test_hook::ErrorShown(names::kDetailsActionError, state.action.error);
  }
  ui::EndDialogBody();

  if (token) {
    Actions(state, *token, oat::derive_state(token->is_active, token->expires_at, state.now));
  }
  test_hook::Status(names::kStatusDetailsLoading, details.loading ? 1 : 0);
  // A click on the dimmed page beside the drawer closes it too.
  const bool outside = ImGui::IsMouseClicked(0) && ImGui::GetIO().MousePos.x < ImGui::GetWindowPos().x &&
                       ImGui::GetIO().MousePos.x >= 0;
  if (dismissed || outside || ui::DialogEscapePressed()) {
    state.dialog = Dialog::None;
    if (!state.action.pending) state.action = TokenAction{};
    ui::CloseDialog();
  }
  ui::EndDialog();
}

}  // namespace console
