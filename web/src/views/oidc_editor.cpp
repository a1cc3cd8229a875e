// [SECTION] The verdict: the core's errors, by place, shown once their field was touched
// [SECTION] Name, issuer, audience
// [SECTION] A ruleset: name, conditions, resources (the token editor's), lifetime
// [SECTION] The dialog
//
// The new-connection and edit dialog of the CI sign-in page. As in the token editor, each frame
// the draft becomes the very JSON the server would get (oidc_draft.h) and is checked by the core;
// the errors shown are the server's words, at the field they name, and the submit button stays
// disabled while any remains, so nothing invalid is sent. The server's own refusals (an issuer
// the operator does not allow, ...) are shown where they belong until the draft changes. A
// preset (GitHub Actions, GitLab CI) fills the issuer and starts each ruleset with the claims it
// names, the owner's immutable id first, with the preset's words on where to find it.
#define IMGUI_DEFINE_MATH_OPERATORS
#include <algorithm>
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "client.h"
#include "dialog.h"
#include "draft.h"
#include "focus.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "oat/oidc.h"
#include "oidc_draft.h"
#include "semantics.h"
#include "test_hook.h"
#include "theme.h"
#include "views/editor.h"
#include "views/views.h"
#include "widget_names.h"
#include "widgets.h"

