// The generate and edit dialogs: one form (views/editor.h), two requests. Each frame the draft
// is turned into the very JSON the server would get and checked by the core; the errors shown
// are the server's words, and the submit button stays disabled while any remains, so nothing
// invalid is sent. The server's own refusals are shown where they belong until the draft
// changes.
#define IMGUI_DEFINE_MATH_OPERATORS
#include <algorithm>
#include <cmath>

#include "client.h"
#include "dialog.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "test_hook.h"
#include "theme.h"
#include "views/editor.h"
#include "views/views.h"
#include "widget_names.h"
#include "widgets.h"

namespace console {
namespace {

constexpr float kWidth = 780;

bool Shows(const TokenEditor& editor, const std::string& place) {
  if (place == "label") return editor.label_touched || editor.submit_attempted;
  if (place == "resources") return editor.resources.touched || editor.submit_attempted;
  return true;
}

void Add(editor::Verdict& verdict, const std::string& place, const oat::Error& error) {
  oat::Errors& list = verdict.shown[place];
  for (const oat::Error& e : list) {
    if (e.message == error.message) return;
  }
  list.push_back(error);
}

editor::Verdict Judge(State& state) {
  TokenEditor& e = state.editor;
  editor::Verdict verdict;
  const oat::OrganizationContext context = ContextOf(state);
  verdict.check = e.editing() ? CheckUpdate(e.draft, context)
                               : CheckCreate(e.draft, context, SelectedPolicy(state));
  // What the core says beyond the request itself: the plan and quota, the token's state.
  const oat::Status refusal = e.editing() ? oat::check_token_action(e.token_state, oat::TokenAction::Edit)
                                          : GenerateRefusal(state);
  if (refusal && !e.loading) {
    verdict.check.errors.push_back(*refusal);
    verdict.check.body.clear();
  }
  if (!e.server_errors.empty() && !(e.draft == e.sent)) e.server_errors.clear();
  for (const oat::Error& error : verdict.check.errors) {
    const std::string place = ErrorPlace(error, verdict.check.slots);
    if (Shows(e, place)) {
      Add(verdict, place, error);
    } else if (place == "resources") {
      verdict.hints[place].push_back(error);  // what a token needs, said before it is missed
    }
  }
  for (const oat::Error& error : e.server_errors) Add(verdict, ErrorPlace(error, e.sent_slots), error);
  return verdict;
}

void Submit(State& state, const editor::Verdict& verdict) {
  TokenEditor& e = state.editor;
  e.submit_attempted = true;
  e.label_touched = true;
  e.resources.touched = true;
  if (!verdict.check.ok() || e.pending || e.loading) return;
  if (e.editing()) {
    if (e.draft == e.original) return;
    EditToken(state, verdict.check.body, verdict.check.slots);
  } else {
    CreateToken(state, verdict.check.body, verdict.check.slots);
  }
}

void Close(State& state) {
  state.dialog = state.editor.return_to_details ? Dialog::TokenDetails : Dialog::None;
  state.editor = TokenEditor{};
  ui::CloseDialog();
}

// What the disabled submit button's tooltip lists: every refusal, shown or not yet.
std::string WhyDisabled(const State& state, const editor::Verdict& verdict) {
  const TokenEditor& e = state.editor;
  if (e.editing() && verdict.check.ok() && e.draft == e.original) return "Nothing has changed yet.";
  std::string out;
  for (const oat::Error& error : verdict.check.errors) {
    if (out.find(error.message) != std::string::npos) continue;
    if (!out.empty()) out += "\n";
    out += "\xE2\x80\xA2 " + error.message;
  }
  return out;
}

void Footer(State& state, const editor::Verdict& verdict) {
  const theme::Palette& p = theme::Current();
  TokenEditor& e = state.editor;
  const bool editing = e.editing();
  ui::BeginDialogFooter();
  const ImVec2 left = ImGui::GetCursorPos();
  if (e.pending) {
    ImGui::SetCursorPos(left + ImVec2(0, 9));
    ui::Spinner(9, p.primary);
    ImGui::SameLine(0, 10);
    ImGui::SetCursorPosY(left.y + 9);
    ui::Text(editing ? "Saving\xE2\x80\xA6" : "Generating\xE2\x80\xA6", p.text_muted);
    test_hook::MarkLastItem(names::kGeneratePending);
  } else if (!verdict.check.ok() && e.submit_attempted) {
    ImGui::SetCursorPos(left + ImVec2(0, 9));
    // A refusal that belongs to no field (the quota, the token's state) is not a field to fix.
    bool fields = false;
    for (const auto& [place, errors] : verdict.shown) fields = fields || (!place.empty() && !errors.empty());
    ui::Text(fields ? "Fix the marked fields to continue." : "See the message above.", p.text_muted);
  }

  const char* submit_label = editing ? "Save changes" : "Generate token";
  ImGui::PushFont(theme::GetFonts().strong);
  const float submit_width = std::floor(ImGui::CalcTextSize(submit_label).x + 36);
  ImGui::PopFont();
  ui::RightButtonX(submit_width);
  const bool unchanged = editing && e.draft == e.original;
  const bool disabled = !verdict.check.ok() || e.pending || e.loading || unchanged;
  ImGui::BeginDisabled(disabled);
  const bool clicked = ui::Button(submit_label, ui::ButtonKind::Primary, ImVec2(submit_width, 36));
  ImGui::EndDisabled();
  const char* submit_name = editing ? names::kEditSubmit : names::kGenerateSubmit;
  test_hook::MarkLastItem(submit_name);
  test_hook::Flag(submit_name, names::kFlagDisabled, disabled);
  // A click on the disabled button shows every field's errors (what is missing).
  const bool tried = disabled && !e.pending && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled) &&
                     ImGui::IsMouseClicked(0);
  if (disabled && !e.pending && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ui::Tooltip(WhyDisabled(state, verdict));
  }
  ui::RightButtonX(96);
  if (ui::Button("Cancel", ui::ButtonKind::Secondary, ImVec2(96, 36))) Close(state);
  test_hook::MarkLastItem(names::kGenerateCancel);
  ui::EndDialogFooter();
  if (clicked || tried) Submit(state, verdict);
}

}  // namespace

