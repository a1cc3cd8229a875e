// The organization's audit log: who did what to which token, newest first, filterable by action.
#define IMGUI_DEFINE_MATH_OPERATORS
#include <algorithm>
#include <cmath>
#include <vector>

#include "client.h"
#include "format.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "oat/audit.h"
#include "test_hook.h"
#include "theme.h"
#include "views/views.h"
#include "widgets.h"

namespace console {
namespace {

constexpr float kRowHeight = 40;

std::vector<const AuditEntry*> Visible(const State& state) {
  std::vector<const AuditEntry*> rows;
  rows.reserve(state.activity.items.size());
  for (const AuditEntry& e : state.activity.items) {
    if (state.activity_view.action_filter.empty() || e.action == state.activity_view.action_filter) {
      rows.push_back(&e);
    }
  }
  return rows;
}

void ActionFilter(State& state) {
  std::string current = "All actions";
  for (const oat::AuditAction& a : oat::audit_actions()) {
    if (a.name == state.activity_view.action_filter) current = std::string(a.description);
  }
  ImGui::SetNextItemWidth(280);
  if (ImGui::BeginCombo("##action", current.c_str())) {
    if (ImGui::Selectable("All actions", state.activity_view.action_filter.empty())) {
      state.activity_view.action_filter.clear();
    }
    test_hook::MarkLastItem("activity.filter.all");
    for (const oat::AuditAction& a : oat::audit_actions()) {
      const std::string label(a.description);
      if (ImGui::Selectable(label.c_str(), state.activity_view.action_filter == a.name)) {
        state.activity_view.action_filter = std::string(a.name);
      }
      test_hook::MarkLastItem("activity.filter." + std::string(a.name));
    }
    ImGui::EndCombo();
  }
  test_hook::MarkLastItem("activity.filter");
}

}  // namespace

void DrawActivityPage(State& state) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  const ImVec2 origin = ImGui::GetWindowPos();
  const ImVec2 window = ImGui::GetWindowSize();
  const float avail = window.x - kPagePaddingX * 2;
  const float width = std::floor(std::min(kContentMaxWidth, avail));
  const float left = std::floor(origin.x + kPagePaddingX + (avail - width) * 0.5f);
  const float top = origin.y + kTopBarHeight + kPagePaddingTop;
  ImGui::SetCursorScreenPos(ImVec2(left, top));
  if (state.selected_org.empty()) return;

  DrawViewTabs(state, left);
  ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y));
  ui::Text("Activity", p.text, fonts.title);
  ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y - 4));
  ui::Text("What happened to " + state.selected_org + "'s access tokens, newest first.", p.text_muted);
  ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 14));
  ActionFilter(state);
  ImGui::SameLine(0, 12);
  if (state.activity.loading) {
    ImGui::SetCursorScreenPos(ImGui::GetCursorScreenPos() + ImVec2(0, 8));
    ui::Spinner(9, p.text_muted);
  } else if (ui::IconButton("##reloadactivity", ui::Icon::Refresh, ImGui::GetFrameHeight(), "Reload")) {
    LoadActivity(state);
  }
  test_hook::MarkLastItem("activity.refresh");
  ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 14));

  if (!state.activity.error.empty()) {
    ui::Banner(state.activity.error, p.danger, width);
    test_hook::Status("activity.error", state.activity.error);
    ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y + 8));
  }

  const std::vector<const AuditEntry*> rows = Visible(state);
  const float bottom = origin.y + window.y - 24;
  const float height = std::max(200.0f, bottom - ImGui::GetCursorScreenPos().y);
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  ImGui::GetWindowDrawList()->AddRectFilled(pos, pos + ImVec2(width, height), theme::U32(p.surface), 10);
  ImGui::GetWindowDrawList()->AddRect(pos, pos + ImVec2(width, height), theme::U32(p.border), 10);

  constexpr ImGuiTableFlags kFlags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp |
                                     ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_PadOuterX |
                                     ImGuiTableFlags_NoSavedSettings;
  ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, ImVec2(16, 10));
  ImGui::PushStyleColor(ImGuiCol_TableBorderLight, theme::Alpha(p.border, 0.8f));
  if (ImGui::BeginTable("##activity", 5, kFlags, ImVec2(width, height - 1))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("WHEN", ImGuiTableColumnFlags_WidthFixed, 140);
    ImGui::TableSetupColumn("ACTION", ImGuiTableColumnFlags_WidthStretch, 1.6f);
    ImGui::TableSetupColumn("TOKEN", ImGuiTableColumnFlags_WidthStretch, 1.6f);
    ImGui::TableSetupColumn("BY", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableSetupColumn("DETAILS", ImGuiTableColumnFlags_WidthStretch, 2.0f);
    ImGui::PushFont(fonts.small);
    ImGui::PushStyleColor(ImGuiCol_Text, p.text_muted);
    ImGui::TableHeadersRow();
    ImGui::PopStyleColor();
    ImGui::PopFont();

    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(rows.size()), kRowHeight);
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        const AuditEntry& e = *rows[static_cast<std::size_t>(i)];
        ImGui::TableNextRow(0, kRowHeight);
        ImGui::TableSetColumnIndex(0);
        ui::Text(format::RelativeTime(e.timestamp, state.now), p.text_muted);
        ui::Tooltip(format::ExactLocalTime(e.timestamp));
        ImGui::TableSetColumnIndex(1);
        const bool failure = e.action == oat::audit::kTokenSignInFailed;
        ui::Text(e.description.empty() ? e.action : e.description, failure ? p.danger : p.text, fonts.strong);
        ImGui::TableSetColumnIndex(2);
        ui::TextEllipsis(e.name.empty() ? "\xE2\x80\x94" : e.name, ImGui::GetContentRegionAvail().x, nullptr, p.text);
        ImGui::TableSetColumnIndex(3);
        ui::TextEllipsis(e.actor, ImGui::GetContentRegionAvail().x, nullptr, p.text_muted);
        ImGui::TableSetColumnIndex(4);
        ui::TextEllipsis(e.details, ImGui::GetContentRegionAvail().x, nullptr, p.text_faint);
        if (test_hook::Enabled()) {
          test_hook::Status("activity.row." + std::to_string(i) + ".action", e.action);
        }
      }
    }
    ImGui::EndTable();
  }
  ImGui::PopStyleColor();
  ImGui::PopStyleVar();

  if (rows.empty() && !state.activity.loading) {
    const char* text = state.activity.items.empty() ? "Nothing has happened yet." : "No event matches the filter.";
    const ImVec2 size = ImGui::CalcTextSize(text);
    ImGui::GetWindowDrawList()->AddText(ImVec2(pos.x + (width - size.x) * 0.5f, pos.y + 90),
                                        theme::U32(p.text_muted), text);
  }
  test_hook::Status("screen", "activity");
  test_hook::Status("activity.rows", static_cast<long long>(rows.size()));
  test_hook::Status("activity.total", static_cast<long long>(state.activity.items.size()));
}

}  // namespace console