namespace console {
namespace {

constexpr float kWidth = 840;
constexpr float kClaimWidth = 230;

std::string At(std::size_t i) { return "rulesets[" + std::to_string(i) + "]"; }
std::string RulesetName(std::size_t i) { return names::kOidcRulesetPrefix + std::to_string(i); }

// -----------------------------------------------------------------------------------------------
// [SECTION] The verdict
// -----------------------------------------------------------------------------------------------

struct Judgement {
  ConnectionCheck check;
  std::map<std::string, oat::Errors> shown;  // by ConnectionPlace, the resources' excepted
  std::map<std::string, oat::Errors> hints;  // not yet the person's doing: shown muted
  std::vector<editor::Verdict> rulesets;     // each ruleset's resources editor's
  std::vector<bool> server;                  // whether shown[...] came from the server (reveal)
  float width = 0;
};

bool Touched(const ConnectionEditor& e, const std::string& place) {
  return std::find(e.touched.begin(), e.touched.end(), place) != e.touched.end();
}

void Touch(ConnectionEditor& e, const std::string& place) {
  if (!Touched(e, place)) e.touched.push_back(place);
}

void Add(std::map<std::string, oat::Errors>& map, const std::string& place, const oat::Error& error) {
  oat::Errors& list = map[place];
  for (const oat::Error& e : list) {
    if (e.message == error.message) return;
  }
  list.push_back(error);
}

// The ruleset and the resources editor's place of "rulesets[i].res.<place>".
bool ResourcePlace(const std::string& place, std::size_t n, std::size_t* ruleset, std::string* inner) {
  for (std::size_t i = 0; i < n; ++i) {
    const std::string prefix = RulesetResourcesPlace(i);
    if (place.compare(0, prefix.size(), prefix) == 0) {
      *ruleset = i;
      *inner = place.substr(prefix.size());
      return true;
    }
  }
  return false;
}

// Which errors show before the person got to their field: none of a field filled in advance;
// muted, what a ruleset still needs (conditions, the owner's id, resources).
enum class Showing { Shown, Hint, Hidden };
Showing HowShown(const ConnectionEditor& e, const oat::Error& error, const std::string& place) {
  if (e.submit_attempted || place.empty() || place == "rulesets") return Showing::Shown;
  std::size_t i = 0;
  std::string inner;
  if (ResourcePlace(place, e.draft.rulesets.size(), &i, &inner)) {
    if (i < e.forms.size() && e.forms[i].resources.touched) return Showing::Shown;
    return inner == "resources" ? Showing::Hint : Showing::Shown;
  }
  if (Touched(e, place)) return Showing::Shown;
  for (std::size_t r = 0; r < e.draft.rulesets.size(); ++r) {
    if (place == At(r)) return Showing::Shown;
    if (place == At(r) + ".conditions") return Showing::Hint;
  }
  if (error.code == oat::ErrorCode::OwnerNotPinned) return Showing::Hint;
  return Showing::Hidden;
}

Judgement Judge(State& state) {
  ConnectionEditor& e = state.connection_editor;
  e.forms.resize(e.draft.rulesets.size());
  Judgement j;
  j.check = CheckConnection(e.draft, ContextOf(state), !e.editing());
  if (!e.server_errors.empty() && !(e.draft == e.sent)) e.server_errors.clear();
  j.rulesets.resize(e.draft.rulesets.size());
  for (std::size_t i = 0; i < j.rulesets.size(); ++i) {
    j.rulesets[i].place_prefix = names::kOidcErrorPrefix + At(i) + ".";
    j.rulesets[i].field_prefix = names::kOidcErrorPrefix;
  }
  const auto route = [&](const oat::Error& error, const std::string& place, Showing how) {
    if (how == Showing::Hidden) return;
    std::size_t i = 0;
    std::string inner;
    if (ResourcePlace(place, j.rulesets.size(), &i, &inner)) {
      Add(how == Showing::Shown ? j.rulesets[i].shown : j.rulesets[i].hints, inner, error);
    } else {
      Add(how == Showing::Shown ? j.shown : j.hints, place, error);
    }
  };
  for (std::size_t k = 0; k < j.check.errors.size(); ++k) {
    route(j.check.errors[k], j.check.places[k], HowShown(e, j.check.errors[k], j.check.places[k]));
  }
  // The draft is the one sent (else they were cleared): the places are the draft's.
  for (const oat::Error& error : e.server_errors) {
    route(error, ConnectionPlace(error, e.draft, j.check.slots), Showing::Shown);
  }
  return j;
}

// The errors at a place of the connection (not the resources'), under the field.
void Errors(ConnectionEditor& e, const Judgement& j, const std::string& place) {
  const float width = std::max(80.0f, j.width - (ImGui::GetCursorPosX() - ImGui::GetStyle().WindowPadding.x));
  for (const auto* map : {&j.shown, &j.hints}) {
    const auto it = map->find(place);
    if (it == map->end()) continue;
    for (const oat::Error& error : it->second) {
      if (e.reveal_errors && map == &j.shown) {
        ImGui::SetScrollHereY(0.3f);  // the server's refusal, in view once
        e.reveal_errors = false;
      }
      const std::string name = names::kOidcErrorPrefix + place;
      ui::FieldError(error.message, width, name, map == &j.hints);
      if (!error.field.empty() && names::kOidcErrorPrefix + error.field != name) {
        test_hook::ErrorShown(names::kOidcErrorPrefix + error.field, error.message);
      }
    }
  }
}

bool HasErrors(const Judgement& j, const std::string& place) { return j.shown.count(place) || j.hints.count(place); }

// A bold label with faint words after it.
// A field's name above it: to the page, also the next field's name (semantics.h).
void Label(const char* text, const std::string& after = "") {
  const theme::Palette& p = theme::Current();
  ui::Text(text, p.text, theme::GetFonts().strong);
  semantics::LabelNext(text);
  if (!after.empty()) {
    ImGui::SameLine(0, 6);
    ui::Text(after, p.text_faint);
  }
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 4);
}

// A text field that takes the keyboard when the editor asks (a row just added).
bool Field(ConnectionEditor& e, const char* id, std::string* value, const char* hint, float width, const std::string& name,
           ImGuiInputTextFlags flags = 0) {
  if (!e.focus.empty() && e.focus == name) {
    ImGui::SetKeyboardFocusHere();
    e.focus.clear();
  }
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(12, 9));
  const bool edited = ui::InputText(id, value, hint, width, flags);
  ImGui::PopStyleVar();
  test_hook::MarkLastItem(name, *value);
  return edited;
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Name, issuer, audience
// -----------------------------------------------------------------------------------------------

void DrawFields(State& state, const Judgement& j) {
  const theme::Palette& p = theme::Current();
  ConnectionEditor& e = state.connection_editor;
  ConnectionDraft& d = e.draft;

  Label("Name", "what the list and the audit log call it");
  if (e.focus_name) {
    ImGui::SetKeyboardFocusHere();
    e.focus_name = false;
  }
  if (Field(e, "##name", &d.name, "e.g. GitHub Actions: release", std::min(480.0f, j.width), names::kOidcName)) {
    Touch(e, "name");
  }
  Errors(e, j, "name");
  ImGui::Dummy(ImVec2(0, 6));

  Label("Issuer", "who signs the CI jobs' ID tokens");
  ImGui::Dummy(ImVec2(0, 2));
  const auto& presets = oat::oidc_presets();
  std::vector<std::string> words;
  for (const oat::OidcPreset& preset : presets) words.emplace_back(preset.name);
  words.emplace_back("Another issuer");
  std::vector<const char*> labels;
  for (const std::string& w : words) labels.push_back(w.c_str());
  int selected = static_cast<int>(presets.size());
  for (std::size_t i = 0; i < presets.size(); ++i) {
    if (presets[i].key == d.preset) selected = static_cast<int>(i);
  }
  const int n = std::min(static_cast<int>(labels.size()), 3);
  const int clicked = ui::Segmented("##preset", labels.data(), nullptr, n, selected, names::kOidcPresets);
  for (int i = 0; i < n; ++i) test_hook::Flag(names::kOidcPresets[i], names::kFlagSelected, i == selected);
  if (clicked >= 0 && clicked != selected) {
    ApplyPreset(d, clicked < static_cast<int>(presets.size()) ? presets[static_cast<std::size_t>(clicked)].key : "");
    e.forms.resize(d.rulesets.size());
    if (d.issuer.empty()) e.focus = names::kOidcIssuer;
  }
  ImGui::Dummy(ImVec2(0, 4));
  semantics::LabelNext("Issuer URL");
  if (Field(e, "##issuer", &d.issuer, "https://issuer.example.com", j.width, names::kOidcIssuer)) Touch(e, "issuer");
  const oat::OidcPreset* preset = PresetByKey(d.preset);
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + j.width);
  ui::Text(std::string(preset && preset->key == "gitlab" ? "gitlab.com's, or a self-managed GitLab's URL. " : "") +
               "Compared with the ID token's iss exactly; which issuers may be used is the server operator's "
               "choice.",
           p.text_faint);
  ImGui::PopTextWrapPos();
  Errors(e, j, "issuer");
  ImGui::Dummy(ImVec2(0, 6));

