// The token editor's expiration: 30 days, 90 days, a custom date and time, or none (the
// default). The custom time is typed in the browser's time zone as year, month, day, hour and
// minute (Tab moves between them, Up/Down step a value) or its day is picked in a small
// calendar. Whether it is allowed (in the future, at most a year ahead) is the core's call:
// oat::resolve_expiry, and oat::validate_expires_at for the calendar's days. When editing, the
// expiration is shown and cannot change. The organization's token policy, when it has one,
// leaves out the presets it forbids (oat::expiry_preset_allowed), ends the calendar at
// oat::latest_allowed_expiry, and is said in words under the choice. The rotate dialog draws
// the same control (DrawExpiryChoice) for a rotation's new expiration.
#define IMGUI_DEFINE_MATH_OPERATORS
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "focus.h"
#include "format.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "oat/lifecycle.h"
#include "oat/token_policy.h"
#include "test_hook.h"
#include "theme.h"
#include "views/editor.h"
#include "widget_names.h"
#include "widgets.h"

namespace console::editor {
namespace {

constexpr float kDay = 34;  // a calendar cell

struct Bounds {
  int min, max, digits;
};

// Up/Down in a field: one more or less, wrapping like clocks and calendars.
int Step(ImGuiInputTextCallbackData* data) {
  if (data->EventFlag != ImGuiInputTextFlags_CallbackHistory) return 0;
  const Bounds& b = *static_cast<const Bounds*>(data->UserData);
  int v = data->BufTextLen > 0 ? std::atoi(data->Buf) : b.min;
  v += data->EventKey == ImGuiKey_UpArrow ? 1 : -1;
  if (v > b.max) v = b.min;
  if (v < b.min) v = b.max;
  char text[8];
  std::snprintf(text, sizeof text, "%0*d", b.digits, v);
  data->DeleteChars(0, data->BufTextLen);
  data->InsertChars(0, text);
  return 0;
}

// One number of the date or time; -1 is an empty field.
void NumberField(const char* id, const char* hint, int* value, Bounds bounds, float width, const char* name) {
  const theme::Palette& p = theme::Current();
  char buf[8] = "";
  if (*value >= 0) std::snprintf(buf, sizeof buf, "%0*d", bounds.digits, *value);
  ImGui::SetNextItemWidth(width);
  ImGui::PushStyleColor(ImGuiCol_Border, p.border_strong);
  ImGui::PushStyleColor(ImGuiCol_TextDisabled, p.text_faint);
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(10, 10));
  const ImGuiInputTextFlags flags =
      ImGuiInputTextFlags_CharsDecimal | ImGuiInputTextFlags_CallbackHistory | ImGuiInputTextFlags_AutoSelectAll;
  if (ImGui::InputTextWithHint(id, hint, buf, static_cast<std::size_t>(bounds.digits) + 1, flags, Step, &bounds)) {
    *value = buf[0] ? std::atoi(buf) : -1;
  }
  focus::TabStop(true);
  ImGui::PopStyleVar();
  ImGui::PopStyleColor(2);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  if (ImGui::IsItemActive()) {
    draw->AddRect(ImGui::GetItemRectMin() - ImVec2(1.5f, 1.5f), ImGui::GetItemRectMax() + ImVec2(1.5f, 1.5f),
                  theme::U32(theme::Alpha(p.primary, 0.28f)), 7.5f, 0, 3.0f);
    draw->AddRect(ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), theme::U32(p.primary), 6);
  } else if (ImGui::IsItemHovered()) {
    draw->AddRect(ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), theme::U32(p.text_faint), 6);
  }
  test_hook::MarkLastItem(name, buf);
}

void Separator(const char* text) {
  ImGui::SameLine(0, 6);
  ImGui::AlignTextToFramePadding();
  ui::Text(text, theme::Current().text_faint);
  ImGui::SameLine(0, 6);
}

// Whether some time on this day may be chosen (the core's rules, at both ends of the day).
bool DaySelectable(int year, int month, int day, oat::Timestamp now, const oat::TokenPolicy& policy) {
  const auto late = InstantOf({year, month, day, 23, 59});
  const auto early = InstantOf({year, month, day, 0, 0});
  if (!late || !early) return false;
  if (auto e = oat::validate_expires_at(*late, now); e && e->code == oat::ErrorCode::ExpiryInPast) return false;
  if (auto e = oat::validate_expires_at(*early, now); e && e->code == oat::ErrorCode::ExpiryTooFar) return false;
  return !oat::check_expiry_policy(policy, *early, now);
}

