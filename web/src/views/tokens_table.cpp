// [SECTION] Rows: filter and order
// [SECTION] Cells
// [SECTION] Columns: what shows, how wide
// [SECTION] Cards: the rows on a phone
// [SECTION] The table
#define IMGUI_DEFINE_MATH_OPERATORS
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <optional>
#include <vector>

#include "client.h"
#include "focus.h"
#include "format.h"
#include "imgui.h"
#include "imgui_internal.h"
#include "oat/lifecycle.h"
#include "redraw.h"
#include "route.h"
#include "semantics.h"
#include "test_hook.h"
#include "theme.h"
#include "views/views.h"
#include "widget_names.h"
#include "widgets.h"

namespace console {
namespace {

constexpr float kRowHeight = 48;
// Rows the page lacks, drawn out of sight in one frame (semantics::BeginRow): one. The page makes
// a few of its elements a frame (semantics.cpp), so more would only be described again.
constexpr int kRowsMadeAFrame = 1;
// Past this many rows (a plan holds at most 100 tokens), only the rows on the screen are.
constexpr int kEveryRowAtMost = 1000;
constexpr float kCellPadX = 16;
constexpr float kCellPadY = 11;
constexpr int kColumns = 7;  // TokenColumn's order; the last holds the row's actions
constexpr int kActionsColumn = kColumns - 1;
constexpr float kMenuButton = kRowHeight - 2 * kCellPadY;
constexpr std::int64_t kSoonSeconds = 7 * 86400;  // "expires soon" is shown in warning color

// -----------------------------------------------------------------------------------------------
// [SECTION] Rows: filter and order
// -----------------------------------------------------------------------------------------------

struct Row {
  const oat::AccessToken* token;
  oat::TokenState state;
};

bool Matches(const State& state, const oat::AccessToken& token, oat::TokenState token_state) {
  const TokensTable& view = state.tokens_table;
  switch (view.status) {
    case StatusFilter::All: break;
    case StatusFilter::Active: if (token_state != oat::TokenState::Active) return false; break;
    case StatusFilter::Inactive: if (token_state != oat::TokenState::Inactive) return false; break;
    case StatusFilter::Expired: if (token_state != oat::TokenState::Expired) return false; break;
  }
  return format::ContainsFolded(token.label, view.filter) ||
         format::ContainsFolded(token.description, view.filter) ||
         format::ContainsFolded(token.created_by, view.filter);
}

int CompareText(const std::string& a, const std::string& b) {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const int ca = std::tolower(static_cast<unsigned char>(a[i]));
    const int cb = std::tolower(static_cast<unsigned char>(b[i]));
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

template <class T>
int Compare(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// Never-used sorts as the oldest use; never-expiring as the furthest expiry.
long long LastUsedKey(const oat::AccessToken& t) {
  return t.last_used_at ? oat::to_unix(*t.last_used_at) : -1;
}
long long ExpiresKey(const oat::AccessToken& t) {
  return t.expires_at ? oat::to_unix(*t.expires_at) : (1LL << 62);
}

int CompareBy(TokenColumn column, const Row& a, const Row& b) {
  const oat::AccessToken& x = *a.token;
  const oat::AccessToken& y = *b.token;
  switch (column) {
    case TokenColumn::Label: return CompareText(x.label, y.label);
    case TokenColumn::Status: return Compare(static_cast<int>(a.state), static_cast<int>(b.state));
    case TokenColumn::CreatedBy: return CompareText(x.created_by, y.created_by);
    case TokenColumn::Created: return Compare(x.created_at, y.created_at);
    case TokenColumn::LastUsed: return Compare(LastUsedKey(x), LastUsedKey(y));
    case TokenColumn::Expires: return Compare(ExpiresKey(x), ExpiresKey(y));
  }
  return 0;
}

std::vector<Row> VisibleRows(const State& state) {
  std::vector<Row> rows;
  for (const oat::AccessToken& token : state.tokens.items) {
    const oat::TokenState s = oat::derive_state(token.is_active, token.expires_at, state.now);
    if (Matches(state, token, s)) rows.push_back({&token, s});
  }
  const TokensTable& view = state.tokens_table;
  // Ties keep the server's order (newest first).
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    const int c = CompareBy(view.sort_column, a, b);
    return view.sort_ascending ? c < 0 : c > 0;
  });
  return rows;
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Cells
// -----------------------------------------------------------------------------------------------

// Centers one text line vertically in the row.
void CellStart() { ui::CenterLineInRow(kRowHeight, kCellPadY); }

// What a row's Status cell shows: a spinner and a verb while its change is in flight, else a
// badge (the token policy's refusal before the token's own state).
struct StatusCell {
  const char* text = "";
  bool busy = false;
  oat::Status blocked;
};
constexpr char kActivating[] = "Activating\xE2\x80\xA6";
constexpr char kDeactivating[] = "Deactivating\xE2\x80\xA6";
constexpr float kSpinnerRadius = 8;
constexpr float kSpinnerGap = 8;  // between the spinner and its verb

StatusCell StatusOf(const State& state, const Row& row) {
  const TokenAction& action = state.action;
  if (action.pending && action.token_id == row.token->id && action.kind != TokenActionKind::Delete) {
    return {action.kind == TokenActionKind::Activate ? kActivating : kDeactivating, true, {}};
  }
  if (oat::Status blocked = PolicyBlock(state, *row.token)) return {"Blocked by policy", false, std::move(blocked)};
  return {TokenStateWord(row.state), false, {}};
}

std::string LastUsedText(const oat::AccessToken& t, oat::Timestamp now) {
  return t.last_used_at ? format::RelativeTime(*t.last_used_at, now) : "Never";
}

// The date it expires or expired, or how soon when that is within kSoonSeconds.
std::string ExpiresText(const oat::AccessToken& t, oat::Timestamp now) {
  if (!t.expires_at) return "Never";
  const long long left = oat::to_unix(*t.expires_at) - oat::to_unix(now);
  if (left > 0 && left <= kSoonSeconds) return "Expires " + format::RelativeTime(*t.expires_at, now);
  return format::ShortDate(*t.expires_at);
}

void TimeCell(const std::string& shown, const ImVec4& color, oat::Timestamp exact,
              const std::string& extra = "") {
  ui::Text(shown, color);
  if (!ImGui::IsItemHovered()) return;  // the tooltip's words only when it shows
  std::string tip = format::ExactLocalTime(exact);
  if (!extra.empty()) tip = extra + "\n" + tip;
  ui::Tooltip(tip);
}

// One entry of the row menu.
bool MenuItem(const char* text, const char* name, bool danger = false) {
  const theme::Palette& p = theme::Current();
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const bool chosen = ImGui::Selectable((std::string("##") + name).c_str(), false, 0, ImVec2(180, 30));
  focus::TabStop();
  semantics::Item(semantics::Role::MenuItem, text);
  if (ImGui::IsItemHovered()) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  test_hook::MarkLastItem(name);
  ImGui::GetWindowDrawList()->AddText(ImVec2(pos.x + 10, std::floor(pos.y + (30 - ImGui::GetTextLineHeight()) * 0.5f)),
                                      theme::U32(danger ? p.danger : p.text), text);
  return chosen;
}

// The row's "..." menu: details, and what the token's state allows (oat::check_token_action).
// AT: the button's upper left corner (a card's); else at the right of the cell.
void RowMenu(State& state, const Row& row, int index, const ImVec2* at = nullptr) {
  const theme::Palette& p = theme::Current();
  const oat::AccessToken& t = *row.token;
  const std::string prefix = names::kTokensRowPrefix + std::to_string(index);
  ImGui::PushID(t.id.c_str());
  const float size = kMenuButton;
  if (at) {
    ImGui::SetCursorScreenPos(*at);
  } else {
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x - size);
  }
  if (ui::IconButton("##menu", ui::Icon::Dots, size, "Actions", ("Actions for " + t.label).c_str())) {
    ImGui::OpenPopup("##actions");
  }
  test_hook::MarkLastItem(prefix + names::kTokensRowMenuSuffix);
  // The menu opens under the button, its right edge on the button's.
  ImGui::SetNextWindowPos(ImVec2(ImGui::GetItemRectMax().x, ImGui::GetItemRectMax().y + 4), ImGuiCond_Appearing,
                          ImVec2(1, 0));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(6, 6));
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0, 2));
  if (ImGui::BeginPopup("##actions")) {
    semantics::BeginGroup(semantics::Group::Menu, "Actions for " + t.label);
    ImGui::PushFont(theme::GetFonts().small);
    ImGui::PushStyleColor(ImGuiCol_Text, p.text_faint);
    ImGui::SetCursorPos(ImGui::GetCursorPos() + ImVec2(10, 4));
    {
      const semantics::Quiet quiet;  // the menu is named after the token
      ui::TextEllipsis(t.label, 160, nullptr, p.text_faint);
    }
    ImGui::Dummy(ImVec2(0, 2));
    ImGui::PopStyleColor();
    ImGui::PopFont();
    if (MenuItem("View details", names::kRowDetails)) OpenTokenDetails(state, t.id);
    if (Allows(row.state, oat::TokenAction::Edit) && MenuItem("Edit\xE2\x80\xA6", names::kRowEdit)) {
      OpenEditDialog(state, t.id, false);
    }
    if (row.state == oat::TokenState::Active && Allows(row.state, oat::TokenAction::Deactivate) &&
        MenuItem("Deactivate", names::kRowDeactivate)) {
      SetTokenActive(state, t.id, t.label, false, ActionOrigin::Table);
    }
    if (row.state == oat::TokenState::Inactive && Allows(row.state, oat::TokenAction::Activate) &&
        MenuItem("Activate", names::kRowActivate)) {
      SetTokenActive(state, t.id, t.label, true, ActionOrigin::Table);
    }
    if (Allows(row.state, oat::TokenAction::Rotate) && MenuItem("Rotate\xE2\x80\xA6", names::kRowRotate)) {
      OpenRotateDialog(state, t, false);
    }
    if (Allows(row.state, oat::TokenAction::Delete)) {
      ImGui::Separator();
      if (MenuItem("Delete\xE2\x80\xA6", names::kRowDelete, true)) {
        OpenDeleteDialog(state, t.id, t.label, ActionOrigin::Table);
      }
    }
    semantics::EndGroup();
    test_hook::Status(names::kStatusMenu, TokenStateWord(row.state));
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
  ImGui::PopStyleVar(2);
  ImGui::PopID();
}

