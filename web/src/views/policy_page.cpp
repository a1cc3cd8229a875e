// [SECTION] The form: the policy as the page's fields, checked by the core
// [SECTION] The page
//
// The organization's token policy: how long a token may live (from its creation or last
// rotation), whether it must expire, and how long it may go unused. The stored policy is said
// in the core's words (oat::describe_token_policy); the form becomes the very body a PUT sends
// and is checked by the server's own parser (oat::parse_token_policy_request) as it is typed,
// so nothing invalid is sent. For those who manage the organization's tokens (others are told
// why in the core's words).
#define IMGUI_DEFINE_MATH_OPERATORS
#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "client.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "oat/role.h"
#include "oat/token_policy.h"
#include "oat/wire.h"
#include "test_hook.h"
#include "theme.h"
#include "views/views.h"
#include "widget_names.h"
#include "widgets.h"

namespace console {
namespace {

using nlohmann::json;

constexpr float kFormWidth = 680;
constexpr float kCardPad = 24;

// -----------------------------------------------------------------------------------------------
// [SECTION] The form
// -----------------------------------------------------------------------------------------------

// The form's policy as the core reads a PUT: the body to send, or what is wrong, by field.
struct PolicyCheck {
  oat::Result<oat::TokenPolicy> policy = oat::Errors{};
  std::string body;
};

// A number of days as typed: a JSON number when it is one, else the text itself (so that the
// core names what is wrong with it, in the words the server would use).
json DaysValue(bool limited, const std::string& text) {
  if (!limited) return nullptr;
  long long days = 0;
  const char* end = text.data() + text.size();
  const auto [at, ec] = std::from_chars(text.data(), end, days);
  if (!text.empty() && ec == std::errc() && at == end) return days;
  return text;
}

PolicyCheck Check(const PolicyForm& form) {
  const json body = {{"max_lifetime_days", DaysValue(form.limit_lifetime, form.lifetime_days)},
                     {"require_expiration", form.require_expiration},
                     {"max_idle_days", DaysValue(form.limit_idle, form.idle_days)}};
  PolicyCheck check;
  check.policy = oat::parse_token_policy_request(oat::json_text(body));
  if (check.policy) check.body = oat::json_text(oat::token_policy_json(*check.policy));
  return check;
}

void FieldErrors(const State& state, const PolicyCheck& check, const std::string& field, float width) {
  const oat::Errors none;
  const oat::Errors& local = check.policy ? none : check.policy.errors();
  for (const oat::Errors* list : {&local, &state.policy.server_errors}) {
    for (const oat::Error& error : *list) {
      if (error.field == field) ui::FieldError(error.message, width, names::kPolicyErrorPrefix + field);
    }
  }
}

// A checkbox with a line of explanation under it, indented to its label.
bool Option(const char* id, const char* label, ui::Check check, const char* name, const std::string& explanation,
            float width) {
  const theme::Palette& p = theme::Current();
  const float x = ImGui::GetCursorPosX();
  const bool clicked = ui::Checkbox(id, label, check, theme::GetFonts().strong);
  test_hook::MarkLastItem(name);
  test_hook::Flag(name, names::kFlagChecked, check != ui::Check::Off);
  ImGui::SetCursorPosX(x + 24);
  ImGui::PushTextWrapPos(x + width);
  ui::Text(explanation, p.text_muted);
  ImGui::PopTextWrapPos();
  return clicked;
}

// "[ 90 ] days ...": the days field of a limit, when it is on.
void DaysField(const char* id, std::string* text, const char* name, const char* after) {
  const theme::Palette& p = theme::Current();
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + 24);
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(12, 8));
  ui::InputText(id, text, "days", 84, ImGuiInputTextFlags_CharsDecimal);
  test_hook::MarkLastItem(name, *text);
  ImGui::PopStyleVar();
  ImGui::SameLine(0, 10);
  ImGui::AlignTextToFramePadding();
  ui::Text(after, p.text_muted);
}

// How many active tokens `policy` would refuse at sign-in now (oat::check_policy_at_use).
std::size_t WouldBlock(const State& state, const oat::TokenPolicy& policy) {
  if (!state.tokens.loaded || state.tokens.org != state.selected_org) return 0;
  std::size_t n = 0;
  for (const oat::AccessToken& t : state.tokens.items) {
    if (oat::derive_state(t.is_active, t.expires_at, state.now) != oat::TokenState::Active) continue;
    if (oat::check_policy_at_use(policy, oat::lifetime_start(t.created_at, t.rotated_at), t.last_used_at, state.now)) {
      ++n;
    }
  }
  return n;
}

