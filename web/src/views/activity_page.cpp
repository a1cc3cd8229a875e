// [SECTION] Heading and the action filter
// [SECTION] The table (clipped: only the rows on screen are drawn, so 10,000 events cost what
//           twenty do)
// [SECTION] The page
//
// The organization's audit log: who did what to which token, newest first; filtered by action
// on the server (?action=); pages of 100 arrive in the background, then more on demand. Above
// it, the organization's registry use per day over the last 30 days (chart.h).
#define IMGUI_DEFINE_MATH_OPERATORS
#include <algorithm>
#include <cmath>

#include "chart.h"
#include "client.h"
#include "focus.h"
#include "format.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "oat/audit.h"
#include "semantics.h"
#include "test_hook.h"
#include "theme.h"
#include "views/views.h"
#include "widget_names.h"
#include "widgets.h"

namespace console {
namespace {

constexpr float kRowHeight = 44;
constexpr float kCellPadY = 12;

ImVec4 ActionColor(const std::string& action) {
  const theme::Palette& p = theme::Current();
  if (action == oat::audit::kTokenCreate || action == oat::audit::kTokenActivate) return p.success;
  if (action == oat::audit::kTokenDelete || action == oat::audit::kTokenRevokeLeaked) return p.danger;
  if (action == oat::audit::kTokenSignInFailed) return p.warning;
  if (action == oat::audit::kTokenDeactivate) return p.neutral;
  return p.primary;
}

std::string ActionWords(const std::string& action) {
  if (action.empty()) return "All actions";
  return std::string(oat::audit_action_description(action).value_or(action));
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Heading and the action filter
// -----------------------------------------------------------------------------------------------

void Heading(State& state, float left, float width) {
  const theme::Palette& p = theme::Current();
  const float top = ImGui::GetCursorScreenPos().y;
  ImGui::SetCursorScreenPos(ImVec2(left, top));
  ui::Text("Activity", p.text, theme::GetFonts().title);
  ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y - 4));
  ui::Text("What happened to " + state.selected_org + "'s access tokens, and who did it, newest first.",
           p.text_muted);
  const float bottom = ImGui::GetCursorScreenPos().y;
  if (ui::RefreshButton(ImVec2(left + width - 36, top + 4), state.audit.loading, "Reload the log")) {
    LoadAuditLog(state);
    LoadOrgUsage(state);
  }
  test_hook::MarkLastItem(names::kActivityRefresh);
  ImGui::SetCursorScreenPos(ImVec2(left, std::max(bottom, top + 44)));
}

// The organization's registry use per day, in a card above the log.
void UsageCard(State& state, float left, float width) {
  const theme::Palette& p = theme::Current();
  const ImVec2 pos(left, ImGui::GetCursorScreenPos().y + 18);
  const ImVec2 size(width, 182);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(pos, pos + size, theme::U32(p.surface), 10);
  draw->AddRect(pos, pos + size, theme::U32(p.border), 10);
  ImGui::SetCursorScreenPos(pos + ImVec2(20, 16));
  ui::Text("Registry use", p.text, theme::GetFonts().strong);
  ImGui::SetCursorScreenPos(pos + ImVec2(20, 46));
  ui::UsageChart(state.org_usage, width - 40, size.y - 46 - 16, names::kActivityUsage);
  ImGui::SetCursorScreenPos(ImVec2(left, pos.y + size.y));
}

bool FilterOption(const std::string& label, const std::string& action, bool selected, const std::string& name) {
  const theme::Palette& p = theme::Current();
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const bool clicked = ImGui::Selectable(("##" + name).c_str(), selected, 0, ImVec2(260, 32));
  focus::TabStop();
  semantics::Item(semantics::Role::MenuItem, label, {}, selected ? semantics::kChecked : 0u);
  if (ImGui::IsItemHovered()) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  test_hook::MarkLastItem(name);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float cy = pos.y + 16;
  if (!action.empty()) draw->AddCircleFilled(ImVec2(pos.x + 14, cy), 4, theme::U32(ActionColor(action)), 12);
  draw->AddText(ImVec2(pos.x + (action.empty() ? 10 : 26), std::floor(cy - ImGui::GetTextLineHeight() * 0.5f)),
                theme::U32(p.text), label.c_str());
  if (selected) ui::DrawIcon(draw, ui::Icon::Check, ImVec2(pos.x + 260 - 16, cy), 14, theme::U32(p.primary));
  return clicked;
}

// The server filters (?action=), so the counts and pages are that action's.
void ChooseAction(State& state, const std::string& action) {
  AuditLog& log = state.audit;
  if (action == log.filter) return;
  log.filter = action;
  log.action = action;
  LoadAuditLog(state);
}

void ActionFilter(State& state) {
  const theme::Palette& p = theme::Current();
  AuditLog& log = state.audit;
  const std::string current = ActionWords(log.filter);
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const ImVec2 size(280, ImGui::GetFrameHeight());
  const bool clicked = ImGui::InvisibleButton("##action-filter", size);
  focus::TabStop();
  semantics::Item(semantics::Role::Button, "Action: " + current, {},
                  ImGui::IsPopupOpen("##actions") ? semantics::kExpanded : 0u);
  const bool hovered = ImGui::IsItemHovered();
  if (hovered) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  test_hook::MarkLastItem(names::kActivityFilter, current);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(pos, pos + size, theme::U32(p.input), 6);
  draw->AddRect(pos, pos + size, theme::U32(hovered ? p.text_faint : p.border_strong), 6);
  const float ty = std::floor(pos.y + (size.y - ImGui::GetTextLineHeight()) * 0.5f);
  draw->AddText(ImVec2(pos.x + 12, ty), theme::U32(p.text_muted), "Action:");
  const float label_x = pos.x + 12 + ImGui::CalcTextSize("Action:").x + 6;
  draw->AddText(ImVec2(label_x, ty), theme::U32(p.text), current.c_str());
  ui::DrawIcon(draw, ui::Icon::ChevronDown, ImVec2(pos.x + size.x - 16, pos.y + size.y * 0.5f), 14,
               theme::U32(p.text_muted));
  if (clicked) ImGui::OpenPopup("##actions");

  ImGui::SetNextWindowPos(ImVec2(pos.x, pos.y + size.y + 6));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(6, 6));
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0, 2));
  if (ImGui::BeginPopup("##actions")) {
    semantics::BeginGroup(semantics::Group::Menu, "Action");
    std::string chosen = log.filter;
    bool pick = false;
    if (FilterOption("All actions", "", log.filter.empty(), names::kActivityFilterAll)) pick = true, chosen.clear();
    for (const oat::AuditAction& a : oat::audit_actions()) {
      const std::string name(a.name);
      if (FilterOption(std::string(a.description), name, log.filter == name, names::kActivityFilterPrefix + name)) {
        pick = true;
        chosen = name;
      }
    }
    semantics::EndGroup();
    if (pick) ImGui::CloseCurrentPopup();
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
    if (pick) ChooseAction(state, chosen);
  }
  ImGui::PopStyleVar(2);
}