  Label("Audience", "the ID tokens' aud");
  if (Field(e, "##audience", &d.audience, "https://oat.example.com", j.width, names::kOidcAudience)) {
    Touch(e, "audience");
  }
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + j.width);
  ui::Text("The CI job asks for an ID token of this audience, and it must match exactly. This server's URL, "
           "proposed, is the usual choice.",
           p.text_faint);
  ImGui::PopTextWrapPos();
  Errors(e, j, "audience");
  ImGui::Dummy(ImVec2(0, 10));
}

// -----------------------------------------------------------------------------------------------
// [SECTION] A ruleset
// -----------------------------------------------------------------------------------------------

// What a pattern looks like, for the claims the presets name.
const char* PatternHint(const std::string& claim, const oat::OidcPreset* preset) {
  if (preset && claim == preset->owner_claim) return "digits, e.g. 1234567";
  if (claim == "repository") return "owner/name, e.g. acme/app";
  if (claim == "ref") return "e.g. refs/heads/main, or refs/tags/v*";
  if (claim == "job_workflow_ref") return "e.g. acme/app/.github/workflows/release.yml@*";
  if (claim == "environment") return "e.g. production";
  if (claim == "project_path") return "group/project, e.g. acme/app";
  if (claim == "ref_type") return "branch or tag";
  if (claim == "sub") return "e.g. repo:acme/app:ref:refs/heads/main";
  if (claim.empty()) return "the value, or a glob with *";
  return "the value, or a glob with * (any run of characters)";
}

void AddCondition(ConnectionEditor& e, std::size_t i, std::string claim) {
  RulesetDraft& r = e.draft.rulesets[i];
  const bool named = !claim.empty();
  r.conditions.push_back({std::move(claim), ""});
  const std::string row = RulesetName(i) + names::kOidcConditionSuffix + std::to_string(r.conditions.size() - 1);
  e.focus = row + (named ? names::kOidcConditionPatternSuffix : names::kOidcConditionClaimSuffix);
}

