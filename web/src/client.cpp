// [SECTION] JSON reading (nlohmann without exceptions: check every type before get)
// [SECTION] Sending
// [SECTION] Session: sign-in, refresh, sign-out
// [SECTION] Lists loaded in pages: organizations, tokens, repositories
// [SECTION] Pump: answers into the state
// The token calls are in token_calls.cpp, the audit log in audit_calls.cpp, the token policy in
// policy_calls.cpp, registry use and expiring tokens in usage_calls.cpp, the OIDC connections in
// oidc_calls.cpp.
#include "client.h"

#include <algorithm>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include "client_internal.h"
#include "net.h"
#include "oat/api.h"
#include "page.h"
#include "route.h"

namespace console {

using nlohmann::json;

const Organization* SelectedOrganization(const State& state) {
  for (const Organization& org : state.orgs.items) {
    if (org.name == state.selected_org) return &org;
  }
  return nullptr;
}

namespace calls {

// -----------------------------------------------------------------------------------------------
// [SECTION] Sending
// -----------------------------------------------------------------------------------------------

void Send(State& state, PendingCall call) {
  call.session_generation = state.session.generation;
  net::Request request;
  request.method = call.method;
  request.url = state.config.api_base + call.path;
  request.body = call.body;
  if (call.authorized) request.bearer = state.session.bearer;
  const std::uint64_t id = net::Send(std::move(request));
  state.requests.in_flight.emplace(id, std::move(call));
}

PendingCall OrgCall(const State& state, Call kind, std::string method, std::string path,
                    std::string body) {
  PendingCall call;
  call.call = kind;
  call.method = std::move(method);
  call.path = std::move(path);
  call.body = std::move(body);
  call.authorized = true;
  call.org = state.selected_org;
  return call;
}

std::string TokensPath(const std::string& org) { return "/v2/orgs/" + org + "/access-tokens"; }

}  // namespace calls

namespace {

using namespace calls;

constexpr std::size_t kPageSize = 100;
constexpr std::size_t kMaxPages = 1000;  // a server that never stops paging

// An item read by the core's reader of its shape; an item it refuses is left out of the list.
template <class T>
std::optional<T> Accepted(oat::Result<T> item) {
  if (!item) return std::nullopt;
  return std::move(item).value();
}

PendingCall PageCall(Call kind, std::string base_path, const std::string& org, std::size_t page,
                     std::uint64_t list_generation) {
  PendingCall call;
  call.call = kind;
  call.path = std::move(base_path) + "?page=" + std::to_string(page) +
              "&page_size=" + std::to_string(kPageSize);
  call.authorized = true;
  call.org = org;
  call.page = page;
  call.list_generation = list_generation;
  return call;
}

std::string RepositoriesPath(const std::string& org) {
  return "/v2/namespaces/" + org + "/repositories";
}

// Starts (or restarts) loading a list from its first page.
template <class T>
void StartListing(State& state, Listing<T>& list, Call kind, std::string base_path,
                  const std::string& org) {
  if (list.org != org) {  // another organization's items never show
    const std::uint64_t generation = list.generation;
    list = Listing<T>{};
    list.generation = generation;
  }
  list.org = org;
  list.loading = true;
  list.incoming.clear();
  list.generation++;
  Send(state, PageCall(kind, std::move(base_path), org, 1, list.generation));
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Session
// -----------------------------------------------------------------------------------------------

// Back to the sign-in screen. Answers still on their way belong to the old session and are
// dropped when they arrive.
void EndSession(State& state, std::string notice) {
  if (std::optional<Route> here = StateRoute(state)) state.wanted_route = std::move(here);
  Session fresh;
  fresh.generation = state.session.generation + 1;
  state.session = std::move(fresh);
  state.sign_in.password.clear();
  state.sign_in.pending = false;
  state.sign_in.error.clear();
  state.sign_in.notice = std::move(notice);
  state.sign_in.focus_requested = true;
  state.orgs = {};
  state.tokens = {};
  state.repositories = {};
  state.audit = {};
  state.policy = {};
  state.connections = {};
  state.failures = {};
  state.connection_editor = {};
  state.connection_action = {};
  state.ci = {};
  state.expiring = {};
  state.token_usage = {};
  state.org_usage = {};
  state.rotate = {};
  state.editor = {};
  WipeSecret(state);
  state.details = {};
  state.action = {};
  state.toast = {};
  state.tokens_notice.clear();
  state.selected_org.clear();
  state.dialog = Dialog::None;
  state.requests = {};
}

void OnSignedIn(State& state, const net::Response& answer) {
  state.sign_in.pending = false;
  if (!answer.ok()) {
    state.sign_in.error = answer.message();
    return;
  }
  auto signed_in = oat::parse_sign_in_answer(answer.body);
  if (!signed_in) {
    state.sign_in.error = kUnreadable;
    return;
  }
  state.session.username = state.sign_in.username;
  state.session.bearer = signed_in->access_token;
  state.session.refresh_token = signed_in->refresh_token.value_or("");
  // A session without a refresh token in the answer is the cookie's (the API's own origin).
  state.session.cookie = state.session.refresh_token.empty() && signed_in->refresh_expires_at;
  state.session.generation++;
  state.sign_in.password.clear();
  state.sign_in.error.clear();
  state.sign_in.notice.clear();
  if (state.session.cookie) page::AnnounceSession(page::kSignedIn);
  LoadOrganizations(state);
}

// The session cookie still held a session: carry on without the password. Who is signed in
// comes from GET /v2/user.
void OnResumed(State& state, const net::Response& answer) {
  state.sign_in.resuming = false;
  const auto resumed = answer.ok() ? oat::parse_sign_in_answer(answer.body)
                                   : oat::Result<oat::SignInAnswer>(oat::Errors{});
  if (!resumed) return;  // no session: the sign-in form, without a word
  state.session.bearer = resumed->access_token;
  state.session.cookie = true;
  state.session.generation++;
  PendingCall who;
  who.call = Call::WhoAmI;
  who.path = "/v2/user";
  who.authorized = true;
  Send(state, std::move(who));
  LoadOrganizations(state);
}

void OnWhoAmI(State& state, const net::Response& answer) {
  if (!answer.ok()) return;
  const json body = oat::parse_json_text(answer.body);
  if (auto user = oat::parse_user_json(body)) state.session.username = user->username;
}

void Dispatch(State& state, const PendingCall& call, const net::Response& answer);

// A POST renewing the bearer or signing out: with the session's refresh token in the body, or
// with none when the session cookie (sent by the browser) or the bearer names the session.
PendingCall WithRefreshToken(Call kind, const char* path, const std::string& refresh_token) {
  PendingCall call;
  call.call = kind;
  call.method = "POST";
  call.path = path;
  if (!refresh_token.empty()) call.body = oat::refresh_request_body(refresh_token);
  return call;
}

void OnRefreshed(State& state, const net::Response& answer) {
  state.requests.refreshing = false;
  std::vector<PendingCall> waiting = std::move(state.requests.awaiting_refresh);
  state.requests.awaiting_refresh.clear();
  const auto refreshed = answer.ok() ? oat::parse_sign_in_answer(answer.body)
                                     : oat::Result<oat::SignInAnswer>(oat::Errors{});
  if (refreshed) {
    state.session.bearer = refreshed->access_token;
    for (PendingCall& call : waiting) Send(state, std::move(call));
  } else if (answer.status == 0) {
    // The server is out of reach, not the session over: each waiting call fails as such.
    for (const PendingCall& call : waiting) Dispatch(state, call, answer);
  } else {
    EndSession(state, std::string(oat::kSessionEnded));
  }
}

void OnUnauthorized(State& state, PendingCall call) {
  if (call.retried || !state.session.renewable()) {
    EndSession(state, std::string(oat::kSessionEnded));
    return;
  }
  call.retried = true;
  state.requests.awaiting_refresh.push_back(std::move(call));
  if (state.requests.refreshing) return;
  state.requests.refreshing = true;
  Send(state, WithRefreshToken(Call::Refresh, "/v2/auth/refresh", state.session.refresh_token));
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Lists loaded in pages
// -----------------------------------------------------------------------------------------------

// Folds one page into `list`; asks for the next page, or completes the list. Returns true when
// the list was completed by this page.
template <class T, class ParseItem>
bool OnPage(State& state, Listing<T>& list, const PendingCall& call, const net::Response& answer,
            ParseItem parse_item) {
  if (call.list_generation != list.generation || call.org != list.org) return false;
  auto fail = [&](std::string message) {
    list.loading = false;
    list.incoming.clear();
    list.error = std::move(message);
    list.error_status = answer.status;
    return false;
  };
  if (!answer.ok()) return fail(answer.message());
  const auto page = oat::parse_page_json(answer.body);
  if (!page) return fail(kUnreadable);
  for (const json& item : page->items) {
    if (auto value = parse_item(item)) list.incoming.push_back(std::move(*value));
  }
  const bool more = page->next && !page->items.empty() && list.incoming.size() < page->total &&
                    call.page < kMaxPages;
  if (more) {
    PendingCall following = call;
    following.page = call.page + 1;
    const std::string base = call.path.substr(0, call.path.find('?'));
    following.path = base + "?page=" + std::to_string(following.page) +
                     "&page_size=" + std::to_string(kPageSize);
    following.retried = false;
    Send(state, std::move(following));
    return false;
  }
  list.items = std::move(list.incoming);
  list.incoming.clear();
  list.loading = false;
  list.loaded = true;
  list.error.clear();
  list.error_status = 0;
  list.loaded_at = state.now;
  return true;
}

// Picks the organization to show once the list is known: the deep link's (with its view and
// drawer), else the one already selected, else the first whose tokens the person may manage,
// else the first.
void ChooseOrganization(State& state) {
  const auto& orgs = state.orgs.items;
  auto has = [&](const std::string& name) {
    return std::any_of(orgs.begin(), orgs.end(), [&](const Organization& o) { return o.name == name; });
  };
  if (state.wanted_route && has(state.wanted_route->org)) {
    const Route route = *state.wanted_route;
    state.wanted_route.reset();
    if (route.org == state.selected_org && !state.tokens.loaded) state.selected_org.clear();  // load it
    ApplyRoute(state, route);
    return;
  }
  std::string choice;
  if (!state.selected_org.empty() && has(state.selected_org)) {
    choice = state.selected_org;
  } else {
    auto manageable = std::find_if(orgs.begin(), orgs.end(),
                                   [](const Organization& o) { return o.can_manage_tokens; });
    if (manageable != orgs.end()) choice = manageable->name;
    else if (!orgs.empty()) choice = orgs.front().name;
  }
  state.wanted_route.reset();
  if (choice.empty()) {
    state.selected_org.clear();
    return;
  }
  if (choice != state.selected_org || !state.tokens.loaded) SelectOrganization(state, choice);
}

void Dispatch(State& state, const PendingCall& call, const net::Response& answer) {
  switch (call.call) {
    case Call::SignIn:
      OnSignedIn(state, answer);
      break;
    case Call::Resume:
      OnResumed(state, answer);
      break;
    case Call::Refresh:
      OnRefreshed(state, answer);
      break;
    case Call::WhoAmI:
      OnWhoAmI(state, answer);
      break;
    case Call::SignOut:
      break;
    case Call::Organizations:
      if (OnPage(state, state.orgs, call, answer, [](const json& item) {
            return Accepted(oat::parse_organization_json(item));
          })) ChooseOrganization(state);
      break;
    case Call::Tokens:
      if (OnPage(state, state.tokens, call, answer,
                 [](const json& item) { return Accepted(oat::parse_token_json(item)); })) {
        // The list is the freshest count of what the organization holds.
        for (Organization& org : state.orgs.items) {
          if (org.name == state.tokens.org) org.token_count = state.tokens.items.size();
        }
      }
      break;
    case Call::Repositories:
      OnPage(state, state.repositories, call, answer,
             [](const json& item) { return Accepted(oat::parse_repository_json(item)); });
      break;
    default: {
      // The calls answered by one function each (token_calls.cpp, audit_calls.cpp).
      using Answer = void (*)(State&, const PendingCall&, const net::Response&);
      static constexpr std::pair<Call, Answer> kAnswers[] = {
          {Call::CreateToken, OnTokenCreated},     {Call::EditToken, OnTokenEdited},
          {Call::SetTokenActive, OnTokenActiveSet}, {Call::DeleteToken, OnTokenDeleted},
          {Call::TokenDetails, OnTokenDetails},    {Call::AuditLog, OnAuditPage},
          {Call::RotateToken, OnTokenRotated},     {Call::TokenPolicy, OnTokenPolicy},
          {Call::SaveTokenPolicy, OnTokenPolicySaved}, {Call::TokenUsage, OnUsage},
          {Call::OrgUsage, OnUsage},               {Call::ExpiringCount, OnExpiringCount},
          {Call::OidcConnections, OnOidcConnections}, {Call::CreateConnection, OnConnectionSaved},
          {Call::EditConnection, OnConnectionSaved}, {Call::SetConnectionActive, OnConnectionActiveSet},
          {Call::DeleteConnection, OnConnectionDeleted}, {Call::OidcFailures, OnOidcFailures},
      };
      for (const auto& [kind, on_answer] : kAnswers) {
        if (kind == call.call) on_answer(state, call, answer);
      }
    }
  }
}

}  // namespace

// -----------------------------------------------------------------------------------------------
// Public
// -----------------------------------------------------------------------------------------------

void SignIn(State& state) {
  SignInForm& form = state.sign_in;
  if (form.pending) return;
  if (form.username.empty() || form.password.empty()) {
    form.error = "Enter your username and password.";
    return;
  }
  form.pending = true;
  form.error.clear();
  PendingCall call;
  call.call = Call::SignIn;
  call.method = "POST";
  call.path = "/v2/auth/token";
  call.body = oat::sign_in_request_body({form.username, form.password, /*refresh=*/true});
  Send(state, std::move(call));
}

void SignOut(State& state) {
  if (state.session.cookie) {
    // The bearer names the session (even lapsed); the answer clears the cookie.
    PendingCall call = WithRefreshToken(Call::SignOut, "/v2/auth/logout", "");
    call.authorized = true;
    Send(state, std::move(call));
    page::AnnounceSession(page::kSignedOut);
  } else if (!state.session.refresh_token.empty()) {
    Send(state, WithRefreshToken(Call::SignOut, "/v2/auth/logout", state.session.refresh_token));
  }
  EndSession(state, "You have signed out.");
  // An explicit sign-out forgets where the person was.
  state.wanted_route.reset();
}

void ResumeSession(State& state) {
  if (!state.config.api_base.empty() || state.session.signed_in() || state.sign_in.resuming) return;
  state.sign_in.resuming = true;
  Send(state, WithRefreshToken(Call::Resume, "/v2/auth/refresh", ""));
}

void FollowOtherTabs(State& state) {
  const std::string word = page::TakeSessionAnnouncement();
  if (word == page::kSignedOut && state.session.cookie) {
    EndSession(state, "You signed out in another tab.");
    state.wanted_route.reset();
  } else if (word == page::kSignedIn && !state.session.signed_in() && !state.sign_in.pending) {
    ResumeSession(state);
  }
}

void LoadOrganizations(State& state) {
  StartListing(state, state.orgs, Call::Organizations, "/v2/user/orgs", "");
}

void SelectOrganization(State& state, const std::string& org) {
  state.selected_org = org;
  state.dialog = Dialog::None;
  state.action = {};
  state.connection_action = {};
  state.ci.selected.clear();
  state.ci.open_claims.clear();
  LoadTokens(state);
  LoadRepositories(state);
  LoadTokenPolicy(state);
  if (state.view == View::Activity) {
    LoadAuditLog(state);
    LoadOrgUsage(state);
  }
  if (state.view == View::CiSignIn) LoadOidcConnections(state);
}

void LoadTokens(State& state) {
  if (state.selected_org.empty()) return;
  StartListing(state, state.tokens, Call::Tokens, TokensPath(state.selected_org), state.selected_org);
  LoadExpiringCount(state);  // the banner's count moves with the list
}

void LoadRepositories(State& state) {
  if (state.selected_org.empty()) return;
  StartListing(state, state.repositories, Call::Repositories, RepositoriesPath(state.selected_org),
               state.selected_org);
}

void WipeSecret(State& state) {
  oat::wipe_secret(state.created.secret);
  state.created = CreatedToken{};
}

bool Pump(State& state) {
  std::vector<net::Response> answers = net::TakeAnswers();
  for (net::Response& answer : answers) {
    auto it = state.requests.in_flight.find(answer.id);
    if (it == state.requests.in_flight.end()) continue;  // dropped with its session
    PendingCall call = std::move(it->second);
    state.requests.in_flight.erase(it);
    if (call.session_generation != state.session.generation) continue;
    if (answer.status == 401 && call.authorized) {
      OnUnauthorized(state, std::move(call));
      continue;
    }
    Dispatch(state, call, answer);
    // It held the secret.
    if (call.call == Call::CreateToken || call.call == Call::RotateToken) oat::wipe_secret(answer.body);
  }
  return !answers.empty();
}

std::size_t PendingRequests(const State& state) {
  return state.requests.in_flight.size() + state.requests.awaiting_refresh.size();
}

}  // namespace console