// -----------------------------------------------------------------------------------------------
// [SECTION] The table
// -----------------------------------------------------------------------------------------------

void CellStart() { ui::CenterLineInRow(kRowHeight, kCellPadY); }

void DrawEvent(const State& state, const AuditEntry& e, int index, float row_left, float row_width,
               float body_top) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  ImGui::TableNextRow(0, kRowHeight);
  semantics::BeginGroup(semantics::Group::Row, "", std::to_string(index));
  ImGui::TableSetColumnIndex(0);
  const float row_top = ImGui::GetCursorScreenPos().y - kCellPadY;
  ui::HighlightHoveredRow(ImVec2(row_left, row_top), ImVec2(row_width, kRowHeight), body_top);
  const std::string prefix = names::kActivityRowPrefix + std::to_string(index);
  if (test_hook::Enabled() && row_top >= body_top - 0.5f) {
    test_hook::Mark(prefix, ImVec2(row_left, row_top), ImVec2(row_left + row_width, row_top + kRowHeight));
    test_hook::Status(prefix + names::kActivityRowActionSuffix, e.action);
  }

  CellStart();
  ui::Text(format::RelativeTime(e.timestamp, state.now), p.text_muted);
  ui::Tooltip(format::ExactLocalTime(e.timestamp));

  ImGui::TableSetColumnIndex(1);
  CellStart();
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::GetWindowDrawList()->AddCircleFilled(at + ImVec2(4, ImGui::GetTextLineHeight() * 0.5f), 4,
                                              theme::U32(ActionColor(e.action)), 12);
  ImGui::SetCursorScreenPos(at + ImVec2(16, 0));
  ui::TextEllipsis(e.description.empty() ? e.action : e.description, ImGui::GetContentRegionAvail().x, fonts.strong,
                   p.text);
  ui::Tooltip(e.action);

  ImGui::TableSetColumnIndex(2);
  CellStart();
  ui::TextEllipsis(e.name.empty() ? "\xE2\x80\x94" : e.name, ImGui::GetContentRegionAvail().x, nullptr,
                   e.name.empty() ? p.text_faint : p.text);

  ImGui::TableSetColumnIndex(3);
  CellStart();
  ui::TextEllipsis(e.actor, ImGui::GetContentRegionAvail().x, nullptr, p.text_muted);

  ImGui::TableSetColumnIndex(4);
  CellStart();
  ui::TextEllipsis(e.details.empty() ? "\xE2\x80\x94" : e.details, ImGui::GetContentRegionAvail().x, nullptr,
                   e.details.empty() ? p.text_faint : p.text_muted);
  if (!e.data.empty() && ImGui::IsItemHovered()) {
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(10, 8));
    ImGui::BeginTooltip();
    ImGui::PushFont(fonts.mono);
    ImGui::TextUnformatted(e.data.c_str(), e.data.c_str() + e.data.size());
    ImGui::PopFont();
    ImGui::EndTooltip();
    ImGui::PopStyleVar();
  }
  semantics::EndGroup();
}

