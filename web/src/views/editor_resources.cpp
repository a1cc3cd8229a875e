// [SECTION] Scope grids: checkboxes per scope, with inclusions shown
// [SECTION] Repository access: public, all of the organization, chosen repositories
// [SECTION] The repository picker
// [SECTION] Organization permissions
//
// What the token (or a connection's ruleset) reaches. Ticking a scope that includes others
// shows those ticked and locked (oat::with_inclusions decides which); the request lists only the
// scopes chosen. Errors the core finds in resources[i] are shown at the row resources[i] came
// from.
#define IMGUI_DEFINE_MATH_OPERATORS
#include <algorithm>
#include <cmath>

#include "focus.h"
#include "format.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "imgui_stdlib.h"
#include "oat/resource.h"
#include "test_hook.h"
#include "theme.h"
#include "views/editor.h"
#include "widget_names.h"
#include "widgets.h"

namespace console::editor {

const char* ScopeWord(oat::Scope scope) {
  using S = oat::Scope;
  switch (scope) {
    case S::ImagePull: return "Pull";
    case S::ImagePush: return "Push";
    case S::ImageDelete: return "Delete";
    case S::RepositoryRead: case S::TagRead: case S::WebhookRead: case S::RepoGroupRead:
    case S::MemberRead: case S::InviteRead: case S::GroupRead: case S::ActivityRead:
    case S::SiemCredentialsRead: case S::RamRead: case S::ReportRead: case S::RegistryUsageRead:
      return "Read";
    case S::RepositoryEdit: case S::WebhookEdit: case S::RepoGroupEdit: case S::MemberEdit:
    case S::InviteEdit: case S::GroupEdit:
      return "Edit";
    case S::RepositoryAdmin: case S::TagAdmin: case S::WebhookAdmin: case S::RepoGroupAdmin:
    case S::RepositorySettingsAdmin:
      return "Admin";
    case S::RamWrite: return "Write";
    case S::RepositoryCreate: return "Create";
    case S::RepositoryList: return "List";
  }
  return "";
}

namespace {

using S = oat::Scope;

// -----------------------------------------------------------------------------------------------
// [SECTION] Scope grids
// -----------------------------------------------------------------------------------------------

struct ScopeGroup {
  const char* title;
  std::vector<S> scopes;
};

const std::vector<ScopeGroup>& RepositoryGroups() {
  static const std::vector<ScopeGroup> groups = {
      {"IMAGES", {S::ImagePull, S::ImagePush, S::ImageDelete}},
      {"REPOSITORY", {S::RepositoryRead, S::RepositoryEdit, S::RepositoryAdmin}},
      {"TAGS", {S::TagRead, S::TagAdmin}},
      {"WEBHOOKS", {S::WebhookRead, S::WebhookEdit, S::WebhookAdmin}},
      {"REPO GROUPS", {S::RepoGroupRead, S::RepoGroupEdit, S::RepoGroupAdmin}},
      {"TAG RULES", {S::RepositorySettingsAdmin}},
  };
  return groups;
}

const std::vector<ScopeGroup>& OrganizationGroups() {
  static const std::vector<ScopeGroup> groups = {
      {"MEMBERS", {S::MemberRead, S::MemberEdit}},
      {"INVITES", {S::InviteRead, S::InviteEdit}},
      {"GROUPS", {S::GroupRead, S::GroupEdit}},
      {"REPOSITORIES", {S::RepositoryCreate, S::RepositoryList}},
      {"ACCESS MGMT", {S::RamRead, S::RamWrite}},
      {"ACTIVITY", {S::ActivityRead}},
      {"REPORTS", {S::ReportRead}},
      {"USAGE", {S::RegistryUsageRead}},
      {"SIEM", {S::SiemCredentialsRead}},
  };
  return groups;
}

// The chosen scope that includes `scope`, for the locked checkbox's tooltip.
std::optional<S> IncludedBy(oat::ScopeSet scopes, S scope) {
  for (S other : scopes.to_vector()) {
    if (other != scope && oat::scope_includes(other, scope)) return other;
  }
  return std::nullopt;
}

// Returns true when a box was toggled.
// The width a group's column needs: its caption's, or its widest checkbox's (box, gap, word).
float GroupWidth(const ScopeGroup& group) {
  ImGui::PushFont(theme::GetFonts().small);
  float need = ImGui::CalcTextSize(group.title).x;
  ImGui::PopFont();
  for (S scope : group.scopes) need = std::max(need, 16 + 8 + ImGui::CalcTextSize(ScopeWord(scope)).x);
  return need;
}

// COLUMNS at most: fewer when WIDTH cannot hold that many (a phone's dialog).
bool ScopeGrid(oat::ScopeSet& scopes, const std::vector<ScopeGroup>& groups, int columns, float width,
               const std::string& prefix) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  bool changed = false;
  constexpr float kColumnGap = 12;
  float need = 0;
  for (const ScopeGroup& group : groups) need = std::max(need, GroupWidth(group) + kColumnGap);
  columns = std::clamp(static_cast<int>(width / need), 1, columns);
  const float column_width = std::floor(width / static_cast<float>(columns));
  const ImVec2 start = ImGui::GetCursorPos();
  float row_top = start.y, row_bottom = start.y;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const int column = static_cast<int>(g) % columns;
    if (column == 0 && g > 0) row_top = row_bottom + 10;
    const float x = start.x + column * column_width;
    ImGui::SetCursorPos(ImVec2(x, row_top));
    ui::Text(groups[g].title, p.text_faint, fonts.small);
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 6);
    for (S scope : groups[g].scopes) {
      ImGui::SetCursorPosX(x);
      const std::string name = prefix + names::kScopeInfix + std::string(oat::scope_name(scope));
      const bool included = IncludedByOther(scopes, scope);
      const ui::Check check = included ? ui::Check::Included
                              : scopes.contains(scope) ? ui::Check::On
                                                       : ui::Check::Off;
      ImGui::PushID(name.c_str());
      // To the page: "Images: Pull", not one of several "Read" boxes.
      const std::string said = format::SentenceCase(groups[g].title) + ": " + ScopeWord(scope);
      if (ui::Checkbox("##scope", ScopeWord(scope), check, nullptr, said.c_str())) {
        if (check == ui::Check::On) {
          oat::ScopeSet rest;
          for (S s : scopes.to_vector()) {
            if (s != scope) rest.add(s);
          }
          scopes = rest;
        } else {
          scopes.add(scope);
        }
        changed = true;
      }
      ImGui::PopID();
      test_hook::MarkLastItem(name);
      test_hook::Flag(name, names::kFlagChecked, check != ui::Check::Off);
      test_hook::Flag(name, names::kFlagDisabled, included);
      if (ImGui::IsItemHovered()) {
        std::string tip(oat::scope_name(scope));
        if (auto by = IncludedBy(scopes, scope)) tip += "\nIncluded by " + std::string(oat::scope_name(*by));
        else if (auto inner = oat::directly_included(scope)) tip += "\nIncludes " + std::string(oat::scope_name(*inner));
        ui::Tooltip(tip);
      }
      ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 6);
    }
    row_bottom = std::max(row_bottom, ImGui::GetCursorPosY());
  }
  ImGui::SetCursorPos(ImVec2(start.x, row_bottom + 4));
  return changed;
}

