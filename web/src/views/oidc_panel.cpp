// [SECTION] Header: name, status, id, issuer, audience, actions
// [SECTION] Rulesets
// [SECTION] Failures: the refused exchanges
// [SECTION] Set up CI: the snippets
// [SECTION] The panel
//
// The selected connection, under the list of the CI sign-in page: what it is and the actions on
// it; then three tabs: its rulesets (conditions and what they grant), its refused exchanges
// (newest first: why, each ruleset's claim that did not match, the claims presented), and the
// steps to copy into a GitHub Actions workflow or a .gitlab-ci.yml (oat::oidc_snippet).
#define IMGUI_DEFINE_MATH_OPERATORS
#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "client.h"
#include "focus.h"
#include "format.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "oat/oidc.h"
#include "oat/registry.h"
#include "oat/resource.h"
#include "page.h"
#include "redraw.h"
#include "test_hook.h"
#include "theme.h"
#include "views/views.h"
#include "widget_names.h"
#include "widgets.h"

namespace console {
namespace {

constexpr float kPad = 20;

// -----------------------------------------------------------------------------------------------
// [SECTION] Header
// -----------------------------------------------------------------------------------------------

void KeyValue(const char* key, const std::string& value, const char* name, ImFont* font = nullptr,
              const std::string& after = "") {
  const theme::Palette& p = theme::Current();
  const float x = ImGui::GetCursorPosX();
  ui::Text(key, p.text_muted);
  ImGui::SameLine(x + 86);
  ui::Text(value, p.text, font);
  test_hook::MarkLastItem(name, value);
  if (!after.empty()) {
    ImGui::SameLine(0, 8);
    ui::Text(after, p.text_faint);
  }
}

void Header(State& state, const oat::OidcConnection& c, ImVec2 pos, float width) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  ImGui::SetCursorScreenPos(pos + ImVec2(kPad, 16));
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width - 2 * kPad - 330);
  ui::Text(c.name, p.text, fonts.heading);
  ImGui::PopTextWrapPos();
  test_hook::MarkLastItem(names::kOidcPanelName, c.name);
  ImGui::SameLine(0, 12);
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 2);
  ui::Badge(c.active ? "Active" : "Inactive", c.active ? p.success : p.neutral);
  ImGui::SetCursorScreenPos(ImVec2(pos.x + kPad, ImGui::GetCursorScreenPos().y + 6));
  KeyValue("ID", c.id, names::kOidcPanelId, fonts.mono);
  ImGui::SetCursorScreenPos(ImVec2(pos.x + kPad, ImGui::GetCursorScreenPos().y));
  const std::string preset = IssuerWords(c);
  KeyValue("Issuer", c.issuer, names::kOidcPanelIssuer, nullptr, preset != c.issuer ? "(" + preset + ")" : "");
  ImGui::SetCursorScreenPos(ImVec2(pos.x + kPad, ImGui::GetCursorScreenPos().y));
  KeyValue("Audience", c.audience, names::kOidcPanelAudience);
  const float bottom = ImGui::GetCursorScreenPos().y;

  // The actions, right to left.
  const bool busy = state.connection_action.pending;
  float x = pos.x + width - kPad;
  const auto place = [&](float w) {
    x -= w;
    ImGui::SetCursorScreenPos(ImVec2(x, pos.y + 16));
    x -= 8;
  };
  ImGui::BeginDisabled(busy);
  place(84);
  if (ui::Button("Delete", ui::ButtonKind::Danger, ImVec2(84, 34))) OpenDeleteConnection(state, c);
  test_hook::MarkLastItem(names::kOidcPanelDelete);
  if (c.active) {
    place(112);
    if (ui::Button("Deactivate", ui::ButtonKind::Secondary, ImVec2(112, 34))) {
      SetConnectionActive(state, c.id, c.name, false);
    }
    test_hook::MarkLastItem(names::kOidcPanelDeactivate);
  } else {
    place(100);
    if (ui::Button("Activate", ui::ButtonKind::Secondary, ImVec2(100, 34))) SetConnectionActive(state, c.id, c.name, true);
    test_hook::MarkLastItem(names::kOidcPanelActivate);
  }
  place(72);
  if (ui::Button("Edit", ui::ButtonKind::Secondary, ImVec2(72, 34))) OpenEditConnection(state, c);
  test_hook::MarkLastItem(names::kOidcPanelEdit);
  ImGui::EndDisabled();
  ImGui::SetCursorScreenPos(ImVec2(pos.x, bottom));
}