void EmptyState(State& state, ImVec2 a, ImVec2 b) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  const AuditLog& log = state.audit;
  ui::CenteredColumn column = ui::EmptyStateColumn(a, b, 460, 60);
  if (log.loading && !log.loaded) {
    ImGui::SetCursorScreenPos(ImVec2(column.center_x - 12, column.y));
    ui::Spinner(12, p.primary);
    column.y += 36;
    column.Paragraph("Loading the activity\xE2\x80\xA6", fonts.body, p.text_muted);
  } else if (!log.error.empty()) {
    column.Paragraph(log.error_status == 403 ? "You cannot see " + log.org + "'s activity"
                                             : "The activity could not be loaded",
                     fonts.strong, p.text);
    column.Paragraph(log.error, fonts.body, log.error_status == 403 ? p.text_muted : p.danger);
    test_hook::ErrorShown(names::kActivityError, log.error);
    if (log.error_status != 403) {
      column.y += 8;
      ImGui::SetCursorScreenPos(ImVec2(std::floor(column.center_x - 50), column.y));
      if (ui::Button("Try again", ui::ButtonKind::Secondary, ImVec2(100, 34))) LoadAuditLog(state);
      test_hook::MarkLastItem(names::kActivityRetry);
    }
  } else if (!log.filter.empty()) {
    column.Paragraph("No \xE2\x80\x9C" + ActionWords(log.filter) + "\xE2\x80\x9D events", fonts.strong, p.text);
    column.Paragraph("Choose another action, or all of them.", fonts.body, p.text_muted);
  } else {
    column.Paragraph("Nothing has happened yet", fonts.strong, p.text);
    column.Paragraph("Creating, changing and deleting tokens, and failed sign-ins with them, show here.",
                     fonts.body, p.text_muted);
  }
}

void Table(State& state, float width, float height) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  AuditLog& log = state.audit;
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const float header_height = ui::TableCard(ImVec2(width, height), kCellPadY);
  const ImVec2 end = pos + ImVec2(width, height);

  const int rows = static_cast<int>(log.items.size());
  constexpr ImGuiTableFlags kFlags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp |
                                     ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_PadOuterX |
                                     ImGuiTableFlags_NoSavedSettings;
  ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, ImVec2(16, kCellPadY));
  ImGui::PushStyleColor(ImGuiCol_TableBorderLight, theme::Alpha(p.border, 0.8f));
  const float table_height = rows == 0 ? header_height : height - 1;
  if (ImGui::BeginTable("##activity", 5, kFlags, ImVec2(width, table_height))) {
    semantics::BeginGroup(semantics::Group::Table, "Activity");
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("TIME", ImGuiTableColumnFlags_WidthFixed, 124);
    ImGui::TableSetupColumn("ACTION", ImGuiTableColumnFlags_WidthFixed, 260);
    ImGui::TableSetupColumn("TOKEN", ImGuiTableColumnFlags_WidthStretch, 1.2f);
    ImGui::TableSetupColumn("ACTOR", ImGuiTableColumnFlags_WidthStretch, 0.8f);
    ImGui::TableSetupColumn("DETAILS", ImGuiTableColumnFlags_WidthStretch, 1.8f);
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    ImGui::PushFont(fonts.small);
    static const char* const kHeaders[5] = {"TIME", "ACTION", "TOKEN", "ACTOR", "DETAILS"};
    semantics::BeginGroup(semantics::Group::Row, "", "header");
    for (int c = 0; c < 5; ++c) {
      ImGui::TableSetColumnIndex(c);
      ImGui::PushStyleColor(ImGuiCol_Text, p.text_muted);
      ImGui::TextUnformatted(kHeaders[c]);
      ImGui::PopStyleColor();
      semantics::Item(semantics::Role::ColumnHeader, format::SentenceCase(kHeaders[c]));
    }
    semantics::EndGroup();
    ImGui::PopFont();

    const float body_top = pos.y + header_height;
    ImGuiListClipper clipper;
    clipper.Begin(rows, kRowHeight);
    int last_shown = -1;
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        DrawEvent(state, log.items[static_cast<std::size_t>(i)], i, pos.x, width, body_top);
        last_shown = std::max(last_shown, i);
      }
    }
    semantics::EndGroup();
    ImGui::EndTable();
    // Scrolled to the end of what is loaded: the next page.
    if (rows > 0 && last_shown >= rows - 1 && log.more && !log.loading) LoadMoreAuditLog(state, false);
  }
  ImGui::PopStyleColor();
  ImGui::PopStyleVar();
  if (rows == 0) EmptyState(state, ImVec2(pos.x, pos.y + header_height), end);
  ImGui::SetCursorScreenPos(ImVec2(pos.x, end.y));
  ImGui::Dummy(ImVec2(width, 0));
}