// A row's or a card's whole area as one button that opens the token's details (the "..." button
// later overlaps it); to the page, a link to them (a new tab opens them there). A right-click (a
// long press on a touch screen, pointer.h) opens the row's "..." menu.
void RowLink(State& state, const oat::AccessToken& t, ImGuiSelectableFlags flags, ImVec2 size) {
  ImGui::PushStyleColor(ImGuiCol_Header, ImVec4(0, 0, 0, 0));
  ImGui::PushStyleColor(ImGuiCol_HeaderHovered, ImVec4(0, 0, 0, 0));
  ImGui::PushStyleColor(ImGuiCol_HeaderActive, ImVec4(0, 0, 0, 0));
  if (ImGui::Selectable("##row", false, flags | ImGuiSelectableFlags_AllowItemOverlap, size)) {
    OpenTokenDetails(state, t.id);
  }
  semantics::Item(semantics::Role::Link, t.label, FormatRoute(Route{state.selected_org, View::Tokens, t.id}));
  if (ImGui::IsItemClicked(ImGuiMouseButton_Right)) ImGui::OpenPopup("##actions");
  focus::TabStop();
  ImGui::PopStyleColor(3);
}

// What a row says, for tests that must not read pixels.
void PublishRow(const State& state, const Row& row, const std::string& prefix) {
  if (!test_hook::Enabled()) return;
  test_hook::Status(prefix + names::kTokensRowLabelSuffix, row.token->label);
  test_hook::Status(prefix + names::kTokensRowStateSuffix, TokenStateWord(row.state));
  test_hook::Status(prefix + names::kTokensRowLastUsedSuffix, LastUsedText(*row.token, state.now));
}