LocalDateTime LastChoosable(oat::Timestamp now, const oat::TokenPolicy& policy) {
  return LocalOf(oat::latest_allowed_expiry(policy, now));
}

void Calendar(State& state, ExpiryInput input, const oat::TokenPolicy& policy, const names::ExpiryNames& n) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  LocalDateTime& chosen = input.custom;
  int& year = input.calendar_year;
  int& month = input.calendar_month;
  const LocalDateTime today = LocalOf(state.now);
  const LocalDateTime last = LastChoosable(state.now, policy);

  static const char* const kMonths[12] = {"January", "February", "March",     "April",   "May",      "June",
                                          "July",    "August",   "September", "October", "November", "December"};
  const std::string heading = std::string(kMonths[std::clamp(month, 1, 12) - 1]) + " " + std::to_string(year);
  const float width = kDay * 7;
  const ImVec2 top = ImGui::GetCursorPos();
  ImGui::SetCursorPos(top + ImVec2(4, 6));
  ui::Text(heading, p.text, fonts.strong);
  const bool can_back = year * 12 + month > today.year * 12 + today.month;
  const bool can_forward = year * 12 + month < last.year * 12 + last.month;
  ImGui::SetCursorPos(top + ImVec2(width - 60, 0));
  ImGui::BeginDisabled(!can_back);
  if (ui::IconButton("##prev", ui::Icon::ChevronLeft, 28, "Previous month")) {
    if (--month < 1) month = 12, --year;
  }
  ImGui::EndDisabled();
  test_hook::MarkLastItem(n.calendar_prev);
  ImGui::SameLine(0, 4);
  ImGui::BeginDisabled(!can_forward);
  if (ui::IconButton("##next", ui::Icon::ChevronRight, 28, "Next month")) {
    if (++month > 12) month = 1, ++year;
  }
  ImGui::EndDisabled();
  test_hook::MarkLastItem(n.calendar_next);

  ImGui::SetCursorPos(top + ImVec2(0, 36));
  ImDrawList* draw = ImGui::GetWindowDrawList();
  static const char* const kWeekdays[7] = {"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"};
  ImGui::PushFont(fonts.small);
  const ImVec2 head = ImGui::GetCursorScreenPos();
  for (int i = 0; i < 7; ++i) {
    const ImVec2 size = ImGui::CalcTextSize(kWeekdays[i]);
    draw->AddText(head + ImVec2(std::floor(i * kDay + (kDay - size.x) * 0.5f), 0), theme::U32(p.text_faint),
                  kWeekdays[i]);
  }
  ImGui::PopFont();
  ImGui::Dummy(ImVec2(width, 18));

  const int first = Weekday(year, month, 1);
  const int days = DaysInMonth(year, month);
  const ImVec2 grid = ImGui::GetCursorScreenPos();
  for (int day = 1; day <= days; ++day) {
    const int cell = first + day - 1;
    const ImVec2 a = grid + ImVec2((cell % 7) * kDay, (cell / 7) * kDay);
    ImGui::SetCursorScreenPos(a);
    const bool selectable = DaySelectable(year, month, day, state.now, policy);
    const bool selected = chosen.year == year && chosen.month == month && chosen.day == day;
    const bool is_today = today.year == year && today.month == month && today.day == day;
    ImGui::PushID(day);
    ImGui::BeginDisabled(!selectable);
    const bool clicked = ImGui::InvisibleButton("##day", ImVec2(kDay - 2, kDay - 2));
    ImGui::EndDisabled();
    ImGui::PopID();
    const bool hovered = selectable && ImGui::IsItemHovered();
    if (hovered) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
    const std::string name = n.calendar_day_prefix + std::to_string(day);
    test_hook::MarkLastItem(name);
    test_hook::Flag(name, names::kFlagDisabled, !selectable);
    const ImVec2 b = a + ImVec2(kDay - 2, kDay - 2);
    if (selected) {
      draw->AddRectFilled(a, b, theme::U32(p.primary), 7);
    } else if (hovered) {
      draw->AddRectFilled(a, b, theme::U32(p.surface_muted), 7);
    }
    if (is_today && !selected) draw->AddRect(a, b, theme::U32(p.border_strong), 7);
    const std::string label = std::to_string(day);
    const ImVec2 size = ImGui::CalcTextSize(label.c_str());
    const ImVec4 color = selected ? p.on_primary : selectable ? p.text : theme::Alpha(p.text_faint, 0.6f);
    draw->AddText(ImVec2(std::floor(a.x + (kDay - 2 - size.x) * 0.5f), std::floor(a.y + (kDay - 2 - size.y) * 0.5f)),
                  theme::U32(color), label.c_str());
    if (clicked && selectable) {  // the day changes; the time of day stays
      chosen.year = year;
      chosen.month = month;
      chosen.day = day;
      if (chosen.hour < 0) chosen.hour = 12;
      if (chosen.minute < 0) chosen.minute = 0;
      ImGui::CloseCurrentPopup();
    }
  }
  ImGui::SetCursorScreenPos(grid);
  ImGui::Dummy(ImVec2(width, std::ceil((first + days) / 7.0f) * kDay));
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) ImGui::CloseCurrentPopup();
}

