// The connection editor's draft as a request (docs/oidc.md): the JSON body it would send, and
// what the rule core says of it. As draft.h for tokens, no rule is written here: every check and
// message is the core's (oat::parse_oidc_connection_request, and oat::validate_oidc_connection
// for the presets' owner pin and the rulesets' resources), so the editor shows the server's words
// before anything is sent. Two things are the form's own: a condition row with an empty pattern
// is left out of the request (the preset's rows start empty), and a claim named on two rows of a
// ruleset is refused here, since the API's object of conditions holds each name once.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "oat/api.h"
#include "oat/oidc.h"
#include "state.h"

namespace console {

// The draft checked by the core: every refusal, where the editor shows each, and the body that
// would be sent when there is none.
struct ConnectionCheck {
  oat::Errors errors;
  std::vector<std::string> places;  // errors[k] is shown at places[k] (ConnectionPlace)
  std::string body;
  std::vector<std::vector<ResourceSlot>> slots;  // each ruleset's resources, as in draft.h
  bool ok() const { return errors.empty(); }
};
// POST /v2/orgs/{org}/oidc-connections (create) or PATCH .../{id}: name, issuer, audience and
// the rulesets. The issuer is checked for its shape only: which issuers the operator allows is
// the server's to say.
ConnectionCheck CheckConnection(const ConnectionDraft& draft, const oat::OrganizationContext& context, bool create);

// Where an error about `draft` is shown: "name", "issuer", "audience", "rulesets" (their
// number), "rulesets[i]" (the ruleset as a whole), "rulesets[i].name",
// "rulesets[i].conditions" (their number, a claim name), "rulesets[i].condition.<row>" (the row
// naming the claim of "rulesets[i].conditions.<claim>"), "rulesets[i].max_lifetime_seconds",
// "rulesets[i].res.<place>" (the resources editor's places: resources, public, all, repo.<row>,
// org), or "" (the dialog's bottom). `slots`: the request's (CheckConnection's).
std::string ConnectionPlace(const oat::Error& error, const ConnectionDraft& draft,
                            const std::vector<std::vector<ResourceSlot>>& slots);
// "rulesets[i].res." + what follows, for ruleset i.
std::string RulesetResourcesPlace(std::size_t ruleset);

// oat::oidc_presets()'s preset of this key ("github", "gitlab"), or null.
const oat::OidcPreset* PresetByKey(std::string_view key);
// The preset whose rules a ruleset of the draft follows (oat::oidc_preset_for: its issuer and the
// claims its rows name), or null.
const oat::OidcPreset* RulesetPreset(const ConnectionDraft& draft, const RulesetDraft& ruleset);

// A new connection from a preset's key ("" for another issuer): its name and issuer, the
// audience given, and one ruleset.
ConnectionDraft NewConnectionDraft(std::string_view preset, std::string audience);
// A new ruleset for the draft: a name no other has, and the preset's first claims (the owner's
// id first) as empty rows, or one empty row.
RulesetDraft NewRuleset(const ConnectionDraft& draft);
// Moves the draft to another preset: its issuer (and name, when it was the old preset's), and in
// every ruleset the new preset's rows in place of the empty ones.
void ApplyPreset(ConnectionDraft& draft, std::string_view preset);
// A connection back into a draft (edit): the preset it follows, its rows with the preset's claims
// first, its resources as the resources editor holds them.
ConnectionDraft DraftFromConnection(const oat::OidcConnection& connection, const std::string& org);

}  // namespace console
