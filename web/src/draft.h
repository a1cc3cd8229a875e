// The token editor's draft as a request: the resources it lists, the JSON body it would send,
// and what the rule core says of it. No rule is written here; every check and every message
// comes from oat::parse_create_request / parse_update_request / resolve_expiry, exactly as the
// server runs them, so the dialog shows the server's words before anything is sent.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oat/api.h"
#include "oat/token_policy.h"
#include "state.h"

namespace console {

// The draft's resources in request order (public, all repositories, each repository, the
// organization), and where each came from.
struct DraftResources {
  std::vector<oat::Resource> resources;
  std::vector<ResourceSlot> slots;
};
DraftResources ResourcesOf(const ResourceDraft& draft, const std::string& org);

// How many TYPE_REPO entries the draft lists (the core's limit is oat::kMaxRepositoryResources).
std::size_t RepositoryEntries(const ResourceDraft& draft);

// The draft checked by the core: every refusal, and the body that would be sent when none.
struct DraftCheck {
  oat::Errors errors;
  std::string body;
  std::vector<ResourceSlot> slots;
  bool ok() const { return errors.empty(); }
};
// POST /v2/orgs/{org}/access-tokens: label, description, resources, expires_at (resolved at
// context.now), allow_self_rotation, allowed_cidrs. With the organization's token policy
// (when known), the expiry is also checked against it (oat::check_expiry_policy).
DraftCheck CheckCreate(const TokenDraft& draft, const oat::OrganizationContext& context,
                       const oat::TokenPolicy* policy = nullptr);
// PATCH /v2/orgs/{org}/access-tokens/{id}: label, description, resources, allow_self_rotation,
// allowed_cidrs.
DraftCheck CheckUpdate(const TokenDraft& draft, const oat::OrganizationContext& context);

// The address blocks as typed (one a line, or separated by commas), without blanks: what goes
// in "allowed_cidrs" for the core to check.
std::vector<std::string> AddressEntries(std::string_view text);

// The organization as the core's rules see it from the console: repositories known from the
// list (any name passes while the list is not loaded; the server decides then).
oat::OrganizationContext ContextOf(const State& state);

// Resources back into the resources editor's draft (a token's, a connection's ruleset's).
ResourceDraft ResourceDraftOf(const std::vector<oat::Resource>& resources, const std::string& org);
// A token's resources back into a draft (edit).
TokenDraft DraftFromToken(const oat::AccessToken& token, const std::string& org);

// Where an error is shown in the editor: "label", "description", "expires_at", "resources",
// "public", "all", "repo.<row>", "org", "allowed_cidrs", "allow_self_rotation", or "" (the
// dialog's bottom).
std::string ErrorPlace(const oat::Error& error, const std::vector<ResourceSlot>& slots);

// The chosen scopes without those another chosen scope includes (push + pull -> push).
oat::ScopeSet WithoutIncluded(oat::ScopeSet scopes);
// Scopes that `scopes` includes but does not hold itself: shown ticked and locked.
bool IncludedByOther(oat::ScopeSet scopes, oat::Scope scope);

// Local date and time <-> instants, in the browser's time zone. A date that does not exist
// (February 30, 25:00) is no instant. The calendar is std::chrono's; the time zone is the C
// library's (mktime, localtime_r), as this libc++ has no time zone database.
std::optional<oat::Timestamp> InstantOf(const LocalDateTime& local);
LocalDateTime LocalOf(oat::Timestamp t);
// The custom expiration as typed, as an instant (nothing when it names none).
std::optional<oat::Timestamp> CustomInstant(const TokenDraft& draft);
// 28 to 31 (31 for a month that is none).
int DaysInMonth(int year, int month);
// 0 = Monday ... 6 = Sunday (month 1 to 12).
int Weekday(int year, int month, int day);

}  // namespace console