void CustomFields(State& state, ExpiryInput input, const oat::TokenPolicy& policy, const names::ExpiryNames& n) {
  const theme::Palette& p = theme::Current();
  LocalDateTime& t = input.custom;
  NumberField("##year", "YYYY", &t.year, {1970, 9999, 4}, 66, n.year);
  Separator("-");
  NumberField("##month", "MM", &t.month, {1, 12, 2}, 46, n.month);
  Separator("-");
  NumberField("##day", "DD", &t.day, {1, 31, 2}, 46, n.day);
  ImGui::SameLine(0, 18);
  NumberField("##hour", "hh", &t.hour, {0, 23, 2}, 46, n.hour);
  Separator(":");
  NumberField("##minute", "mm", &t.minute, {0, 59, 2}, 46, n.minute);
  const float height = ImGui::GetItemRectSize().y;
  ImGui::SameLine(0, 8);
  const ImVec2 button = ImGui::GetCursorScreenPos();
  if (ui::IconButton("##calendar", ui::Icon::Calendar, height, "Pick a day")) {
    // The chosen month, kept within the months that can be chosen.
    const LocalDateTime first = LocalOf(state.now);
    const LocalDateTime last = LastChoosable(state.now, policy);
    const bool known = t.year >= 1970 && t.month >= 1 && t.month <= 12;
    LocalDateTime shown = known ? t : first;
    if (shown.year * 12 + shown.month < first.year * 12 + first.month) shown = first;
    if (shown.year * 12 + shown.month > last.year * 12 + last.month) shown = last;
    input.calendar_year = shown.year;
    input.calendar_month = shown.month;
    ImGui::OpenPopup("##calendar-popup");
  }
  test_hook::MarkLastItem(n.calendar);
  ImGui::SameLine(0, 10);
  ImGui::AlignTextToFramePadding();
  ui::Text(format::Zone(state.now) + ", your browser's time zone", p.text_faint);

  ImGui::SetNextWindowPos(button + ImVec2(0, height + 6));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(12, 12));
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0, 0));
  if (ImGui::BeginPopup("##calendar-popup")) {
    Calendar(state, input, policy, n);
    ImGui::EndPopup();
  }
  ImGui::PopStyleVar(2);
}

}  // namespace

oat::ExpiryPreset FirstAllowedPreset(const oat::TokenPolicy& policy) {
  for (oat::ExpiryPreset preset : {oat::ExpiryPreset::Never, oat::ExpiryPreset::Days30, oat::ExpiryPreset::Days90}) {
    if (oat::expiry_preset_allowed(policy, preset)) return preset;
  }
  return oat::ExpiryPreset::Custom;
}

LocalDateTime CustomStart(oat::Timestamp now, const oat::TokenPolicy& policy) {
  // A month from now, on the hour, or the latest the policy allows when that is sooner.
  LocalDateTime start = LocalOf(std::min(now + std::chrono::days{30}, oat::latest_allowed_expiry(policy, now)));
  start.minute = 0;
  return start;
}