// A bordered block for one resource, drawn behind its content.
struct Card {
  ImDrawList* draw;
  ImVec2 top_left;
  float width;
};

Card BeginCard(float width) {
  Card card{ImGui::GetWindowDrawList(), ImGui::GetCursorScreenPos(), width};
  card.draw->ChannelsSplit(2);
  card.draw->ChannelsSetCurrent(1);
  ImGui::SetCursorScreenPos(card.top_left + ImVec2(14, 12));
  ImGui::BeginGroup();
  return card;
}

void EndCard(const Card& card, bool error) {
  const theme::Palette& p = theme::Current();
  ImGui::EndGroup();
  const float bottom = ImGui::GetItemRectMax().y + 12;
  card.draw->ChannelsSetCurrent(0);
  const ImVec2 b(card.top_left.x + card.width, bottom);
  card.draw->AddRectFilled(card.top_left, b, theme::U32(theme::Mix(p.surface, p.surface_muted, 0.6f)), 8);
  card.draw->AddRect(card.top_left, b, theme::U32(error ? theme::Alpha(p.danger, 0.6f) : p.border), 8);
  card.draw->ChannelsMerge();
  ImGui::SetCursorScreenPos(ImVec2(card.top_left.x, bottom));
  ImGui::Dummy(ImVec2(card.width, 0));
  ImGui::Dummy(ImVec2(0, 2));
}

