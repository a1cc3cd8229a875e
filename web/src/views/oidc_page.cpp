// [SECTION] Opening the dialogs
// [SECTION] Heading
// [SECTION] The list of connections
// [SECTION] The page
//
// CI sign-in (docs/oidc.md): the organization's OIDC connections, which let CI jobs (GitHub
// Actions, GitLab CI, ...) sign in to the registry with the ID token their CI gives them, without
// a stored secret. A list (name, issuer or preset, status, rulesets, last exchange; each row's
// menu edits, deactivates or activates, deletes), and under it the selected connection's panel
// (views/oidc_panel.cpp): its rulesets, its refused exchanges, and the steps to copy into CI. For
// those who manage the organization's tokens, as the token policy (others are told why in the
// core's words).
#define IMGUI_DEFINE_MATH_OPERATORS
#include <algorithm>
#include <cmath>

#include "client.h"
#include "focus.h"
#include "format.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "oat/oidc.h"
#include "oat/role.h"
#include "oidc_draft.h"
#include "page.h"
#include "test_hook.h"
#include "theme.h"
#include "views/views.h"
#include "widget_names.h"
#include "widgets.h"

namespace console {
namespace {

constexpr float kRowHeight = 48;
constexpr float kCellPadY = 11;
constexpr float kMenuButton = kRowHeight - 2 * kCellPadY;
constexpr int kColumns = 6;
enum Column { kName, kIssuer, kStatus, kRulesets, kLastExchange, kActions };
const char* const kHeaders[kColumns] = {"NAME", "ISSUER", "STATUS", "RULESETS", "LAST EXCHANGE", ""};

const oat::OidcConnection* Find(const State& state, const std::string& id) {
  for (const oat::OidcConnection& c : state.connections.items) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

// The audience a new connection proposes: this server's URL (the API the console talks to).
std::string ServerUrl(const State& state) {
  return state.config.api_base.empty() ? page::Origin() : state.config.api_base;
}

}  // namespace

// -----------------------------------------------------------------------------------------------
// [SECTION] Opening the dialogs
// -----------------------------------------------------------------------------------------------

std::string IssuerWords(const oat::OidcConnection& connection) {
  const oat::OidcPreset* preset = oat::oidc_preset_for(connection.issuer, {});
  return preset && preset->issuer == connection.issuer ? std::string(preset->name) : connection.issuer;
}

void OpenNewConnection(State& state) {
  state.connection_editor = ConnectionEditor{};
  state.connection_editor.draft = NewConnectionDraft(oat::oidc_presets().front().key, ServerUrl(state));
  state.connection_editor.original = state.connection_editor.draft;
  state.connection_editor.forms.resize(state.connection_editor.draft.rulesets.size());
  state.dialog = Dialog::EditConnection;
  if (!state.repositories.loaded && !state.repositories.loading) LoadRepositories(state);
}

void OpenEditConnection(State& state, const oat::OidcConnection& connection) {
  ConnectionEditor& editor = state.connection_editor;
  editor = ConnectionEditor{};
  editor.connection_id = connection.id;
  editor.draft = DraftFromConnection(connection, state.selected_org);
  editor.original = editor.draft;
  editor.forms.resize(editor.draft.rulesets.size());
  for (std::size_t i = 0; i < editor.forms.size(); ++i) {
    editor.forms[i].resources.org_open = !editor.draft.rulesets[i].resources.org_scopes.empty();
  }
  state.dialog = Dialog::EditConnection;
  if (!state.repositories.loaded && !state.repositories.loading) LoadRepositories(state);
}

void OpenDeleteConnection(State& state, const oat::OidcConnection& connection) {
  if (state.connection_action.pending) return;
  state.connection_action = ConnectionAction{connection.id, connection.name, ConnectionActionKind::Delete, false, ""};
  state.dialog = Dialog::ConfirmDeleteConnection;
}

namespace {

// -----------------------------------------------------------------------------------------------
// [SECTION] Heading
// -----------------------------------------------------------------------------------------------

void Heading(State& state, float left, float width, bool manages) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  const float top = ImGui::GetCursorScreenPos().y;
  ImGui::SetCursorScreenPos(ImVec2(left, top));
  ui::Text("CI sign-in", p.text, fonts.title);
  ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y - 4));
  ImGui::PushTextWrapPos(left + width - 280);
  ui::Text("CI jobs (GitHub Actions, GitLab CI, ...) sign in to " + state.selected_org +
               "'s registry with the ID token their CI gives them: no secret to store. A connection says "
               "which jobs may, and what they reach.",
           p.text_muted);
  ImGui::PopTextWrapPos();
  const float bottom = ImGui::GetCursorScreenPos().y;
  if (manages) {
    ImGui::PushFont(fonts.strong);
    const float button = std::floor(ImGui::CalcTextSize("New connection").x + 12 + 16 + 8 + 16);
    ImGui::PopFont();
    float x = left + width - button;
    ImGui::SetCursorScreenPos(ImVec2(x, top + 4));
    const bool full = state.connections.loaded && state.connections.items.size() >= oat::kMaxOidcConnections;
    ImGui::BeginDisabled(full);
    if (ui::IconLabelButton("New connection", ui::Icon::Plus, ui::ButtonKind::Primary, ImVec2(button, 36))) {
      OpenNewConnection(state);
    }
    ImGui::EndDisabled();
    test_hook::MarkLastItem(names::kOidcNew);
    test_hook::Flag(names::kOidcNew, names::kFlagDisabled, full);
    if (full && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
      ui::Tooltip("An organization has at most " + std::to_string(oat::kMaxOidcConnections) +
                  " connections; delete one first.");
    }
    x -= 8 + 36;
    if (ui::RefreshButton(ImVec2(x, top + 4), state.connections.loading, "Reload the connections")) {
      LoadOidcConnections(state);
      if (!state.ci.selected.empty() && state.ci.tab == ConnectionTab::Failures) {
        LoadOidcFailures(state, state.ci.selected);
      }
    }
    test_hook::MarkLastItem(names::kOidcRefresh);
  }
  ImGui::SetCursorScreenPos(ImVec2(left, std::max(bottom, top + 44)));
}

