// The token editor's parts, shared by the generate and edit dialogs (views/editor_dialog.cpp):
// label and description (editor_fields.cpp), expiration (editor_expiry.cpp), resources and
// scopes (editor_resources.cpp), allowed addresses and self-rotation (editor_sign_in.cpp). Each
// part draws state.editor.draft and changes it; the core's verdict on the whole draft is
// computed once per frame and handed to every part. The resources editor also draws each
// ruleset's resources in the OIDC connection editor (views/oidc_editor.cpp).
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
  // What the errors are published as: <place_prefix><place>, and <field_prefix><the core's
  // field> (the token editor: generate.error.repo.0 and generate.error.resources[2].scopes).
  std::string place_prefix = names::kGenerateErrorPrefix;
  std::string field_prefix = names::kGenerateErrorPrefix;
};

// Draws the errors for `place` (published as <place_prefix><place>, and under the field name
// the core gave, <field_prefix><field>).
void Errors(const Verdict& verdict, const std::string& place);

// A field's label in bold, with optional faint words after it and a right-aligned note.
void FieldLabel(const char* text, const char* after = nullptr, const std::string& note = "",
                const ImVec4* note_color = nullptr, const char* note_name = nullptr);

void DrawFields(State& state, const Verdict& verdict);
void DrawExpiry(State& state, const Verdict& verdict);
void DrawResources(State& state, const Verdict& verdict);
void DrawSignInRules(State& state, const Verdict& verdict);

// The resources editor on its own: public repositories, all of the organization's, chosen
// repositories (the picker lists state.repositories) with their scopes, and the organization's
// permissions, drawn from `draft` and changing it. The verdict's places are "resources",
// "public", "all", "repo.<row>" and "org" (ErrorPlace of the draft's slots). Call it inside an
// ImGui::PushID of its own when a window holds more than one.
struct ResourceNames {
  std::string count;               // text "2 of 50"
  std::string public_read;         // checked
  std::string all;                 // checked; its scopes: + .scope.<scope-name>
  std::string repo_prefix;         // + <row>: the row (valid); its scopes, + .remove
  std::string repo_add;            // disabled
  std::string repo_search;
  std::string picker_item_prefix;  // + <repository>
  std::string repo_error;          // text: the repositories could not be loaded
  std::string org;                 // open; its scopes: + .scope.<scope-name>
  std::string rows_status;         // __oat_status: how many repositories are chosen
};
// The token editor's (generate.public, generate.repo.add, ...).
ResourceNames TokenResourceNames();
// Under another prefix: <prefix>.public, <prefix>.repo.add, ... (widget_names.h's suffixes).
ResourceNames ResourceNamesAt(const std::string& prefix);
struct ResourcesInput {
  ResourceDraft& draft;
  ResourcePicker& picker;
  const ResourceNames& names;
};
void DrawResourcesEditor(State& state, ResourcesInput input, const Verdict& verdict);

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
