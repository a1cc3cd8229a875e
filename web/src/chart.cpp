#define IMGUI_DEFINE_MATH_OPERATORS
#include "chart.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "format.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "test_hook.h"
#include "theme.h"
#include "widget_names.h"
#include "widgets.h"

namespace console::ui {
namespace {

constexpr int kSeries = 3;  // bottom to top: pulls, pushes, sign-ins
constexpr const char* kLegend[kSeries] = {"Pulls", "Pushes", "Sign-ins"};
constexpr const char* kOne[kSeries] = {" pull", " push", " sign-in"};
constexpr const char* kMany[kSeries] = {" pulls", " pushes", " sign-ins"};
constexpr char kDot[] = " \xC2\xB7 ";

std::int64_t Value(const oat::UsageDay& d, int s) {
  return std::max<std::int64_t>(0, s == 0 ? d.pulls : s == 1 ? d.pushes : d.sign_ins);
}

ImVec4 Color(int s) {
  const theme::Palette& p = theme::Current();
  return s == 0 ? p.primary : s == 1 ? p.success : p.accent;
}

// "3 pulls · 0 pushes · 1 sign-in"
std::string Counts(const std::int64_t (&n)[kSeries]) {
  std::string out;
  for (int s = 0; s < kSeries; ++s) out += (s ? kDot : "") + std::to_string(n[s]) + (n[s] == 1 ? kOne[s] : kMany[s]);
  return out;
}

// "Nov 7" for "2026-11-07".
std::string DayLabel(const std::string& date) {
  static constexpr char kMonths[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const int month = date.size() == 10 ? (date[5] - '0') * 10 + (date[6] - '0') : 0;
  if (month < 1 || month > 12) return date;
  return std::string(kMonths + (month - 1) * 3, 3) + " " + std::to_string((date[8] - '0') * 10 + (date[9] - '0'));
}

// The scale's top: twice a step of 1, 2 or 5 times a power of ten (so its middle is whole).
std::int64_t ScaleTop(std::int64_t most) {
  for (std::int64_t power = 1; power < INT64_MAX / 100; power *= 10) {
    for (const std::int64_t step : {power, 2 * power, 5 * power}) {
      if (2 * step >= most) return 2 * step;
    }
  }
  return most;
}

std::string Number(std::int64_t n) { return format::Thousands(static_cast<std::size_t>(n)); }

}  // namespace

void UsageChart(const UsageSeries& usage, float width, float height, const std::string& test_name) {
  const theme::Palette& p = theme::Current();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(width, height));
  const bool hovered = ImGui::IsItemHovered();
  const ImVec2 after = ImGui::GetCursorScreenPos();
  test_hook::Mark(test_name, pos, pos + ImVec2(width, height));

  const std::vector<oat::UsageDay>& days = usage.days;
  const int n = static_cast<int>(days.size());
  std::int64_t totals[kSeries] = {};
  std::int64_t most = 0;
  for (const oat::UsageDay& d : days) {
    std::int64_t sum = 0;
    for (int s = 0; s < kSeries; ++s) {
      sum += Value(d, s);
      totals[s] += Value(d, s);
    }
    most = std::max(most, sum);
  }
  const std::string days_text = std::to_string(n > 0 ? n : oat::kDefaultUsageDays) + " days";

  ImGui::PushFont(theme::GetFonts().small);
  const float line = ImGui::GetTextLineHeight();
  // The legend, each series with its total; the period (or a failed reload) on the right.
  float x = pos.x;
  for (int s = 0; s < kSeries; ++s) {
    const std::string text = std::string(kLegend[s]) + " " + Number(totals[s]);
    const float cy = std::floor(pos.y + line * 0.5f);
    draw->AddRectFilled(ImVec2(x, cy - 4), ImVec2(x + 8, cy + 4), theme::U32(Color(s)), 2);
    draw->AddText(ImVec2(x + 13, pos.y), theme::U32(p.text_muted), text.c_str());
    x += 13 + ImGui::CalcTextSize(text.c_str()).x + 16;
  }
  const std::string caption = usage.error.empty() ? "Last " + days_text + kDot + "UTC" : usage.error;
  const float caption_x = pos.x + width - ImGui::CalcTextSize(caption.c_str()).x;
  if (caption_x > x) {
    draw->AddText(ImVec2(caption_x, pos.y), theme::U32(usage.error.empty() ? p.text_faint : p.danger), caption.c_str());
  }

  const std::int64_t top = ScaleTop(std::max<std::int64_t>(most, 1));
  const float gutter = most > 0 ? std::floor(ImGui::CalcTextSize(Number(top).c_str()).x) + 8 : 0;
  const float plot_top = pos.y + line + 12, plot_bottom = pos.y + height - line - 6;
  const float plot_left = pos.x + gutter, plot_right = pos.x + width;
  const float plot_h = plot_bottom - plot_top, slot = (plot_right - plot_left) / static_cast<float>(std::max(n, 1));
  const ImVec2 middle((plot_left + plot_right) * 0.5f, (plot_top + plot_bottom) * 0.5f);

  // The scale: 0, its middle and its top (only the baseline when there is nothing to scale).
  for (int k = most > 0 ? 2 : 0; k >= 0; --k) {
    const float y = std::floor(plot_bottom - plot_h * static_cast<float>(k) * 0.5f) + 0.5f;
    draw->AddLine(ImVec2(plot_left, y), ImVec2(plot_right, y), theme::U32(k == 0 ? p.border_strong : p.border));
    if (most == 0) continue;
    const std::string label = k == 0 ? "0" : Number(top / 2 * k);
    draw->AddText(ImVec2(plot_left - 8 - ImGui::CalcTextSize(label.c_str()).x, std::floor(y - line * 0.5f)),
                  theme::U32(p.text_faint), label.c_str());
  }