void Form(State& state, float left, float width) {
  const theme::Palette& p = theme::Current();
  TokenPolicyState& policy = state.policy;
  PolicyForm& form = policy.form;
  const PolicyCheck check = Check(form);
  const float inner = width - kCardPad * 2;

  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 top(left, ImGui::GetCursorScreenPos().y);
  draw->ChannelsSplit(2);
  draw->ChannelsSetCurrent(1);
  // Every line of the form starts inside the card.
  const float indent = left + kCardPad - ImGui::GetWindowPos().x - ImGui::GetCurrentWindow()->DC.Indent.x;
  ImGui::Indent(indent);
  ImGui::SetCursorScreenPos(top + ImVec2(kCardPad, kCardPad));
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(8, 6));

  const PolicyForm before = form;
  if (Option("##lifetime", "Limit how long a token lives", form.limit_lifetime ? ui::Check::On : ui::Check::Off,
             names::kPolicyLifetime,
             "Every token must expire within this many days of its creation or last rotation; an older one "
             "stops signing in until it is rotated.",
             inner)) {
    form.limit_lifetime = !form.limit_lifetime;
    if (form.limit_lifetime && form.lifetime_days.empty()) form.lifetime_days = "90";
  }
  if (form.limit_lifetime) {
    DaysField("##lifetime-days", &form.lifetime_days, names::kPolicyLifetimeDays, "days (1 to 366)");
  }
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + 24);
  FieldErrors(state, check, "max_lifetime_days", inner - 24);
  ImGui::Dummy(ImVec2(0, 8));

  // A lifetime limit implies an expiration: shown ticked and locked then.
  const ui::Check require = form.limit_lifetime ? ui::Check::Included
                                                : (form.require_expiration ? ui::Check::On : ui::Check::Off);
  if (Option("##require", "Require an expiration date", require, names::kPolicyRequire,
             form.limit_lifetime ? "Implied by the lifetime limit."
                                 : "Tokens that never expire can no longer be generated.",
             inner)) {
    form.require_expiration = !form.require_expiration;
  }
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + 24);
  FieldErrors(state, check, "require_expiration", inner - 24);
  ImGui::Dummy(ImVec2(0, 8));

  if (Option("##idle", "Stop tokens that go unused", form.limit_idle ? ui::Check::On : ui::Check::Off,
             names::kPolicyIdle,
             "A token not used for this many days (since its last use, creation or rotation) stops signing in "
             "until it is rotated.",
             inner)) {
    form.limit_idle = !form.limit_idle;
    if (form.limit_idle && form.idle_days.empty()) form.idle_days = "30";
  }
  if (form.limit_idle) DaysField("##idle-days", &form.idle_days, names::kPolicyIdleDays, "days (1 to 366)");
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + 24);
  FieldErrors(state, check, "max_idle_days", inner - 24);
  if (!(form == before)) policy.server_errors.clear();  // the draft changed: the refusal was of another

  // What the form says, once the core accepts it, and what it would do to the tokens there are.
  ImGui::Dummy(ImVec2(0, 10));
  const float x = ImGui::GetCursorPosX();
  const bool changed = !(form == policy.saved);
  if (check.policy) {
    ImGui::PushTextWrapPos(x + inner);
    const std::string preview = (changed ? "After saving: " : "") + oat::describe_token_policy(*check.policy);
    ui::Text(preview, changed ? p.text : p.text_muted, changed ? theme::GetFonts().strong : nullptr);
    test_hook::MarkLastItem(names::kPolicyPreview, preview);
    if (const std::size_t blocked = WouldBlock(state, *check.policy); blocked > 0) {
      ui::Text(std::to_string(blocked) + (blocked == 1 ? " active token" : " active tokens") +
                   " would stop signing in until rotated.",
               p.warning);
    }
    ImGui::PopTextWrapPos();
  }
  for (const oat::Error& error : policy.server_errors) {
    if (error.field == "max_lifetime_days" || error.field == "max_idle_days" || error.field == "require_expiration") {
      continue;
    }
    ImGui::Dummy(ImVec2(0, 4));
    ui::Banner(error.message, p.danger, inner);
    test_hook::ErrorShown(std::string(names::kPolicyErrorPrefix) + "server", error.message);
  }

  // Save, Reset.
  ImGui::Dummy(ImVec2(0, 10));
  const bool disabled = !check.policy || !changed || policy.pending;
  ImGui::SetCursorPosX(x);
  ImGui::BeginDisabled(disabled);
  const bool save = ui::Button(policy.pending ? "Saving\xE2\x80\xA6" : "Save policy", ui::ButtonKind::Primary,
                               ImVec2(128, 36));
  ImGui::EndDisabled();
  test_hook::MarkLastItem(names::kPolicySave);
  test_hook::Flag(names::kPolicySave, names::kFlagDisabled, disabled);
  if (!check.policy && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ui::Tooltip(check.policy.errors().front().message);
  }
  ImGui::SameLine(0, 10);
  ImGui::BeginDisabled(!changed || policy.pending);
  if (ui::Button("Reset", ui::ButtonKind::Secondary, ImVec2(96, 36))) {
    form = policy.saved;
    policy.server_errors.clear();
  }
  ImGui::EndDisabled();
  test_hook::MarkLastItem(names::kPolicyReset);
  test_hook::Flag(names::kPolicyReset, names::kFlagDisabled, !changed || policy.pending);
  ImGui::PopStyleVar();
  ImGui::Unindent(indent);
  if (save && !disabled) SaveTokenPolicy(state, check.body);

  // The card behind, now that its height is known.
  const float bottom = ImGui::GetCursorScreenPos().y + kCardPad - 6;
  draw->ChannelsSetCurrent(0);
  draw->AddRectFilled(top, ImVec2(left + width, bottom), theme::U32(p.surface), 10);
  draw->AddRect(top, ImVec2(left + width, bottom), theme::U32(p.border), 10);
  draw->ChannelsMerge();
  ImGui::SetCursorScreenPos(ImVec2(left, bottom));
  ImGui::Dummy(ImVec2(width, 0));
}

}  // namespace