// The token's state as a badge, or a change in flight.
void DrawStatus(const State& state, const Row& row, const std::string& prefix) {
  const theme::Palette& p = theme::Current();
  const StatusCell status = StatusOf(state, row);
  if (status.busy) {
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 1);
    ui::Spinner(kSpinnerRadius, p.text_muted);
    ImGui::SameLine(0, kSpinnerGap);
    ui::Text(status.text, p.text_muted);
    test_hook::MarkLastItem(prefix + names::kTokensRowStatusSuffix, "pending");
  } else if (status.blocked) {
    // Active, yet its sign-ins are refused until an owner rotates it (or loosens the policy).
    ui::Badge(status.text, p.warning);
    test_hook::MarkLastItem(prefix + names::kTokensRowStatusSuffix, status.text);
    ui::Tooltip(status.blocked->message);
    if (test_hook::Enabled()) test_hook::Status(prefix + names::kTokensRowBlockedSuffix, status.blocked->message);
  } else {
    ui::Badge(status.text, TokenStateColor(row.state));
    test_hook::MarkLastItem(prefix + names::kTokensRowStatusSuffix, status.text);
  }
}

void DrawLastUsed(const State& state, const oat::AccessToken& t, const std::string& prefix) {
  const theme::Palette& p = theme::Current();
  const std::string last_used = LastUsedText(t, state.now);
  if (t.last_used_at) {
    TimeCell(last_used, p.text_muted, *t.last_used_at);
  } else {
    ui::Text(last_used, p.text_faint);
  }
  test_hook::MarkLastItem(prefix + names::kTokensRowLastUsedSuffix, last_used);
}

void DrawExpires(const State& state, const oat::AccessToken& t, const std::string& prefix) {
  const theme::Palette& p = theme::Current();
  const std::string expires = ExpiresText(t, state.now);
  if (!t.expires_at) {
    ui::Text(expires, p.text_faint);
  } else {
    const long long left = oat::to_unix(*t.expires_at) - oat::to_unix(state.now);
    const std::string relative = format::RelativeTime(*t.expires_at, state.now);
    if (left <= 0) {
      TimeCell(expires, p.text_faint, *t.expires_at, "Expired " + relative);
    } else if (left <= kSoonSeconds) {
      TimeCell(expires, p.warning, *t.expires_at);
    } else {
      TimeCell(expires, p.text_muted, *t.expires_at, "Expires " + relative);
    }
  }
  test_hook::MarkLastItem(prefix + names::kTokensRowExpiresSuffix, expires);
}

// What a row says, as a hash (semantics::BeginRow): its token's fields, the minute (its relative
// times) and the columns' layout.
ImGuiID RowVersion(const State& state, const Row& row, ImGuiID layout) {
  const oat::AccessToken& t = *row.token;
  ImGuiID h = layout;
  for (const std::string* text : {&t.id, &t.label, &t.created_by}) h = ImHashStr(text->data(), text->size(), h);
  const long long numbers[] = {static_cast<long long>(row.state), t.is_active ? 1 : 0, oat::to_unix(t.created_at),
                               t.expires_at ? oat::to_unix(*t.expires_at) : -1,
                               t.last_used_at ? oat::to_unix(*t.last_used_at) : -1, oat::to_unix(state.now) / 60};
  return ImHashData(numbers, sizeof numbers, h);
}