  int hover = -1;
  if (hovered && most > 0 && ImGui::GetIO().MousePos.x >= plot_left) {
    hover = std::min(n - 1, static_cast<int>((ImGui::GetIO().MousePos.x - plot_left) / slot));
    draw->AddRectFilled(ImVec2(plot_left + slot * static_cast<float>(hover), plot_top),
                        ImVec2(plot_left + slot * static_cast<float>(hover + 1), plot_bottom),
                        theme::U32(theme::Alpha(p.text, 0.07f)), 3);
  }

  // One stacked bar a day; a day's value that would be thinner than a pixel still shows.
  const float bar = std::max(2.0f, std::floor(slot * 0.64f));
  for (int i = 0; i < n && most > 0; ++i) {
    const float bx = std::floor(plot_left + slot * static_cast<float>(i) + (slot - bar) * 0.5f);
    int last = -1;
    for (int s = 0; s < kSeries; ++s) last = Value(days[i], s) > 0 ? s : last;
    float y = plot_bottom;
    for (int s = 0; s <= last; ++s) {
      const std::int64_t v = Value(days[i], s);
      if (v == 0) continue;
      const float h = std::max(1.0f, static_cast<float>(v) / static_cast<float>(top) * plot_h);
      draw->AddRectFilled(ImVec2(bx, y - h), ImVec2(bx + bar, y), theme::U32(Color(s)),
                          s == last ? std::min(3.0f, bar * 0.5f) : 0, ImDrawFlags_RoundCornersTop);
      y -= h;
    }
    if (test_hook::Enabled()) {
      const float left = plot_left + slot * static_cast<float>(i);
      test_hook::Mark(test_name + names::kUsageDayInfix + days[i].date, ImVec2(left, plot_top),
                      ImVec2(left + slot, plot_bottom));
    }
  }

  // A few dates under the bars: the first, the middle and the last, where they fit.
  float free_x = pos.x;
  for (const int i : {0, n / 2, n - 1}) {
    if (i < 0 || i >= n) continue;  // (a label that would overlap the one before is left out)
    const std::string label = DayLabel(days[i].date);
    const float w = ImGui::CalcTextSize(label.c_str()).x;
    const float lx = std::floor(std::clamp(plot_left + slot * (static_cast<float>(i) + 0.5f) - w * 0.5f, pos.x,
                                           plot_right - w));
    if (lx < free_x) continue;
    draw->AddText(ImVec2(lx, plot_bottom + 6), theme::U32(p.text_faint), label.c_str());
    free_x = lx + w + 16;
  }
  ImGui::PopFont();

  // What it says instead of bars, or about them.
  const char* state = "loaded";
  std::string says;
  if (!usage.loaded && usage.error.empty()) {
    state = "loading";
    says = "Loading use\xE2\x80\xA6";
  } else if (!usage.loaded) {
    state = "error";
    says = usage.error;
  } else if (most == 0) {
    state = "empty";
    says = "No use in the last " + days_text;
  } else {
    says = "Registry use in the last " + days_text + ": " + Counts(totals);
  }
  if (!usage.loaded || most == 0) {
    const ImVec2 size = ImGui::CalcTextSize(says.c_str(), nullptr, false, width - 16);
    const ImVec2 at(std::floor(middle.x - size.x * 0.5f), std::floor(middle.y - size.y * 0.5f));
    if (!usage.loaded && usage.error.empty()) {  // a spinner before the words
      ImGui::SetCursorScreenPos(ImVec2(at.x - 24, std::floor(middle.y - 8)));
      Spinner(8, p.text_faint);
    }
    ImGui::SetCursorScreenPos(at);
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width - 16);
    Text(says, usage.loaded || usage.error.empty() ? p.text_muted : p.danger);
    ImGui::PopTextWrapPos();
  }
  test_hook::Field(test_name, "text", says);
  test_hook::Field(test_name, "state", state);
  if (hover >= 0) {
    const oat::UsageDay& d = days[static_cast<std::size_t>(hover)];
    const std::int64_t values[kSeries] = {Value(d, 0), Value(d, 1), Value(d, 2)};
    const std::string words = d.date + kDot + Counts(values);
    // Above the day's column, within the window, so that it covers no bar.
    const ImGuiViewport* view = ImGui::GetMainViewport();
    const float tip = ImGui::CalcTextSize(words.c_str()).x + 20;
    const float tip_x = std::min(plot_left + slot * (static_cast<float>(hover) + 0.5f) - tip * 0.5f,
                                 view->Pos.x + view->Size.x - tip - 4);
    ImGui::SetNextWindowPos(ImVec2(std::floor(std::max(tip_x, view->Pos.x + 4)), plot_top - 4), ImGuiCond_Always,
                            ImVec2(0, 1));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(10, 7));
    ImGui::BeginTooltip();
    ImGui::TextUnformatted(words.c_str(), words.c_str() + words.size());
    ImGui::EndTooltip();
    ImGui::PopStyleVar();
    test_hook::Field(test_name, "hover", words);
  }
  ImGui::SetCursorScreenPos(after);
}

}  // namespace console::ui
