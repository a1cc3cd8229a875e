// [SECTION] The draft as the API's request, checked by the core
// [SECTION] Form parts: label, description, expiration, resources, organization scopes
// [SECTION] The generate and edit dialogs
//
// Every rule here is the core's: the draft is turned into the very JSON the server will get
// and parsed by oat::parse_create_request / parse_update_request each frame, so the errors
// shown while typing are the server's own words, and nothing invalid is ever sent.
#define IMGUI_DEFINE_MATH_OPERATORS
#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "client.h"
#include "format.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "imgui_stdlib.h"
#include "oat/api.h"
#include "oat/lifecycle.h"
#include "oat/plan.h"
#include "page.h"
#include "test_hook.h"
#include "theme.h"
#include "views/views.h"
#include "widgets.h"

namespace console {
namespace {

using nlohmann::json;

constexpr float kDialogWidth = 640;
constexpr const char* kBadCustomTime = "Enter the date and time as YYYY-MM-DD HH:MM (UTC).";

// -----------------------------------------------------------------------------------------------
// [SECTION] The draft as the API's request
// -----------------------------------------------------------------------------------------------

// The resources in the order the API gets them, and for each the form row it came from, so an
// error on "resources[2].scopes" is shown on that row.
struct DraftResources {
  std::vector<oat::Resource> resources;
  std::vector<std::string> rows;  // "public", "all", "repo:<name>", "org"
};

DraftResources ToResources(const TokenDraft& draft, const std::string& org) {
  DraftResources out;
  if (draft.read_public) {
    out.resources.push_back({oat::ResourceType::Repo, std::string(oat::kPublicRepositoriesPath),
                             {oat::Scope::ImagePull}});
    out.rows.push_back("public");
  }
  if (draft.all_repositories) {
    out.resources.push_back({oat::ResourceType::Repo, org + "/*", draft.all_repositories_scopes.to_vector()});
    out.rows.push_back("all");
  }
  for (const RepositoryDraft& r : draft.repositories) {
    out.resources.push_back({oat::ResourceType::Repo, org + "/" + r.name, r.scopes.to_vector()});
    out.rows.push_back("repo:" + r.name);
  }
  if (!draft.org_scopes.empty()) {
    out.resources.push_back({oat::ResourceType::Org, org, draft.org_scopes.to_vector()});
    out.rows.push_back("org");
  }
  return out;
}

// The custom expiration typed as "YYYY-MM-DD HH:MM" (UTC).
std::optional<oat::Timestamp> ParseCustomTime(const std::string& text) {
  std::string t = text;
  while (!t.empty() && t.back() == ' ') t.pop_back();
  while (!t.empty() && t.front() == ' ') t.erase(t.begin());
  if (t.size() == 16) t += ":00";
  if (t.size() != 19) return std::nullopt;
  return oat::parse_rfc3339(t + "Z");
}

struct Checked {
  std::string body;     // the request body, as it will be sent
  oat::Errors errors;   // everything the core (or the time field) refuses
  DraftResources resources;
  std::optional<oat::Timestamp> expires_at;
};

Checked Check(const State& state, const TokenDraft& draft) {
  Checked out;
  out.resources = ToResources(draft, state.selected_org);
  json body = {{"label", draft.label},
               {"description", draft.description},
               {"resources", oat::resources_json(out.resources.resources)}};
  const bool editing = !draft.token_id.empty();
  if (!editing) {
    oat::ExpiryChoice choice{draft.expiry, std::nullopt};
    bool time_ok = true;
    if (draft.expiry == oat::ExpiryPreset::Custom) {
      choice.custom = ParseCustomTime(draft.custom_expiry);
      if (!choice.custom) {
        out.errors.push_back({oat::ErrorCode::InvalidTime, "expires_at", kBadCustomTime});
        time_ok = false;
      }
    }
    if (time_ok) {
      auto resolved = oat::resolve_expiry(choice, state.now);
      if (resolved) {
        out.expires_at = *resolved;
      } else {
        out.errors.insert(out.errors.end(), resolved.errors().begin(), resolved.errors().end());
      }
    }
    body["expires_at"] = out.expires_at ? json(oat::format_rfc3339(*out.expires_at)) : json(nullptr);
  }
  out.body = body.dump(-1, ' ', false, json::error_handler_t::replace);

  const std::vector<Repository>& repos = state.repositories.items;
  const oat::OrganizationContext context{
      state.selected_org,
      [&repos](std::string_view name) {
        return std::any_of(repos.begin(), repos.end(), [&](const Repository& r) { return r.name == name; });
      },
      state.now};
  // An expiry the core refused above is not sent again to be refused twice.
  std::string checked_body = out.body;
  if (!out.errors.empty() && !editing) {
    json copy = json::parse(out.body, nullptr, false);
    copy["expires_at"] = nullptr;
    checked_body = copy.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  if (editing) {
    auto parsed = oat::parse_update_request(checked_body, context);
    if (!parsed) out.errors.insert(out.errors.end(), parsed.errors().begin(), parsed.errors().end());
  } else {
    auto parsed = oat::parse_create_request(checked_body, context);
    if (!parsed) out.errors.insert(out.errors.end(), parsed.errors().begin(), parsed.errors().end());
  }
  return out;
}

// The messages for one form row: "label", "description", "expires_at", "resources", or a
// resource row key ("repo:app").
std::vector<std::string> MessagesFor(const Checked& checked, const oat::Errors& errors,
                                     const std::string& row) {
  std::vector<std::string> out;
  for (const oat::Error& e : errors) {
    std::string key = e.field;
    if (key.rfind("resources[", 0) == 0) {
      const std::size_t close = key.find(']');
      const std::size_t index = static_cast<std::size_t>(std::atoi(key.c_str() + 10));
      key = close != std::string::npos && index < checked.resources.rows.size() ? checked.resources.rows[index]
                                                                                : "resources";
    }
    if (key == row && std::find(out.begin(), out.end(), e.message) == out.end()) out.push_back(e.message);
  }
  return out;
}

bool IsFormField(const std::string& field) {
  return field == "label" || field == "description" || field == "expires_at" ||
         field.rfind("resources", 0) == 0;
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Form parts
// -----------------------------------------------------------------------------------------------

void FieldLabel(const char* text, const char* hint = nullptr) {
  const theme::Palette& p = theme::Current();
  ui::Text(text, p.text, theme::GetFonts().strong);
  if (hint) {
    ImGui::SameLine(0, 8);
    ui::Text(hint, p.text_faint);
  }
}

void FieldErrors(const std::vector<std::string>& messages, const std::string& test_name) {
  const theme::Palette& p = theme::Current();
  for (const std::string& m : messages) {
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + kDialogWidth - 48);
    ui::Text(m, p.danger);
    ImGui::PopTextWrapPos();
    test_hook::MarkLastItem(test_name);
    test_hook::Status(test_name, m);
  }
}

// "scope-image-push" -> "image-push"
std::string ScopeWord(oat::Scope s) {
  std::string name(oat::scope_name(s));
  return name.rfind("scope-", 0) == 0 ? name.substr(6) : name;
}

oat::ScopeSet Without(oat::ScopeSet set, oat::Scope s) {
  oat::ScopeSet out;
  for (oat::Scope x : set.to_vector()) {
    if (x != s) out.add(x);
  }
  return out;
}

// One scope's checkbox. A scope that a chosen one includes shows ticked and disabled, saying
// which (push includes pull).
void ScopeCheckbox(oat::ScopeSet& scopes, oat::Scope s, const std::string& test_name,
                   const char* label = nullptr) {
  const bool chosen = scopes.contains(s);
  const bool included = !chosen && oat::with_inclusions(scopes).contains(s);
  bool ticked = chosen || included;
  const std::string text = (label ? std::string(label) : ScopeWord(s)) + "##" + test_name;
  ImGui::BeginDisabled(included);
  if (ImGui::Checkbox(text.c_str(), &ticked)) scopes = chosen ? Without(scopes, s) : (scopes.add(s), scopes);
  ImGui::EndDisabled();
  test_hook::MarkLastItem(test_name);
  if (included && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    for (oat::Scope held : scopes.to_vector()) {
      if (oat::scope_includes(held, s)) {
        ImGui::SetTooltip("Included by %s", ScopeWord(held).c_str());
        break;
      }
    }
  }
}

constexpr oat::Scope kImageScopes[] = {oat::Scope::ImagePull, oat::Scope::ImagePush, oat::Scope::ImageDelete};
constexpr const char* kImageWords[] = {"Pull", "Push", "Delete"};

// Pull / Push / Delete inline, the other repository scopes behind "More".
void RepositoryScopes(oat::ScopeSet& scopes, const std::string& prefix) {
  for (int i = 0; i < 3; ++i) {
    ImGui::SameLine(0, i == 0 ? 0 : 14);
    ScopeCheckbox(scopes, kImageScopes[i], prefix + ".scope." + std::string(oat::scope_name(kImageScopes[i])),
                  kImageWords[i]);
  }
  ImGui::SameLine(0, 14);
  int others = 0;
  for (oat::Scope s : oat::all_scopes()) {
    if (oat::scope_resource_type(s) == oat::ResourceType::Repo && s != oat::Scope::ImagePull &&
        s != oat::Scope::ImagePush && s != oat::Scope::ImageDelete && scopes.contains(s)) {
      ++others;
    }
  }
  const std::string more = (others ? "More (" + std::to_string(others) + ")" : std::string("More")) +
                           "##more" + prefix;
  if (ui::Button(more.c_str(), ui::ButtonKind::Ghost)) ImGui::OpenPopup(("scopes" + prefix).c_str());
  test_hook::MarkLastItem(prefix + ".more");
  if (ImGui::BeginPopup(("scopes" + prefix).c_str())) {
    for (oat::Scope s : oat::all_scopes()) {
      if (oat::scope_resource_type(s) != oat::ResourceType::Repo) continue;
      if (s == oat::Scope::ImagePull || s == oat::Scope::ImagePush || s == oat::Scope::ImageDelete) continue;
      ScopeCheckbox(scopes, s, prefix + ".scope." + std::string(oat::scope_name(s)));
    }
    ImGui::EndPopup();
  }
}

void ResourceRowErrors(const Checked& checked, const std::string& row, const std::string& test_name) {
  ImGui::Indent(28);
  FieldErrors(MessagesFor(checked, checked.errors, row), test_name);
  ImGui::Unindent(28);
}

void Resources(State& state, TokenDraft& draft, const Checked& checked) {
  const theme::Palette& p = theme::Current();
  const std::string& org = state.selected_org;
  const std::size_t repo_count = draft.repositories.size() + (draft.all_repositories ? 1 : 0) +
                                 (draft.read_public ? 1 : 0);
  const std::string count = std::to_string(repo_count) + " of " +
                            std::to_string(oat::kMaxRepositoryResources) + " repository entries";
  FieldLabel("Repositories", count.c_str());
  for (const std::string& m : MessagesFor(checked, checked.errors, "resources")) {
    const bool required = draft.repositories.empty() && !draft.read_public && !draft.all_repositories &&
                          draft.org_scopes.empty();
    ui::Text(m, required && !draft.show_all_errors ? p.text_muted : p.danger);
    test_hook::MarkLastItem("generate.error.resources");
    test_hook::Status("generate.error.resources", m);
  }
  ImGui::Dummy(ImVec2(0, 2));

  ImGui::Checkbox("Read public repositories##public", &draft.read_public);
  test_hook::MarkLastItem("generate.public");
  ui::Tooltip("Pull any public repository, of any organization.");
  ResourceRowErrors(checked, "public", "generate.error.public");

  ImGui::Checkbox(("All " + org + " repositories##all").c_str(), &draft.all_repositories);
  test_hook::MarkLastItem("generate.all");
  ui::Tooltip("Every repository of " + org + ", including those created later.");
  if (draft.all_repositories) RepositoryScopes(draft.all_repositories_scopes, "generate.all");
  ResourceRowErrors(checked, "all", "generate.error.all");

  // Chosen repositories, each with its scopes.
  int remove = -1;
  for (std::size_t i = 0; i < draft.repositories.size(); ++i) {
    RepositoryDraft& r = draft.repositories[i];
    ImGui::PushID(static_cast<int>(i));
    const std::string prefix = "generate.repo." + std::to_string(i);
    ImGui::AlignTextToFramePadding();
    const std::string path = org + "/" + r.name;
    ui::TextEllipsis(path, 190, theme::GetFonts().mono, p.text);
    test_hook::MarkLastItem(prefix);
    ImGui::SameLine(220);
    RepositoryScopes(r.scopes, prefix);
    ImGui::SameLine(0, 8);
    if (ui::Button("Remove", ui::ButtonKind::Ghost)) remove = static_cast<int>(i);
    test_hook::MarkLastItem(prefix + ".remove");
    ResourceRowErrors(checked, "repo:" + r.name, "generate.error.repo." + std::to_string(i));
    ImGui::PopID();
  }
  if (remove >= 0) draft.repositories.erase(draft.repositories.begin() + remove);

  // The picker: the organization's repositories not chosen yet, searchable.
  ImGui::SetNextItemWidth(300);
  const bool loading = state.repositories.loading && !state.repositories.loaded;
  if (ImGui::BeginCombo("##addrepo", loading ? "Loading repositories\xE2\x80\xA6" : "Add a repository\xE2\x80\xA6")) {
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    ImGui::SetNextItemWidth(-1);
    ImGui::InputTextWithHint("##repofilter", "Search", &draft.repository_filter);
    test_hook::MarkLastItem("generate.repo.search");
    int shown = 0;
    for (const Repository& repo : state.repositories.items) {
      const bool chosen = std::any_of(draft.repositories.begin(), draft.repositories.end(),
                                      [&](const RepositoryDraft& d) { return d.name == repo.name; });
      if (chosen || !format::ContainsFolded(repo.name, draft.repository_filter)) continue;
      const std::string item = org + "/" + repo.name + (repo.is_private ? "" : "  (public)");
      if (ImGui::Selectable(item.c_str())) {
        draft.repositories.push_back({repo.name, oat::ScopeSet{oat::Scope::ImagePull}});
        draft.repository_filter.clear();
      }
      test_hook::MarkLastItem("generate.repo.picker.item." + repo.name);
      ++shown;
    }
    if (shown == 0) ui::Text("No other repository matches.", p.text_muted);
    ImGui::EndCombo();
  }
  test_hook::MarkLastItem("generate.repo.add");
  if (!state.repositories.error.empty()) ui::Text(state.repositories.error, p.danger);
}

void OrganizationScopes(TokenDraft& draft, const Checked& checked) {
  const std::string title = draft.org_scopes.empty()
                                ? std::string("Organization scopes")
                                : "Organization scopes (" + std::to_string(draft.org_scopes.to_vector().size()) + ")";
  if (ImGui::CollapsingHeader((title + "###orgscopes").c_str())) {
    int column = 0;
    for (oat::Scope s : oat::all_scopes()) {
      if (oat::scope_resource_type(s) != oat::ResourceType::Org) continue;
      if (column++ % 2 == 1) ImGui::SameLine(kDialogWidth * 0.5f);
      ScopeCheckbox(draft.org_scopes, s, "generate.org.scope." + std::string(oat::scope_name(s)));
    }
  }
  test_hook::MarkLastItem("generate.org");
  FieldErrors(MessagesFor(checked, checked.errors, "org"), "generate.error.org");
}

void Expiration(State& state, TokenDraft& draft, const Checked& checked) {
  const theme::Palette& p = theme::Current();
  FieldLabel("Expiration");
  if (!draft.token_id.empty()) {
    const std::string text = draft.fixed_expiry ? format::ExactLocalTime(*draft.fixed_expiry) : "Never";
    ui::Text(text + "  \xC2\xB7  the expiration cannot be changed after creation", p.text_muted);
    return;
  }
  static const char* const kLabels[4] = {"30 days", "90 days", "Custom", "Never"};
  static const char* const kNames[4] = {"generate.expiry.30", "generate.expiry.90", "generate.expiry.custom",
                                        "generate.expiry.never"};
  static const int kCounts[4] = {-1, -1, -1, -1};
  static const oat::ExpiryPreset kPresets[4] = {oat::ExpiryPreset::Days30, oat::ExpiryPreset::Days90,
                                                oat::ExpiryPreset::Custom, oat::ExpiryPreset::Never};
  int selected = 3;
  for (int i = 0; i < 4; ++i) {
    if (kPresets[i] == draft.expiry) selected = i;
  }
  const int clicked = ui::Segmented("##expiry", kLabels, kCounts, 4, selected, kNames);
  if (clicked >= 0) {
    draft.expiry = kPresets[clicked];
    if (draft.expiry == oat::ExpiryPreset::Custom && draft.custom_expiry.empty()) {
      // A starting point to edit: a month from now, at the hour.
      const std::string t = oat::format_rfc3339(state.now + std::chrono::days{30});
      draft.custom_expiry = t.substr(0, 10) + " " + t.substr(11, 2) + ":00";
    }
  }
  if (draft.expiry == oat::ExpiryPreset::Custom) {
    ui::InputText("##customexpiry", &draft.custom_expiry, "YYYY-MM-DD HH:MM", 200);
    test_hook::MarkLastItem("generate.expiry.input");
    ImGui::SameLine(0, 8);
    ImGui::AlignTextToFramePadding();
    ui::Text("UTC, at most one year ahead", p.text_faint);
  }
  if (checked.expires_at) {
    ui::Text("Expires " + format::ExactLocalTime(*checked.expires_at), p.text_muted);
  } else if (draft.expiry == oat::ExpiryPreset::Never && checked.errors.empty()) {
    ui::Text("The token never expires.", p.text_muted);
  }
  FieldErrors(MessagesFor(checked, checked.errors, "expires_at"), "generate.error.expires_at");
  FieldErrors(MessagesFor(checked, draft.server_errors, "expires_at"), "generate.error.expires_at");
}

// -----------------------------------------------------------------------------------------------
// [SECTION] The generate and edit dialogs
// -----------------------------------------------------------------------------------------------

bool EscapePressed() { return ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false); }

void Close(State& state) {
  state.dialog = Dialog::None;
  state.draft = TokenDraft{};
  ImGui::CloseCurrentPopup();
}

void Editor(State& state, const char* title) {
  const theme::Palette& p = theme::Current();
  TokenDraft& draft = state.draft;
  const bool editing = !draft.token_id.empty();
  const Checked checked = Check(state, draft);
  const bool valid = checked.errors.empty();
  bool submit = false;

  ui::Text(title, p.text, theme::GetFonts().title);
  if (draft.loading) {
    ImGui::Dummy(ImVec2(kDialogWidth - 48, 8));
    ui::Spinner(10, p.primary);
    ImGui::SameLine(0, 8);
    ui::Text("Loading the token\xE2\x80\xA6", p.text_muted);
    if (EscapePressed()) Close(state);
    return;
  }
  ui::Text(editing ? "Change what the token is called and what it reaches."
                   : "A token of " + state.selected_org + " for automation: it signs in as the organization.",
           p.text_muted);
  ImGui::Dummy(ImVec2(0, 6));

  FieldLabel("Label");
  if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
  if (ui::InputText("##label", &draft.label, "e.g. GitHub Actions: deploy", kDialogWidth - 48,
                    ImGuiInputTextFlags_EnterReturnsTrue)) {
    submit = true;
  }
  if (ImGui::IsItemEdited() || (ImGui::IsItemDeactivated() && !draft.label.empty())) draft.label_touched = true;
  test_hook::MarkLastItem("generate.label");
  if (draft.label_touched || draft.show_all_errors) {
    FieldErrors(MessagesFor(checked, checked.errors, "label"), "generate.error.label");
  }
  FieldErrors(MessagesFor(checked, draft.server_errors, "label"), "generate.error.label");
  ImGui::Dummy(ImVec2(0, 4));

  const std::string counter = std::to_string(oat::count_characters(draft.description)) + "/" +
                              std::to_string(oat::kMaxDescriptionLength);
  FieldLabel("Description", "optional");
  ImGui::SameLine(kDialogWidth - 48 - ImGui::CalcTextSize(counter.c_str()).x);
  ui::Text(counter, oat::count_characters(draft.description) > oat::kMaxDescriptionLength ? p.danger : p.text_faint);
  test_hook::MarkLastItem("generate.description.counter");
  test_hook::Status("generate.description.counter", counter);
  ImGui::InputTextMultiline("##description", &draft.description, ImVec2(kDialogWidth - 48, 56));
  test_hook::MarkLastItem("generate.description");
  FieldErrors(MessagesFor(checked, checked.errors, "description"), "generate.error.description");
  FieldErrors(MessagesFor(checked, draft.server_errors, "description"), "generate.error.description");
  ImGui::Dummy(ImVec2(0, 4));

  Expiration(state, draft, checked);
  ImGui::Dummy(ImVec2(0, 4));
  Resources(state, draft, checked);
  ImGui::Dummy(ImVec2(0, 4));
  OrganizationScopes(draft, checked);

  // The server's refusals that belong to no field of the form, in its words.
  for (const oat::Error& e : draft.server_errors) {
    if (IsFormField(e.field)) continue;
    ImGui::Dummy(ImVec2(0, 4));
    ui::Banner(e.message, p.danger, kDialogWidth - 48);
    test_hook::MarkLastItem("generate.error.server");
    test_hook::Status("generate.error.server", e.message);
  }

  ImGui::Dummy(ImVec2(0, 10));
  const float buttons_y = ImGui::GetCursorPosY();
  if (draft.pending) {
    ImGui::SetCursorPosY(buttons_y + 9);
    ui::Spinner(9, p.primary);
    ImGui::SameLine(0, 8);
    ui::Text(editing ? "Saving\xE2\x80\xA6" : "Generating\xE2\x80\xA6", p.text_muted);
  } else if (!valid) {
    ImGui::SetCursorPosY(buttons_y + 8);
    ui::Text("Fix what is marked to continue.", p.text_faint);
  }
  const float right = kDialogWidth - 24;
  ImGui::SetCursorPos(ImVec2(right - 300, buttons_y));
  if (ui::Button("Cancel", ui::ButtonKind::Secondary, ImVec2(120, 36)) || EscapePressed()) {
    Close(state);
    return;
  }
  test_hook::MarkLastItem("generate.cancel");
  ImGui::SameLine(0, 12);
  ImGui::BeginDisabled(!valid || draft.pending);
  if (ui::Button(editing ? "Save changes" : "Generate token", ui::ButtonKind::Primary, ImVec2(168, 36))) submit = true;
  ImGui::EndDisabled();
  test_hook::MarkLastItem(editing ? "edit.submit" : "generate.submit");
  test_hook::Status("generate.valid", valid ? 1 : 0);

  if (submit) {
    draft.show_all_errors = true;
    draft.label_touched = true;
    if (valid && !draft.pending) {
      if (editing) {
        EditToken(state, checked.body);
      } else {
        CreateToken(state, checked.body);
      }
    }
  }
}

bool BeginDialog(const char* id, float width) {
  if (!ImGui::IsPopupOpen(id)) ImGui::OpenPopup(id);
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->GetCenter(), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSizeConstraints(ImVec2(width, 0), ImVec2(width, viewport->Size.y - 40));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(24, 22));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 12);
  const bool open = ImGui::BeginPopupModal(id, nullptr,
                                           ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize |
                                               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_AlwaysAutoResize |
                                               ImGuiWindowFlags_NoSavedSettings);
  ImGui::PopStyleVar(2);
  return open;
}