void Conditions(State& state, const Judgement& j, std::size_t i) {
  const theme::Palette& p = theme::Current();
  ConnectionEditor& e = state.connection_editor;
  RulesetDraft& r = e.draft.rulesets[i];
  const std::string prefix = RulesetName(i);
  const oat::OidcPreset* preset = RulesetPreset(e.draft, r);
  const oat::OidcPreset* offered = preset ? preset : PresetByKey(e.draft.preset);

  Label("Conditions", "on the ID token's claims; all must hold. * matches any run of characters.");
  ImGui::Dummy(ImVec2(0, 2));
  Errors(e, j, At(i) + ".conditions");
  int remove = -1;
  const float pattern_width = j.width - kClaimWidth - 8 - 8 - 34;
  for (std::size_t k = 0; k < r.conditions.size(); ++k) {
    ConditionRow& row = r.conditions[k];
    const std::string place = At(i) + ".condition." + std::to_string(k);
    const std::string name = prefix + names::kOidcConditionSuffix + std::to_string(k);
    ImGui::PushID(static_cast<int>(k));
    const float x = ImGui::GetCursorPosX();
    const std::string said = "Condition " + std::to_string(k + 1);
    semantics::LabelNext(said + " claim");
    bool edited = Field(e, "##claim", &row.claim, "claim, e.g. ref", kClaimWidth, name + names::kOidcConditionClaimSuffix,
                        ImGuiInputTextFlags_CharsNoBlank);
    ImGui::SameLine(0, 8);
    semantics::LabelNext(said + " value");
    edited |= Field(e, "##pattern", &row.pattern, PatternHint(row.claim, preset), pattern_width,
                    name + names::kOidcConditionPatternSuffix);
    if (edited) Touch(e, place);
    ImGui::SameLine(0, 8);
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 2);
    if (ui::IconButton("##remove", ui::Icon::Trash, 34, "Remove this condition", ("Remove condition " + std::to_string(k + 1)).c_str())) {
      remove = static_cast<int>(k);
    }
    test_hook::MarkLastItem(name + names::kOidcConditionRemoveSuffix);
    ImGui::SetCursorPosX(x);
    // The owner's immutable id: where to find it, in the preset's words.
    const bool errors = HasErrors(j, place);
    if (preset && row.claim == preset->owner_claim && !errors) {
      ImGui::PushTextWrapPos(x + j.width);
      const std::string hint = "Required: " + std::string(preset->owner_hint) + ".";
      ui::Text(hint, p.text_muted);
      test_hook::MarkLastItem(name + names::kOidcConditionHintSuffix, hint);
      ImGui::PopTextWrapPos();
    } else if (row.pattern.empty() && !row.claim.empty() && !errors && Touched(e, place)) {
      ui::Text("Left out while it has no value.", p.text_faint);
    }
    Errors(e, j, place);
    ImGui::PopID();
  }
  if (remove >= 0) {
    r.conditions.erase(r.conditions.begin() + remove);
    // The rows after it move up: what was touched is forgotten.
    const std::string rows = At(i) + ".condition.";
    e.touched.erase(std::remove_if(e.touched.begin(), e.touched.end(),
                                   [&](const std::string& t) { return t.compare(0, rows.size(), rows) == 0; }),
                    e.touched.end());
    Touch(e, At(i) + ".conditions");
  }

  // Adding a condition: the preset's claims not named yet, or any claim.
  const std::string add = prefix + names::kOidcConditionAddSuffix;
  const bool full = r.conditions.size() >= oat::kMaxOidcConditions;
  ImGui::BeginDisabled(full);
  const ImVec2 button = ImGui::GetCursorScreenPos();
  if (ui::IconLabelButton("Add condition", ui::Icon::Plus, ui::ButtonKind::Ghost, ImVec2(0, 32))) {
    if (offered) {
      ImGui::OpenPopup("##add-condition");
    } else {
      AddCondition(e, i, "");
    }
  }
  ImGui::EndDisabled();
  test_hook::MarkLastItem(add);
  test_hook::Flag(add, names::kFlagDisabled, full);
  // Under the button, or above it when the window has no room below.
  const float tallest = static_cast<float>((offered ? offered->claims.size() : 0) + 1) * 32 + 12;
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  if (button.y + 38 + tallest > viewport->Pos.y + viewport->Size.y) {
    ImGui::SetNextWindowPos(ImVec2(button.x, button.y - 4), ImGuiCond_Always, ImVec2(0, 1));
  } else {
    ImGui::SetNextWindowPos(button + ImVec2(0, 38));
  }
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(6, 6));
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0, 2));
  if (ImGui::BeginPopup("##add-condition")) {
    std::string chosen;
    bool pick = false;
    const auto item = [&](const std::string& label, const std::string& claim, const std::string& item_name) {
      const ImVec2 pos = ImGui::GetCursorScreenPos();
      const bool clicked = ImGui::Selectable(("##" + item_name).c_str(), false, 0, ImVec2(260, 30));
      focus::TabStop();
      if (ImGui::IsItemHovered()) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
      test_hook::MarkLastItem(item_name);
      ImGui::PushFont(claim.empty() ? nullptr : theme::GetFonts().mono);
      ImGui::GetWindowDrawList()->AddText(pos + ImVec2(10, std::floor((30 - ImGui::GetTextLineHeight()) * 0.5f)),
                                          theme::U32(claim.empty() ? p.text_muted : p.text), label.c_str());
      ImGui::PopFont();
      if (clicked) {
        pick = true;
        chosen = claim;
      }
    };
    if (offered) {
      for (std::string_view claim : offered->claims) {
        if (std::any_of(r.conditions.begin(), r.conditions.end(), [&](const ConditionRow& c) { return c.claim == claim; })) {
          continue;
        }
        item(std::string(claim), std::string(claim), add + "." + std::string(claim));
      }
    }
    item("Another claim\xE2\x80\xA6", "", add + "." + names::kOidcConditionOther);
    if (pick) {
      AddCondition(e, i, chosen);
      ImGui::CloseCurrentPopup();
    }
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
  ImGui::PopStyleVar(2);
  ImGui::Dummy(ImVec2(0, 4));
}

