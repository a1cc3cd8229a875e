#define IMGUI_DEFINE_MATH_OPERATORS
#include <algorithm>
#include <cctype>
#include <cmath>

#include "client.h"
#include "focus.h"
#include "format.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "semantics.h"
#include "test_hook.h"
#include "theme.h"
#include "views/views.h"
#include "widget_names.h"
#include "widgets.h"

namespace console {
namespace {

constexpr float kEdge = 24;

std::string PlanName(const Organization& org) { return std::string(oat::plan_display_name(org.plan)); }

// One organization in the picker: name and plan, then usage and role.
bool OrganizationOption(const Organization& org, bool selected, float width) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const float height = 52;
  ImGui::PushID(org.name.c_str());
  const bool clicked = ImGui::Selectable("##org", selected, 0, ImVec2(width, height));
  focus::TabStop();
  semantics::Item(semantics::Role::MenuItem, org.name + ", " + PlanName(org), {},
                  selected ? semantics::kChecked : 0u);
  if (ImGui::IsItemHovered()) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  test_hook::MarkLastItem(names::kTopBarOrgOptionPrefix + org.name);
  ImGui::PopID();
  ImDrawList* draw = ImGui::GetWindowDrawList();

  ImGui::PushFont(fonts.strong);
  draw->AddText(pos + ImVec2(10, 8), theme::U32(p.text), org.name.c_str());
  const float name_width = ImGui::CalcTextSize(org.name.c_str()).x;
  ImGui::PopFont();

  const std::string plan = PlanName(org);
  if (!plan.empty()) {
    ImGui::PushFont(fonts.small);
    const ImVec2 ps = ImGui::CalcTextSize(plan.c_str());
    const ImVec2 a = pos + ImVec2(std::floor(10 + name_width + 8), 9);
    draw->AddRectFilled(a, a + ImVec2(ps.x + 12, 18), theme::U32(theme::Alpha(p.primary, 0.14f)), 9);
    draw->AddText(a + ImVec2(6, std::floor((18 - ps.y) * 0.5f)), theme::U32(p.primary), plan.c_str());
    ImGui::PopFont();
  }

  std::string detail = org.can_manage_tokens
                           ? format::Usage(org.token_count, org.token_quota)
                           : std::string("You cannot manage tokens here");
  if (!org.role.empty()) detail += " \xC2\xB7 " + org.role;
  draw->AddText(pos + ImVec2(10, 28), theme::U32(p.text_muted), detail.c_str());
  if (selected) {
    ui::DrawIcon(draw, ui::Icon::Check, pos + ImVec2(width - 18, height * 0.5f), 16,
                 theme::U32(p.primary));
  }
  return clicked;
}

void OrganizationPicker(State& state, float x, float center_y) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  const Organization* org = SelectedOrganization(state);
  const std::string name = org ? org->name : (state.orgs.loading ? "Loading\xE2\x80\xA6" : "No organization");
  const std::string plan = org ? PlanName(*org) : "";

  ImGui::PushFont(fonts.strong);
  const float name_width = ImGui::CalcTextSize(name.c_str()).x;
  ImGui::PopFont();
  float plan_width = 0;
  if (!plan.empty()) {
    ImGui::PushFont(fonts.small);
    plan_width = ImGui::CalcTextSize(plan.c_str()).x + 12;
    ImGui::PopFont();
  }
  const float height = 36;
  const float width = std::floor(12 + name_width + (plan_width > 0 ? 8 + plan_width : 0) + 10 + 16 + 8);
  const ImVec2 pos(x, std::floor(center_y - height * 0.5f));
  ImGui::SetCursorScreenPos(pos);
  const bool clicked = ImGui::InvisibleButton("##org-picker", ImVec2(width, height));
  focus::TabStop();
  const bool hovered = ImGui::IsItemHovered();
  if (hovered) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  test_hook::MarkLastItem(names::kTopBarOrg);
  const bool open = ImGui::IsPopupOpen("##orgs");
  semantics::Item(semantics::Role::Button, "Organization: " + name, {}, open ? semantics::kExpanded : 0u);

