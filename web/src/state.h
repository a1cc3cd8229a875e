// The console's state: plain data, drawn anew every frame by the views.
//
// Views change it on input and ask client.h to talk to the API; client.h changes it when an
// answer arrives, always from the frame loop (never from a network callback). Secrets (the
// bearer, and on another origin than the API's the refresh token) live here, in memory only.
// On the API's own origin the session's refresh credential is an HttpOnly cookie the page
// cannot read, which carries the session across reloads and tabs (oat/console_session.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "oat/api.h"
#include "oat/lifecycle.h"
#include "oat/oidc.h"
#include "oat/scope.h"
#include "oat/time.h"
#include "oat/token_policy.h"
#include "oat/webhook.h"
#include "oat/wire.h"

namespace console {

enum class Theme { Dark, Light };

// What the main area shows for the selected organization.
enum class View { Tokens, Activity, Policy, CiSignIn };

// The modal on top, if any: the generate and edit dialogs (one editor), the secret shown once,
// the delete confirmation, the details drawer, the rotation; on the CI sign-in page, the
// connection editor (new and edit) and a connection's delete confirmation.
enum class Dialog {
  None, GenerateToken, ShowToken, EditToken, ConfirmDelete, TokenDetails, RotateToken, EditConnection,
  ConfirmDeleteConnection
};

enum class StatusFilter { All, Active, Inactive, Expired };

// Given by the page (config.json, the URL) before the program starts.
struct Config {
  std::string api_base;    // "" means the page's own origin; else "https://oat.example.com"
  bool test_hook = false;  // ?test=1: publish widget rectangles for browser tests
  // The registry's address for "docker login HOST -u ORG" (config.json's registryHost, checked
  // with oat::validate_registry_host); "" when none was given.
  std::string registry_host;
};

struct Session {
  std::string username;
  std::string bearer;         // ES256 JWT, ~10 minutes
  std::string refresh_token;  // trades for a new bearer on a 401 (a console on another origin)
  bool cookie = false;        // the session cookie does instead (the console on the API's origin)
  // Bumped at each sign-in and sign-out: answers to calls made in another session are dropped.
  std::uint64_t generation = 1;

  bool signed_in() const { return !bearer.empty(); }
  bool renewable() const { return cookie || !refresh_token.empty(); }
};

struct SignInForm {
  std::string username;
  std::string password;
  std::string error;   // the server's words for the last refusal
  std::string notice;  // why the person is back here ("Your session has ended; ...")
  bool pending = false;
  bool resuming = false;  // asking whether the session cookie still holds a session
  bool focus_requested = true;  // put the caret in the username field on the next frame
};

// An organization as GET /v2/user/orgs describes it.
// As the API answers them; read by the core (oat/wire.h).
using Organization = oat::OrganizationInfo;
using Repository = oat::RepositoryInfo;

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

// ---- The token editor: the generate and edit dialogs -------------------------------------------
// The draft is kept as the form shows it; draft.h turns it into the API's request, and the core
// checks that request (and everything else) as the person types.

// A date and time as typed, in the browser's time zone (month 1..12, day 1..31).
struct LocalDateTime {
  int year = 2000, month = 1, day = 1, hour = 0, minute = 0;
  bool operator==(const LocalDateTime&) const = default;
};

// One "org/repo" entry with the scopes ticked for it (inclusions are implied, not stored).
struct RepositoryGrant {
  std::string path;  // "acme/app"
  oat::ScopeSet scopes{oat::Scope::ImagePull};
  bool operator==(const RepositoryGrant&) const = default;
};

// What the resources editor (views/editor_resources.cpp) shows and changes: a token's resources,
// and each ruleset's of an OIDC connection.
struct ResourceDraft {
  bool public_read = false;                         // */*/public, scope-image-pull
  bool all_repositories = false;                    // org/*
  oat::ScopeSet all_scopes{oat::Scope::ImagePull};  // its scopes
  std::vector<RepositoryGrant> repositories;        // org/repo, in the order added
  oat::ScopeSet org_scopes;                         // TYPE_ORG; none: no such resource
  bool operator==(const ResourceDraft&) const = default;
};

// The resources editor's own state beside its draft: the repository picker, whether the
// organization's permissions are open, and whether the person has changed anything yet.
struct ResourcePicker {
  std::string search;
  int highlight = 0;
  bool org_open = false;
  bool touched = false;
};

struct TokenDraft : ResourceDraft {
  std::string label;
  std::string description;
  oat::ExpiryPreset expiry = oat::ExpiryPreset::Never;
  LocalDateTime custom;       // when expiry == Custom; a field left empty is -1
  std::string allowed_cidrs;        // as typed: blocks one a line or comma-separated; empty: any
  bool allow_self_rotation = false;
  bool operator==(const TokenDraft&) const = default;
};

// Where resources[i] of a request came from, so an error naming "resources[2].scopes" is shown
// at its row. `row` indexes TokenDraft::repositories for Repository.
enum class ResourceOrigin { Public, AllRepositories, Repository, Organization };
struct ResourceSlot {
  ResourceOrigin origin = ResourceOrigin::Repository;
  std::size_t row = 0;
};

struct TokenEditor {
  std::string token_id;  // empty: a new token; else the token being edited
  std::optional<oat::Timestamp> fixed_expiry;              // edit: the token's, read-only
  oat::TokenState token_state = oat::TokenState::Active;   // edit
  TokenDraft draft;
  TokenDraft original;   // edit: what the token holds (unchanged: nothing to save)
  bool loading = false;  // edit: waiting for the token's resources
  bool pending = false;  // POST/PATCH in flight
  // A field's errors show once it was touched; all of them after an attempt to submit.
  bool label_touched = false;
  bool submit_attempted = false;
  oat::Errors server_errors;            // the last refusal, until the draft changes
  bool reveal_errors = false;           // scroll to them once
  std::vector<ResourceSlot> sent_slots; // the request they refer to
  TokenDraft sent;                      // the draft that was sent
  bool return_to_details = false;       // opened from the details drawer: back there after
  bool focus_label = true;              // the caret goes to the label on the first frame
  ResourcePicker resources;             // the repository picker, the organization's section
  int calendar_year = 0, calendar_month = 0;  // the month the calendar shows
  bool addresses_active = false;        // the addresses field (multi-line) takes Enter this frame