bool HasErrors(const Verdict& verdict, const std::string& place) { return verdict.shown.count(place) > 0; }

const Repository* FindRepository(const State& state, const std::string& path) {
  const std::string own = state.selected_org + "/";
  if (path.compare(0, own.size(), own) != 0) return nullptr;
  for (const Repository& r : state.repositories.items) {
    if (path.size() == own.size() + r.name.size() && path.compare(own.size(), std::string::npos, r.name) == 0) {
      return &r;
    }
  }
  return nullptr;
}

void VisibilityChip(const Repository* repo) {
  if (!repo) return;
  const theme::Palette& p = theme::Current();
  ImGui::SameLine(0, 10);
  ui::Chip(repo->is_private ? "Private" : "Public", repo->is_private ? p.neutral : p.success);
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Repository access
// -----------------------------------------------------------------------------------------------

// A checkbox row with a faint explanation after it.
bool OptionRow(const char* id, const std::string& label, bool on, const std::string& hint, const char* name) {
  const theme::Palette& p = theme::Current();
  const float left = ImGui::GetCursorPosX();
  const float right = ImGui::GetContentRegionMax().x;  // window-relative, as the cursor
  const bool clicked = ui::Checkbox(id, label.c_str(), on ? ui::Check::On : ui::Check::Off, theme::GetFonts().strong);
  test_hook::MarkLastItem(name);
  test_hook::Flag(name, names::kFlagChecked, on);
  ImGui::SameLine(0, 10);
  if (ImGui::GetCursorPosX() + ImGui::CalcTextSize(hint.c_str()).x <= right) {
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 3);
    ui::Text(hint, p.text_faint);
  } else {
    // Too narrow for both on one line (a phone): the words go under the label, wrapped.
    ImGui::NewLine();
    ImGui::SetCursorPosX(left + ui::kCheckboxLabelIndent);
    ImGui::PushTextWrapPos(right);
    ui::Text(hint, p.text_faint);
    ImGui::PopTextWrapPos();
  }
  test_hook::MarkLastItem(std::string(name) + names::kOptionHintSuffix, hint);
  return clicked;
}

void RepositoryRow(State& state, ResourcesInput& in, const Verdict& verdict, std::size_t i, int* remove) {
  const theme::Palette& p = theme::Current();
  RepositoryGrant& grant = in.draft.repositories[i];
  const std::string prefix = in.names.repo_prefix + std::to_string(i);
  const std::string place = "repo." + std::to_string(i);
  const float width = verdict.width;
  ImGui::PushID(static_cast<int>(i));
  const Card card = BeginCard(width);
  const ImVec2 head = ImGui::GetCursorScreenPos();
  ui::DrawIcon(ImGui::GetWindowDrawList(), ui::Icon::Box, head + ImVec2(8, 10), 16, theme::U32(p.text_muted));
  ImGui::SetCursorScreenPos(head + ImVec2(24, 1));
  ui::Text(grant.path, p.text, theme::GetFonts().mono);
  VisibilityChip(FindRepository(state, grant.path));
  ImGui::SetCursorScreenPos(ImVec2(card.top_left.x + width - 14 - 30, head.y - 4));
  if (ui::IconButton("##remove", ui::Icon::Trash, 30, "Remove")) *remove = static_cast<int>(i);
  test_hook::MarkLastItem(prefix + names::kGenerateRepoRemoveSuffix);
  ImGui::SetCursorScreenPos(ImVec2(head.x, head.y + 30));
  if (ScopeGrid(grant.scopes, RepositoryGroups(), 6, width - 28, prefix)) in.picker.touched = true;
  Errors(verdict, place);
  EndCard(card, HasErrors(verdict, place));
  test_hook::Mark(prefix, card.top_left, ImGui::GetItemRectMax());
  test_hook::Flag(prefix, names::kFlagValid, !HasErrors(verdict, place));
  ImGui::PopID();
}

