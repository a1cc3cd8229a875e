#define IMGUI_DEFINE_MATH_OPERATORS
#include <algorithm>
#include <cmath>

#include "client.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "page.h"
#include "semantics.h"
#include "test_hook.h"
#include "theme.h"
#include "views/views.h"
#include "widget_names.h"
#include "widgets.h"

namespace console {
namespace {

constexpr float kCardWidth = 400;
constexpr float kCardPadding = 32;

void CenteredText(const char* text, ImFont* font, const ImVec4& color, float left, float width) {
  ImGui::PushFont(font);
  const ImVec2 size = ImGui::CalcTextSize(text, nullptr, false, width);
  ImGui::SetCursorScreenPos(ImVec2(std::floor(left + (width - std::min(size.x, width)) * 0.5f),
                                   ImGui::GetCursorScreenPos().y));
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::TextUnformatted(text);
  ImGui::PopStyleColor();
  ImGui::PopTextWrapPos();
  ImGui::PopFont();
}

void FieldLabel(const char* text) {
  ImGui::PushFont(theme::GetFonts().strong);
  ImGui::TextUnformatted(text);
  semantics::LabelNext(text);
  ImGui::PopFont();
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 4);  // labels sit close to their field
}

// The username and password fields, the button, and the last refusal. True when submitted.
bool DrawFields(SignInForm& form, float left, float inner) {
  const theme::Palette& p = theme::Current();
  const ImGuiInputTextFlags enter = ImGuiInputTextFlags_EnterReturnsTrue;
  bool submit = false;
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(12, 11));
  // To the page, a real form: password managers fill it and offer to save what was typed.
  semantics::BeginGroup(semantics::Group::Form, "Sign in");

  ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y));
  FieldLabel("Username");
  ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y));
  // The caret goes where typing starts: the password when the username is known.
  const bool focus_password = form.focus_requested && !form.username.empty();
  if (form.focus_requested && !focus_password) ImGui::SetKeyboardFocusHere();
  form.focus_requested = false;
  submit |= ui::InputText("##username", &form.username, "Username", inner,
                          enter | ImGuiInputTextFlags_CharsNoBlank);
  semantics::Autocomplete("username");
  test_hook::MarkLastItem(names::kSignInUsername);
  ImGui::Dummy(ImVec2(0, 4));

  ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y));
  FieldLabel("Password");
  ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y));
  if (focus_password) ImGui::SetKeyboardFocusHere();
  submit |= ui::InputText("##password", &form.password, "Password", inner,
                          enter | ImGuiInputTextFlags_Password);
  semantics::Autocomplete("current-password");
  test_hook::MarkLastItem(names::kSignInPassword);
  ImGui::PopStyleVar();
  ImGui::Dummy(ImVec2(0, 10));

  ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y));
  const ImVec2 button_pos = ImGui::GetCursorScreenPos();
  ImGui::BeginDisabled(form.pending);
  if (ui::Button(form.pending ? "Signing in\xE2\x80\xA6" : "Sign in", ui::ButtonKind::Primary,
                 ImVec2(inner, 42))) {
    submit = true;
  }
  semantics::Submits();
  ImGui::EndDisabled();
  test_hook::MarkLastItem(names::kSignInSubmit);
  if (form.pending) {
    ImGui::SetCursorScreenPos(button_pos + ImVec2(14, 12));
    ui::Spinner(9, p.on_primary);
  }

  if (!form.error.empty()) {
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 4));
    ImGui::PushTextWrapPos(left + inner);
    ImGui::PushStyleColor(ImGuiCol_Text, p.danger);
    ImGui::TextUnformatted(form.error.c_str());
    semantics::Item(semantics::Role::Alert, form.error);
    ImGui::PopStyleColor();
    ImGui::PopTextWrapPos();
    test_hook::ErrorShown(names::kSignInError, form.error);
  }
  semantics::EndGroup();
  return submit;
}