// Underlined tabs, as the view tabs at the top of the page.
void Tabs(State& state, const oat::OidcConnection& c, ImVec2 pos, float width) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  const bool failures_known = state.failures.loaded && state.failures.connection_id == c.id;
  const std::string labels[3] = {
      "Rulesets (" + std::to_string(c.rulesets.size()) + ")",
      failures_known ? "Failures (" + std::to_string(state.failures.items.size()) + ")" : std::string("Failures"),
      "Set up CI"};
  ImDrawList* draw = ImGui::GetWindowDrawList();
  ImGui::PushFont(fonts.strong);
  float x = pos.x + kPad;
  for (int i = 0; i < 3; ++i) {
    const ConnectionTab tab = static_cast<ConnectionTab>(i);
    const ImVec2 size = ImGui::CalcTextSize(labels[i].c_str());
    ImGui::SetCursorScreenPos(ImVec2(x, pos.y));
    ImGui::PushID(i);
    const bool clicked = ImGui::InvisibleButton("##tab", ImVec2(size.x + 4, size.y + 14));
    focus::TabStop();
    ImGui::PopID();
    const bool hovered = ImGui::IsItemHovered();
    if (hovered) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
    const bool selected = state.ci.tab == tab;
    test_hook::MarkLastItem(names::kOidcTabs[i]);
    test_hook::Flag(names::kOidcTabs[i], names::kFlagSelected, selected);
    draw->AddText(ImVec2(x + 2, pos.y + 2), theme::U32(selected || hovered ? p.text : p.text_muted), labels[i].c_str());
    if (selected) {
      draw->AddRectFilled(ImVec2(x, pos.y + size.y + 10), ImVec2(x + size.x + 4, pos.y + size.y + 12),
                          theme::U32(p.primary), 1);
    }
    if (clicked) {
      state.ci.tab = tab;
      if (tab == ConnectionTab::Failures) LoadOidcFailures(state, c.id);  // the newest, each time
    }
    x += size.x + 28;
  }
  const float line = pos.y + ImGui::GetTextLineHeight() + 12;
  ImGui::PopFont();
  draw->AddLine(ImVec2(pos.x, line + 0.5f), ImVec2(pos.x + width, line + 0.5f), theme::U32(p.border));
  ImGui::SetCursorScreenPos(ImVec2(pos.x, line + 1));
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Rulesets
// -----------------------------------------------------------------------------------------------

std::string LifetimeWords(std::int64_t seconds) {
  if (seconds % 3600 == 0) return seconds == 3600 ? "1 hour" : std::to_string(seconds / 3600) + " hours";
  if (seconds % 60 == 0) return std::to_string(seconds / 60) + " minutes";
  return std::to_string(seconds) + " seconds";
}

void SmallTitle(const char* text) {
  ImGui::Dummy(ImVec2(0, 2));
  ui::Text(text, theme::Current().text_faint, theme::GetFonts().small);
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 2);
}

std::string ResourceWords(const State& state, const oat::Resource& r) {
  if (r.type == oat::ResourceType::Org) return r.path + " (organization)";
  if (r.path == oat::kPublicRepositoriesPath) return "Public repositories (*/*/public)";
  if (r.path == state.selected_org + "/*") return "All " + state.selected_org + " repositories (" + r.path + ")";
  return r.path;
}