// -----------------------------------------------------------------------------------------------
// [SECTION] The repository picker
// -----------------------------------------------------------------------------------------------

std::vector<const Repository*> PickerChoices(const State& state, const ResourcesInput& in) {
  std::vector<const Repository*> out;
  const ResourceDraft& draft = in.draft;
  for (const Repository& r : state.repositories.items) {
    const std::string path = state.selected_org + "/" + r.name;
    const bool chosen = std::any_of(draft.repositories.begin(), draft.repositories.end(),
                                    [&](const RepositoryGrant& g) { return g.path == path; });
    if (!chosen && format::ContainsFolded(r.name, in.picker.search)) out.push_back(&r);
  }
  return out;
}

// The picker opens under the Add button (`button`, its top left), or above it when the window has
// no room below (a form scrolled to its end).
void Picker(State& state, ResourcesInput& in, ImVec2 button, float width) {
  const theme::Palette& p = theme::Current();
  ResourcePicker& e = in.picker;
  constexpr float kTallest = 260 + 60;  // the list's most, and the search field
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  if (button.y + 40 + kTallest > viewport->Pos.y + viewport->Size.y && button.y - 4 - kTallest > viewport->Pos.y) {
    ImGui::SetNextWindowPos(ImVec2(button.x, button.y - 4), ImGuiCond_Always, ImVec2(0, 1));
  } else {
    ImGui::SetNextWindowPos(button + ImVec2(0, 40));
  }
  ImGui::SetNextWindowSize(ImVec2(width, 0));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(8, 8));
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0, 2));
  if (!ImGui::BeginPopup("##repo-picker")) {
    ImGui::PopStyleVar(2);
    return;
  }
  if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
  if (ui::SearchInput("##search", &e.search, "Search repositories", width - 16)) e.highlight = 0;
  test_hook::MarkLastItem(in.names.repo_search);
  ImGui::Dummy(ImVec2(0, 4));

  const std::vector<const Repository*> choices = PickerChoices(state, in);
  const int n = static_cast<int>(choices.size());
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_DownArrow))) e.highlight = std::min(n - 1, e.highlight + 1);
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_UpArrow))) e.highlight = std::max(0, e.highlight - 1);
  e.highlight = std::clamp(e.highlight, 0, std::max(0, n - 1));
  const bool enter = ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) ||
                     ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_KeyPadEnter), false);

  const Repository* picked = nullptr;
  const float list_height = std::min(260.0f, std::max(1, n) * 38.0f + 4);
  ImGui::BeginChild("##choices", ImVec2(width - 16, list_height));
  if (state.repositories.loading && !state.repositories.loaded) {
    ImGui::Dummy(ImVec2(0, 8));
    ImGui::SetCursorPosX(10);
    ui::Spinner(8, p.text_muted);
    ImGui::SameLine(0, 8);
    ui::Text("Loading repositories\xE2\x80\xA6", p.text_muted);
  } else if (!state.repositories.error.empty() && !state.repositories.loaded) {
    ImGui::SetCursorPos(ImVec2(10, 10));
    ImGui::PushTextWrapPos(width - 24);
    ui::Text(state.repositories.error, p.danger);
    ImGui::PopTextWrapPos();
    test_hook::ErrorShown(in.names.repo_error, state.repositories.error);
  } else if (n == 0) {
    ImGui::SetCursorPos(ImVec2(10, 10));
    ui::Text(e.search.empty() ? "Every repository is already listed." : "No repository matches.", p.text_muted);
  }
  for (int i = 0; i < n; ++i) {
    const Repository& r = *choices[static_cast<std::size_t>(i)];
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    ImGui::PushID(r.name.c_str());
    if (ImGui::Selectable("##choice", i == e.highlight, 0, ImVec2(width - 16, 36))) picked = &r;
    focus::TabStop();
    if (ImGui::IsItemHovered()) {
      ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
      if (ImGui::GetIO().MouseDelta.x != 0 || ImGui::GetIO().MouseDelta.y != 0) e.highlight = i;
    }
    ImGui::PopID();
    test_hook::MarkLastItem(in.names.picker_item_prefix + r.name);
    if (i == e.highlight && (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_DownArrow)) ||
                                    ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_UpArrow)))) {
      ImGui::SetScrollHereY(0.5f);
    }
    ImDrawList* draw = ImGui::GetWindowDrawList();
    ImGui::PushFont(theme::GetFonts().mono);
    draw->AddText(pos + ImVec2(10, 10), theme::U32(p.text), (state.selected_org + "/" + r.name).c_str());
    ImGui::PopFont();
    ImGui::PushFont(theme::GetFonts().small);
    const char* visibility = r.is_private ? "Private" : "Public";
    const float vw = ImGui::CalcTextSize(visibility).x;
    draw->AddText(pos + ImVec2(width - 16 - 12 - vw, 11), theme::U32(r.is_private ? p.text_faint : p.success),
                  visibility);
    ImGui::PopFont();
  }
  ImGui::EndChild();
  if (enter && n > 0) picked = choices[static_cast<std::size_t>(e.highlight)];
  if (picked) {
    in.draft.repositories.push_back({state.selected_org + "/" + picked->name, oat::ScopeSet{S::ImagePull}});
    e.touched = true;
    e.search.clear();
    e.highlight = 0;
    ImGui::CloseCurrentPopup();
  }
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
  ImGui::PopStyleVar(2);
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Organization permissions
// -----------------------------------------------------------------------------------------------

