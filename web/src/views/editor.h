// The token editor's parts, shared by the generate and edit dialogs (views/editor_dialog.cpp):
// label and description (editor_fields.cpp), expiration (editor_expiry.cpp), resources and
// scopes (editor_resources.cpp). Each part draws state.editor.draft and changes it; the core's
// verdict on the whole draft is computed once per frame and handed to every part.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "draft.h"
#include "state.h"

namespace console::editor {

// The errors to show this frame, by place in the form (draft.h's ErrorPlace: "label",
// "description", "expires_at", "resources", "public", "all", "repo.<row>", "org", "").
struct Verdict {
  DraftCheck check;
  std::map<std::string, oat::Errors> shown;
  std::map<std::string, oat::Errors> hints;  // not yet the person's doing: shown muted
  float width = 0;  // the form's width
};

// Draws the errors for `place` (published as generate.error.<place>, and under the field name
// the core gave, e.g. generate.error.resources[2].scopes).
void Errors(const Verdict& verdict, const std::string& place);

// A field's label in bold, with optional faint words after it and a right-aligned note.
void FieldLabel(const char* text, const char* after = nullptr, const std::string& note = "",
                const ImVec4* note_color = nullptr, const char* note_name = nullptr);

void DrawFields(State& state, const Verdict& verdict);
void DrawExpiry(State& state, const Verdict& verdict);
void DrawResources(State& state, const Verdict& verdict);

// Human words for a scope ("Push"), its group ("Images"), and the scope-name itself.
const char* ScopeWord(oat::Scope scope);

}  // namespace console::editor