// Every row of a list is on the page (semantics::BeginRow): the ones on the screen drawn, the
// rest kept where they would be. A row the page lacks (never drawn, or changed since) is drawn
// out of sight too, one a frame; one the page's focus went to is scrolled into view.
// STEP: from one row's top to the next's; HEIGHT: a row's; SPAN: left and width; SIGHT: the top
// and bottom of what shows. BEGIN(i) begins row i and says where its top is; DRAW(i, top,
// version) draws it.
template <typename Begin, typename Draw>
void EveryRow(const State& state, const std::vector<Row>& rows, semantics::Group group, ImGuiID layout, float step,
              float height, ImVec2 span, ImVec2 sight, Begin begin, Draw draw) {
  const int count = static_cast<int>(rows.size());
  const bool every = count <= kEveryRowAtMost;
  std::vector<ImGuiID> versions(rows.size());
  int missing = -1, in_view = -1;
  for (int i = 0; i < count && every; ++i) {
    versions[i] = RowVersion(state, rows[i], layout);
    const semantics::Want want = semantics::RowWanted(group, rows[i].token->id, versions[i]);
    if (want == semantics::Want::View) in_view = i;
    if (want == semantics::Want::Items && missing < 0) missing = i;
  }
  ImGuiListClipper clipper;
  clipper.Begin(count, step);
  if (missing >= 0) {
    clipper.ForceDisplayRangeByIndices(missing, std::min(count, missing + kRowsMadeAFrame));
    redraw::Animate();  // and the next ones in the next frame
  }
  if (in_view >= 0) clipper.ForceDisplayRangeByIndices(in_view, in_view + 1);
  int kept = 0;  // the rows above this one are on the page
  auto keep = [&](int below, float top_of_below) {
    for (; every && kept < below; ++kept) {
      const oat::AccessToken& t = *rows[static_cast<std::size_t>(kept)].token;
      semantics::KeepRow(group, t.label, t.id, ImVec2(span.x, top_of_below - static_cast<float>(below - kept) * step),
                         ImVec2(span.y, height));
    }
  };
  float next_top = 0;
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const float top = begin(i);
      keep(i, top);
      // Drawn out of sight, for the page: the tests see the rows on the screen.
      std::optional<test_hook::Muted> muted;
      if (top + height <= sight.x || top >= sight.y) muted.emplace();
      if (i == in_view) ImGui::SetScrollHereY(0.5f);
      draw(i, top, every ? versions[static_cast<std::size_t>(i)] : 0);
      kept = i + 1;
      next_top = top + step;
    }
  }
  keep(count, next_top + static_cast<float>(count - kept) * step);
}

// In a row begun (TableNextRow). TOP: its upper edge on the screen; VERSION: RowVersion's.
void DrawRow(State& state, const Row& row, int index, float row_left, float row_width,
             float body_top, float body_bottom, float top, ImGuiID version) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  const oat::AccessToken& t = *row.token;
  const std::string prefix = names::kTokensRowPrefix + std::to_string(index);
  semantics::BeginRow(semantics::Group::Row, t.label, t.id, ImVec2(row_left, top), ImVec2(row_width, kRowHeight),
                      version);

  ImGui::TableSetColumnIndex(0);
  const float row_top = ImGui::GetCursorScreenPos().y - kCellPadY;
  if (ui::HighlightHoveredRow(ImVec2(row_left, row_top), ImVec2(row_width, kRowHeight), body_top)) {
    ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  }
  if (test_hook::Enabled() && row_top >= body_top - 0.5f && row_top + kRowHeight <= body_bottom + 0.5f) {
    test_hook::Mark(prefix, ImVec2(row_left, row_top), ImVec2(row_left + row_width, row_top + kRowHeight));
  }

  ImGui::PushID(t.id.c_str());
  const ImVec2 cell = ImGui::GetCursorPos();
  RowLink(state, t, ImGuiSelectableFlags_SpanAllColumns, ImVec2(0, kRowHeight - 2 * kCellPadY));
  ImGui::SetCursorPos(cell);

  // Label (description on hover).
  CellStart();
  {
    const semantics::Quiet quiet;  // the row's link says it
    ui::TextEllipsis(t.label, ImGui::GetContentRegionAvail().x, fonts.strong, p.text);
  }
  test_hook::MarkLastItem(prefix + names::kTokensRowLabelSuffix, t.label);
  if (!t.description.empty()) ui::Tooltip(t.description);
  ImGui::PopID();

  ImGui::TableSetColumnIndex(static_cast<int>(TokenColumn::Status));
  CellStart();
  DrawStatus(state, row, prefix);

  // The columns a narrow window hides (TableSetColumnIndex is false) are left out.
  if (ImGui::TableSetColumnIndex(static_cast<int>(TokenColumn::CreatedBy))) {
    CellStart();
    ui::TextEllipsis(t.created_by, ImGui::GetContentRegionAvail().x, nullptr, p.text);
  }

  if (ImGui::TableSetColumnIndex(static_cast<int>(TokenColumn::Created))) {
    CellStart();
    TimeCell(format::ShortDate(t.created_at), p.text_muted, t.created_at,
             "Created " + format::RelativeTime(t.created_at, state.now));
  }

  if (ImGui::TableSetColumnIndex(static_cast<int>(TokenColumn::LastUsed))) {
    CellStart();
    DrawLastUsed(state, t, prefix);
  }

  if (ImGui::TableSetColumnIndex(static_cast<int>(TokenColumn::Expires))) {
    CellStart();
    DrawExpires(state, t, prefix);
  }

  ImGui::TableSetColumnIndex(kActionsColumn);
  RowMenu(state, row, index);

  PublishRow(state, row, prefix);
  semantics::EndGroup();
}