  bool editing() const { return !token_id.empty(); }
};

// The rotate dialog: a new secret for one token, the old one kept working for a grace period,
// and optionally a new expiration (chosen as in the generate dialog).
struct RotateForm {
  std::string token_id;
  std::string label;
  std::optional<oat::Timestamp> current_expiry;  // the token's, kept unless a new one is chosen
  int grace = 0;                 // index into the dialog's choices: none, 1 hour, 1 day, 7 days
  bool new_expiry = false;       // choose a new expiration
  oat::ExpiryPreset expiry = oat::ExpiryPreset::Days30;
  LocalDateTime custom;
  int calendar_year = 0, calendar_month = 0;
  bool pending = false;
  oat::Errors server_errors;     // the last refusal, in the server's words
  bool return_to_details = false;
};

// The secret of a token just generated: shown once, then wiped.
struct CreatedToken {
  std::string label;
  std::string secret;
  // A rotation's new secret: until when the old one keeps working (nothing: it stopped at once).
  bool rotated = false;
  std::optional<oat::Timestamp> previous_valid_until;
  bool return_to_details = false;
  double copied_at = -1;        // State::clock of the last copy (for "Copied")
  double login_copied_at = -1;
};

// The details drawer: one token as GET /v2/orgs/{org}/access-tokens/{id} shows it.
struct TokenDetails {
  std::string id;
  std::optional<oat::AccessToken> token;
  bool loading = false;
  std::string error;
};

// Registry use per UTC day (GET .../access-tokens/{id}/usage?days=30 for the details drawer,
// GET /v2/orgs/{org}/usage?days=30 for the activity page): pulls, pushes and sign-ins, oldest
// first through today. A reload keeps the days on screen until the new ones arrive.
struct UsageSeries {
  std::string org;
  std::string token_id;  // "" for the organization's
  std::vector<oat::UsageDay> days;
  bool loading = false;
  bool loaded = false;
  std::string error;  // the last load's failure, in the server's words
  std::uint64_t generation = 0;
};

// How many of the organization's active tokens expire within oat::kExpiryBannerDays, as the
// server counts them (GET .../access-tokens?expiring_within_days=30&page_size=1: the page's
// total); asked again each time the list loads.
struct ExpiringTokens {
  std::string org;
  std::size_t count = 0;
  bool loaded = false;
  std::uint64_t generation = 0;
};

// A change asked of one token (activate, deactivate, delete), and where it was asked from, so
// a refusal is shown there.
enum class TokenActionKind { Activate, Deactivate, Delete };
enum class ActionOrigin { Table, Details, Dialog };
struct TokenAction {
  std::string token_id;
  std::string label;
  TokenActionKind kind = TokenActionKind::Deactivate;
  ActionOrigin origin = ActionOrigin::Table;
  bool pending = false;
  std::string error;  // the server's words
};

// The organization's token policy (GET/PUT /v2/orgs/{org}/access-token-policy), for those who
// manage its tokens, and the policy page's form.
struct PolicyForm {
  bool limit_lifetime = false;
  std::string lifetime_days;  // as typed
  bool require_expiration = false;
  bool limit_idle = false;
  std::string idle_days;
  bool operator==(const PolicyForm&) const = default;
};
struct TokenPolicyState {
  std::string org;
  oat::TokenPolicy policy;
  bool loaded = false;
  bool loading = false;
  std::string error;
  int error_status = 0;
  PolicyForm form;      // the page's fields
  PolicyForm saved;     // the form of the stored policy (unchanged: nothing to save)
  bool pending = false; // PUT in flight
  oat::Errors server_errors;
};

// ---- CI sign-in: the organization's OIDC connections (docs/oidc.md) -------------------------

// GET /v2/orgs/{org}/oidc-connections ({"results": [...]}, newest first), for those who manage
// the organization's tokens.
struct OidcConnections {
  std::string org;
  std::vector<oat::OidcConnection> items;
  bool loading = false;
  bool loaded = false;
  std::string error;
  int error_status = 0;
  oat::Timestamp loaded_at{};
  std::uint64_t generation = 0;
};

// GET .../oidc-connections/{id}/failures: the last refused exchanges, newest first.
struct OidcFailures {
  std::string org;
  std::string connection_id;
  std::vector<oat::OidcFailure> items;
  bool loading = false;
  bool loaded = false;
  std::string error;
  std::uint64_t generation = 0;
};

// The connection editor's draft, kept as the form shows it; views/oidc_draft.cpp turns it into
// the API's request, which the core checks as the person types.
struct ConditionRow {
  std::string claim;
  std::string pattern;  // a row with an empty pattern is left out of the request
  bool operator==(const ConditionRow&) const = default;
};
struct RulesetDraft {
  std::string name;
  std::vector<ConditionRow> conditions;
  ResourceDraft resources;
  std::string max_lifetime = "3600";  // seconds, as typed
  bool operator==(const RulesetDraft&) const = default;
};
struct ConnectionDraft {
  std::string preset;  // the oat::oidc_presets() key the form started from ("github", "gitlab"), or ""
  std::string name, issuer, audience;
  std::vector<RulesetDraft> rulesets;
  bool operator==(const ConnectionDraft&) const = default;
};
// Beside each ruleset of the draft: its resources editor's state (the repository picker, whether
// the person has changed its resources yet).
struct RulesetForm {
  ResourcePicker resources;
};
struct ConnectionEditor {
  std::string connection_id;  // empty: a new connection
  ConnectionDraft draft;
  ConnectionDraft original;   // edit: what the connection holds (unchanged: nothing to save)
  ConnectionDraft sent;       // what the last request held
  std::vector<RulesetForm> forms;  // one per draft.rulesets
  std::vector<std::string> touched;  // the places edited ("name", "rulesets[0].condition.1", ...)
  bool pending = false;
  bool submit_attempted = false;
  oat::Errors server_errors;  // the last refusal, until the draft changes
  bool reveal_errors = false;
  bool focus_name = true;  // the caret goes to the name on the first frame
  std::string focus;       // the widget that takes the keyboard next (a row just added)