void Rulesets(const State& state, const oat::OidcConnection& c, float width) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  ui::Text("A job's ID token matches a ruleset when all of its conditions hold; it is granted what every "
           "matching ruleset grants.",
           p.text_muted);
  ImGui::PopTextWrapPos();
  for (std::size_t i = 0; i < c.rulesets.size(); ++i) {
    const oat::OidcRuleset& r = c.rulesets[i];
    const std::string prefix = names::kOidcRulesPrefix + std::to_string(i);
    ImGui::Dummy(ImVec2(0, 6));
    if (i > 0) {
      const ImVec2 at = ImGui::GetCursorScreenPos();
      ImGui::GetWindowDrawList()->AddLine(at, at + ImVec2(width, 0), theme::U32(p.border));
      ImGui::Dummy(ImVec2(0, 8));
    }
    ui::Text(r.name, p.text, fonts.strong);
    test_hook::MarkLastItem(prefix, r.name);
    ImGui::SameLine(0, 10);
    const std::string lifetime = "its access tokens live at most " + LifetimeWords(r.max_lifetime_seconds);
    ui::Text(lifetime, p.text_faint);
    test_hook::MarkLastItem(prefix + names::kOidcLifetimeSuffix, lifetime);

    SmallTitle("WHEN ALL OF THESE HOLD");
    std::vector<std::string> named;
    for (const auto& cond : r.conditions) named.push_back(cond.claim);
    const oat::OidcPreset* preset = oat::oidc_preset_for(c.issuer, named);
    // The preset's claims first, in its order (the owner's id first), as the editor shows them.
    std::vector<oat::OidcCondition> conditions = r.conditions;
    if (preset) {
      const auto rank = [&](const oat::OidcCondition& cond) {
        const auto it = std::find(preset->claims.begin(), preset->claims.end(), cond.claim);
        return static_cast<std::size_t>(it - preset->claims.begin());
      };
      std::stable_sort(conditions.begin(), conditions.end(),
                       [&](const oat::OidcCondition& a, const oat::OidcCondition& b) { return rank(a) < rank(b); });
    }
    for (std::size_t j = 0; j < conditions.size(); ++j) {
      const oat::OidcCondition& cond = conditions[j];
      ImGui::BeginGroup();
      ui::Text(cond.claim, p.text_muted, fonts.mono);
      ImGui::SameLine(0, 6);
      ui::Text(cond.pattern.find('*') == std::string::npos ? "=" : "matches", p.text_faint);
      ImGui::SameLine(0, 6);
      ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + std::max(120.0f, width - ImGui::GetCursorPosX()));
      ui::Text(cond.pattern, p.text, fonts.mono);
      ImGui::PopTextWrapPos();
      if (preset && cond.claim == preset->owner_claim) {
        ImGui::SameLine(0, 10);
        ui::Chip("owner's id", p.primary);
      }
      ImGui::EndGroup();
      test_hook::MarkLastItem(prefix + names::kOidcConditionSuffix + std::to_string(j), cond.claim + " = " + cond.pattern);
    }

    SmallTitle("IT GRANTS");
    for (std::size_t k = 0; k < r.resources.size(); ++k) {
      const oat::Resource& res = r.resources[k];
      std::string scopes;
      for (const oat::Scope s : res.scopes) scopes += (scopes.empty() ? "" : ", ") + std::string(oat::scope_name(s));
      ImGui::BeginGroup();
      ui::Text(ResourceWords(state, res), p.text,
               res.type == oat::ResourceType::Repo && res.path != oat::kPublicRepositoriesPath ? fonts.mono : nullptr);
      ImGui::SameLine(0, 10);
      ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + std::max(120.0f, width - ImGui::GetCursorPosX()));
      ui::Text(scopes, p.text_muted);
      ImGui::PopTextWrapPos();
      ImGui::EndGroup();
      test_hook::MarkLastItem(prefix + names::kOidcRulesResourceSuffix + std::to_string(k), res.path + ": " + scopes);
    }
  }
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Failures
// -----------------------------------------------------------------------------------------------

std::string MismatchWords(const oat::OidcMismatch& m) {
  return m.ruleset + ": " + m.claim + " expected " + m.expected + (m.got ? ", got " + *m.got : ", absent");
}

std::string FailureKey(const oat::OidcFailure& f, std::size_t i) {
  return oat::format_rfc3339(f.at) + "#" + std::to_string(i);
}