// What the card shows when there is no row to draw.
void EmptyState(State& state, ImVec2 a, ImVec2 b) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  const TokensTable& view = state.tokens_table;
  ui::CenteredColumn column = ui::EmptyStateColumn(a, b, 440, 70);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  // The key in a tinted circle, above the words.
  auto key = [&](const ImVec4& color, float tint) {
    const float r = 26;
    draw->AddCircleFilled(ImVec2(column.center_x, column.y + r), r, theme::U32(theme::Alpha(color, tint)), 40);
    ui::DrawIcon(draw, ui::Icon::Key, ImVec2(column.center_x, column.y + r), 30, theme::U32(color));
    column.y += r * 2 + 16;
  };
  // A button under the words; true when clicked.
  auto button = [&](const char* label) {
    column.y += 8;
    ImGui::PushFont(fonts.strong);
    const float w = ImGui::CalcTextSize(label).x + 28;
    ImGui::PopFont();
    ImGui::SetCursorScreenPos(ImVec2(std::floor(column.center_x - w * 0.5f), column.y));
    return ui::Button(label, ui::ButtonKind::Secondary, ImVec2(w, 34));
  };

  if (state.tokens.loading && !state.tokens.loaded) {
    ImGui::SetCursorScreenPos(ImVec2(column.center_x - 12, column.y));
    ui::Spinner(12, p.primary);
    column.y += 36;
    column.Paragraph("Loading tokens\xE2\x80\xA6", fonts.body, p.text_muted);
    return;
  }
  if (!state.tokens.loaded && state.tokens.error_status == 403) {
    // Not a failure: this person may not manage this organization's tokens.
    key(p.neutral, 0.14f);
    column.Paragraph("You cannot see " + state.tokens.org + "'s tokens", fonts.strong, p.text);
    column.Paragraph(state.tokens.error, fonts.body, p.text_muted);
    return;
  }
  if (!state.tokens.loaded && !state.tokens.error.empty()) {
    column.Paragraph("The tokens could not be loaded", fonts.strong, p.text);
    column.Paragraph(state.tokens.error, fonts.body, p.danger);
    if (button("Try again")) LoadTokens(state);
    test_hook::MarkLastItem(names::kTokensRetry);
    return;
  }

  const bool filtered = !view.filter.empty() || view.status != StatusFilter::All;
  if (filtered && !state.tokens.items.empty()) {
    column.Paragraph("No tokens match these filters", fonts.strong, p.text);
    column.Paragraph("Try another word, or show every status.", fonts.body, p.text_muted);
    if (button("Clear filters")) {
      state.tokens_table.filter.clear();
      state.tokens_table.status = StatusFilter::All;
    }
    test_hook::MarkLastItem(names::kTokensClearFilters);
    return;
  }

  // No token at all.
  key(p.primary, 0.12f);
  column.Paragraph("No access tokens yet", fonts.strong, p.text);
  column.Paragraph("Organization access tokens let CI and deploy jobs push and pull " + state.tokens.org +
                       "'s images without a personal account.",
                   fonts.body, p.text_muted);
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Columns: what shows, how wide
// -----------------------------------------------------------------------------------------------

// Each column is as wide as what it holds: its widest cell, or its header with the sort arrow
// (a creator's name is cut at kCellMaxWidth). Label takes what is left of the card, but no less
// than its widest label (at least kLabelMinWidth; beyond kLabelMaxWidth a label is cut, whole in
// its tooltip and in the drawer). When the card is too narrow for all that, columns go, in
// kHideOrder, until it fits: Label, Status and the row's menu always show, and what a hidden
// column said is in the details drawer.
constexpr float kLabelMinWidth = 160;
constexpr float kLabelMaxWidth = 300;
constexpr float kCellMaxWidth = 200;
constexpr float kSortArrowGap = 8;      // between a header and its sort arrow
constexpr float kSortArrowHalf = 3.5f;  // half the arrow's width
// Who made a token and when tell least about what to do with it; whether it is still used and
// when it stops working tell most.
constexpr TokenColumn kHideOrder[] = {TokenColumn::Created, TokenColumn::CreatedBy, TokenColumn::LastUsed,
                                      TokenColumn::Expires};

const char* const kHeaders[kColumns] = {"LABEL", "STATUS", "CREATED BY", "CREATED", "LAST USED", "EXPIRES", ""};

// A column's name as said (the header shows it in capitals): "Last used", "Actions".
std::string ColumnName(int column) {
  return column == kActionsColumn ? "Actions" : format::SentenceCase(kHeaders[column]);
}
static_assert(std::size(names::kTokensHeaderColumns) == kColumns);

float TextWidth(const char* text, ImFont* font = nullptr) {
  if (font) ImGui::PushFont(font);
  const float width = ImGui::CalcTextSize(text).x;
  if (font) ImGui::PopFont();
  return width;
}
float TextWidth(const std::string& text, ImFont* font = nullptr) { return TextWidth(text.c_str(), font); }

// What the Status cell shows takes: a badge, or (BUSY) a spinner and a verb.
float StatusWidth(const char* text, bool busy) {
  return busy ? kSpinnerRadius * 2 + kSpinnerGap + TextWidth(text) : ui::BadgeWidth(text);
}

// The content width of each column that shows (the least Label gets); 0 for a hidden one.
struct ColumnWidths {
  float width[kColumns] = {};
  bool Shown(int column) const { return width[column] > 0; }
};