void Ruleset(State& state, Judgement& j, std::size_t i, int* remove) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  ConnectionEditor& e = state.connection_editor;
  RulesetDraft& r = e.draft.rulesets[i];
  RulesetForm& form = e.forms[i];
  const std::string prefix = RulesetName(i);
  ImGui::PushID(static_cast<int>(i));
  const ImVec2 top = ImGui::GetCursorScreenPos();

  // A band across the form: which ruleset, and its removal.
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float band = 34;
  draw->AddRectFilled(top, top + ImVec2(j.width, band), theme::U32(p.surface_muted), 8);
  ImGui::PushFont(fonts.small);
  const std::string title = "RULESET " + std::to_string(i + 1) + " OF " + std::to_string(e.draft.rulesets.size());
  draw->AddText(ImVec2(top.x + 12, std::floor(top.y + (band - ImGui::GetTextLineHeight()) * 0.5f)),
                theme::U32(p.text_muted), title.c_str());
  ImGui::PopFont();
  if (e.draft.rulesets.size() > 1) {
    ImGui::SetCursorScreenPos(ImVec2(top.x + j.width - 32, top.y + 2));
    if (ui::IconButton("##remove-ruleset", ui::Icon::Trash, 30, "Remove this ruleset")) *remove = static_cast<int>(i);
    test_hook::MarkLastItem(prefix + names::kOidcRulesetRemoveSuffix);
  }
  ImGui::SetCursorScreenPos(ImVec2(top.x, top.y + band + 10));
  Errors(e, j, At(i));

  Label("Name", "unique within the connection; shown in the failures");
  semantics::LabelNext("Ruleset " + std::to_string(i + 1) + " name");
  if (Field(e, "##ruleset-name", &r.name, "e.g. release workflow on main", std::min(420.0f, j.width),
            prefix + names::kOidcRulesetNameSuffix)) {
    Touch(e, At(i) + ".name");
  }
  Errors(e, j, At(i) + ".name");
  ImGui::Dummy(ImVec2(0, 6));

  Conditions(state, j, i);

  editor::Verdict& verdict = j.rulesets[i];
  verdict.width = j.width;
  const editor::ResourceNames resource_names = editor::ResourceNamesAt(prefix);
  editor::DrawResourcesEditor(state, {r.resources, form.resources, resource_names}, verdict);

  Label("Max lifetime", "seconds, " + std::to_string(oat::kMinOidcLifetime) + " to " +
                            std::to_string(oat::kMaxOidcLifetime) + ": the longest its access tokens live");
  if (Field(e, "##lifetime", &r.max_lifetime, "3600", 110, prefix + names::kOidcLifetimeSuffix,
            ImGuiInputTextFlags_CharsDecimal)) {
    Touch(e, At(i) + ".max_lifetime_seconds");
  }
  Errors(e, j, At(i) + ".max_lifetime_seconds");
  ImGui::Dummy(ImVec2(0, 8));
  test_hook::Mark(prefix, top, ImVec2(top.x + j.width, ImGui::GetCursorScreenPos().y));
  ImGui::PopID();
}