void Failures(State& state, const oat::OidcConnection& c, float width) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  OidcFailures& failures = state.failures;
  const bool mine = failures.connection_id == c.id && failures.org == state.selected_org;
  if (!mine && !failures.loading) LoadOidcFailures(state, c.id);

  const ImVec2 top = ImGui::GetCursorScreenPos();
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width - 50);
  ui::Text("The last " + std::to_string(oat::kOidcFailureLogSize) +
               " exchanges this connection refused, newest first: why, the condition of each ruleset that did "
               "not hold, and the claims the ID token presented.",
           p.text_muted);
  ImGui::PopTextWrapPos();
  const ImVec2 after = ImGui::GetCursorScreenPos();
  if (ui::RefreshButton(ImVec2(top.x + width - 36, top.y - 4), failures.loading, "Reload the failures")) {
    LoadOidcFailures(state, c.id);
  }
  test_hook::MarkLastItem(names::kOidcFailuresRefresh);
  ImGui::SetCursorScreenPos(after);
  ImGui::Dummy(ImVec2(0, 6));

  if (!mine || (!failures.loaded && failures.loading)) {
    ui::Spinner(9, p.primary);
    ImGui::SameLine(0, 8);
    ui::Text("Loading the failures\xE2\x80\xA6", p.text_muted);
    return;
  }
  if (!failures.error.empty()) {
    ui::Banner(failures.error, p.danger, width);
    test_hook::ErrorShown(names::kOidcFailuresError, failures.error);
    ImGui::Dummy(ImVec2(0, 4));
  }
  if (failures.loaded && failures.items.empty()) {
    const std::string none = "No refused exchange: every ID token presented so far was accepted.";
    ui::Text(none, p.text_faint);
    test_hook::MarkLastItem(names::kOidcFailuresEmpty, none);
    return;
  }
  ImDrawList* draw = ImGui::GetWindowDrawList();
  for (std::size_t i = 0; i < failures.items.size(); ++i) {
    const oat::OidcFailure& f = failures.items[i];
    const std::string prefix = names::kOidcFailurePrefix + std::to_string(i);
    ImGui::PushID(static_cast<int>(i));
    const ImVec2 start = ImGui::GetCursorScreenPos();
    if (i > 0) {
      draw->AddLine(start, start + ImVec2(width, 0), theme::U32(p.border));
      ImGui::Dummy(ImVec2(0, 8));
    }
    ImGui::BeginGroup();
    const float x = ImGui::GetCursorPosX();
    ui::Text(format::RelativeTime(f.at, state.now), p.text_muted);
    ui::Tooltip(format::ExactLocalTime(f.at));
    ImGui::SameLine(0, 0);
    ImGui::SetCursorPosX(x + 120);
    ImGui::PushTextWrapPos(x + width);
    ui::Text(f.reason, p.text, fonts.strong);
    ImGui::PopTextWrapPos();
    test_hook::MarkLastItem(prefix + names::kOidcFailureReasonSuffix, f.reason);
    for (std::size_t j = 0; j < f.mismatches.size(); ++j) {
      const std::string words = MismatchWords(f.mismatches[j]);
      ImGui::SetCursorPosX(x + 120);
      const ImVec2 dot = ImGui::GetCursorScreenPos();
      draw->AddCircleFilled(dot + ImVec2(3, ImGui::GetTextLineHeight() * 0.5f), 2.5f, theme::U32(p.warning), 10);
      ImGui::SetCursorPosX(x + 132);
      ImGui::PushTextWrapPos(x + width);
      ui::Text(words, p.text_muted);
      ImGui::PopTextWrapPos();
      test_hook::MarkLastItem(prefix + names::kOidcFailureMismatchSuffix + std::to_string(j), words);
    }
    // The claims presented, on demand.
    ImGui::SetCursorPosX(x + 120);
    const std::string key = FailureKey(f, i);
    auto& open_list = state.ci.open_claims;
    const bool open = std::find(open_list.begin(), open_list.end(), key) != open_list.end();
    if (f.claims.empty()) {
      ui::Text("No claims: the ID token could not be read.", p.text_faint);
    } else {
      const std::string label = (open ? "Hide the claims presented (" : "Show the claims presented (") +
                                std::to_string(f.claims.size()) + ")";
      const ImVec2 at = ImGui::GetCursorScreenPos();
      const ImVec2 size(ImGui::CalcTextSize(label.c_str()).x + 22, ImGui::GetTextLineHeight() + 6);
      if (ImGui::InvisibleButton("##claims", size)) {
        if (open) open_list.erase(std::find(open_list.begin(), open_list.end(), key));
        else open_list.push_back(key);
      }
      focus::TabStop();
      const bool hovered = ImGui::IsItemHovered();
      if (hovered) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
      test_hook::MarkLastItem(prefix + names::kOidcFailureClaimsSuffix);
      test_hook::Flag(prefix + names::kOidcFailureClaimsSuffix, names::kFlagOpen, open);
      ui::DrawIcon(draw, open ? ui::Icon::ChevronDown : ui::Icon::ChevronRight, at + ImVec2(7, size.y * 0.5f), 14,
                   theme::U32(p.primary));
      draw->AddText(at + ImVec2(18, 3), theme::U32(hovered ? p.primary_hover : p.primary), label.c_str());
      if (open) {
        const std::string text = f.claims.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
        ImGui::SetCursorPosX(x + 120);
        ImGui::PushFont(fonts.mono);
        const ImVec2 box = ImGui::GetCursorScreenPos();
        const ImVec2 text_size = ImGui::CalcTextSize(text.c_str());
        const float box_width = std::max(200.0f, width - 120);
        const ImVec2 box_end = box + ImVec2(box_width, text_size.y + 20);
        draw->AddRectFilled(box, box_end, theme::U32(p.input), 8);
        draw->AddRect(box, box_end, theme::U32(p.border), 8);
        draw->PushClipRect(box, box_end, true);
        draw->AddText(box + ImVec2(12, 10), theme::U32(p.text), text.c_str());
        draw->PopClipRect();
        ImGui::PopFont();
        ImGui::Dummy(box_end - box);
        test_hook::MarkLastItem(prefix + names::kOidcFailureClaimsTextSuffix, text);
      }
    }
    ImGui::EndGroup();
    test_hook::Mark(prefix, start, ImVec2(start.x + width, ImGui::GetItemRectMax().y));
    ImGui::Dummy(ImVec2(0, 8));
    ImGui::PopID();
  }
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Set up CI
// -----------------------------------------------------------------------------------------------

