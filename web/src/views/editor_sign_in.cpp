// The token editor's sign-in rules: the address blocks the token may sign in from (one a line,
// or separated by commas; none: any address), checked by the core's oat::parse_allowed_cidrs
// through the create and update parsers, and whether the token may rotate itself.
#define IMGUI_DEFINE_MATH_OPERATORS
#include <algorithm>
#include <string>

#include "imgui.h"
#include "imgui_internal.h"
#include "oat/network.h"
#include "test_hook.h"
#include "theme.h"
#include "views/editor.h"
#include "widget_names.h"
#include "widgets.h"

namespace console::editor {

void DrawSignInRules(State& state, const Verdict& verdict) {
  const theme::Palette& p = theme::Current();
  TokenEditor& e = state.editor;
  TokenDraft& draft = e.draft;

  const std::size_t listed = AddressEntries(draft.allowed_cidrs).size();
  const std::string note = listed == 0 ? "Any address"
                                       : std::to_string(listed) + " of " + std::to_string(oat::kMaxAllowedCidrs);
  const ImVec4 note_color = listed > oat::kMaxAllowedCidrs ? p.danger : p.text_faint;
  FieldLabel("Allowed addresses", "optional", note, &note_color);
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(12, 10));
  ImGui::PushFont(theme::GetFonts().mono);
  ui::InputTextMultiline("##addresses", &draft.allowed_cidrs,
                         "One address or block a line, e.g. 192.0.2.0/24 or 2001:db8::/32",
                         ImVec2(verdict.width, ImGui::GetTextLineHeight() * 3 + 20));
  ImGui::PopFont();
  e.addresses_active = ImGui::IsItemActive();
  test_hook::MarkLastItem(names::kGenerateAddresses, draft.allowed_cidrs);
  ImGui::PopStyleVar();
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + verdict.width);
  ui::Text("Sign-ins from any other address are refused. Leave it empty to allow every address.",
           p.text_faint);
  ImGui::PopTextWrapPos();
  Errors(verdict, "allowed_cidrs");
  ImGui::Dummy(ImVec2(0, 6));

  const bool clicked = ui::Checkbox("##self-rotation", "Allow this token to rotate itself",
                                    draft.allow_self_rotation ? ui::Check::On : ui::Check::Off);
  test_hook::MarkLastItem(names::kGenerateSelfRotation);
  test_hook::Flag(names::kGenerateSelfRotation, names::kFlagChecked, draft.allow_self_rotation);
  if (clicked) draft.allow_self_rotation = !draft.allow_self_rotation;
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + verdict.width);
  ui::Text("A job holding it can then replace its secret itself, without an owner "
           "(POST /v2/access-tokens/self/rotate).",
           p.text_faint);
  ImGui::PopTextWrapPos();
  Errors(verdict, "allow_self_rotation");
  ImGui::Dummy(ImVec2(0, 8));
}

}  // namespace console::editor