// The core's words for a sixth ruleset.
std::string TooManyRulesets() {
  nlohmann::json six = nlohmann::json::array();
  for (std::size_t i = 0; i <= oat::kMaxOidcRulesets; ++i) six.push_back(nlohmann::json::object());
  const auto parsed = oat::parse_oidc_rulesets(six);
  if (!parsed) {
    for (const oat::Error& error : parsed.errors()) {
      if (error.field == "rulesets") return error.message;
    }
  }
  return "";
}

void DrawRulesets(State& state, Judgement& j) {
  const theme::Palette& p = theme::Current();
  ConnectionEditor& e = state.connection_editor;
  ConnectionDraft& d = e.draft;
  const std::size_t n = d.rulesets.size();
  const bool full = n >= oat::kMaxOidcRulesets;
  const std::string count = std::to_string(n) + " of " + std::to_string(oat::kMaxOidcRulesets);
  editor::FieldLabel("Rulesets", "a job signs in when its ID token matches one; it gets what every match grants",
                     count, full ? &p.warning : nullptr, names::kOidcRulesetCount);
  ImGui::Dummy(ImVec2(0, 4));
  Errors(e, j, "rulesets");
  int remove = -1;
  for (std::size_t i = 0; i < n; ++i) Ruleset(state, j, i, &remove);
  if (remove >= 0) {
    d.rulesets.erase(d.rulesets.begin() + remove);
    e.forms.erase(e.forms.begin() + remove);
    // The rulesets after it move up: what was touched there is forgotten.
    e.touched.erase(std::remove_if(e.touched.begin(), e.touched.end(),
                                   [](const std::string& t) { return t.compare(0, 9, "rulesets[") == 0; }),
                    e.touched.end());
  }
  ImGui::BeginDisabled(full);
  if (ui::IconLabelButton("Add ruleset", ui::Icon::Plus, ui::ButtonKind::Secondary, ImVec2(0, 36))) {
    d.rulesets.push_back(NewRuleset(d));
    e.forms.emplace_back();
    e.focus = RulesetName(d.rulesets.size() - 1) + names::kOidcRulesetNameSuffix;
  }
  ImGui::EndDisabled();
  test_hook::MarkLastItem(names::kOidcRulesetAdd);
  test_hook::Flag(names::kOidcRulesetAdd, names::kFlagDisabled, full);
  if (full && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ui::Tooltip(TooManyRulesets());
  ImGui::Dummy(ImVec2(0, 6));
}

// -----------------------------------------------------------------------------------------------
// [SECTION] The dialog
// -----------------------------------------------------------------------------------------------

void Close(State& state) {
  state.connection_editor = ConnectionEditor{};
  state.dialog = Dialog::None;
  ui::CloseDialog();
}

void Submit(State& state, const Judgement& j) {
  ConnectionEditor& e = state.connection_editor;
  e.submit_attempted = true;
  if (!j.check.ok() || e.pending) return;
  if (e.editing()) {
    if (e.draft == e.original) return;
    EditConnection(state, j.check.body);
  } else {
    CreateConnection(state, j.check.body);
  }
}

// What the disabled submit button's tooltip lists: every refusal, shown or not yet.
std::string WhyDisabled(const ConnectionEditor& e, const Judgement& j) {
  if (e.editing() && j.check.ok() && e.draft == e.original) return "Nothing has changed yet.";
  std::string out;
  for (const oat::Error& error : j.check.errors) {
    if (out.find(error.message) != std::string::npos) continue;
    if (!out.empty()) out += "\n";
    out += "\xE2\x80\xA2 " + error.message;
  }
  return out;
}

void Footer(State& state, const Judgement& j) {
  const theme::Palette& p = theme::Current();
  ConnectionEditor& e = state.connection_editor;
  ui::BeginDialogFooter();
  const ImVec2 left = ImGui::GetCursorPos();
  if (e.pending) {
    ImGui::SetCursorPos(left + ImVec2(0, 9));
    ui::Spinner(9, p.primary);
    ImGui::SameLine(0, 10);
    ImGui::SetCursorPosY(left.y + 9);
    ui::Text(e.editing() ? "Saving\xE2\x80\xA6" : "Creating\xE2\x80\xA6", p.text_muted);
    test_hook::MarkLastItem(names::kOidcPending);
  } else if (!j.check.ok() && e.submit_attempted) {
    ImGui::SetCursorPos(left + ImVec2(0, 9));
    ui::Text("Fix the marked fields to continue.", p.text_muted);
  }
  const char* label = e.editing() ? "Save changes" : "Create connection";
  ImGui::PushFont(theme::GetFonts().strong);
  const float submit_width = std::floor(ImGui::CalcTextSize(label).x + 36);
  ImGui::PopFont();
  ui::RightButtonX(submit_width);
  const bool unchanged = e.editing() && e.draft == e.original;
  const bool disabled = !j.check.ok() || e.pending || unchanged;
  ImGui::BeginDisabled(disabled);
  const bool clicked = ui::Button(label, ui::ButtonKind::Primary, ImVec2(submit_width, 36));
  ImGui::EndDisabled();
  test_hook::MarkLastItem(names::kOidcSubmit);
  test_hook::Flag(names::kOidcSubmit, names::kFlagDisabled, disabled);
  // A click on the disabled button shows every field's errors (what is missing).
  const bool hovered = disabled && !e.pending && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled);
  const bool tried = hovered && ImGui::IsMouseClicked(0);
  if (hovered) ui::Tooltip(WhyDisabled(e, j));
  ui::RightButtonX(96);
  if (ui::Button("Cancel", ui::ButtonKind::Secondary, ImVec2(96, 36))) Close(state);
  test_hook::MarkLastItem(names::kOidcCancel);
  ui::EndDialogFooter();
  if (state.dialog == Dialog::EditConnection && (clicked || tried)) Submit(state, j);
}

}  // namespace