// -----------------------------------------------------------------------------------------------
// [SECTION] The list of connections
// -----------------------------------------------------------------------------------------------

constexpr char kActivating[] = "Activating\xE2\x80\xA6";
constexpr char kDeactivating[] = "Deactivating\xE2\x80\xA6";

std::string LastExchangeText(const oat::OidcConnection& c, oat::Timestamp now) {
  return c.last_exchange_at ? format::RelativeTime(*c.last_exchange_at, now) : "Never";
}

std::string RulesetsText(const oat::OidcConnection& c) {
  return std::to_string(c.rulesets.size()) + (c.rulesets.size() == 1 ? " ruleset" : " rulesets");
}

bool MenuItem(const char* text, const char* name, bool danger = false) {
  const theme::Palette& p = theme::Current();
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const bool chosen = ImGui::Selectable((std::string("##") + name).c_str(), false, 0, ImVec2(180, 30));
  focus::TabStop();
  if (ImGui::IsItemHovered()) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  test_hook::MarkLastItem(name);
  ImGui::GetWindowDrawList()->AddText(ImVec2(pos.x + 10, std::floor(pos.y + (30 - ImGui::GetTextLineHeight()) * 0.5f)),
                                      theme::U32(danger ? p.danger : p.text), text);
  return chosen;
}