  ImDrawList* draw = ImGui::GetWindowDrawList();
  if (hovered || open) draw->AddRectFilled(pos, pos + ImVec2(width, height), theme::U32(p.surface_muted), 8);
  ImGui::PushFont(fonts.strong);
  const float ty = std::floor(pos.y + (height - ImGui::GetTextLineHeight()) * 0.5f);
  draw->AddText(ImVec2(pos.x + 12, ty), theme::U32(p.text), name.c_str());
  ImGui::PopFont();
  if (!plan.empty()) {
    ImGui::PushFont(fonts.small);
    const ImVec2 a(std::floor(pos.x + 12 + name_width + 8), std::floor(pos.y + (height - 20) * 0.5f));
    draw->AddRectFilled(a, a + ImVec2(plan_width, 20), theme::U32(theme::Alpha(p.primary, 0.14f)), 10);
    draw->AddText(a + ImVec2(6, std::floor((20 - ImGui::GetTextLineHeight()) * 0.5f)),
                  theme::U32(p.primary), plan.c_str());
    ImGui::PopFont();
  }
  ui::DrawIcon(draw, ui::Icon::ChevronDown, ImVec2(pos.x + width - 8 - 8, pos.y + height * 0.5f), 14,
               theme::U32(p.text_muted));

  if (clicked && !state.orgs.items.empty()) ImGui::OpenPopup("##orgs");
  ImGui::SetNextWindowPos(ImVec2(pos.x, pos.y + height + 6));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(6, 6));
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0, 2));
  if (ImGui::BeginPopup("##orgs")) {
    semantics::BeginGroup(semantics::Group::Menu, "Organizations");
    ImGui::PushFont(fonts.small);
    ImGui::PushStyleColor(ImGuiCol_Text, p.text_faint);
    ImGui::SetCursorPos(ImGui::GetCursorPos() + ImVec2(10, 4));
    ImGui::TextUnformatted("ORGANIZATIONS");
    ImGui::PopStyleColor();
    ImGui::PopFont();
    for (const Organization& option : state.orgs.items) {
      if (OrganizationOption(option, option.name == state.selected_org, 300)) {
        SelectOrganization(state, option.name);
        ImGui::CloseCurrentPopup();
      }
    }
    semantics::EndGroup();
    ImGui::EndPopup();
  }
  ImGui::PopStyleVar(2);
}

// "3 of 10 tokens used" with a thin meter; ends at `right`. Returns its left edge.
float Usage(const Organization& org, float right, float center_y) {
  const theme::Palette& p = theme::Current();
  const std::string text = format::Usage(org.token_count, org.token_quota);
  const float meter = 72;
  const float text_width = ImGui::CalcTextSize(text.c_str()).x;
  const float left = std::floor(right - meter - 10 - text_width);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddText(ImVec2(left, std::floor(center_y - ImGui::GetTextLineHeight() * 0.5f)),
                theme::U32(p.text_muted), text.c_str());
  const float fraction =
      org.token_quota == 0 ? 1.0f : std::min(1.0f, float(org.token_count) / float(org.token_quota));
  const ImVec4 fill = fraction >= 1.0f ? p.danger : fraction >= 0.8f ? p.warning : p.primary;
  const ImVec2 a(right - meter, std::floor(center_y) - 2), b(right, std::floor(center_y) + 2);
  draw->AddRectFilled(a, b, theme::U32(p.surface_muted), 2);
  draw->AddRect(a - ImVec2(0.5f, 0.5f), b + ImVec2(0.5f, 0.5f), theme::U32(p.border), 2);
  if (fraction > 0) draw->AddRectFilled(a, ImVec2(a.x + meter * fraction, b.y), theme::U32(fill), 2);
  ImGui::SetCursorScreenPos(ImVec2(left, center_y - 10));
  ImGui::Dummy(ImVec2(right - left, 20));
  ui::Tooltip("Every token counts until it is deleted: active, inactive and expired.");
  return left;
}

}  // namespace