void Setup(State& state, const oat::OidcConnection& c, float width) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  CiSignInPage& page_state = state.ci;
  if (page_state.snippet_for != c.id) {
    const oat::OidcPreset* preset = oat::oidc_preset_for(c.issuer, {});
    page_state.snippet = preset && preset->key == "gitlab" ? SnippetKind::GitLabCi : SnippetKind::GitHubActions;
    page_state.snippet_for = c.id;
  }
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  ui::Text("Add this to the job that pushes or pulls. It asks the CI for an ID token whose audience is the "
           "connection's, exchanges it here for an access token of " + state.selected_org +
               " (5 minutes by default, at most the matching rulesets' lifetime), and signs in to the registry "
               "with it. Nothing secret is stored in the CI.",
           p.text_muted);
  ImGui::PopTextWrapPos();
  ImGui::Dummy(ImVec2(0, 4));
  static const char* const kLabels[2] = {"GitHub Actions", "GitLab CI"};
  const int chosen = ui::Segmented("##snippet-kind", kLabels, nullptr, 2, static_cast<int>(page_state.snippet),
                                   names::kOidcSnippetKinds);
  if (chosen >= 0) page_state.snippet = static_cast<SnippetKind>(chosen);
  for (int i = 0; i < 2; ++i) {
    test_hook::Flag(names::kOidcSnippetKinds[i], names::kFlagSelected, static_cast<int>(page_state.snippet) == i);
  }
  ImGui::Dummy(ImVec2(0, 4));
  if (!c.active) {
    ui::Banner("This connection is inactive: its exchanges are refused until it is activated.", p.warning, width);
    ImGui::Dummy(ImVec2(0, 4));
  }

  const std::string server = state.config.api_base.empty() ? page::Origin() : state.config.api_base;
  const std::optional<std::string> snippet = oat::oidc_snippet(
      page_state.snippet == SnippetKind::GitLabCi ? oat::OidcSnippetKind::GitLabCi : oat::OidcSnippetKind::GitHubActions,
      {server, c.audience, c.id, state.selected_org, state.config.registry_host});
  if (!snippet) {
    // A docker login without the registry's address would sign in to Docker Hub: say what sets it.
    ui::Banner(std::string(oat::kNoRegistryHost), p.neutral, width);
    test_hook::MarkLastItem(names::kOidcSnippet, std::string(oat::kNoRegistryHost));
    return;
  }
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 box = ImGui::GetCursorScreenPos();
  ImGui::PushFont(fonts.mono);
  const ImVec2 text_size = ImGui::CalcTextSize(snippet->c_str());
  ImGui::PopFont();
  const ImVec2 box_end = box + ImVec2(std::max(width, text_size.x + 28), text_size.y + 28);
  draw->AddRectFilled(box, box_end, theme::U32(p.input), 8);
  draw->AddRect(box, box_end, theme::U32(p.border_strong), 8);
  ImGui::PushFont(fonts.mono);
  draw->AddText(box + ImVec2(14, 14), theme::U32(p.text), snippet->c_str());
  ImGui::PopFont();
  ImGui::Dummy(box_end - box);
  test_hook::MarkLastItem(names::kOidcSnippet, *snippet);
  const ImVec2 below = ImGui::GetCursorScreenPos();
  const bool copied = ui::StillCopied(page_state.copied_at, state.clock);
  const float button = copied ? 98 : 84;
  ImGui::SetCursorScreenPos(ImVec2(box.x + width - button - 8, box.y + 8));
  if (ui::CopyButton(copied, ui::ButtonKind::Secondary, ImVec2(button, 32), names::kOidcSnippetCopy)) {
    page::CopyToClipboard(snippet->c_str());
    page_state.copied_at = state.clock;
    redraw::At(state.clock + ui::kCopiedSeconds);
  }
  ImGui::SetCursorScreenPos(below);
  ImGui::Dummy(ImVec2(0, 4));
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  ui::Text("The ID token's audience must be exactly \xE2\x80\x9C" + c.audience + "\xE2\x80\x9D and its issuer " +
               c.issuer + "; the job signs in to the registry as " + state.selected_org + ".",
           p.text_faint);
  ImGui::PopTextWrapPos();
}

}  // namespace