void DrawEditorDialog(State& state) {
  const theme::Palette& p = theme::Current();
  TokenEditor& e = state.editor;
  const bool editing = e.editing();
  if (!ui::BeginDialog("##token-editor", kWidth)) return;

  const std::string title = editing ? "Edit access token" : "Generate an access token";
  const std::string subtitle =
      editing ? "Change its label, description, what it may reach and from where. Its secret stays the same."
              : "The token signs in as " + state.selected_org +
                    ", not as you: give it only what its job needs.";
  if (ui::DialogHeader(title, subtitle, names::kGenerateClose)) {
    Close(state);
    ui::EndDialog();
    return;
  }

  editor::Verdict verdict = Judge(state);
  ui::BeginDialogBody();
  verdict.width = ui::DialogContentWidth();
  if (e.loading) {
    ImGui::Dummy(ImVec2(0, 24));
    ImGui::SetCursorPosX(std::floor(verdict.width * 0.5f - 60));
    ui::Spinner(10, p.primary);
    ImGui::SameLine(0, 10);
    ui::Text("Loading the token\xE2\x80\xA6", p.text_muted);
    ImGui::Dummy(ImVec2(0, 24));
  } else {
    editor::DrawFields(state, verdict);
    editor::DrawExpiry(state, verdict);
    editor::DrawResources(state, verdict);
    editor::DrawSignInRules(state, verdict);
  }
  // The refusals that belong to no field (the quota, the token's state, the server's others).
  if (auto it = verdict.shown.find(""); it != verdict.shown.end()) {
    for (const oat::Error& error : it->second) {
      ImGui::Dummy(ImVec2(0, 2));
      ui::Banner(error.message, p.danger, verdict.width);
      test_hook::ErrorShown(names::kGenerateErrorServer, error.message);
    }
    if (e.reveal_errors) ImGui::SetScrollHereY(1.0f);
  }
  e.reveal_errors = false;
  ui::EndDialogBody();
  Footer(state, verdict);

  const bool open = state.dialog == Dialog::GenerateToken || state.dialog == Dialog::EditToken;
  // Enter in the addresses field starts a new line there.
  if (open && !e.addresses_active && ui::DialogEnterPressed()) Submit(state, verdict);
  if (open && ui::DialogEscapePressed()) Close(state);
  test_hook::Status(names::kStatusGenerateValid, verdict.check.ok() ? 1 : 0);
  test_hook::Status(names::kGeneratePending, e.pending ? 1 : 0);
  ui::EndDialog();
}

}  // namespace console
