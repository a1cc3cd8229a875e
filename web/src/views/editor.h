// The token editor's parts, shared by the generate and edit dialogs (views/editor_dialog.cpp):
// label and description (editor_fields.cpp), expiration (editor_expiry.cpp), resources and
// scopes (editor_resources.cpp), allowed addresses and self-rotation (editor_sign_in.cpp). Each
// part draws state.editor.draft and changes it; the core's verdict on the whole draft is
// computed once per frame and handed to every part.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "draft.h"
#include "imgui.h"
#include "oat/token_policy.h"
#include "state.h"
#include "widget_names.h"

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
void DrawSignInRules(State& state, const Verdict& verdict);

// The expiration control on its own (the generate dialog's, and the rotate dialog's for a new
// expiration): the presets the policy allows, the custom date and time with its calendar, what
// the choice means, and the policy in words when there is one.
struct ExpiryInput {
  oat::ExpiryPreset& preset;
  LocalDateTime& custom;
  int& calendar_year;
  int& calendar_month;
};
void DrawExpiryChoice(State& state, ExpiryInput input, const oat::TokenPolicy& policy,
                      const names::ExpiryNames& n);
// The preset a new choice starts at: "never" unless the policy forbids it, then the shortest
// preset it allows, else a custom time.
oat::ExpiryPreset FirstAllowedPreset(const oat::TokenPolicy& policy);
// Where a custom time starts: a month from now on the hour, or the latest the policy allows.
LocalDateTime CustomStart(oat::Timestamp now, const oat::TokenPolicy& policy);

// Human words for a scope ("Push"), its group ("Images"), and the scope-name itself.
const char* ScopeWord(oat::Scope scope);

}  // namespace console::editor