// While the session cookie is asked whether it still holds a session (a reload, a new tab).
void DrawResuming(float left, float inner) {
  const theme::Palette& p = theme::Current();
  ImGui::Dummy(ImVec2(0, 8));
  ImGui::SetCursorScreenPos(ImVec2(std::floor(left + inner * 0.5f - 10), ImGui::GetCursorScreenPos().y));
  ui::Spinner(10, p.primary);
  ImGui::Dummy(ImVec2(0, 12));
  CenteredText("Resuming your session\xE2\x80\xA6", theme::GetFonts().body, p.text_muted, left, inner);
  ImGui::Dummy(ImVec2(0, 8));
}

}  // namespace

void DrawSignIn(State& state) {
  SignInForm& form = state.sign_in;
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  const ImVec2 origin = ImGui::GetWindowPos();
  const ImVec2 window = ImGui::GetWindowSize();

  // Centered vertically using the height the card had last frame.
  static float card_height = 420;
  // On a phone the card is as wide as the screen allows, with the page's margins.
  const float card_width = std::min(kCardWidth, window.x - 2 * kNarrowPagePaddingX);
  const float inner = card_width - kCardPadding * 2;
  const ImVec2 card_pos(std::floor(origin.x + (window.x - card_width) * 0.5f),
                        std::floor(origin.y + std::max(24.0f, (window.y - card_height) * 0.45f)));

  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->ChannelsSplit(2);
  draw->ChannelsSetCurrent(1);

  const float left = card_pos.x + kCardPadding;
  ImGui::SetCursorScreenPos(card_pos + ImVec2(kCardPadding, kCardPadding));
  ImGui::BeginGroup();
  ImGui::SetCursorScreenPos(ImVec2(std::floor(left + (inner - 40) * 0.5f), ImGui::GetCursorScreenPos().y));
  ui::Logo(40);
  ImGui::Dummy(ImVec2(0, 6));
  CenteredText("Sign in to OAT", fonts.title, p.text, left, inner);
  CenteredText("Manage your organizations' access tokens.", fonts.body, p.text_muted, left, inner);
  ImGui::Dummy(ImVec2(0, 12));

  if (!form.notice.empty()) {
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y));
    ui::Banner(form.notice, p.primary, inner);
    test_hook::MarkLastItem(names::kSignInNotice, form.notice);
    ImGui::Dummy(ImVec2(0, 4));
  }

  const bool submit = form.resuming ? (DrawResuming(left, inner), false) : DrawFields(form, left, inner);
  ImGui::EndGroup();
  const float content_bottom = ImGui::GetItemRectMax().y;

  // The card behind what was just drawn.
  draw->ChannelsSetCurrent(0);
  const ImVec2 card_end(card_pos.x + card_width, content_bottom + kCardPadding);
  draw->AddRectFilled(card_pos + ImVec2(0, 2), card_end + ImVec2(0, 4),
                      theme::U32(ImVec4(0, 0, 0, state.theme == Theme::Dark ? 0.25f : 0.05f)), 14);
  draw->AddRectFilled(card_pos, card_end, theme::U32(p.surface), 12);
  draw->AddRect(card_pos, card_end, theme::U32(p.border), 12);
  draw->ChannelsMerge();
  card_height = card_end.y - card_pos.y;

  if (submit && !form.pending) SignIn(state);

  // Below the card: where the console talks to.
  ImGui::SetCursorScreenPos(ImVec2(card_pos.x, card_end.y + 18));
  static const std::string host = page::Host();
  const std::string server = "Server: " + (state.config.api_base.empty() ? host : state.config.api_base);
  CenteredText(server.c_str(), fonts.body, p.text_faint, card_pos.x, card_width);

  DrawThemeToggle(state, ImVec2(origin.x + window.x - 34 - 16, origin.y + 14));
  test_hook::Status(names::kStatusScreen, form.resuming ? names::kScreenResuming : names::kScreenSignIn);
}

}  // namespace console