// INNER_WIDTH: the card's, less the scrollbar when the rows scroll.
ColumnWidths FitColumns(const State& state, const std::vector<Row>& rows, float inner_width) {
  const theme::Fonts& fonts = theme::GetFonts();
  float want[kColumns];
  for (int column = 0; column < kActionsColumn; ++column) {
    want[column] = TextWidth(kHeaders[column], fonts.small) + kSortArrowGap + 2 * kSortArrowHalf;
  }
  want[kActionsColumn] = kMenuButton;
  auto widen = [&](TokenColumn column, float width) {
    float& w = want[static_cast<int>(column)];
    w = std::max(w, width);
  };
  for (const Row& row : rows) {
    const oat::AccessToken& t = *row.token;
    widen(TokenColumn::Label, TextWidth(t.label, fonts.strong));
    const StatusCell status = StatusOf(state, row);
    if (!status.busy) widen(TokenColumn::Status, StatusWidth(status.text, false));
    // Room for the verb a change in flight shows in place of the badge: no column comes and goes
    // while it is in flight.
    if (row.state != oat::TokenState::Expired) {
      const char* verb = row.state == oat::TokenState::Active ? kDeactivating : kActivating;
      widen(TokenColumn::Status, StatusWidth(verb, true));
    }
    widen(TokenColumn::CreatedBy, std::min(TextWidth(t.created_by), kCellMaxWidth));
    widen(TokenColumn::Created, TextWidth(format::ShortDate(t.created_at)));
    widen(TokenColumn::LastUsed, TextWidth(LastUsedText(t, state.now)));
    widen(TokenColumn::Expires, TextWidth(ExpiresText(t, state.now)));
  }
  float& label = want[static_cast<int>(TokenColumn::Label)];
  label = std::clamp(label, kLabelMinWidth, kLabelMaxWidth);

  // Each column costs its content and a cell's padding on either side.
  ColumnWidths fit;
  float left = inner_width;
  for (const int column : {static_cast<int>(TokenColumn::Label), static_cast<int>(TokenColumn::Status), kActionsColumn}) {
    fit.width[column] = want[column];
    left -= want[column] + 2 * kCellPadX;
  }
  for (auto it = std::rbegin(kHideOrder); it != std::rend(kHideOrder); ++it) {
    const int column = static_cast<int>(*it);
    if (want[column] + 2 * kCellPadX > left) break;
    fit.width[column] = want[column];
    left -= want[column] + 2 * kCellPadX;
  }
  return fit;
}