  bool editing() const { return !connection_id.empty(); }
};

// A change asked of one connection from its row or its panel (activate, deactivate, delete).
enum class ConnectionActionKind { Activate, Deactivate, Delete };
struct ConnectionAction {
  std::string connection_id;
  std::string name;
  ConnectionActionKind kind = ConnectionActionKind::Deactivate;
  bool pending = false;
  std::string error;  // the server's words
};

// The page's own state: the connection whose panel shows, which tab of it, the snippets.
enum class ConnectionTab { Rulesets, Failures, Setup };
enum class SnippetKind { GitHubActions, GitLabCi };
struct CiSignInPage {
  std::string selected;  // a connection's id; "" = the newest
  ConnectionTab tab = ConnectionTab::Rulesets;
  SnippetKind snippet = SnippetKind::GitHubActions;
  std::string snippet_for;  // the connection `snippet` was chosen for (else its preset's kind)
  double copied_at = -1;  // State::clock of the last copy
  std::vector<std::string> open_claims;  // failures whose claims are shown ("<at>#<index>")
};

// A short note at the bottom of the window ("Deleted “CI deploy”.").
struct Toast {
  std::string text;
  double until = 0;  // State::clock
};

// ---- The audit log -----------------------------------------------------------------------------

// One event as GET /v2/auditlogs/{org} answers it, with what the table shows made once.
struct AuditEntry {
  std::string action;
  std::string description;
  std::string name;     // the token's label
  std::string actor;
  std::string details;  // `data`, as one short line
  std::string data;     // `data`, as JSON (the tooltip)
  oat::Timestamp timestamp{};
};

// The log, loaded a page (100) at a time, newest first; pages keep coming in the background up
// to kAuditAutoLoad events, then on demand. The action filter is the server's (?action=).
struct AuditLog {
  std::string org;
  std::string filter;  // the action chosen; "" = every action
  std::string action;  // the filter the loaded events were asked with (?action=)
  std::vector<AuditEntry> items;
  std::size_t total = 0;      // as the server counts them
  std::size_t next_page = 1;
  bool more = false;          // the server has more pages
  bool loading = false;
  bool loaded = false;        // the first page has arrived
  bool load_all = false;      // keep loading until the last page
  std::size_t load_until = 0; // keep loading until this many are loaded
  std::string error;
  int error_status = 0;
  oat::Timestamp loaded_at{};
  std::uint64_t generation = 0;
};
inline constexpr std::size_t kAuditPageSize = 100;
inline constexpr std::size_t kAuditAutoLoad = 10000;

// Where the console is, as its URL says (route.h): "#/orgs/acme/tokens",
// "#/orgs/acme/tokens/{id}" (a token's details drawer), "#/orgs/acme/activity",
// "#/orgs/acme/policy", "#/orgs/acme/ci-sign-in".
struct Route {
  std::string org;
  View view = View::Tokens;
  std::string token_id;  // View::Tokens: the token whose details drawer is open ("" = none)
  bool operator==(const Route&) const = default;
};

// What a request is for, so its answer finds its way back.
enum class Call {
  SignIn, Resume, Refresh, SignOut, WhoAmI, Organizations, Tokens, Repositories,
  CreateToken, EditToken, SetTokenActive, DeleteToken, TokenDetails, AuditLog,
  RotateToken, TokenPolicy, SaveTokenPolicy, TokenUsage, OrgUsage, ExpiringCount,
  OidcConnections, CreateConnection, EditConnection, SetConnectionActive, DeleteConnection, OidcFailures
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
  std::string token_id;  // the token a token call is about (or the connection a connection call is)
};

struct Requests {
  std::map<std::uint64_t, PendingCall> in_flight;  // by net::Send id
  std::vector<PendingCall> awaiting_refresh;       // answered 401; resent with a fresh bearer
  bool refreshing = false;
};

struct State {
  Config config;
  // The theme drawn, decided each frame by theme::Shown from the owner's pick and the system's.
  Theme theme = Theme::Dark;
  // The owner's pick with the toggle, saved as "oat.theme"; none: the system's preference decides.
  std::optional<Theme> theme_choice;
  oat::Timestamp now{};  // read once per frame
  double clock = 0;      // seconds, monotonic, read once per frame (UI timers)