void DrawConnectionEditor(State& state) {
  const theme::Palette& p = theme::Current();
  ConnectionEditor& e = state.connection_editor;
  if (!ui::BeginDialog("##connection-editor", kWidth)) return;
  const std::string title = e.editing() ? "Edit connection" : "New connection";
  const std::string subtitle =
      e.editing() ? "A change takes effect at once: the access tokens the connection issued stop working, and "
                    "jobs exchange their ID tokens anew."
                  : "Which CI jobs may sign in to " + state.selected_org +
                        "'s registry with their ID token, and what they reach: give them only what they need.";
  if (ui::DialogHeader(title, subtitle, names::kOidcEditorClose)) {
    Close(state);
    ui::EndDialog();
    return;
  }

  Judgement j = Judge(state);
  ui::BeginDialogBody();
  test_hook::Mark(names::kOidcEditorBody, ImGui::GetWindowPos(), ImGui::GetWindowPos() + ImGui::GetWindowSize());
  j.width = ui::DialogContentWidth();
  DrawFields(state, j);
  DrawRulesets(state, j);
  // The refusals that belong to no field (the number of connections, the server's others).
  if (auto it = j.shown.find(""); it != j.shown.end()) {
    for (const oat::Error& error : it->second) {
      ImGui::Dummy(ImVec2(0, 2));
      ui::Banner(error.message, p.danger, j.width);
      test_hook::ErrorShown(names::kOidcErrorServer, error.message);
    }
    if (e.reveal_errors) ImGui::SetScrollHereY(1.0f);
  }
  e.reveal_errors = false;
  ui::EndDialogBody();
  Footer(state, j);

  if (state.dialog == Dialog::EditConnection) {
    if (ui::DialogEnterPressed()) Submit(state, j);
    if (ui::DialogEscapePressed()) Close(state);
  }
  test_hook::Status(names::kStatusOidcValid, j.check.ok() ? 1 : 0);
  test_hook::Status(names::kOidcPending, state.connection_editor.pending ? 1 : 0);
  test_hook::Status(names::kStatusOidcEditing, state.connection_editor.connection_id);
  ui::EndDialog();
}

}  // namespace console