void RowMenu(State& state, const oat::OidcConnection& c, const std::string& prefix) {
  const theme::Palette& p = theme::Current();
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x - kMenuButton);
  if (ui::IconButton("##menu", ui::Icon::Dots, kMenuButton, "Actions")) ImGui::OpenPopup("##actions");
  test_hook::MarkLastItem(prefix + names::kOidcRowMenuSuffix);
  ImGui::SetNextWindowPos(ImVec2(ImGui::GetItemRectMax().x, ImGui::GetItemRectMax().y + 4), ImGuiCond_Appearing,
                          ImVec2(1, 0));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(6, 6));
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0, 2));
  if (ImGui::BeginPopup("##actions")) {
    ImGui::PushFont(theme::GetFonts().small);
    ImGui::SetCursorPos(ImGui::GetCursorPos() + ImVec2(10, 4));
    ui::TextEllipsis(c.name, 160, nullptr, p.text_faint);
    ImGui::Dummy(ImVec2(0, 2));
    ImGui::PopFont();
    const bool busy = state.connection_action.pending;
    if (MenuItem("Edit\xE2\x80\xA6", names::kOidcMenuEdit)) {
      state.ci.selected = c.id;
      OpenEditConnection(state, c);
    }
    if (c.active && MenuItem("Deactivate", names::kOidcMenuDeactivate) && !busy) {
      SetConnectionActive(state, c.id, c.name, false);
    }
    if (!c.active && MenuItem("Activate", names::kOidcMenuActivate) && !busy) {
      SetConnectionActive(state, c.id, c.name, true);
    }
    ImGui::Separator();
    if (MenuItem("Delete\xE2\x80\xA6", names::kOidcMenuDelete, true)) OpenDeleteConnection(state, c);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
  ImGui::PopStyleVar(2);
}

void DrawRow(State& state, const oat::OidcConnection& c, int index, float row_left, float row_width, float body_top,
             float body_bottom, const bool* shown) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  const std::string prefix = names::kOidcRowPrefix + std::to_string(index);
  const bool selected = state.ci.selected == c.id;
  ImGui::TableNextRow(0, kRowHeight);
  ImGui::TableSetColumnIndex(kName);
  const float row_top = ImGui::GetCursorScreenPos().y - kCellPadY;
  if (ui::HighlightHoveredRow(ImVec2(row_left, row_top), ImVec2(row_width, kRowHeight), body_top)) {
    ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  }
  if (selected) {
    ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, theme::U32(theme::Alpha(p.primary, 0.10f)));
    if (row_top >= body_top - 0.5f) {  // a mark on the left edge (not under the header)
      ImDrawList* draw = ImGui::GetWindowDrawList();
      draw->PushClipRect(ImVec2(row_left, row_top), ImVec2(row_left + 6, row_top + kRowHeight), false);
      draw->AddRectFilled(ImVec2(row_left + 1, row_top + 8), ImVec2(row_left + 4, row_top + kRowHeight - 8),
                          theme::U32(p.primary), 1.5f);
      draw->PopClipRect();
    }
  }
  if (test_hook::Enabled() && row_top >= body_top - 0.5f && row_top + kRowHeight <= body_bottom + 0.5f) {
    test_hook::Mark(prefix, ImVec2(row_left, row_top), ImVec2(row_left + row_width, row_top + kRowHeight));
    test_hook::Flag(prefix, names::kFlagSelected, selected);
  }
  ImGui::PushID(c.id.c_str());
  const ImVec2 cell = ImGui::GetCursorPos();
  ImGui::PushStyleColor(ImGuiCol_Header, ImVec4(0, 0, 0, 0));
  ImGui::PushStyleColor(ImGuiCol_HeaderHovered, ImVec4(0, 0, 0, 0));
  ImGui::PushStyleColor(ImGuiCol_HeaderActive, ImVec4(0, 0, 0, 0));
  if (ImGui::Selectable("##row", false, ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap,
                        ImVec2(0, kRowHeight - 2 * kCellPadY))) {
    if (state.ci.selected != c.id) state.ci.open_claims.clear();
    state.ci.selected = c.id;
  }
  focus::TabStop();
  ImGui::PopStyleColor(3);
  ImGui::SetCursorPos(cell);

  ui::CenterLineInRow(kRowHeight, kCellPadY);
  ui::TextEllipsis(c.name, ImGui::GetContentRegionAvail().x, fonts.strong, p.text);
  test_hook::MarkLastItem(prefix + names::kOidcRowNameSuffix, c.name);

  const std::string issuer = IssuerWords(c);
  if (shown[kIssuer] && ImGui::TableSetColumnIndex(kIssuer)) {
    ui::CenterLineInRow(kRowHeight, kCellPadY);
    ui::TextEllipsis(issuer, ImGui::GetContentRegionAvail().x, nullptr, p.text_muted);
    test_hook::MarkLastItem(prefix + names::kOidcRowIssuerSuffix, issuer);
    ui::Tooltip(c.issuer);
  }

  ImGui::TableSetColumnIndex(kStatus);
  ui::CenterLineInRow(kRowHeight, kCellPadY);
  const ConnectionAction& action = state.connection_action;
  const std::string state_word = c.active ? "Active" : "Inactive";
  if (action.pending && action.connection_id == c.id && action.kind != ConnectionActionKind::Delete) {
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 1);
    ui::Spinner(8, p.text_muted);
    ImGui::SameLine(0, 8);
    ui::Text(action.kind == ConnectionActionKind::Activate ? kActivating : kDeactivating, p.text_muted);
    test_hook::MarkLastItem(prefix + names::kOidcRowStatusSuffix, "pending");
  } else {
    ui::Badge(state_word.c_str(), c.active ? p.success : p.neutral);
    test_hook::MarkLastItem(prefix + names::kOidcRowStatusSuffix, state_word);
  }

  const std::string rulesets = RulesetsText(c);
  if (shown[kRulesets] && ImGui::TableSetColumnIndex(kRulesets)) {
    ui::CenterLineInRow(kRowHeight, kCellPadY);
    ui::Text(rulesets, p.text_muted);
    test_hook::MarkLastItem(prefix + names::kOidcRowRulesetsSuffix, rulesets);
  }

  const std::string last = LastExchangeText(c, state.now);
  if (shown[kLastExchange] && ImGui::TableSetColumnIndex(kLastExchange)) {
    ui::CenterLineInRow(kRowHeight, kCellPadY);
    ui::Text(last, c.last_exchange_at ? p.text_muted : p.text_faint);
    test_hook::MarkLastItem(prefix + names::kOidcRowLastExchangeSuffix, last);
    if (c.last_exchange_at) ui::Tooltip(format::ExactLocalTime(*c.last_exchange_at));
  }

  ImGui::TableSetColumnIndex(kActions);
  RowMenu(state, c, prefix);
  ImGui::PopID();

  if (test_hook::Enabled()) {
    test_hook::Status(prefix + names::kOidcRowNameSuffix, c.name);
    test_hook::Status(prefix + names::kOidcRowStateSuffix, state_word);
    test_hook::Status(prefix + names::kOidcRowRulesetsSuffix, static_cast<long long>(c.rulesets.size()));
    test_hook::Status(prefix + names::kOidcRowLastExchangeSuffix, last);
  }
}

