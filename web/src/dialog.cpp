#define IMGUI_DEFINE_MATH_OPERATORS
#include "dialog.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "focus.h"
#include "imgui_internal.h"
#include "test_hook.h"
#include "semantics.h"
#include "theme.h"
#include "widgets.h"

namespace console::ui {
namespace {

constexpr float kPadX = 24;
constexpr float kFooterHeight = 68;  // 16 + a 36-pixel button + 16
constexpr float kMargin = 32;        // between a dialog and the window's edges

// The dialog being drawn (one at a time), and what each measured last frame.
struct Measures {
  float header = 72;
  float body = 240;  // the body's content height
};
struct Current {
  ImGuiID id = 0;
  float width = 0;
  float height = 0;
  bool drawer = false;
  bool focused = false;
  float body_height = 0;
  float footer_top = 0;
  float footer_right = 0;
};

std::unordered_map<ImGuiID, Measures> g_measures;
Current g_current;

bool BeginModal(const char* id, float width, bool drawer) {
  if (!ImGui::IsPopupOpen(id)) ImGui::OpenPopup(id);
  const theme::Palette& p = theme::Current();
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  const ImGuiID key = ImGui::GetID(id);
  const Measures& m = g_measures[key];
  // On a phone (theme::Narrow), dialogs and the drawer take the whole screen.
  const bool whole = theme::Narrow();
  width = whole ? viewport->Size.x : std::floor(std::min(width, viewport->Size.x - (drawer ? 0 : kMargin)));
  float height = 0;
  if (whole) {
    height = viewport->Size.y;
    ImGui::SetNextWindowPos(viewport->Pos);
  } else if (drawer) {
    height = viewport->Size.y;
    ImGui::SetNextWindowPos(ImVec2(viewport->Pos.x + viewport->Size.x - width, viewport->Pos.y));
  } else {
    height = std::floor(std::min(m.header + m.body + kFooterHeight, viewport->Size.y - kMargin * 2));
    ImGui::SetNextWindowPos(ImVec2(std::floor(viewport->Pos.x + (viewport->Size.x - width) * 0.5f),
                                   std::floor(viewport->Pos.y + (viewport->Size.y - height) * 0.5f)));
  }
  ImGui::SetNextWindowSize(ImVec2(width, height));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  // A modal takes the window's rounding and border, not the popup's.
  ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, drawer || whole ? 0.0f : 12.0f);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 1.0f);
  ImGui::PushStyleColor(ImGuiCol_PopupBg, p.surface);
  ImGui::PushStyleColor(ImGuiCol_Border, p.border);
  const bool open = ImGui::BeginPopupModal(
      id, nullptr,
      ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove |
          ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  ImGui::PopStyleColor(2);
  ImGui::PopStyleVar(3);
  if (!open) return false;
  g_current = Current{};
  g_current.id = key;
  g_current.width = width;
  g_current.height = height;
  g_current.drawer = drawer;
  g_current.focused = ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows | ImGuiFocusedFlags_NoPopupHierarchy);
  return true;
}

bool KeyPressed(ImGuiKey key) { return ImGui::IsKeyPressed(ImGui::GetKeyIndex(key), false); }

}  // namespace

bool BeginDialog(const char* id, float width) { return BeginModal(id, width, false); }
bool BeginDrawer(const char* id, float width) { return BeginModal(id, width, true); }

bool DialogHeader(const std::string& title, const std::string& subtitle, const char* close_name) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  const float width = g_current.width;
  const ImVec2 origin = ImGui::GetWindowPos();
  semantics::Dialog(title);
  ImGui::SetCursorPos(ImVec2(kPadX, 20));
  ImGui::PushTextWrapPos(width - kPadX - 40);
  ui::Text(title, p.text, fonts.heading);
  if (!subtitle.empty()) {
    ImGui::SetCursorPos(ImVec2(kPadX, ImGui::GetCursorPosY() - 6));
    ImGui::PushStyleColor(ImGuiCol_Text, p.text_muted);
    ImGui::TextWrapped("%s", subtitle.c_str());
    ImGui::PopStyleColor();
  }
  ImGui::PopTextWrapPos();
  const float bottom = std::floor(ImGui::GetCursorPosY() - ImGui::GetStyle().ItemSpacing.y + 18);
  ImGui::SetCursorPos(ImVec2(width - kPadX - 32 + 8, 14));
  const bool close = ui::IconButton("##close", Icon::Close, 32, "Close (Esc)");
  test_hook::MarkLastItem(close_name);
  ImGui::GetWindowDrawList()->AddLine(origin + ImVec2(0, bottom - 0.5f), origin + ImVec2(width, bottom - 0.5f),
                                      theme::U32(p.border));
  g_measures[g_current.id].header = bottom;
  ImGui::SetCursorPos(ImVec2(0, bottom));
  return close;
}

void BeginDialogBody() {
  const float top = ImGui::GetCursorPosY();
  g_current.body_height = std::max(40.0f, std::floor(g_current.height - top - kFooterHeight));
  g_current.footer_top = std::floor(top + g_current.body_height);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(kPadX, 18));
  ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(0, 0, 0, 0));
  ImGui::BeginChild("##body", ImVec2(g_current.width, g_current.body_height), false,
                    ImGuiWindowFlags_AlwaysUseWindowPadding);
  ImGui::PopStyleColor();
  ImGui::PopStyleVar();
}

float DialogContentWidth() { return std::floor(g_current.width - kPadX * 2); }

void EndDialogBody() {
  const float content = ImGui::GetCursorPosY() - ImGui::GetStyle().ItemSpacing.y + 18;
  g_measures[g_current.id].body = std::floor(content);
  ImGui::EndChild();
}

void BeginDialogFooter() {
  const theme::Palette& p = theme::Current();
  const ImVec2 origin = ImGui::GetWindowPos();
  const float top = g_current.footer_top;
  ImGui::GetWindowDrawList()->AddLine(origin + ImVec2(0, top + 0.5f), origin + ImVec2(g_current.width, top + 0.5f),
                                      theme::U32(p.border));
  g_current.footer_right = g_current.width - kPadX;
  ImGui::SetCursorPos(ImVec2(kPadX, top + 16));
}

constexpr float kButtonGap = 10;  // between two of the footer's buttons

float RightButtonX(float width) {
  g_current.footer_right -= width;
  const float x = g_current.footer_right;
  g_current.footer_right -= kButtonGap;
  ImGui::SetCursorPos(ImVec2(x, g_current.footer_top + 16));
  return x;
}

float FooterFit(float widths, int buttons) {
  const float room = DialogContentWidth() - kButtonGap * static_cast<float>(std::max(0, buttons - 1));
  return widths > room && widths > 0 ? std::max(0.5f, room / widths) : 1.0f;
}

void EndDialogFooter() { ImGui::SetCursorPos(ImVec2(0, g_current.footer_top + kFooterHeight)); }

void EndDialog() { ImGui::EndPopup(); }

void CloseDialog() { ImGui::CloseCurrentPopup(); }

bool DialogEnterPressed() {
  return g_current.focused && !focus::EnterTaken() &&
         (KeyPressed(ImGuiKey_Enter) || KeyPressed(ImGuiKey_KeyPadEnter));
}

bool DialogEscapePressed() { return g_current.focused && KeyPressed(ImGuiKey_Escape); }

}  // namespace console::ui