void OrganizationSection(State& state, ResourcesInput& in, const Verdict& verdict) {
  const theme::Palette& p = theme::Current();
  ResourcePicker& e = in.picker;
  ResourceDraft& draft = in.draft;
  const std::string& name = in.names.org;
  const std::size_t chosen = draft.org_scopes.to_vector().size();
  const bool open = e.org_open || HasErrors(verdict, "org");
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const float height = 40;
  if (ImGui::InvisibleButton("##org-toggle", ImVec2(verdict.width, height))) e.org_open = !open;
  focus::TabStop();
  const bool hovered = ImGui::IsItemHovered();
  if (hovered) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  test_hook::MarkLastItem(name);
  test_hook::Flag(name, names::kFlagOpen, open);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  if (hovered) draw->AddRectFilled(pos, pos + ImVec2(verdict.width, height), theme::U32(p.surface_muted), 8);
  ui::DrawIcon(draw, open ? ui::Icon::ChevronDown : ui::Icon::ChevronRight, pos + ImVec2(12, height * 0.5f), 16,
               theme::U32(p.text_muted));
  ImGui::PushFont(theme::GetFonts().strong);
  const float ty = std::floor(pos.y + (height - ImGui::GetTextLineHeight()) * 0.5f);
  draw->AddText(ImVec2(pos.x + 28, ty), theme::U32(p.text), "Organization permissions");
  const float title_width = ImGui::CalcTextSize("Organization permissions").x;
  ImGui::PopFont();
  const std::string note = chosen == 0 ? "none" : std::to_string(chosen) + " selected";
  draw->AddText(ImVec2(pos.x + 28 + title_width + 10, ty), theme::U32(chosen ? p.primary : p.text_faint), note.c_str());
  if (open) {
    ImGui::SetCursorScreenPos(ImVec2(pos.x + 28, pos.y + height + 2));
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + verdict.width - 28);
    ui::Text("Scopes on " + state.selected_org + " itself (members, invites, groups, audit log, reports).",
             p.text_faint);
    ImGui::PopTextWrapPos();
    ImGui::Dummy(ImVec2(0, 4));
    ImGui::SetCursorScreenPos(ImVec2(pos.x + 28, ImGui::GetCursorScreenPos().y));
    if (ScopeGrid(draft.org_scopes, OrganizationGroups(), 5, verdict.width - 28, name)) e.touched = true;
    ImGui::SetCursorScreenPos(ImVec2(pos.x + 28, ImGui::GetCursorScreenPos().y));
    Errors(verdict, "org");
  }
}

}  // namespace

ResourceNames TokenResourceNames() {
  return {names::kGenerateRepoCount, names::kGeneratePublic,  names::kGenerateAll,
          names::kGenerateRepoPrefix, names::kGenerateRepoAdd, names::kGenerateRepoSearch,
          names::kGenerateRepoPickerItemPrefix, names::kGenerateRepoError, names::kGenerateOrg,
          names::kStatusGenerateRepos};
}

