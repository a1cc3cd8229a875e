// The console's screens and their parts: free functions that draw the state and change it on
// input. One short file each. They never touch the network directly; they call client.h.
#pragma once

#include <cstddef>
#include <string>

#include "imgui.h"
#include "oat/error.h"
#include "oat/lifecycle.h"
#include "state.h"

namespace console {

// The whole window: sign-in, or the top bar and the selected view, then any dialog.
void DrawApp(State& state);

// views/sign_in.cpp: username, password, Enter submits; the server's words under the form.
void DrawSignIn(State& state);

// views/top_bar.cpp: the mark, the organization picker with plan and usage, the theme toggle,
// the person and sign-out.
void DrawTopBar(State& state);
// The theme toggle (a 34-pixel icon button) at `pos`, in screen coordinates; the sign-in page
// has it too.
void DrawThemeToggle(State& state, ImVec2 pos);

// views/nav.cpp: "Access tokens | Activity | Token policy | CI sign-in" at the top of the page
// (the policy and CI sign-in only for those who manage tokens).
void DrawViewTabs(State& state, float left);

// views/tokens_page.cpp: heading, usage, filters, and the table (or its empty, loading and
// error states).
void DrawTokensPage(State& state);

// views/tokens_table.cpp: the sortable, filtered, clipped table of access tokens, in a card
// of this size at the cursor; a row opens the details drawer, its "..." the actions menu.
void DrawTokensTable(State& state, float width, float height);
// "Active", and its color.
const char* TokenStateWord(oat::TokenState token_state);
ImVec4 TokenStateColor(oat::TokenState token_state);
// How many tokens pass the table's filters.
std::size_t VisibleTokenCount(const State& state);
// The card's height when every visible row shows (or the empty state has room).
float TokensTableNaturalHeight(const State& state);

// views/activity_page.cpp: the organization's audit log, filterable by action, paged.
void DrawActivityPage(State& state);

// views/policy_page.cpp: the organization's token policy, in words, and its form.
void DrawPolicyPage(State& state);

// views/oidc_page.cpp: the organization's OIDC connections (keyless sign-in from CI): the list,
// and the selected one's rulesets, refused exchanges and CI snippets (views/oidc_panel.cpp).
void DrawCiSignInPage(State& state);
// views/oidc_panel.cpp: the selected connection under the list, `height` tall at the cursor.
void DrawConnectionPanel(State& state, const oat::OidcConnection& connection, float width, float height);
// views/oidc_editor.cpp: the new-connection and edit dialog; views/oidc_delete_dialog.cpp: the
// delete confirmation.
void DrawConnectionEditor(State& state);
void DrawConnectionDeleteDialog(State& state);
// Opening them (views/oidc_page.cpp).
void OpenNewConnection(State& state);
void OpenEditConnection(State& state, const oat::OidcConnection& connection);
void OpenDeleteConnection(State& state, const oat::OidcConnection& connection);
// "GitHub Actions" for its issuer, else the issuer.
std::string IssuerWords(const oat::OidcConnection& connection);

// views/dialogs.cpp: the modal named by state.dialog, if any; views/toast.cpp: the toast.
void DrawDialogs(State& state);
void DrawToast(State& state);
// One file each: views/editor_dialog.cpp (generate and edit), created_dialog.cpp (the secret
// shown once), delete_dialog.cpp, details_drawer.cpp, rotate_dialog.cpp.
void DrawEditorDialog(State& state);
void DrawCreatedDialog(State& state);
void DrawDeleteDialog(State& state);
void DrawDetailsDrawer(State& state);
void DrawRotateDialog(State& state);

// views/token_actions.cpp: opening the dialogs, and what the core allows.
// Why no token can be generated in the selected organization now, or nothing when one can.
oat::Status GenerateRefusal(const State& state);
// Whether a token in this state offers this action (oat::check_token_action).
bool Allows(oat::TokenState token_state, oat::TokenAction action);
// Why the organization's token policy refuses this active token's sign-ins now
// (oat::check_policy_at_use from its creation or last rotation and its last use), or nothing.
oat::Status PolicyBlock(const State& state, const oat::AccessToken& token);
void OpenGenerateDialog(State& state);
void OpenEditDialog(State& state, const std::string& token_id, bool from_details);
void OpenTokenDetails(State& state, const std::string& token_id);
void OpenDeleteDialog(State& state, const std::string& token_id, const std::string& label,
                      ActionOrigin origin);
// The rotate dialog for this token (from the table's row menu or the details drawer).
void OpenRotateDialog(State& state, const oat::AccessToken& token, bool from_details);

// Layout constants shared by the views (CSS pixels).
inline constexpr float kTopBarHeight = 60;
inline constexpr float kContentMaxWidth = 1200;
inline constexpr float kPagePaddingX = 32;
inline constexpr float kNarrowPagePaddingX = 16;  // theme::Narrow()
inline constexpr float kPagePaddingTop = 28;

// Where a page draws, in screen coordinates of the current window: a column at most
// kContentMaxWidth wide, centered, under the top bar; `bottom` is the window's bottom edge.
struct PageColumn {
  float left = 0, top = 0, width = 0, bottom = 0;
};
// The page's column in a window at `origin` of `size` (the root window: the whole viewport).
PageColumn PageColumnIn(ImVec2 origin, ImVec2 size);
// The page's column in the current window, with the cursor put at its top left.
PageColumn StartPageColumn();

}  // namespace console