// The secret, once.
void ShowToken(State& state) {
  const theme::Palette& p = theme::Current();
  CreatedToken& created = state.created;
  if (!BeginDialog("##showtoken", kDialogWidth)) return;
  ui::Text("Copy your access token", p.text, theme::GetFonts().title);
  ui::Text("\xE2\x80\x9C" + created.label + "\xE2\x80\x9D was generated.", p.text_muted);
  ImGui::Dummy(ImVec2(0, 8));
  ui::Banner("This token will not be shown again. Copy it now and store it as a secret of your CI.",
             p.warning, kDialogWidth - 48);
  ImGui::Dummy(ImVec2(0, 8));

  // The token in monospace, selectable, with Copy beside it.
  ImGui::PushFont(theme::GetFonts().mono);
  std::string shown = created.secret;
  ImGui::SetNextItemWidth(kDialogWidth - 48 - 108);
  ImGui::InputText("##secret", &shown, ImGuiInputTextFlags_ReadOnly);
  ImGui::PopFont();
  test_hook::MarkLastItem("created.token");
  ImGui::SameLine(0, 8);
  if (ui::Button(created.copied ? "Copied" : "Copy", ui::ButtonKind::Primary, ImVec2(100, 0))) {
    page::CopyToClipboard(created.secret.c_str());
    created.copied = true;
  }
  test_hook::MarkLastItem("created.copy");
  ImGui::Dummy(ImVec2(0, 10));

  ui::Text("Sign in from a CI job with the organization's name:", p.text_muted);
  const std::string login = "docker login -u " + state.selected_org;
  ImGui::PushFont(theme::GetFonts().mono);
  std::string login_shown = login;
  ImGui::SetNextItemWidth(kDialogWidth - 48 - 108);
  ImGui::InputText("##login", &login_shown, ImGuiInputTextFlags_ReadOnly);
  ImGui::PopFont();
  test_hook::MarkLastItem("created.login");
  ImGui::SameLine(0, 8);
  if (ui::Button(created.login_copied ? "Copied##login" : "Copy##login", ui::ButtonKind::Secondary, ImVec2(100, 0))) {
    page::CopyToClipboard(login.c_str());
    created.login_copied = true;
  }
  test_hook::MarkLastItem("created.copy_login");
  ui::Text("and paste the token when asked for the password.", p.text_faint);

  ImGui::Dummy(ImVec2(0, 12));
  ImGui::SetCursorPosX(kDialogWidth - 24 - 120);
  const bool enter = ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false);
  if (ui::Button("Done", ui::ButtonKind::Secondary, ImVec2(120, 36)) || EscapePressed() || enter) {
    state.created = CreatedToken{};  // the secret leaves memory
    state.dialog = Dialog::None;
    ImGui::CloseCurrentPopup();
  }
  test_hook::MarkLastItem("created.close");
  test_hook::Status("dialog", "created");
  ImGui::EndPopup();
}