// -----------------------------------------------------------------------------------------------
// [SECTION] The page
// -----------------------------------------------------------------------------------------------

void DrawPolicyPage(State& state) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  const PageColumn column = StartPageColumn();
  const float left = column.left, width = column.width;
  if (state.selected_org.empty()) return;
  TokenPolicyState& policy = state.policy;
  const Organization* org = SelectedOrganization(state);
  const bool manages = org && org->can_manage_tokens;
  if (manages && policy.org != state.selected_org && !policy.loading) LoadTokenPolicy(state);

  DrawViewTabs(state, left);
  const float top = ImGui::GetCursorScreenPos().y;
  ui::Text("Token policy", p.text, fonts.title);
  ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y - 4));
  ImGui::PushTextWrapPos(left + width - 60);
  ui::Text("Rules every access token of " + state.selected_org +
               " follows: checked when a token is generated or rotated, and at each sign-in.",
           p.text_muted);
  ImGui::PopTextWrapPos();
  const float heading_bottom = ImGui::GetCursorScreenPos().y;
  if (manages && ui::RefreshButton(ImVec2(left + width - 36, top + 4), policy.loading, "Reload the policy")) {
    LoadTokenPolicy(state);
  }
  test_hook::MarkLastItem(names::kPolicyRefresh);
  ImGui::SetCursorScreenPos(ImVec2(left, std::max(heading_bottom, top + 44) + 18));
  const float form_width = std::min(kFormWidth, width);

  if (!manages) {
    // Not a failure: the server says this person may not manage this organization's tokens.
    ui::Banner(oat::manage_tokens_refusal().message, p.neutral, form_width);
  } else if (!policy.loaded && policy.loading) {
    ui::Spinner(10, p.primary);
    ImGui::SameLine(0, 10);
    ui::Text("Loading the policy\xE2\x80\xA6", p.text_muted);
  } else if (!policy.loaded) {
    ui::Banner(policy.error.empty() ? "The policy could not be loaded." : policy.error, p.danger, form_width);
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 8));
    if (ui::Button("Try again", ui::ButtonKind::Secondary)) LoadTokenPolicy(state);
  } else {
    const std::string summary = oat::describe_token_policy(policy.policy);
    ui::Text("IN FORCE", p.text_faint, fonts.small);
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y - 2));
    ui::Banner(summary, policy.policy.empty() ? p.neutral : p.primary, form_width);
    test_hook::MarkLastItem(names::kPolicySummary, summary);
    if (!policy.error.empty()) {  // a failed reload keeps the last policy on screen
      ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 8));
      ui::Banner(policy.error, p.danger, form_width);
    }
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 18));
    Form(state, left, form_width);
  }

  test_hook::Status(names::kStatusScreen, names::kScreenPolicy);
  test_hook::Status(names::kStatusOrg, state.selected_org);
  test_hook::Status(names::kStatusLoading, policy.loading ? 1 : 0);
  test_hook::Status(names::kStatusPolicyPending, policy.pending ? 1 : 0);
  const oat::TokenPolicy* known = SelectedPolicy(state);
  test_hook::Status(names::kStatusPolicy, known ? oat::describe_token_policy(*known) : "");
}

}  // namespace console
