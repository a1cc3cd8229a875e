// The console's state: plain data, drawn anew every frame by the views.
//
// Views change it on input and ask client.h to talk to the API; client.h changes it when an
// answer arrives, always from the frame loop (never from a network callback). Secrets (the
// bearer and the refresh token) live here, in memory only: a reload signs the person out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "oat/api.h"
#include "oat/lifecycle.h"
#include "oat/scope.h"
#include "oat/time.h"

namespace console {

enum class Theme { Dark, Light };

// What the main area shows for the selected organization.
enum class View { Tokens, Activity };

// The modal dialog on top, if any. The token dialogs land here: generate, the show-once secret,
// edit, confirm deactivate/delete.
enum class Dialog { None, GenerateToken, ShowToken, EditToken, ConfirmDelete };

enum class StatusFilter { All, Active, Inactive, Expired };

// Given by the page (config.json, the URL) before the program starts.
struct Config {
  std::string api_base;    // "" means the page's own origin; else "https://oat.example.com"
  bool test_hook = false;  // ?test=1: publish widget rectangles for browser tests
};

struct Session {
  std::string username;
  std::string bearer;         // ES256 JWT, ~10 minutes
  std::string refresh_token;  // trades for a new bearer on a 401
  // Bumped at each sign-in and sign-out: answers to calls made in another session are dropped.
  std::uint64_t generation = 1;

  bool signed_in() const { return !bearer.empty(); }
};

struct SignInForm {
  std::string username;
  std::string password;
  std::string error;   // the server's words for the last refusal
  std::string notice;  // why the person is back here ("Your session has ended; ...")
  bool pending = false;
  bool focus_requested = true;  // put the caret in the username field on the next frame
};

// An organization as GET /v2/user/orgs describes it.
struct Organization {
  std::string name;
  std::string plan;       // "team"
  std::string plan_name;  // "Team"
  std::string role;       // "owner", "editor", ...
  bool is_company_owner = false;
  bool can_manage_tokens = false;
  std::size_t token_quota = 0;
  std::size_t token_count = 0;
};

struct Repository {
  std::string name;       // "app"
  std::string namespace_; // "acme"
  bool is_private = true;
};

// A list the API answers in pages, loaded whole: pages accumulate in `incoming` and replace
// `items` once the last has arrived, so the old list stays on screen while reloading.
template <class T>
struct Listing {
  std::string org;  // the organization the items belong to ("" for the user's organizations)
  std::vector<T> items;
  std::vector<T> incoming;
  bool loading = false;
  bool loaded = false;
  std::string error;      // the last load's failure, in the server's words
  int error_status = 0;   // its HTTP status (0: no answer)
  oat::Timestamp loaded_at{};
  std::uint64_t generation = 0;  // of the load in flight; pages of older loads are dropped
};

// How the tokens table is filtered and sorted. Columns as in tokens_table.cpp.
enum class TokenColumn { Label, Status, CreatedBy, Created, LastUsed, Expires };

struct TokensTable {
  std::string filter;  // matched case-insensitively against label, description and creator
  StatusFilter status = StatusFilter::All;
  TokenColumn sort_column = TokenColumn::Created;
  bool sort_ascending = false;
};

// The token being written in the generate or edit dialog. Resources are kept as the form shows
// them; ToResources() in views/token_editor.cpp turns them into the API's list, and the core
// checks that list (and everything else) as the person types.
struct RepositoryDraft {
  std::string name;  // "app" (path acme/app)
  oat::ScopeSet scopes{oat::Scope::ImagePull};
};

struct TokenDraft {
  std::string token_id;  // empty: a new token; else the token being edited
  std::string label;
  std::string description;
  oat::ExpiryPreset expiry = oat::ExpiryPreset::Never;
  std::string custom_expiry;  // "2027-01-31 12:00", UTC
  std::optional<oat::Timestamp> fixed_expiry;  // an edited token's (read-only)
  bool read_public = false;
  bool all_repositories = false;
  oat::ScopeSet all_repositories_scopes{oat::Scope::ImagePull};
  std::vector<RepositoryDraft> repositories;
  oat::ScopeSet org_scopes;
  std::string repository_filter;  // the picker's search text
  bool show_all_errors = false;   // after a first attempt to submit
  bool label_touched = false;
  bool pending = false;
  bool loading = false;           // fetching the edited token's resources
  oat::Errors server_errors;      // the server's refusal of the last attempt
};

// The secret of a token just generated: shown once, then forgotten.
struct CreatedToken {
  std::string label;
  std::string secret;
  bool copied = false;
  bool login_copied = false;
};

// A change asked of one token from its row (activate, deactivate, delete).
struct TokenAction {
  std::string token_id;
  std::string label;
  bool pending = false;
  std::string error;  // the server's words
};

// One audit event as GET /v2/auditlogs/{org} answers it.
struct AuditEntry {
  std::string action;
  std::string description;
  std::string name;   // the token's label
  std::string actor;
  std::string details;  // data, as short text
  oat::Timestamp timestamp{};
};

struct ActivityView {
  std::string action_filter;  // "" = every action
};

// A deep link: "#/orgs/acme/tokens".
struct Route {
  std::string org;
  View view = View::Tokens;
  bool operator==(const Route&) const = default;
};

// What a request is for, so its answer finds its way back.
enum class Call {
  SignIn, Refresh, SignOut, Organizations, Tokens, Repositories,
  CreateToken, UpdateToken, EditToken, DeleteToken, Activity, TokenForEdit
};

struct PendingCall {
  Call call = Call::SignIn;
  std::string method = "GET";
  std::string path;  // "/v2/orgs/acme/access-tokens?page=1&page_size=100"
  std::string body;
  bool authorized = false;  // sends the bearer; a 401 triggers one refresh and a retry
  bool retried = false;
  std::string org;
  std::size_t page = 1;
  std::uint64_t session_generation = 0;
  std::uint64_t list_generation = 0;
};

struct Requests {
  std::map<std::uint64_t, PendingCall> in_flight;  // by net::Send id
  std::vector<PendingCall> awaiting_refresh;       // answered 401; resent with a fresh bearer
  bool refreshing = false;
};

struct State {
  Config config;
  Theme theme = Theme::Dark;
  oat::Timestamp now{};  // read once per frame

  Session session;
  SignInForm sign_in;

  Listing<Organization> orgs;
  std::string selected_org;
  View view = View::Tokens;
  // The deep link to honour once the organizations are known (from the URL at start-up, or
  // typed later). Survives sign-out, so a reload + sign-in lands where the URL says.
  std::optional<Route> wanted_route;

  Listing<oat::AccessToken> tokens;
  Listing<Repository> repositories;  // for the generate dialog
  TokensTable tokens_table;

  Dialog dialog = Dialog::None;
  TokenDraft draft;
  CreatedToken created;
  TokenAction action;

  Listing<AuditEntry> activity;
  ActivityView activity_view;

  Requests requests;
};

// The selected organization, or null when none is (yet).
const Organization* SelectedOrganization(const State& state);

}  // namespace console
