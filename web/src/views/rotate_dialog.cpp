// Rotating a token: a new secret, shown once (views/created_dialog.cpp), while the old one keeps
// signing in for a grace period (none, an hour, a day, a week) so that the jobs holding it can be
// updated. The token keeps its expiration unless a new one is chosen (the generate dialog's
// control); a rotation restarts its lifetime, so the organization's token policy is checked
// from now (oat::check_expiry_policy). The body is the core's (oat::rotate_request_body) and
// checked by the core's parser (oat::parse_rotate_request) before it is sent.
#define IMGUI_DEFINE_MATH_OPERATORS
#include <cmath>
#include <cstdint>
#include <string>

#include "client.h"
#include "dialog.h"
#include "draft.h"
#include "format.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "oat/token_policy.h"
#include "test_hook.h"
#include "theme.h"
#include "views/editor.h"
#include "views/views.h"
#include "widget_names.h"
#include "widgets.h"

namespace console {
namespace {

constexpr float kWidth = 640;
constexpr std::int64_t kGraceSeconds[4] = {0, 3600, 86400, oat::kMaxGracePeriodSeconds};
const char* const kGraceLabels[4] = {"None", "1 hour", "1 day", "7 days"};

// The request the form makes, checked by the core: the body, or every refusal by field.
struct RotateCheck {
  std::string body;
  oat::Errors errors;
  bool ok() const { return errors.empty(); }
};

oat::TokenPolicy PolicyOf(const State& state) {
  const oat::TokenPolicy* policy = SelectedPolicy(state);
  return policy ? *policy : oat::TokenPolicy{};
}

RotateCheck Check(const State& state) {
  const RotateForm& form = state.rotate;
  RotateCheck check;
  oat::RotateTokenRequest request;
  request.grace_period_seconds = kGraceSeconds[form.grace];
  std::optional<oat::Timestamp> expires_at = form.current_expiry;
  if (form.new_expiry) {
    oat::ExpiryChoice choice{form.expiry, std::nullopt};
    if (form.expiry == oat::ExpiryPreset::Custom) choice.custom = InstantOf(form.custom);
    auto resolved = oat::resolve_expiry(choice, state.now);
    if (!resolved) {
      check.errors = resolved.errors();
      return check;
    }
    expires_at = *resolved;
    request.expires_at.emplace(*resolved);
  }
  if (auto refused = oat::check_expiry_policy(PolicyOf(state), expires_at, state.now)) {
    check.errors.push_back(*refused);
    return check;
  }
  check.body = oat::rotate_request_body(request);
  if (auto parsed = oat::parse_rotate_request(check.body, state.now); !parsed) {
    check.errors = parsed.errors();
    check.body.clear();
  }
  return check;
}

// The errors (the core's, then the server's) for one field: "grace_period_seconds",
// "expires_at", or "" for the rest.
void FieldErrors(const RotateCheck& check, const RotateForm& form, const std::string& field, float width) {
  auto place = [](const oat::Error& e) {
    return e.field == "grace_period_seconds" || e.field == "expires_at" ? e.field : std::string();
  };
  for (const oat::Errors* list : {&check.errors, &form.server_errors}) {
    for (const oat::Error& error : *list) {
      if (place(error) != field) continue;
      if (field.empty()) {
        ImGui::Dummy(ImVec2(0, 2));
        ui::Banner(error.message, theme::Current().danger, width);
        test_hook::ErrorShown(std::string(names::kRotateErrorPrefix) + "server", error.message);
      } else {
        ui::FieldError(error.message, width, names::kRotateErrorPrefix + field);
      }
    }
  }
}

void Close(State& state) {
  state.dialog = state.rotate.return_to_details ? Dialog::TokenDetails : Dialog::None;
  state.rotate = RotateForm{};
  ui::CloseDialog();
}

void Submit(State& state, const RotateCheck& check) {
  if (!check.ok() || state.rotate.pending) return;
  RotateToken(state, check.body);
}

void Grace(State& state, float width) {
  const theme::Palette& p = theme::Current();
  RotateForm& form = state.rotate;
  editor::FieldLabel("Keep the old secret working");
  ImGui::Dummy(ImVec2(0, 0));
  const int clicked = ui::Segmented("##grace", kGraceLabels, nullptr, 4, form.grace, names::kRotateGrace);
  for (int i = 0; i < 4; ++i) test_hook::Flag(names::kRotateGrace[i], names::kFlagSelected, i == form.grace);
  if (clicked >= 0) form.grace = clicked;
  std::string summary;
  if (const auto until = oat::previous_secret_expiry(kGraceSeconds[form.grace], state.now)) {
    summary = "Jobs can sign in with the old secret until " + format::ExactLocalTime(*until) + " (" +
              format::RelativeTime(*until, state.now) + "); then only the new one works.";
  } else {
    summary = "The old secret stops working at once: jobs that use it fail until they have the new one.";
  }
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  ui::Text(summary, p.text_muted);
  ImGui::PopTextWrapPos();
  test_hook::MarkLastItem(names::kRotateGraceSummary, summary);
}

void Expiry(State& state, const RotateCheck& check, float width) {
  const theme::Palette& p = theme::Current();
  RotateForm& form = state.rotate;
  const oat::TokenPolicy policy = PolicyOf(state);
  editor::FieldLabel("Expiration");
  ImGui::Dummy(ImVec2(0, 0));
  const std::string current =
      form.current_expiry ? format::ExactLocalTime(*form.current_expiry) + "  (" +
                                format::RelativeTime(*form.current_expiry, state.now) + ")"
                          : std::string("Never expires");
  // Keeping the expiration is a choice only when the policy allows it from now on.
  const oat::Status keep_refused = oat::check_expiry_policy(policy, form.current_expiry, state.now);
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  ui::Text((form.new_expiry ? "Now: " : "Keeps its expiration: ") + current, form.new_expiry ? p.text_muted : p.text);
  test_hook::MarkLastItem(names::kRotateExpiryCurrent, current);
  if (keep_refused) ui::Text(keep_refused->message, p.text_faint);
  ImGui::PopTextWrapPos();
  ImGui::Dummy(ImVec2(0, 2));
  const bool clicked = ui::Checkbox("##new-expiry", "Choose a new expiration",
                                    keep_refused ? ui::Check::Included
                                                 : (form.new_expiry ? ui::Check::On : ui::Check::Off));
  test_hook::MarkLastItem(names::kRotateNewExpiry);
  test_hook::Flag(names::kRotateNewExpiry, names::kFlagChecked, form.new_expiry || keep_refused);
  if (clicked) form.new_expiry = !form.new_expiry;
  if (keep_refused) form.new_expiry = true;
  if (form.new_expiry) {
    ImGui::Dummy(ImVec2(0, 2));
    editor::DrawExpiryChoice(state, {form.expiry, form.custom, form.calendar_year, form.calendar_month}, policy,
                             names::kRotateExpiryNames);
  } else if (!policy.empty()) {
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
    const std::string sentence = "Token policy: " + oat::describe_token_policy(policy);
    ui::Text(sentence, p.text_faint);
    test_hook::MarkLastItem(names::kRotateExpiryNames.policy, sentence);
    ImGui::PopTextWrapPos();
  }
  FieldErrors(check, form, "expires_at", width);
}

void Footer(State& state, const RotateCheck& check) {
  const theme::Palette& p = theme::Current();
  RotateForm& form = state.rotate;
  ui::BeginDialogFooter();
  if (form.pending) {
    const ImVec2 left = ImGui::GetCursorPos();
    ImGui::SetCursorPos(left + ImVec2(0, 9));
    ui::Spinner(9, p.primary);
    ImGui::SameLine(0, 10);
    ImGui::SetCursorPosY(left.y + 9);
    ui::Text("Rotating\xE2\x80\xA6", p.text_muted);
    test_hook::MarkLastItem(names::kRotatePending);
  }
  const char* label = "Rotate token";
  ImGui::PushFont(theme::GetFonts().strong);
  const float submit_width = std::floor(ImGui::CalcTextSize(label).x + 36);
  ImGui::PopFont();
  ui::RightButtonX(submit_width);
  const bool disabled = !check.ok() || form.pending;
  ImGui::BeginDisabled(disabled);
  const bool clicked = ui::Button(label, ui::ButtonKind::Primary, ImVec2(submit_width, 36));
  ImGui::EndDisabled();
  test_hook::MarkLastItem(names::kRotateSubmit);
  test_hook::Flag(names::kRotateSubmit, names::kFlagDisabled, disabled);
  if (!check.ok() && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ui::Tooltip(check.errors.front().message);
  }
  ui::RightButtonX(96);
  const bool cancelled = ui::Button("Cancel", ui::ButtonKind::Secondary, ImVec2(96, 36));
  test_hook::MarkLastItem(names::kRotateCancel);
  ui::EndDialogFooter();
  if (clicked) Submit(state, check);
  if (cancelled) Close(state);
}

}  // namespace

void DrawRotateDialog(State& state) {
  RotateForm& form = state.rotate;
  if (!ui::BeginDialog("##rotate", kWidth)) return;
  const bool dismissed = ui::DialogHeader(
      "Rotate access token",
      "\xE2\x80\x9C" + form.label + "\xE2\x80\x9D gets a new secret, shown once. What it may reach stays the same.",
      names::kRotateClose);
  if (dismissed) {
    Close(state);
    ui::EndDialog();
    return;
  }
  // The server's refusal (in form.server_errors) stands until the next attempt.
  const RotateCheck check = Check(state);
  ui::BeginDialogBody();
  const float width = ui::DialogContentWidth();
  Grace(state, width);
  FieldErrors(check, form, "grace_period_seconds", width);
  ImGui::Dummy(ImVec2(0, 10));
  Expiry(state, check, width);
  FieldErrors(check, form, "", width);
  ui::EndDialogBody();
  Footer(state, check);

  if (state.dialog == Dialog::RotateToken) {
    if (ui::DialogEnterPressed()) Submit(state, check);
    if (ui::DialogEscapePressed()) Close(state);
  }
  test_hook::Status(names::kStatusRotateValid, check.ok() ? 1 : 0);
  test_hook::Status(names::kRotatePending, form.pending ? 1 : 0);
  ui::EndDialog();
}

}  // namespace console
