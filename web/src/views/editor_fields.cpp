// The token editor's label and description, and the helpers every part of the form uses.
#define IMGUI_DEFINE_MATH_OPERATORS
#include <algorithm>
#include <cmath>

#include "imgui.h"
#include "imgui_internal.h"
#include "oat/resource.h"
#include "semantics.h"
#include "test_hook.h"
#include "theme.h"
#include "views/editor.h"
#include "widget_names.h"
#include "widgets.h"

namespace console::editor {

void Errors(const Verdict& verdict, const std::string& place) {
  const float width = std::max(80.0f, verdict.width - (ImGui::GetCursorPosX() - ImGui::GetStyle().WindowPadding.x));
  for (const auto* list : {&verdict.shown, &verdict.hints}) {
    auto it = list->find(place);
    if (it == list->end()) continue;
    for (const oat::Error& error : it->second) {
      ui::FieldError(error.message, width, verdict.place_prefix + place, list == &verdict.hints);
      // Also under the core's own field name ("resources[2].scopes"), for tests that start there.
      if (!error.field.empty() && verdict.field_prefix + error.field != verdict.place_prefix + place) {
        test_hook::ErrorShown(verdict.field_prefix + error.field, error.message);
      }
    }
  }
}

void FieldLabel(const char* text, const char* after, const std::string& note, const ImVec4* note_color,
                const char* note_name) {
  const theme::Palette& p = theme::Current();
  const float x = ImGui::GetCursorPosX();
  const float y = ImGui::GetCursorPosY();
  ui::Text(text, p.text, theme::GetFonts().strong);
  semantics::LabelNext(text);
  if (after) {
    ImGui::SameLine(0, 6);
    ui::Text(after, p.text_faint);
  }
  if (!note.empty()) {
    const float right = ImGui::GetWindowContentRegionMax().x;
    const float w = ImGui::CalcTextSize(note.c_str()).x;
    ImGui::SetCursorPos(ImVec2(std::max(x, right - w), y));
    ui::Text(note, note_color ? *note_color : p.text_faint);
    if (note_name) test_hook::MarkLastItem(note_name, note);
  }
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 4);  // labels sit close to their field
}

void DrawFields(State& state, const Verdict& verdict) {
  const theme::Palette& p = theme::Current();
  TokenEditor& e = state.editor;
  TokenDraft& draft = e.draft;

  FieldLabel("Label");
  if (e.focus_label) {
    ImGui::SetKeyboardFocusHere();
    e.focus_label = false;
  }
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(12, 10));
  ui::InputText("##label", &draft.label, "What uses it, e.g. \"GitHub Actions: deploy\"", verdict.width);
  if (ImGui::IsItemEdited()) e.label_touched = true;
  test_hook::MarkLastItem(names::kGenerateLabel, draft.label);
  ImGui::PopStyleVar();
  Errors(verdict, "label");
  ImGui::Dummy(ImVec2(0, 6));

  const std::size_t used = oat::count_characters(draft.description);
  const std::string counter = std::to_string(used) + "/" + std::to_string(oat::kMaxDescriptionLength);
  const ImVec4 counter_color = used > oat::kMaxDescriptionLength ? p.danger : p.text_faint;
  FieldLabel("Description", "optional", counter, &counter_color, names::kGenerateDescriptionCounter);
  test_hook::Status(names::kGenerateDescriptionCounter, counter);
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(12, 10));
  ui::InputText("##description", &draft.description, "Where it runs, who to ask about it", verdict.width);
  test_hook::MarkLastItem(names::kGenerateDescription, draft.description);
  ImGui::PopStyleVar();
  Errors(verdict, "description");
  ImGui::Dummy(ImVec2(0, 6));
}

}  // namespace console::editor
