// The token just generated (or its new secret after a rotation), shown this once: in
// monospace, with Copy (the system clipboard), the docker login line, and a plain warning; after
// a rotation, until when the old secret keeps working. Closing it wipes the secret from memory.
#define IMGUI_DEFINE_MATH_OPERATORS
#include <cmath>

#include "client.h"
#include "dialog.h"
#include "format.h"
#include "imgui.h"
#include "oat/registry.h"
#include "imgui_internal.h"
#include "page.h"
#include "redraw.h"
#include "test_hook.h"
#include "theme.h"
#include "views/views.h"
#include "widget_names.h"
#include "widgets.h"

namespace console {
namespace {

constexpr float kWidth = 620;

// A read-only line of monospace text in a field-like box, with a copy button at its end.
// Returns true when the button was clicked.
bool CopyLine(const char* id, const std::string& text, bool copied, const char* box_name,
              const char* button_name, float width, bool strong) {
  const theme::Palette& p = theme::Current();
  const float height = strong ? 48 : 40;
  const float button = copied ? 98 : 84;
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 box_end = pos + ImVec2(width, height);
  draw->AddRectFilled(pos, box_end, theme::U32(p.input), 8);
  draw->AddRect(pos, box_end, theme::U32(strong ? theme::Alpha(p.primary, 0.55f) : p.border_strong), 8);
  ImGui::PushFont(strong ? theme::GetFonts().mono_large : theme::GetFonts().mono);
  const ImVec2 size = ImGui::CalcTextSize(text.c_str());
  draw->PushClipRect(pos, pos + ImVec2(width - button - 12, height), true);
  draw->AddText(ImVec2(pos.x + 14, std::floor(pos.y + (height - size.y) * 0.5f)), theme::U32(p.text), text.c_str());
  draw->PopClipRect();
  ImGui::PopFont();
  ImGui::Dummy(ImVec2(width - button - 8, height));
  // The login line's text is published for tests; the secret's never is (they copy it).
  if (strong) {
    test_hook::MarkLastItem(box_name);
  } else {
    test_hook::MarkLastItem(box_name, text);
  }
  ImGui::SetCursorScreenPos(ImVec2(box_end.x - button - 6, pos.y + (height - 32) * 0.5f));
  ImGui::PushID(id);
  const bool clicked =
      ui::CopyButton(copied, strong ? ui::ButtonKind::Primary : ui::ButtonKind::Secondary, ImVec2(button, 32),
                     button_name);
  ImGui::PopID();
  ImGui::SetCursorScreenPos(ImVec2(pos.x, box_end.y));
  ImGui::Dummy(ImVec2(width, 0));
  return clicked;
}

bool PreviousValid(const CreatedToken& created, oat::Timestamp now) {
  return oat::previous_secret_usable(created.previous_valid_until, now);
}

void Close(State& state) {
  page::ForgetCopied(state.created.secret.c_str());
  const bool back = state.created.return_to_details && !state.details.id.empty();
  WipeSecret(state);
  state.dialog = back ? Dialog::TokenDetails : Dialog::None;
  ui::CloseDialog();
}

}  // namespace

void DrawCreatedDialog(State& state) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  CreatedToken& created = state.created;
  if (!ui::BeginDialog("##created", kWidth)) return;
  const std::string quoted = "\xE2\x80\x9C" + created.label + "\xE2\x80\x9D";
  const bool dismissed = ui::DialogHeader(
      created.rotated ? "Copy the new secret" : "Copy your access token",
      quoted + (created.rotated ? " has a new secret" : " is ready") + ". It signs in as " + state.selected_org + ".",
      names::kCreatedDismiss);
  ui::BeginDialogBody();
  const float width = ui::DialogContentWidth();

  ui::Banner(created.rotated
                 ? "This is the only time the new secret is shown. Copy it now and put it where the old one "
                   "was (your CI's secrets); if it is lost, rotate the token again."
                 : "This is the only time the token is shown. Copy it now and keep it in a secret store "
                   "(your CI's secrets); if it is lost, generate a new one.",
             p.warning, width);
  test_hook::MarkLastItem(names::kCreatedWarning);
  if (created.rotated) {
    // Until when the jobs that still hold the old secret keep working.
    const bool grace = PreviousValid(created, state.now);
    const std::string previous =
        grace ? "The old secret keeps working until " + format::ExactLocalTime(*created.previous_valid_until) +
                    " (" + format::RelativeTime(*created.previous_valid_until, state.now) + "); then only this one does."
              : "The old secret no longer works.";
    ImGui::Dummy(ImVec2(0, 2));
    ui::Banner(previous, grace ? p.primary : p.neutral, width);
    test_hook::MarkLastItem(names::kCreatedPrevious, previous);
  }
  ImGui::Dummy(ImVec2(0, 6));

  ui::Text("Access token", p.text, fonts.strong);
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 4);
  const bool token_copied = ui::StillCopied(created.copied_at, state.clock);
  if (CopyLine("##copy-token", created.secret, token_copied, names::kCreatedToken, names::kCreatedCopy, width,
               true)) {
    page::CopyToClipboard(created.secret.c_str());
    created.copied_at = state.clock;
    redraw::At(state.clock + ui::kCopiedSeconds);
  }
  test_hook::Status(names::kStatusCreatedCopied, created.copied_at >= 0 ? 1 : 0);
  ImGui::Dummy(ImVec2(0, 8));

  ui::Text("Sign in with it", p.text, fonts.strong);
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 4);
  const auto lines = oat::docker_login_lines(
      state.config.registry_host.empty() ? std::nullopt : std::optional<std::string_view>(state.config.registry_host),
      state.selected_org);
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  if (lines) {
    const bool login_copied = ui::StillCopied(created.login_copied_at, state.clock);
    if (CopyLine("##copy-login", lines->interactive, login_copied, names::kCreatedLogin, names::kCreatedCopyLogin,
                 width, false)) {
      page::CopyToClipboard(lines->interactive.c_str());
      created.login_copied_at = state.clock;
      redraw::At(state.clock + ui::kCopiedSeconds);
    }
    ui::Text("The user name is the organization's; paste the token when asked for the password. In a CI "
             "job, pipe it in: " + lines->ci,
             p.text_faint);
  } else {
    // A line without the registry's address would sign in to Docker Hub: say what sets it.
    ui::Text(std::string(oat::kNoRegistryHost), p.text_faint);
    test_hook::MarkLastItem(names::kCreatedLogin, std::string(oat::kNoRegistryHost));
  }
  ImGui::PopTextWrapPos();
  ui::EndDialogBody();

  ui::BeginDialogFooter();
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 9);
  ui::Text(created.copied_at >= 0 ? "Copied to the clipboard." : "Not copied yet.",
           created.copied_at >= 0 ? p.success : p.text_faint);
  ui::RightButtonX(140);
  const bool done = ui::Button("I have copied it", created.copied_at >= 0 ? ui::ButtonKind::Primary
                                                                           : ui::ButtonKind::Secondary,
                               ImVec2(140, 36));
  test_hook::MarkLastItem(names::kCreatedClose);
  ui::EndDialogFooter();

  if (dismissed || done || ui::DialogEnterPressed() || ui::DialogEscapePressed()) Close(state);
  ui::EndDialog();
}

}  // namespace console
