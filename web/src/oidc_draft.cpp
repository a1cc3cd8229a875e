#include "oidc_draft.h"

#include <algorithm>
#include <charconv>
#include <map>

#include <nlohmann/json.hpp>

#include "draft.h"
#include "oat/resource.h"
#include "oat/wire.h"

namespace console {
namespace {

using nlohmann::json;

constexpr std::size_t kPresetRows = 3;  // the preset's claims a new ruleset starts with

std::string At(std::size_t i) { return "rulesets[" + std::to_string(i) + "]"; }

// Seconds as typed: a JSON number when they are one, else the text itself (so that the core
// names what is wrong with it, in the server's words).
json SecondsValue(const std::string& text) {
  long long seconds = 0;
  const char* end = text.data() + text.size();
  const auto [at, ec] = std::from_chars(text.data(), end, seconds);
  if (!text.empty() && ec == std::errc() && at == end) return seconds;
  return text;
}

bool Names(const RulesetDraft& ruleset, std::string_view claim) {
  return std::any_of(ruleset.conditions.begin(), ruleset.conditions.end(),
                     [&](const ConditionRow& row) { return row.claim == claim; });
}

// The preset's first claims, as empty rows the ruleset does not have yet (the owner's first).
void AddPresetRows(RulesetDraft& ruleset, const oat::OidcPreset& preset) {
  std::vector<ConditionRow> rows;
  for (std::size_t i = 0; i < preset.claims.size() && i < kPresetRows; ++i) {
    if (!Names(ruleset, preset.claims[i])) rows.push_back({std::string(preset.claims[i]), ""});
  }
  ruleset.conditions.insert(ruleset.conditions.begin(), rows.begin(), rows.end());
}

}  // namespace

ConnectionCheck CheckConnection(const ConnectionDraft& draft, const oat::OrganizationContext& context,
                                bool create) {
  ConnectionCheck check;
  json rulesets = json::array();
  for (std::size_t i = 0; i < draft.rulesets.size(); ++i) {
    const RulesetDraft& r = draft.rulesets[i];
    json conditions = json::object();
    for (std::size_t j = 0; j < r.conditions.size(); ++j) {
      const ConditionRow& row = r.conditions[j];
      if (row.pattern.empty()) continue;  // left out
      if (conditions.contains(row.claim)) {
        check.errors.push_back({oat::ErrorCode::InvalidOidcCondition, At(i) + ".conditions." + row.claim,
                                "\"" + row.claim + "\" is named on two rows of this ruleset; a claim is one "
                                "condition."});
        check.places.push_back(At(i) + ".condition." + std::to_string(j));
        continue;
      }
      conditions[row.claim] = row.pattern;
    }
    DraftResources resources = ResourcesOf(r.resources, context.org);
    check.slots.push_back(std::move(resources.slots));
    rulesets.push_back({{"name", r.name},
                        {"conditions", std::move(conditions)},
                        {"resources", oat::resources_json(resources.resources)},
                        {"max_lifetime_seconds", SecondsValue(r.max_lifetime)}});
  }
  const json body = {{"name", draft.name}, {"issuer", draft.issuer}, {"audience", draft.audience},
                     {"rulesets", rulesets}};
  check.body = oat::json_text(body);
  oat::Errors found;
  if (auto parsed = oat::parse_oidc_connection_request(check.body, create); !parsed) found = parsed.errors();
  // The rules that need the organization (resources) and the presets (the owner's pin), as soon
  // as the rulesets have their shape, whatever else is still wrong.
  if (auto parsed = oat::parse_oidc_rulesets(rulesets)) {
    const oat::Errors more = oat::validate_oidc_connection(draft.issuer, *parsed, context.org, {draft.issuer},
                                                           context.repository_exists);
    found.insert(found.end(), more.begin(), more.end());
  }
  for (oat::Error& error : found) {
    check.places.push_back(ConnectionPlace(error, draft, check.slots));
    check.errors.push_back(std::move(error));
  }
  if (!check.ok()) check.body.clear();
  return check;
}

std::string RulesetResourcesPlace(std::size_t ruleset) { return At(ruleset) + ".res."; }

std::string ConnectionPlace(const oat::Error& error, const ConnectionDraft& draft,
                            const std::vector<std::vector<ResourceSlot>>& slots) {
  const std::string& field = error.field;
  if (field == "name" || field == "issuer" || field == "audience" || field == "rulesets") return field;
  constexpr std::string_view kPrefix = "rulesets[";
  if (field.compare(0, kPrefix.size(), kPrefix) != 0) return "";
  std::size_t i = 0;
  const char* first = field.data() + kPrefix.size();
  const char* last = field.data() + field.size();
  const auto [end, ec] = std::from_chars(first, last, i);
  if (ec != std::errc() || end >= last || *end != ']' || i >= draft.rulesets.size()) return "rulesets";
  const std::string at = At(i);
  std::string rest(end + 1, last);
  if (rest.empty() || rest.front() != '.') return at;
  rest.erase(0, 1);
  if (rest == "name" || rest == "max_lifetime_seconds" || rest == "conditions") return at + "." + rest;
  constexpr std::string_view kConditions = "conditions.";
  if (rest.compare(0, kConditions.size(), kConditions) == 0) {
    const std::string claim = rest.substr(kConditions.size());
    const auto& rows = draft.rulesets[i].conditions;
    // The row that names the claim, one with a pattern before one without.
    std::size_t found = rows.size();
    for (std::size_t j = 0; j < rows.size(); ++j) {
      if (rows[j].claim != claim) continue;
      if (found == rows.size() || (rows[found].pattern.empty() && !rows[j].pattern.empty())) found = j;
    }
    return found < rows.size() ? at + ".condition." + std::to_string(found) : at + ".conditions";
  }
  if (rest.compare(0, 9, "resources") == 0) {
    oat::Error inner = error;
    inner.field = rest;
    std::string place = ErrorPlace(inner, i < slots.size() ? slots[i] : std::vector<ResourceSlot>{});
    return RulesetResourcesPlace(i) + (place.empty() ? "resources" : place);
  }
  return at;
}

const oat::OidcPreset* PresetByKey(std::string_view key) {
  for (const oat::OidcPreset& preset : oat::oidc_presets()) {
    if (preset.key == key) return &preset;
  }
  return nullptr;
}

const oat::OidcPreset* RulesetPreset(const ConnectionDraft& draft, const RulesetDraft& ruleset) {
  std::vector<std::string> claims;
  for (const ConditionRow& row : ruleset.conditions) claims.push_back(row.claim);
  return oat::oidc_preset_for(draft.issuer, claims);
}

RulesetDraft NewRuleset(const ConnectionDraft& draft) {
  RulesetDraft ruleset;
  for (std::size_t n = draft.rulesets.size() + 1;; ++n) {
    ruleset.name = "Ruleset " + std::to_string(n);
    if (std::none_of(draft.rulesets.begin(), draft.rulesets.end(),
                     [&](const RulesetDraft& r) { return r.name == ruleset.name; })) {
      break;
    }
  }
  if (const oat::OidcPreset* preset = PresetByKey(draft.preset)) {
    AddPresetRows(ruleset, *preset);
  } else {
    ruleset.conditions.push_back({});
  }
  return ruleset;
}

ConnectionDraft NewConnectionDraft(std::string_view preset_key, std::string audience) {
  ConnectionDraft draft;
  draft.preset = std::string(preset_key);
  draft.audience = std::move(audience);
  if (const oat::OidcPreset* preset = PresetByKey(preset_key)) {
    draft.name = std::string(preset->name);
    draft.issuer = std::string(preset->issuer);
  }
  draft.rulesets.push_back(NewRuleset(draft));
  return draft;
}

void ApplyPreset(ConnectionDraft& draft, std::string_view key) {
  if (draft.preset == key) return;
  const oat::OidcPreset* from = PresetByKey(draft.preset);
  const oat::OidcPreset* to = PresetByKey(key);
  if (draft.name.empty() || (from && draft.name == from->name)) draft.name = to ? std::string(to->name) : "";
  if (to) {
    draft.issuer = std::string(to->issuer);
  } else if (from && draft.issuer == from->issuer) {
    draft.issuer.clear();
  }
  for (RulesetDraft& ruleset : draft.rulesets) {
    auto& rows = ruleset.conditions;
    rows.erase(std::remove_if(rows.begin(), rows.end(), [](const ConditionRow& row) { return row.pattern.empty(); }),
               rows.end());
    if (to) AddPresetRows(ruleset, *to);
    if (rows.empty()) rows.push_back({});
  }
  draft.preset = std::string(key);
}

ConnectionDraft DraftFromConnection(const oat::OidcConnection& connection, const std::string& org) {
  ConnectionDraft draft;
  std::vector<std::string> claims;
  for (const oat::OidcRuleset& r : connection.rulesets) {
    for (const oat::OidcCondition& c : r.conditions) claims.push_back(c.claim);
  }
  const oat::OidcPreset* preset = oat::oidc_preset_for(connection.issuer, claims);
  draft.preset = preset ? std::string(preset->key) : "";
  draft.name = connection.name;
  draft.issuer = connection.issuer;
  draft.audience = connection.audience;
  for (const oat::OidcRuleset& r : connection.rulesets) {
    RulesetDraft ruleset;
    ruleset.name = r.name;
    // The preset's claims first, in its order (the owner's id first); then the others.
    std::vector<oat::OidcCondition> rest = r.conditions;
    if (preset) {
      for (std::string_view claim : preset->claims) {
        auto it = std::find_if(rest.begin(), rest.end(), [&](const oat::OidcCondition& c) { return c.claim == claim; });
        if (it == rest.end()) continue;
        ruleset.conditions.push_back({it->claim, it->pattern});
        rest.erase(it);
      }
    }
    for (const oat::OidcCondition& c : rest) ruleset.conditions.push_back({c.claim, c.pattern});
    ruleset.resources = ResourceDraftOf(r.resources, org);
    ruleset.max_lifetime = std::to_string(r.max_lifetime_seconds);
    draft.rulesets.push_back(std::move(ruleset));
  }
  return draft;
}

}  // namespace console
