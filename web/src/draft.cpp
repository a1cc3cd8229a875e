#include "draft.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "oat/lifecycle.h"
#include "oat/resource.h"

namespace console {
namespace {

using nlohmann::json;

std::vector<oat::Scope> Listed(oat::ScopeSet scopes) { return WithoutIncluded(scopes).to_vector(); }

json ResourcesJson(const TokenDraft& draft, const std::string& org, std::vector<ResourceSlot>* slots) {
  DraftResources r = ResourcesOf(draft, org);
  if (slots) *slots = std::move(r.slots);
  return oat::resources_json(r.resources);
}

// Whether year, month and day name a date (not February 30, not month 13).
bool IsDate(int year, int month, int day) {
  // std::chrono keeps a month and a day in a byte, a year in a short: the ints are checked first.
  if (year < -32767 || year > 32767 || month < 1 || month > 12 || day < 1 || day > 31) return false;
  return (std::chrono::year{year} / month / day).ok();
}

}  // namespace

DraftResources ResourcesOf(const ResourceDraft& draft, const std::string& org) {
  DraftResources out;
  auto add = [&](oat::ResourceType type, std::string path, oat::ScopeSet scopes, ResourceSlot slot) {
    out.resources.push_back({type, std::move(path), Listed(scopes)});
    out.slots.push_back(slot);
  };
  if (draft.public_read) {
    add(oat::ResourceType::Repo, std::string(oat::kPublicRepositoriesPath),
        oat::ScopeSet{oat::Scope::ImagePull}, {ResourceOrigin::Public, 0});
  }
  if (draft.all_repositories) {
    add(oat::ResourceType::Repo, org + "/*", draft.all_scopes, {ResourceOrigin::AllRepositories, 0});
  }
  for (std::size_t i = 0; i < draft.repositories.size(); ++i) {
    add(oat::ResourceType::Repo, draft.repositories[i].path, draft.repositories[i].scopes,
        {ResourceOrigin::Repository, i});
  }
  if (!draft.org_scopes.empty()) {
    add(oat::ResourceType::Org, org, draft.org_scopes, {ResourceOrigin::Organization, 0});
  }
  return out;
}

std::size_t RepositoryEntries(const ResourceDraft& draft) {
  return (draft.public_read ? 1 : 0) + (draft.all_repositories ? 1 : 0) + draft.repositories.size();
}

DraftCheck CheckCreate(const TokenDraft& draft, const oat::OrganizationContext& context,
                       const oat::TokenPolicy* policy) {
  DraftCheck check;
  json body = oat::token_request_json(draft.label, draft.description,
                                     ResourcesJson(draft, context.org, &check.slots),
                                     draft.allow_self_rotation, AddressEntries(draft.allowed_cidrs));
  oat::ExpiryChoice choice{draft.expiry, std::nullopt};
  if (draft.expiry == oat::ExpiryPreset::Custom) choice.custom = CustomInstant(draft);
  auto expiry = oat::resolve_expiry(choice, context.now);
  if (!expiry) {
    check.errors = expiry.errors();
  } else {
    body["expires_at"] = expiry.value() ? json(oat::format_rfc3339(*expiry.value())) : json(nullptr);
    if (policy) {
      if (auto refused = oat::check_expiry_policy(*policy, expiry.value(), context.now)) {
        check.errors.push_back(*refused);
      }
    }
  }
  check.body = oat::json_text(body);
  auto parsed = oat::parse_create_request(check.body, context);
  if (!parsed) check.errors.insert(check.errors.end(), parsed.errors().begin(), parsed.errors().end());
  if (!check.ok()) check.body.clear();
  return check;
}

DraftCheck CheckUpdate(const TokenDraft& draft, const oat::OrganizationContext& context) {
  DraftCheck check;
  check.body = oat::json_text(oat::token_request_json(
      draft.label, draft.description, ResourcesJson(draft, context.org, &check.slots),
      draft.allow_self_rotation, AddressEntries(draft.allowed_cidrs)));
  auto parsed = oat::parse_update_request(check.body, context);
  if (!parsed) {
    check.errors = parsed.errors();
    check.body.clear();
  }
  return check;
}

std::vector<std::string> AddressEntries(std::string_view text) {
  std::vector<std::string> entries;
  while (!text.empty()) {
    const auto end = text.find_first_of(",\n");
    std::string_view entry = text.substr(0, end);
    const auto first = entry.find_first_not_of(" \t\r");
    if (first != std::string_view::npos) {
      entry = entry.substr(first, entry.find_last_not_of(" \t\r") - first + 1);
      entries.emplace_back(entry);
    }
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return entries;
}

oat::OrganizationContext ContextOf(const State& state) {
  oat::OrganizationContext context;
  context.org = state.selected_org;
  context.now = state.now;
  const Listing<Repository>* repositories = &state.repositories;
  const bool known = repositories->loaded && repositories->org == state.selected_org;
  context.repository_exists = [repositories, known](std::string_view name) {
    if (!known) return true;
    return std::any_of(repositories->items.begin(), repositories->items.end(),
                       [&](const Repository& r) { return r.name == name; });
  };
  return context;
}

ResourceDraft ResourceDraftOf(const std::vector<oat::Resource>& resources, const std::string& org) {
  ResourceDraft draft;
  draft.all_scopes = {};
  bool all_seen = false;
  for (const oat::Resource& r : resources) {
    const oat::ScopeSet scopes = oat::ScopeSet::of(r.scopes);
    if (r.type == oat::ResourceType::Org) {
      draft.org_scopes = scopes;  // a token has at most one (duplicates are refused)
    } else if (r.path == oat::kPublicRepositoriesPath) {
      draft.public_read = true;
    } else if (r.path == org + "/*" && !all_seen) {
      draft.all_repositories = true;
      draft.all_scopes = scopes;
      all_seen = true;
    } else {
      draft.repositories.push_back({r.path, scopes});
    }
  }
  if (!all_seen) draft.all_scopes = oat::ScopeSet{oat::Scope::ImagePull};
  return draft;
}

TokenDraft DraftFromToken(const oat::AccessToken& token, const std::string& org) {
  TokenDraft draft;
  static_cast<ResourceDraft&>(draft) = ResourceDraftOf(token.resources, org);
  draft.label = token.label;
  draft.description = token.description;
  for (const std::string& block : token.allowed_cidrs) {
    draft.allowed_cidrs += (draft.allowed_cidrs.empty() ? "" : "\n") + block;
  }
  draft.allow_self_rotation = token.allow_self_rotation;
  return draft;
}

std::string ErrorPlace(const oat::Error& error, const std::vector<ResourceSlot>& slots) {
  const std::string& field = error.field;
  if (field == "label" || field == "description" || field == "expires_at" || field == "resources" ||
      field == "allow_self_rotation") {
    return field;
  }
  if (field.compare(0, 13, "allowed_cidrs") == 0) return "allowed_cidrs";
  constexpr std::string_view kPrefix = "resources[";
  if (field.compare(0, kPrefix.size(), kPrefix) == 0) {
    std::size_t index = 0;
    const char* first = field.data() + kPrefix.size();
    const char* last = field.data() + field.size();
    const auto [end, ec] = std::from_chars(first, last, index);
    if (ec == std::errc() && end < last && *end == ']' && index < slots.size()) {
      const ResourceSlot& slot = slots[index];
      switch (slot.origin) {
        case ResourceOrigin::Public: return "public";
        case ResourceOrigin::AllRepositories: return "all";
        case ResourceOrigin::Repository: return "repo." + std::to_string(slot.row);
        case ResourceOrigin::Organization: return "org";
      }
    }
    return "resources";
  }
  return "";
}

oat::ScopeSet WithoutIncluded(oat::ScopeSet scopes) {
  oat::ScopeSet out;
  for (oat::Scope s : scopes.to_vector()) {
    if (!IncludedByOther(scopes, s)) out.add(s);
  }
  return out;
}

bool IncludedByOther(oat::ScopeSet scopes, oat::Scope scope) {
  for (oat::Scope other : scopes.to_vector()) {
    if (other != scope && oat::scope_includes(other, scope)) return true;
  }
  return false;
}

std::optional<oat::Timestamp> InstantOf(const LocalDateTime& local) {
  if (!IsDate(local.year, local.month, local.day) || local.hour < 0 || local.hour > 23 || local.minute < 0 ||
      local.minute > 59 || local.year < 1970 || local.year > 9999) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = local.year - 1900;
  tm.tm_mon = local.month - 1;
  tm.tm_mday = local.day;
  tm.tm_hour = local.hour;
  tm.tm_min = local.minute;
  tm.tm_isdst = -1;  // the zone's rule for that date
  const std::time_t t = std::mktime(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  return oat::from_unix(static_cast<long long>(t));
}

std::optional<oat::Timestamp> CustomInstant(const TokenDraft& draft) { return InstantOf(draft.custom); }

LocalDateTime LocalOf(oat::Timestamp t) {
  const std::time_t seconds = static_cast<std::time_t>(oat::to_unix(t));
  std::tm tm{};
  localtime_r(&seconds, &tm);
  return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min};
}

int DaysInMonth(int year, int month) {
  if (month < 1 || month > 12) return 31;
  return static_cast<int>(static_cast<unsigned>((std::chrono::year{year} / month / std::chrono::last).day()));
}

int Weekday(int year, int month, int day) {
  const std::chrono::weekday weekday{std::chrono::sys_days{std::chrono::year{year} / month / day}};
  return static_cast<int>(weekday.iso_encoding()) - 1;  // ISO: Monday 1 ... Sunday 7
}

}  // namespace console
