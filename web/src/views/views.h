// The console's screens and their parts: free functions that draw the state and change it on
// input. One short file each. They never touch the network directly; they call client.h.
#pragma once

#include <cstddef>

#include "state.h"

namespace console {

// The whole window: sign-in, or the top bar and the selected view, then any dialog.
void DrawApp(State& state);

// views/sign_in.cpp: username, password, Enter submits; the server's words under the form.
void DrawSignIn(State& state);

// views/top_bar.cpp: the mark, the organization picker with plan and usage, the theme toggle,
// the person and sign-out.
void DrawTopBar(State& state);

// views/tokens_page.cpp: heading, usage, filters, and the table (or its empty, loading and
// error states).
void DrawTokensPage(State& state);

// views/tokens_table.cpp: the sortable, filtered, clipped table of access tokens, in a card
// of this size at the cursor.
void DrawTokensTable(State& state, float width, float height);
// How many tokens pass the table's filters.
std::size_t VisibleTokenCount(const State& state);
// The card's height when every visible row shows (or the empty state has room).
float TokensTableNaturalHeight(const State& state);

// views/token_editor.cpp: the modal named by state.dialog, if any (generate, edit, the token
// shown once, confirm delete).
void DrawDialogs(State& state);
// Opens the generate dialog on an empty draft.
void OpenGenerateDialog(State& state);

// views/activity_page.cpp: the organization's audit log, filterable by action.
void DrawActivityPage(State& state);

// views/nav.cpp: "Access tokens | Activity" under the top bar; returns the height used.
void DrawViewTabs(State& state, float left);

// Layout constants shared by the views (CSS pixels).
inline constexpr float kTopBarHeight = 60;
inline constexpr float kContentMaxWidth = 1200;
inline constexpr float kPagePaddingX = 32;
inline constexpr float kPagePaddingTop = 28;

}  // namespace console