ResourceNames ResourceNamesAt(const std::string& prefix) {
  return {prefix + names::kResourcesCountSuffix,     prefix + names::kResourcesPublicSuffix,
          prefix + names::kResourcesAllSuffix,       prefix + names::kResourcesRepoSuffix,
          prefix + names::kResourcesRepoAddSuffix,   prefix + names::kResourcesRepoSearchSuffix,
          prefix + names::kResourcesPickerItemSuffix, prefix + names::kResourcesRepoErrorSuffix,
          prefix + names::kResourcesOrgSuffix,       prefix + names::kResourcesRowsSuffix};
}

void DrawResources(State& state, const Verdict& verdict) {
  static const ResourceNames kNames = TokenResourceNames();
  DrawResourcesEditor(state, {state.editor.draft, state.editor.resources, kNames}, verdict);
}

void DrawResourcesEditor(State& state, ResourcesInput in, const Verdict& verdict) {
  const theme::Palette& p = theme::Current();
  ResourcePicker& e = in.picker;
  ResourceDraft& draft = in.draft;
  const ResourceNames& n = in.names;
  const std::string& org = state.selected_org;
  const std::size_t entries = RepositoryEntries(draft);
  const bool full = entries >= oat::kMaxRepositoryResources;
  const std::string count = std::to_string(entries) + " of " + std::to_string(oat::kMaxRepositoryResources);
  FieldLabel("Repository access", nullptr, count, full ? &p.warning : nullptr, n.count.c_str());
  ImGui::Dummy(ImVec2(0, 0));
  Errors(verdict, "resources");

  if (OptionRow("##public", "Read public repositories", draft.public_read,
                "Pull any public image (*/*/public)", n.public_read.c_str())) {
    draft.public_read = !draft.public_read;
    e.touched = true;
  }
  Errors(verdict, "public");

  if (OptionRow("##all", "All " + org + " repositories", draft.all_repositories,
                "Every repository of " + org + ", also those created later (" + org + "/*)", n.all.c_str())) {
    draft.all_repositories = !draft.all_repositories;
    e.touched = true;
  }
  if (draft.all_repositories) {
    const Card card = BeginCard(verdict.width);
    if (ScopeGrid(draft.all_scopes, RepositoryGroups(), 6, verdict.width - 28, n.all)) e.touched = true;
    Errors(verdict, "all");
    EndCard(card, HasErrors(verdict, "all"));
  } else {
    Errors(verdict, "all");
  }
  ImGui::Dummy(ImVec2(0, 2));

  int remove = -1;
  for (std::size_t i = 0; i < draft.repositories.size(); ++i) RepositoryRow(state, in, verdict, i, &remove);
  if (remove >= 0) {
    draft.repositories.erase(draft.repositories.begin() + remove);
    e.touched = true;
  }
  test_hook::Status(n.rows_status, static_cast<long long>(draft.repositories.size()));

  // Adding a repository: the organization's list, searchable.
  const ImVec2 add_pos = ImGui::GetCursorScreenPos();
  ImGui::BeginDisabled(full);
  if (ui::IconLabelButton("Add repository", ui::Icon::Plus, ui::ButtonKind::Secondary, ImVec2(0, 36))) {
    e.search.clear();
    e.highlight = 0;
    ImGui::OpenPopup("##repo-picker");
  }
  ImGui::EndDisabled();
  test_hook::MarkLastItem(n.repo_add);
  test_hook::Flag(n.repo_add, names::kFlagDisabled, full);
  if (full && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    // The core's words for one more.
    std::vector<oat::Resource> more = ResourcesOf(draft, org).resources;
    more.push_back({oat::ResourceType::Repo, org + "/*", {S::ImagePull}});
    for (const oat::Error& error : oat::validate_resources(more, org, nullptr)) {
      if (error.code == oat::ErrorCode::TooManyRepositories) ui::Tooltip(error.message);
    }
  }
  Picker(state, in, add_pos, std::min(460.0f, verdict.width));
  ImGui::Dummy(ImVec2(0, 10));

  OrganizationSection(state, in, verdict);
  ImGui::Dummy(ImVec2(0, 4));
}

}  // namespace console::editor