void EmptyState(State& state, ImVec2 a, ImVec2 b) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  const OidcConnections& list = state.connections;
  ui::CenteredColumn column = ui::EmptyStateColumn(a, b, 480, 70);
  if (list.loading && !list.loaded) {
    ImGui::SetCursorScreenPos(ImVec2(column.center_x - 12, column.y));
    ui::Spinner(12, p.primary);
    column.y += 36;
    column.Paragraph("Loading the connections\xE2\x80\xA6", fonts.body, p.text_muted);
    return;
  }
  if (!list.loaded && !list.error.empty()) {
    column.Paragraph("The connections could not be loaded", fonts.strong, p.text);
    column.Paragraph(list.error, fonts.body, p.danger);
    test_hook::ErrorShown(names::kOidcListError, list.error);
    column.y += 8;
    ImGui::SetCursorScreenPos(ImVec2(std::floor(column.center_x - 50), column.y));
    if (ui::Button("Try again", ui::ButtonKind::Secondary, ImVec2(100, 34))) LoadOidcConnections(state);
    test_hook::MarkLastItem(names::kOidcRetry);
    return;
  }
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float r = 26;
  draw->AddCircleFilled(ImVec2(column.center_x, column.y + r), r, theme::U32(theme::Alpha(p.primary, 0.12f)), 40);
  ui::DrawIcon(draw, ui::Icon::Key, ImVec2(column.center_x, column.y + r), 30, theme::U32(p.primary));
  column.y += r * 2 + 16;
  column.Paragraph("No connections yet", fonts.strong, p.text);
  column.Paragraph("A connection lets the CI jobs you choose (by repository, branch, workflow ...) sign in to " +
                       state.selected_org + "'s registry with their CI's ID token, instead of a stored access token.",
                   fonts.body, p.text_muted);
}