void ConfirmDelete(State& state) {
  const theme::Palette& p = theme::Current();
  if (!BeginDialog("##confirmdelete", 480)) return;
  ui::Text("Delete this token?", p.text, theme::GetFonts().title);
  ImGui::Dummy(ImVec2(0, 4));
  ImGui::PushTextWrapPos(480 - 24);
  ui::Text("\xE2\x80\x9C" + state.action.label +
               "\xE2\x80\x9D will stop working at once: jobs that sign in with it will fail. This cannot be undone.",
           p.text_muted);
  ImGui::PopTextWrapPos();
  if (!state.action.error.empty()) {
    ImGui::Dummy(ImVec2(0, 6));
    ui::Banner(state.action.error, p.danger, 480 - 48);
    test_hook::Status("confirm.error", state.action.error);
  }
  ImGui::Dummy(ImVec2(0, 14));
  ImGui::SetCursorPosX(480 - 24 - 120 - 12 - 120);
  if (ui::Button("Cancel", ui::ButtonKind::Secondary, ImVec2(120, 36)) || EscapePressed()) {
    state.action = TokenAction{};
    state.dialog = Dialog::None;
    ImGui::CloseCurrentPopup();
  }
  test_hook::MarkLastItem("confirm.cancel");
  ImGui::SameLine(0, 12);
  ImGui::PushStyleColor(ImGuiCol_Button, p.danger);
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, theme::Alpha(p.danger, 0.85f));
  ImGui::PushStyleColor(ImGuiCol_ButtonActive, theme::Alpha(p.danger, 0.7f));
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
  ImGui::BeginDisabled(state.action.pending);
  if (ImGui::Button(state.action.pending ? "Deleting\xE2\x80\xA6" : "Delete", ImVec2(120, 36))) DeleteToken(state);
  ImGui::EndDisabled();
  ImGui::PopStyleColor(4);
  test_hook::MarkLastItem("confirm.delete");
  test_hook::Status("dialog", "confirm-delete");
  ImGui::EndPopup();
}

}  // namespace

void OpenGenerateDialog(State& state) {
  state.draft = TokenDraft{};
  state.dialog = Dialog::GenerateToken;
  if (!state.repositories.loaded && !state.repositories.loading) LoadRepositories(state);
}

void DrawDialogs(State& state) {
  switch (state.dialog) {
    case Dialog::None:
      break;
    case Dialog::GenerateToken:
    case Dialog::EditToken:
      if (BeginDialog("##editor", kDialogWidth)) {
        const bool editing = state.dialog == Dialog::EditToken;
        Editor(state, editing ? "Edit access token" : "Generate an access token");
        test_hook::Status("dialog", editing ? "edit" : "generate");
        ImGui::EndPopup();
      }
      break;
    case Dialog::ShowToken:
      ShowToken(state);
      break;
    case Dialog::ConfirmDelete:
      ConfirmDelete(state);
      break;
  }
}

}  // namespace console