void DrawThemeToggle(State& state, ImVec2 pos) {
  ImGui::SetCursorScreenPos(pos);
  const bool dark = state.theme == Theme::Dark;
  if (ui::IconButton("##theme", dark ? ui::Icon::Sun : ui::Icon::Moon, 34,
                     dark ? "Light theme" : "Dark theme")) {
    // The owner's pick: saved, and it wins over the system's preference from now on (drawn
    // from the next frame on, main.cpp).
    state.theme_choice = dark ? Theme::Light : Theme::Dark;
  }
  test_hook::MarkLastItem(names::kTopBarTheme);
}

namespace {

// The person's initial in a circle of the primary colour (`tint`: the circle's opacity).
void Avatar(const std::string& name, ImVec2 center, float radius, float tint) {
  const theme::Palette& p = theme::Current();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddCircleFilled(center, radius, theme::U32(theme::Alpha(p.primary, tint)), 32);
  const char initial[2] = {name.empty() ? '?' : char(std::toupper(static_cast<unsigned char>(name[0]))), 0};
  ImGui::PushFont(theme::GetFonts().strong);
  const ImVec2 size = ImGui::CalcTextSize(initial);
  draw->AddText(ImVec2(std::floor(center.x - size.x * 0.5f), std::floor(center.y - size.y * 0.5f)),
                theme::U32(p.primary), initial);
  ImGui::PopFont();
}

// A phone's top bar ends in this: the person's initial, opening a menu with who is signed in,
// the theme and sign out.
void AccountMenu(State& state, float right, float cy) {
  const theme::Palette& p = theme::Current();
  const std::string& name = state.session.username;
  test_hook::Status(names::kStatusUser, name);
  const float r = 16;
  const ImVec2 c(right - r, cy);
  ImGui::SetCursorScreenPos(ImVec2(c.x - r, c.y - r));
  if (ImGui::InvisibleButton("##account", ImVec2(2 * r, 2 * r))) ImGui::OpenPopup("##account-menu");
  focus::TabStop();
  const bool open = ImGui::IsPopupOpen("##account-menu");
  semantics::Item(semantics::Role::Button, "Account: " + name, {}, open ? semantics::kExpanded : 0u);
  test_hook::MarkLastItem(names::kTopBarAccount);
  if (ImGui::IsItemHovered()) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  Avatar(name, c, r, ImGui::IsItemHovered() || open ? 0.3f : 0.18f);

  const float width = 220;
  ImGui::SetNextWindowPos(ImVec2(right, cy + r + 8), ImGuiCond_Always, ImVec2(1, 0));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(12, 12));
  if (ImGui::BeginPopup("##account-menu")) {
    semantics::BeginGroup(semantics::Group::Menu, "Account");
    ui::Text("Signed in as " + name, p.text_muted);
    ImGui::Dummy(ImVec2(0, 4));
    const bool dark = state.theme == Theme::Dark;
    if (ui::Button(dark ? "Light theme" : "Dark theme", ui::ButtonKind::Secondary, ImVec2(width, 34))) {
      state.theme_choice = dark ? Theme::Light : Theme::Dark;  // the owner's pick, saved (main.cpp)
      ImGui::CloseCurrentPopup();
    }
    test_hook::MarkLastItem(names::kTopBarTheme);
    if (ui::Button("Sign out", ui::ButtonKind::Secondary, ImVec2(width, 34))) {
      ImGui::CloseCurrentPopup();
      SignOut(state);
    }
    test_hook::MarkLastItem(names::kTopBarSignOut);
    semantics::EndGroup();
    ImGui::EndPopup();
  }
  ImGui::PopStyleVar();
}

}  // namespace