// Below the table: how much is loaded, and more.
void Footer(State& state, std::size_t shown, float left, float width) {
  const theme::Palette& p = theme::Current();
  AuditLog& log = state.audit;
  if (!log.loaded) return;
  const float y = ImGui::GetCursorScreenPos().y + 8;
  ImGui::SetCursorScreenPos(ImVec2(left + 2, y + 8));
  std::string text = "Showing " + format::Thousands(shown) + " of " + format::Thousands(log.total) +
                     (log.total == 1 ? " event" : " events");
  if (log.loading) text += "  \xC2\xB7  loading more\xE2\x80\xA6";
  ui::Text(text, p.text_faint);
  test_hook::MarkLastItem(names::kActivityCount, text);
  if (log.more) {
    float x = left + width;
    ImGui::PushFont(theme::GetFonts().strong);
    const float all_width = ImGui::CalcTextSize("Load all").x + 28;
    const float more_width = ImGui::CalcTextSize("Load 100 more").x + 28;
    ImGui::PopFont();
    ImGui::BeginDisabled(log.loading);
    x -= all_width;
    ImGui::SetCursorScreenPos(ImVec2(x, y));
    if (ui::Button("Load all", ui::ButtonKind::Ghost, ImVec2(all_width, 34))) LoadMoreAuditLog(state, true);
    test_hook::MarkLastItem(names::kActivityAll);
    x -= 8 + more_width;
    ImGui::SetCursorScreenPos(ImVec2(x, y));
    if (ui::Button("Load 100 more", ui::ButtonKind::Secondary, ImVec2(more_width, 34))) {
      LoadMoreAuditLog(state, false);
    }
    test_hook::MarkLastItem(names::kActivityMore);
    ImGui::EndDisabled();
  }
}

}  // namespace

// -----------------------------------------------------------------------------------------------
// [SECTION] The page
// -----------------------------------------------------------------------------------------------

void DrawActivityPage(State& state) {
  const theme::Palette& p = theme::Current();
  const PageColumn column = StartPageColumn();
  const float left = column.left, width = column.width;
  if (state.selected_org.empty()) return;
  AuditLog& log = state.audit;
  if (log.org != state.selected_org && !log.loading) LoadAuditLog(state);
  const std::size_t shown_count = log.items.size();

  if (state.org_usage.org != state.selected_org && !state.org_usage.loading) LoadOrgUsage(state);

  DrawViewTabs(state, left);
  Heading(state, left, width);
  UsageCard(state, left, width);
  ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 18));
  const float toolbar_y = ImGui::GetCursorScreenPos().y;
  ActionFilter(state);
  if (log.loaded) {
    const std::string updated = "Updated " + format::RelativeTime(log.loaded_at, state.now);
    const ImVec2 size = ImGui::CalcTextSize(updated.c_str());
    ImGui::GetWindowDrawList()->AddText(
        ImVec2(left + width - size.x, std::floor(toolbar_y + (ImGui::GetFrameHeight() - size.y) * 0.5f)),
        theme::U32(p.text_faint), updated.c_str());
  }
  ImGui::SetCursorScreenPos(ImVec2(left, toolbar_y + ImGui::GetFrameHeight() + 16));

  // A failed page after others keeps them on screen, with the reason above.
  if (log.loaded && !log.error.empty() && !log.items.empty()) {
    ui::Banner(log.error, p.danger, width);
    test_hook::ErrorShown(names::kActivityError, log.error);
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 8));
  }

  // The card hugs its rows, and scrolls once they outgrow the window.
  const float bottom = column.bottom - 24 - 50;
  const float room = std::max(220.0f, bottom - ImGui::GetCursorScreenPos().y);
  const float height = std::floor(std::min(room, ui::TableNaturalHeight(shown_count, kRowHeight, kCellPadY)));
  Table(state, width, height);
  Footer(state, shown_count, left, width);

  test_hook::Status(names::kStatusScreen, names::kScreenActivity);
  test_hook::Status(names::kStatusOrg, state.selected_org);
  test_hook::Status(names::kStatusLoading, log.loading ? 1 : 0);
  test_hook::Status(names::kStatusActivityRows, static_cast<long long>(shown_count));
  test_hook::Status(names::kStatusActivityTotal, static_cast<long long>(log.total));
  test_hook::Status(names::kActivityFilter, log.filter);
}

}  // namespace console