  Session session;
  SignInForm sign_in;

  Listing<Organization> orgs;
  std::string selected_org;
  View view = View::Tokens;
  // The deep link to honour once the organizations are known (from the URL at start-up, or
  // typed later). Survives sign-out, so a reload + sign-in lands where the URL says.
  std::optional<Route> wanted_route;
  // A note above the tokens table about where a link led (a token that is not there), until
  // dismissed or the person moves elsewhere.
  std::string tokens_notice;

  Listing<oat::AccessToken> tokens;
  ExpiringTokens expiring;  // the banner above the table
  Listing<Repository> repositories;  // for the generate dialog
  TokensTable tokens_table;

  Dialog dialog = Dialog::None;
  TokenEditor editor;
  CreatedToken created;
  RotateForm rotate;
  TokenDetails details;
  UsageSeries token_usage;  // the details drawer's chart
  TokenAction action;
  Toast toast;

  AuditLog audit;
  UsageSeries org_usage;  // the activity page's chart
  TokenPolicyState policy;

  OidcConnections connections;  // the CI sign-in page
  OidcFailures failures;        // the selected connection's
  ConnectionEditor connection_editor;
  ConnectionAction connection_action;
  CiSignInPage ci;

  Requests requests;
};

// The selected organization, or null when none is (yet).
const Organization* SelectedOrganization(const State& state);
// The selected organization's token policy, or null while it is not known (not loaded yet, or
// not shown to this person).
const oat::TokenPolicy* SelectedPolicy(const State& state);

// Shows `text` in the toast for a few seconds.
inline void Notify(State& state, std::string text) {
  state.toast.text = std::move(text);
  state.toast.until = state.clock + 4.0;
}

}  // namespace console