void DrawTopBar(State& state) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  const ImVec2 origin = ImGui::GetWindowPos();
  const float width = ImGui::GetWindowWidth();
  const float cy = origin.y + kTopBarHeight * 0.5f;
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(origin, origin + ImVec2(width, kTopBarHeight), theme::U32(p.surface));
  draw->AddLine(ImVec2(origin.x, origin.y + kTopBarHeight - 0.5f),
                ImVec2(origin.x + width, origin.y + kTopBarHeight - 0.5f), theme::U32(p.border));

  // Left: the mark and the organization.
  const bool narrow = theme::Narrow();
  const float edge = narrow ? kNarrowPagePaddingX : kEdge;
  float x = origin.x + edge;
  ImGui::SetCursorScreenPos(ImVec2(x, std::floor(cy - 14)));
  ui::Logo(28);
  x += 28 + 10;
  if (narrow) {  // a phone: the organization, then the account menu at the right edge
    OrganizationPicker(state, x, cy);
    AccountMenu(state, origin.x + width - edge, cy);
    ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + kTopBarHeight));
    return;
  }
  ImGui::PushFont(fonts.strong);
  draw->AddText(ImVec2(x, std::floor(cy - ImGui::GetTextLineHeight() * 0.5f)), theme::U32(p.text),
                "OAT Console");
  ImGui::SetCursorScreenPos(ImVec2(x, std::floor(cy - ImGui::GetTextLineHeight() * 0.5f)));
  ImGui::Dummy(ImGui::CalcTextSize("OAT Console"));
  semantics::Item(semantics::Role::Heading, "OAT Console");
  x += ImGui::CalcTextSize("OAT Console").x + 16;
  ImGui::PopFont();
  draw->AddLine(ImVec2(x, cy - 12), ImVec2(x, cy + 12), theme::U32(p.border), 1);
  x += 10;
  OrganizationPicker(state, x, cy);

  // Right, from the edge inwards: sign out, the person, the theme, usage.
  float right = origin.x + width - kEdge;
  {
    ImGui::PushFont(fonts.strong);
    const float w = ImGui::CalcTextSize("Sign out").x + 24;
    ImGui::PopFont();
    right -= w;
    ImGui::SetCursorScreenPos(ImVec2(right, std::floor(cy - 17)));
    if (ui::Button("Sign out", ui::ButtonKind::Secondary, ImVec2(w, 34))) SignOut(state);
    test_hook::MarkLastItem(names::kTopBarSignOut);
    if (!state.session.signed_in()) return;  // signed out just now: nothing more to draw
  }
  {
    const std::string& name = state.session.username;
    test_hook::Status(names::kStatusUser, name);
    const float name_width = ImGui::CalcTextSize(name.c_str()).x;
    right -= 14 + name_width;
    draw->AddText(ImVec2(right, std::floor(cy - ImGui::GetTextLineHeight() * 0.5f)),
                  theme::U32(p.text), name.c_str());
    ImGui::SetCursorScreenPos(ImVec2(right, std::floor(cy - ImGui::GetTextLineHeight() * 0.5f)));
    ImGui::Dummy(ImVec2(name_width, ImGui::GetTextLineHeight()));
    semantics::Item(semantics::Role::Text, "Signed in as " + name);
    const float r = 14;
    const ImVec2 c(right - 8 - r, cy);
    Avatar(name, c, r, 0.18f);
    right = c.x - r;
  }
  {
    right -= 12 + 34;
    DrawThemeToggle(state, ImVec2(right, std::floor(cy - 17)));
  }
  if (const Organization* org = SelectedOrganization(state); org && org->can_manage_tokens && org->token_quota > 0) {
    right -= 16;
    draw->AddLine(ImVec2(right, cy - 12), ImVec2(right, cy + 12), theme::U32(p.border), 1);
    right -= 16;
    Usage(*org, right, cy);
  }
  ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + kTopBarHeight));
}

}  // namespace console