// A header's click: the sorted column again turns the order around; another sorts by it (the
// dates of creation and use newest first). The order is the state's, not the Dear ImGui table's
// (which would move it to another column when the sorted one hides).
void SortBy(TokensTable& view, TokenColumn column) {
  if (view.sort_column == column) {
    view.sort_ascending = !view.sort_ascending;
    return;
  }
  view.sort_column = column;
  view.sort_ascending = column != TokenColumn::Created && column != TokenColumn::LastUsed;
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Cards: the rows on a phone
// -----------------------------------------------------------------------------------------------

// Below theme::kNarrowWidth the rows are cards, one under another: the label, the status and the
// "..." menu on the first line, then when it was last used and when it expires, each under its
// caption. What a card leaves out (who made it, when) is in the details drawer.
constexpr float kCardHeight = 94;
constexpr float kCardGap = 8;
constexpr float kCardPad = 14;
constexpr float kCardRadius = 10;
constexpr float kCaptionGap = 10;  // between the first line and the captions

// TOP, VERSION: as for DrawRow.
void DrawCard(State& state, const Row& row, int index, float left, float width, float clip_top, float clip_bottom,
              float top, ImGuiID version) {
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  const oat::AccessToken& t = *row.token;
  const std::string prefix = names::kTokensRowPrefix + std::to_string(index);
  const ImVec2 top_left(left, top);
  const ImVec2 bottom_right = top_left + ImVec2(width, kCardHeight);
  semantics::BeginRow(semantics::Group::ListItem, t.label, t.id, top_left, ImVec2(width, kCardHeight), version);

  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const bool hovered = ImGui::IsWindowHovered() && ImRect(top_left, bottom_right).Contains(mouse);
  draw->AddRectFilled(top_left, bottom_right, theme::U32(hovered ? p.surface_muted : p.surface), kCardRadius);
  draw->AddRect(top_left, bottom_right, theme::U32(p.border), kCardRadius);
  if (test_hook::Enabled() && top_left.y >= clip_top - 0.5f && bottom_right.y <= clip_bottom + 0.5f) {
    test_hook::Mark(prefix, top_left, bottom_right);
  }

  ImGui::PushID(t.id.c_str());
  ImGui::SetCursorScreenPos(top_left);
  RowLink(state, t, 0, ImVec2(width, kCardHeight));

  // First line: the label, then the status and the menu at the right.
  const float line_top = top_left.y + kCardPad;
  const float menu_x = bottom_right.x - kCardPad + 6 - kMenuButton;  // the dots' ink lines up with the padding
  const StatusCell status = StatusOf(state, row);
  const float status_x = menu_x - 8 - StatusWidth(status.text, status.busy);
  const float line_y = line_top + std::floor((kMenuButton - ImGui::GetTextLineHeight()) * 0.5f);
  ImGui::SetCursorScreenPos(ImVec2(top_left.x + kCardPad, line_y));
  {
    const semantics::Quiet quiet;  // the card's link says it
    ui::TextEllipsis(t.label, std::max(40.0f, status_x - 12 - (top_left.x + kCardPad)), fonts.strong, p.text);
  }
  test_hook::MarkLastItem(prefix + names::kTokensRowLabelSuffix, t.label);
  ImGui::PopID();
  ImGui::SetCursorScreenPos(ImVec2(status_x, line_y - (status.busy ? 0 : 1)));
  DrawStatus(state, row, prefix);

  // Then when it was last used and when it expires, each under its caption.
  const float caption_y = line_top + kMenuButton + kCaptionGap;
  const float half = std::floor((width - 2 * kCardPad) * 0.5f);
  ImGui::PushFont(fonts.small);
  const float value_y = caption_y + ImGui::GetTextLineHeight() + 6;
  ImGui::PopFont();
  for (int column = 0; column < 2; ++column) {
    const float x = top_left.x + kCardPad + column * half;
    ImGui::SetCursorScreenPos(ImVec2(x, caption_y));
    ImGui::PushFont(fonts.small);
    ui::Text(column == 0 ? "Last used" : "Expires", p.text_faint);
    ImGui::PopFont();
    ImGui::SetCursorScreenPos(ImVec2(x, value_y));
    if (column == 0) {
      DrawLastUsed(state, t, prefix);
    } else {
      DrawExpires(state, t, prefix);
    }
  }

  const ImVec2 menu_at(menu_x, line_top);
  RowMenu(state, row, index, &menu_at);
  PublishRow(state, row, prefix);
  semantics::EndGroup();
  ImGui::SetCursorScreenPos(ImVec2(left, bottom_right.y + kCardGap));
}

void DrawTokenCards(State& state, float width, float height) {
  const theme::Palette& p = theme::Current();
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const std::vector<Row> rows = VisibleRows(state);
  if (rows.empty()) {
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->AddRectFilled(pos, pos + ImVec2(width, height), theme::U32(p.surface), kCardRadius);
    draw->AddRect(pos, pos + ImVec2(width, height), theme::U32(p.border), kCardRadius);
    EmptyState(state, pos, pos + ImVec2(width, height));
  } else {
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
    ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(0, 0, 0, 0));
    if (ImGui::BeginChild("##cards", ImVec2(width, height), false)) {
      semantics::BeginGroup(semantics::Group::List, "Access tokens");
      const float inner = ImGui::GetContentRegionAvail().x;
      const float clip_top = ImGui::GetWindowPos().y;
      const float clip_bottom = clip_top + ImGui::GetWindowHeight();
      const float left = ImGui::GetWindowPos().x;
      const ImGuiID layout = ImHashData(&inner, sizeof inner);
      EveryRow(state, rows, semantics::Group::ListItem, layout, kCardHeight + kCardGap, kCardHeight, ImVec2(left, inner),
               ImVec2(clip_top, clip_bottom), [](int) { return ImGui::GetCursorScreenPos().y; },
               [&](int i, float top, ImGuiID version) {
                 DrawCard(state, rows[static_cast<std::size_t>(i)], i, left, inner, clip_top, clip_bottom, top,
                          version);
               });
      semantics::EndGroup();
    }
    ImGui::EndChild();
    ImGui::PopStyleColor();
    ImGui::PopStyleVar();
  }
  test_hook::Status(names::kStatusRows, static_cast<long long>(rows.size()));
  ImGui::SetCursorScreenPos(ImVec2(pos.x, pos.y + height));
  ImGui::Dummy(ImVec2(width, 0));
}

}  // namespace

// -----------------------------------------------------------------------------------------------
// [SECTION] The table
// -----------------------------------------------------------------------------------------------

const char* TokenStateWord(oat::TokenState s) {
  switch (s) {
    case oat::TokenState::Active: return "Active";
    case oat::TokenState::Inactive: return "Inactive";
    case oat::TokenState::Expired: return "Expired";
  }
  return "";
}

ImVec4 TokenStateColor(oat::TokenState s) {
  const theme::Palette& p = theme::Current();
  switch (s) {
    case oat::TokenState::Active: return p.success;
    case oat::TokenState::Inactive: return p.neutral;
    case oat::TokenState::Expired: return p.danger;
  }
  return p.neutral;
}

std::size_t VisibleTokenCount(const State& state) { return VisibleRows(state).size(); }

float TokensTableNaturalHeight(const State& state) {
  const std::size_t rows = VisibleTokenCount(state);
  if (theme::Narrow()) return rows == 0 ? 300 : static_cast<float>(rows) * (kCardHeight + kCardGap);
  return ui::TableNaturalHeight(rows, kRowHeight, kCellPadY);
}