void DrawExpiryChoice(State& state, ExpiryInput input, const oat::TokenPolicy& policy, const names::ExpiryNames& n) {
  const theme::Palette& p = theme::Current();
  static const char* const kLabels[4] = {"30 days", "90 days", "Custom", "No expiration"};
  static const oat::ExpiryPreset kPresets[4] = {oat::ExpiryPreset::Days30, oat::ExpiryPreset::Days90,
                                                oat::ExpiryPreset::Custom, oat::ExpiryPreset::Never};
  // Only the presets the policy allows are offered.
  const char* labels[4];
  const char* test_names[4];
  oat::ExpiryPreset offered[4];
  int count = 0;
  int selected = -1;
  for (int i = 0; i < 4; ++i) {
    if (!oat::expiry_preset_allowed(policy, kPresets[i])) continue;
    if (kPresets[i] == input.preset) selected = count;
    labels[count] = kLabels[i];
    test_names[count] = n.presets[i];
    offered[count++] = kPresets[i];
  }
  const int clicked = ui::Segmented("##expiry", labels, nullptr, count, selected, test_names);
  for (int i = 0; i < count; ++i) test_hook::Flag(test_names[i], names::kFlagSelected, i == selected);
  if (clicked >= 0 && offered[clicked] != input.preset) {
    input.preset = offered[clicked];
    if (input.preset == oat::ExpiryPreset::Custom && input.custom == LocalDateTime{}) {
      input.custom = CustomStart(state.now, policy);  // a starting point to adjust
    }
  }
  if (input.preset == oat::ExpiryPreset::Custom) {
    ImGui::Dummy(ImVec2(0, 2));
    CustomFields(state, input, policy, n);
  }

  // What the choice means, once the core accepts it.
  oat::ExpiryChoice choice{input.preset, std::nullopt};
  if (input.preset == oat::ExpiryPreset::Custom) choice.custom = InstantOf(input.custom);
  const auto resolved = oat::resolve_expiry(choice, state.now);
  std::string summary;
  if (resolved && *resolved) {
    summary = "Expires " + format::ExactLocalTime(**resolved) + "  \xC2\xB7  " +
              format::RelativeTime(**resolved, state.now);
  } else if (resolved) {
    summary = "Never expires. You can deactivate or delete it at any time.";
  }
  if (!summary.empty()) {
    ui::Text(summary, p.text_muted);
    test_hook::MarkLastItem(n.summary, summary);
  }
  if (!policy.empty()) {
    const std::string sentence = "Token policy: " + oat::describe_token_policy(policy);
    ImGui::PushTextWrapPos(ImGui::GetWindowContentRegionMax().x);
    ui::Text(sentence, p.text_faint);
    ImGui::PopTextWrapPos();
    test_hook::MarkLastItem(n.policy, sentence);
  }
}

void DrawExpiry(State& state, const Verdict& verdict) {
  const theme::Palette& p = theme::Current();
  TokenEditor& e = state.editor;
  TokenDraft& draft = e.draft;
  FieldLabel("Expiration");
  ImGui::Dummy(ImVec2(0, 0));

  if (e.editing()) {
    // The core's words for why it cannot change.
    const oat::OrganizationContext context{state.selected_org, nullptr, state.now};
    const auto refusal = oat::parse_update_request(R"({"expires_at":null})", context);
    const std::string when = e.fixed_expiry ? format::ExactLocalTime(*e.fixed_expiry) + "  (" +
                                                  format::RelativeTime(*e.fixed_expiry, state.now) + ")"
                                            : std::string("Never expires");
    ui::Text(when, p.text);
    test_hook::MarkLastItem(names::kGenerateExpiryFixed, when);
    if (!refusal) ui::Text(refusal.error().message, p.text_faint);
    Errors(verdict, "expires_at");  // the token policy's, when the token is beyond it
    ImGui::Dummy(ImVec2(0, 8));
    return;
  }

  const oat::TokenPolicy* known = SelectedPolicy(state);
  const oat::TokenPolicy policy = known ? *known : oat::TokenPolicy{};
  DrawExpiryChoice(state, {draft.expiry, draft.custom, e.calendar_year, e.calendar_month}, policy,
                   names::kGenerateExpiryNames);
  Errors(verdict, "expires_at");
  ImGui::Dummy(ImVec2(0, 8));
}

}  // namespace console::editor