float TextWidth(const std::string& text, ImFont* font = nullptr) {
  if (font) ImGui::PushFont(font);
  const float width = ImGui::CalcTextSize(text.c_str()).x;
  if (font) ImGui::PopFont();
  return width;
}

void Table(State& state, float width, float height) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const float header_height = ui::TableCard(ImVec2(width, height), kCellPadY);
  const ImVec2 end = pos + ImVec2(width, height);
  const auto& items = state.connections.items;
  const float table_height = items.empty() ? header_height : height - 1;

  // Columns as wide as what they hold; on a narrow window the last exchange, then the issuer and
  // the count of rulesets go (the panel below says them).
  float want[kColumns] = {};
  for (int c = 0; c < kActions; ++c) want[c] = TextWidth(kHeaders[c], fonts.small);
  want[kActions] = kMenuButton;
  for (const oat::OidcConnection& c : items) {
    want[kName] = std::max(want[kName], std::min(TextWidth(c.name, fonts.strong), 300.0f));
    want[kIssuer] = std::max(want[kIssuer], std::min(TextWidth(IssuerWords(c)), 320.0f));
    want[kStatus] = std::max({want[kStatus], ui::BadgeWidth(c.active ? "Active" : "Inactive"),
                              16 + 8 + TextWidth(c.active ? kDeactivating : kActivating)});
    want[kRulesets] = std::max(want[kRulesets], TextWidth(RulesetsText(c)));
    want[kLastExchange] = std::max(want[kLastExchange], TextWidth(LastExchangeText(c, state.now)));
  }
  want[kName] = std::max(want[kName], 160.0f);
  bool shown[kColumns] = {true, true, true, true, true, true};
  float left = width - 32 * kColumns;
  for (int c = 0; c < kColumns; ++c) left -= want[c];
  for (const int c : {static_cast<int>(kLastExchange), static_cast<int>(kIssuer), static_cast<int>(kRulesets)}) {
    if (left >= 0) break;
    shown[c] = false;
    left += want[c] + 32;
  }

  constexpr ImGuiTableFlags kFlags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit |
                                     ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_PadOuterX |
                                     ImGuiTableFlags_NoSavedSettings;
  ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, ImVec2(16, kCellPadY));
  ImGui::PushStyleColor(ImGuiCol_TableBorderLight, theme::Alpha(p.border, 0.8f));
  ImGui::SetCursorScreenPos(pos);
  if (ImGui::BeginTable("##connections", kColumns, kFlags, ImVec2(width, table_height))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    for (int c = 0; c < kColumns; ++c) {
      if (c == kName) {
        ImGui::TableSetupColumn(kHeaders[c], ImGuiTableColumnFlags_WidthStretch, 1, c);
      } else {
        ImGui::TableSetupColumn(kHeaders[c], ImGuiTableColumnFlags_WidthFixed | (shown[c] ? 0 : ImGuiTableColumnFlags_Disabled),
                                std::max(want[c], 1.0f), c);
      }
    }
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    ImGui::PushFont(fonts.small);
    for (int c = 0; c < kColumns; ++c) {
      if (!ImGui::TableSetColumnIndex(c)) continue;
      ui::Text(kHeaders[c], p.text_muted);
    }
    ImGui::PopFont();
    const float body_top = pos.y + header_height;
    for (std::size_t i = 0; i < items.size(); ++i) {
      DrawRow(state, items[i], static_cast<int>(i), pos.x, width, body_top, pos.y + table_height, shown);
    }
    ImGui::EndTable();
  }
  ImGui::PopStyleColor();
  ImGui::PopStyleVar();
  if (items.empty()) EmptyState(state, ImVec2(pos.x, pos.y + header_height), end);
  ImGui::SetCursorScreenPos(ImVec2(pos.x, end.y));
  ImGui::Dummy(ImVec2(width, 0));
}

}  // namespace