// -----------------------------------------------------------------------------------------------
// [SECTION] The panel
// -----------------------------------------------------------------------------------------------

void DrawConnectionPanel(State& state, const oat::OidcConnection& c, float width, float height) {
  const theme::Palette& p = theme::Current();
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const ImVec2 end = pos + ImVec2(width, height);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(pos, end, theme::U32(p.surface), 10);
  draw->AddRect(pos, end, theme::U32(p.border), 10);
  test_hook::Mark(names::kOidcPanel, pos, end);

  Header(state, c, pos, width);
  Tabs(state, c, ImVec2(pos.x, ImGui::GetCursorScreenPos().y + 12), width);

  // The tab's content scrolls within the card.
  const float body_top = ImGui::GetCursorScreenPos().y;
  const float body_height = std::max(60.0f, end.y - 2 - body_top);
  ImGui::SetCursorScreenPos(ImVec2(pos.x + 1, body_top));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(kPad - 1, 14));
  ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(0, 0, 0, 0));
  ImGui::BeginChild("##panel-body", ImVec2(width - 2, body_height), false, ImGuiWindowFlags_AlwaysUseWindowPadding);
  ImGui::PopStyleColor();
  ImGui::PopStyleVar();
  test_hook::Mark(names::kOidcPanelBody, ImGui::GetWindowPos(), ImGui::GetWindowPos() + ImGui::GetWindowSize());
  const float inner = ImGui::GetContentRegionAvail().x;
  switch (state.ci.tab) {
    case ConnectionTab::Rulesets: Rulesets(state, c, inner); break;
    case ConnectionTab::Failures: Failures(state, c, inner); break;
    case ConnectionTab::Setup: Setup(state, c, inner); break;
  }
  ImGui::Dummy(ImVec2(0, 6));
  ImGui::EndChild();
  ImGui::SetCursorScreenPos(ImVec2(pos.x, end.y));
  ImGui::Dummy(ImVec2(width, 0));

  static const char* const kTabWords[3] = {"rulesets", "failures", "setup"};
  test_hook::Status(names::kStatusOidcTab, kTabWords[static_cast<int>(state.ci.tab)]);
  const bool mine = state.failures.connection_id == c.id;
  test_hook::Status(names::kStatusOidcFailures, mine ? static_cast<long long>(state.failures.items.size()) : 0);
  test_hook::Status(names::kStatusOidcFailuresLoading, mine && !state.failures.loading ? 0 : 1);
}

}  // namespace console