void DrawTokensTable(State& state, float width, float height) {
  if (theme::Narrow()) {
    DrawTokenCards(state, width, height);
    return;
  }
  const theme::Palette& p = theme::Current();
  const theme::Fonts& fonts = theme::GetFonts();
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const float header_height = ui::TableCard(ImVec2(width, height), kCellPadY);
  const ImVec2 end = pos + ImVec2(width, height);

  const std::vector<Row> rows = VisibleRows(state);
  const float table_height = rows.empty() ? header_height : height - 1;
  const bool scrolls = ui::TableNaturalHeight(rows.size(), kRowHeight, kCellPadY) > height;
  const ColumnWidths fit = FitColumns(state, rows, width - (scrolls ? ImGui::GetStyle().ScrollbarSize : 0));

  constexpr ImGuiTableFlags kFlags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit |
                                     ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_PadOuterX |
                                     ImGuiTableFlags_NoSavedSettings;
  ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, ImVec2(kCellPadX, kCellPadY));
  ImGui::PushStyleColor(ImGuiCol_TableBorderLight, theme::Alpha(p.border, 0.8f));
  ImGui::PushStyleColor(ImGuiCol_HeaderHovered, theme::Alpha(p.border, 0.5f));
  ImGui::PushStyleColor(ImGuiCol_HeaderActive, theme::Alpha(p.border, 0.8f));
  ImGui::SetCursorScreenPos(pos);
  if (ImGui::BeginTable("##tokens", kColumns, kFlags, ImVec2(width, table_height))) {
    semantics::BeginGroup(semantics::Group::Table, "Access tokens");
    ImGui::TableSetupScrollFreeze(0, 1);
    for (int column = 0; column < kColumns; ++column) {
      if (column == static_cast<int>(TokenColumn::Label)) {
        ImGui::TableSetupColumn(kHeaders[column], ImGuiTableColumnFlags_WidthStretch, 1, column);
      } else {
        const ImGuiTableColumnFlags hidden = fit.Shown(column) ? 0 : ImGuiTableColumnFlags_Disabled;
        ImGui::TableSetupColumn(kHeaders[column], ImGuiTableColumnFlags_WidthFixed | hidden,
                                std::max(fit.width[column], 1.0f), column);
      }
    }

    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    semantics::BeginGroup(semantics::Group::Row, "", "header");
    ImGui::PushFont(fonts.small);
    ImGui::PushStyleColor(ImGuiCol_Text, p.text_muted);
    for (int column = 0; column < kColumns; ++column) {
      if (!ImGui::TableSetColumnIndex(column)) continue;  // hidden
      // Dear ImGui puts the sort arrow at the column's far edge; ours follows the label.
      const ImVec2 label_pos = ImGui::GetCursorScreenPos();
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0, 0, 0, 0));
      ImGui::TableHeader((std::string("##") + names::kTokensHeaderColumns[column]).c_str());
      ImGui::PopStyleColor();
      const bool sortable = column != kActionsColumn;
      const bool hovered = ImGui::IsItemHovered() && sortable;
      if (hovered) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
      // A click, or Enter or Space with the focus on it (focus.h: a screen reader's click too).
      const bool keyed = GImGui->NavActivateId != 0 && GImGui->NavActivateId == ImGui::GetItemID();
      if (sortable && ((hovered && ImGui::IsItemClicked()) || keyed)) {
        SortBy(state.tokens_table, static_cast<TokenColumn>(column));
      }
      if (sortable) focus::TabStop();
      test_hook::MarkLastItem(names::kTokensHeaderPrefix + std::string(names::kTokensHeaderColumns[column]));
      const bool sorted = static_cast<int>(state.tokens_table.sort_column) == column;
      const unsigned order = !sorted                              ? 0u
                             : state.tokens_table.sort_ascending ? semantics::kSortedAscending
                                                                  : semantics::kSortedDescending;
      semantics::Item(semantics::Role::ColumnHeader, ColumnName(column), {},
                      order | (sortable ? semantics::kSortable : 0u));
      ImDrawList* cell = ImGui::GetWindowDrawList();
      cell->AddText(label_pos, theme::U32(sorted || hovered ? p.text : p.text_muted), kHeaders[column]);
      if (sorted) {
        const float x = label_pos.x + ImGui::CalcTextSize(kHeaders[column]).x + kSortArrowGap;
        const float cy = label_pos.y + ImGui::GetTextLineHeight() * 0.5f;
        const float k = kSortArrowHalf;
        const float dir = state.tokens_table.sort_ascending ? -1.0f : 1.0f;  // up when ascending
        cell->AddTriangleFilled(ImVec2(x, cy - k * 0.6f * dir), ImVec2(x + 2 * k, cy - k * 0.6f * dir),
                                ImVec2(x + k, cy + k * 0.6f * dir), theme::U32(p.primary));
      }
    }
    semantics::EndGroup();
    ImGui::PopStyleColor();
    ImGui::PopFont();

    // The row area as it shows on screen: rows hidden under the header are not published.
    const float body_top = pos.y + header_height;
    const float body_bottom = pos.y + table_height;
    const ImGuiID layout = ImHashData(&fit, sizeof fit, ImHashData(&width, sizeof width));
    ImGuiTable* table = ImGui::GetCurrentTable();
    EveryRow(state, rows, semantics::Group::Row, layout, kRowHeight, kRowHeight, ImVec2(pos.x, width),
             ImVec2(body_top, body_bottom), [&](int) {
               ImGui::TableNextRow(0, kRowHeight);
               return table->RowPosY1;
             },
             [&](int i, float top, ImGuiID version) {
               DrawRow(state, rows[static_cast<std::size_t>(i)], i, pos.x, width, body_top, body_bottom, top,
                       version);
             });
    semantics::EndGroup();
    ImGui::EndTable();
  }
  ImGui::PopStyleColor(3);
  ImGui::PopStyleVar();

  if (rows.empty()) EmptyState(state, ImVec2(pos.x, pos.y + header_height), end);
  test_hook::Status(names::kStatusRows, static_cast<long long>(rows.size()));
  ImGui::SetCursorScreenPos(ImVec2(pos.x, end.y));
  ImGui::Dummy(ImVec2(width, 0));
}

}  // namespace console