// -----------------------------------------------------------------------------------------------
// [SECTION] The page
// -----------------------------------------------------------------------------------------------

void DrawCiSignInPage(State& state) {
  const theme::Palette& p = theme::Current();
  const PageColumn column = StartPageColumn();
  const float left = column.left, width = column.width;
  if (state.selected_org.empty()) return;
  const Organization* org = SelectedOrganization(state);
  const bool manages = org && org->can_manage_tokens;
  OidcConnections& list = state.connections;
  if (manages && list.org != state.selected_org && !list.loading) LoadOidcConnections(state);

  DrawViewTabs(state, left);
  Heading(state, left, width, manages);
  ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 18));

  test_hook::Status(names::kStatusScreen, names::kScreenCiSignIn);
  test_hook::Status(names::kStatusOrg, state.selected_org);
  test_hook::Status(names::kStatusLoading, list.loading ? 1 : 0);
  if (!manages) {
    // Not a failure: the server says this person may not manage this organization's tokens.
    ui::Banner(oat::manage_tokens_refusal().message, p.neutral, std::min(680.0f, width));
    return;
  }

  // A row action the server refused, in its words, until dismissed or another action.
  const ConnectionAction& action = state.connection_action;
  if (!action.error.empty() && state.dialog != Dialog::ConfirmDeleteConnection) {
    const char* verb = action.kind == ConnectionActionKind::Activate ? "activate"
                       : action.kind == ConnectionActionKind::Deactivate ? "deactivate"
                                                                           : "delete";
    const std::string text = "Could not " + std::string(verb) + " \xE2\x80\x9C" + action.name + "\xE2\x80\x9D: " +
                             action.error;
    const ImVec2 at = ImGui::GetCursorScreenPos();
    ui::Banner(text, p.danger, width);
    test_hook::ErrorShown(names::kOidcActionError, action.error);
    const ImVec2 after = ImGui::GetCursorScreenPos();
    ImGui::SetCursorScreenPos(ImVec2(at.x + width - 34, at.y + 5));
    if (ui::IconButton("##dismiss", ui::Icon::Close, 28, "Dismiss")) state.connection_action = ConnectionAction{};
    ImGui::SetCursorScreenPos(ImVec2(left, after.y + 12));
  }
  // A failed reload keeps the last list on screen, with the reason above it.
  if (list.loaded && !list.error.empty()) {
    ui::Banner(list.error, p.danger, width);
    test_hook::ErrorShown(names::kOidcListError, list.error);
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 12));
  }

  // The selected connection: the one chosen, else the newest.
  const oat::OidcConnection* selected = Find(state, state.ci.selected);
  if (!selected && !list.items.empty() && list.loaded && list.org == state.selected_org) {
    selected = &list.items.front();
    // Kept once the list is fresh: one just made is in the list being loaded.
    if (!list.loading) state.ci.selected = selected->id;
  }

  // The list hugs its rows; with a connection selected it leaves the panel at least half the room.
  const float natural = ui::TableNaturalHeight(list.items.size(), kRowHeight, kCellPadY);
  const float room = column.bottom - 24 - ImGui::GetCursorScreenPos().y;
  const float cap = selected ? std::max(160.0f, std::floor(room * 0.4f)) : std::max(220.0f, room);
  const float height = std::floor(std::min(natural, cap));
  Table(state, width, list.items.empty() ? std::min(height, 280.0f) : height);

  if (selected) {
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 18));
    const float panel = std::max(260.0f, column.bottom - 24 - ImGui::GetCursorScreenPos().y);
    DrawConnectionPanel(state, *selected, width, panel);
  }

  test_hook::Status(names::kStatusOidcConnections, static_cast<long long>(list.items.size()));
  test_hook::Status(names::kStatusOidcSelected, selected ? selected->id : "");
  test_hook::Status(names::kStatusOidcActionPending, action.pending ? 1 : 0);
}

}  // namespace console
