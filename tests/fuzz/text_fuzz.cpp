// libFuzzer target: the core's parsers of short texts from strangers: query parameters, header
// values, fields of a body. The first byte chooses the parser, the rest is its input:
//   's'  a registry `scope` value: parse_scope_string, then compute_grant for a token's
//        resources and for an anonymous pull (a grant never exceeds what was asked)
//   'S'  several `scope` parameters, one a line: parse_scope_params
//   't'  an RFC 3339 time: parse_rfc3339 (what it reads is written and read back the same)
//   'k'  a token: check_token_format and has_token_prefix
//   'n'  names and text fields: parse_repo_path, validate_account_name and _repository_name,
//        validate_label, validate_description, validate_password, validate_custom_role_name,
//        and the vocabulary parsers (scopes, resource types, plans, roles, states)
//   'h'  a registry host (--registry-host, the console's config): validate_registry_host
//   'g'  query numbers, one a line (page, page_size, expiring_within_days, days):
//        parse_page_request, parse_expiring_within_days, parse_usage_days
//   'i'  an IP address: parse_ip_address (written and read back the same)
//   'c'  a CIDR block: parse_cidr (its canonical text reads back the same and holds its network)
//   'a'  a token's allow-list as JSON, then an address: parse_allowed_cidrs, address_allowed
//   'x'  a peer address, a line break, an X-Forwarded-For value: client_address
//   'u'  a webhook's URL: parse_webhook_url
//   'o'  Cookie, Origin and Host values, one a line: cookie_value, from_console_page
// Anything may be refused; nothing may crash, throw, hang or read out of bounds.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "oat/console_session.h"
#include "oat/oat.h"

#include "property.h"

namespace {

using nlohmann::json;

using oat_fuzz::fail;
using oat_fuzz::accepted;

std::vector<std::string> lines(std::string_view data) {
  std::vector<std::string> out;
  while (true) {
    const auto end = data.find('\n');
    out.emplace_back(data.substr(0, end));
    if (end == std::string_view::npos) return out;
    data.remove_prefix(end + 1);
  }
}

std::optional<std::string_view> line(const std::vector<std::string>& all, std::size_t i) {
  if (i >= all.size()) return std::nullopt;
  return all[i];
}

const std::vector<oat::Resource>& token_resources() {
  static const std::vector<oat::Resource> resources = {
      {oat::ResourceType::Repo, "acme/app", {oat::Scope::ImagePush}},
      {oat::ResourceType::Repo, "acme/*", {oat::Scope::ImagePull}},
      {oat::ResourceType::Repo, "*/*/public", {oat::Scope::ImagePull}},
      {oat::ResourceType::Org, "acme", {oat::Scope::RepositoryList}}};
  return resources;
}

// Every granted entry was asked for, with actions that were asked for it.
void check_grant(const std::vector<oat::Access>& requested, const std::vector<oat::Access>& granted) {
  for (const oat::Access& g : granted) {
    if (g.actions.empty()) fail("an entry granted with no action");
    for (const std::string& action : g.actions) {
      const bool asked = std::any_of(requested.begin(), requested.end(), [&](const oat::Access& r) {
        return r.type == g.type && r.name == g.name &&
               std::find(r.actions.begin(), r.actions.end(), action) != r.actions.end();
      });
      if (!asked) fail("a grant beyond what was asked");
    }
  }
}

void scope(const std::vector<oat::Access>& requested) {
  if (requested.empty()) fail("a scope accepted with no entry");
  for (const oat::Access& a : requested) {
    if (a.type.empty() || a.name.empty()) fail("a scope entry without a type or name");
    (void)oat::strip_registry_host(a.name);
  }
  const auto is_public = [](std::string_view repository) { return repository == "other/public"; };
  check_grant(requested, oat::compute_grant(requested, token_resources(), "acme", is_public));
  const std::vector<oat::Resource> everyone = {
      {oat::ResourceType::Repo, std::string(oat::kPublicRepositoriesPath), {oat::Scope::ImagePull}}};
  check_grant(requested, oat::compute_grant(requested, everyone, "", is_public));
}

void time(std::string_view data) {
  const auto t = oat::parse_rfc3339(data);
  if (!t) return;
  const std::string text = oat::format_rfc3339(*t);
  if (oat::parse_rfc3339(text) != t) fail("a time that does not read back as itself");
}

void token(std::string_view data) {
  const bool prefixed = oat::has_token_prefix(data);
  const auto refused = oat::check_token_format(data);
  if (!refused && (!prefixed || data.size() != oat::kTokenLength)) fail("a token of the wrong shape accepted");
}

void names(std::string_view data) {
  if (const auto path = oat::parse_repo_path(data); accepted(path)) {
    if (path->kind == oat::RepoPathKind::Repository &&
        (oat::validate_account_name(path->namespace_) || oat::validate_repository_name(path->name))) {
      fail("a repository path whose parts are not names");
    }
  }
  (void)oat::validate_account_name(data);
  (void)oat::validate_repository_name(data);
  if (const auto label = oat::validate_label(data); accepted(label)) {
    if (label->empty() || oat::count_characters(*label) > oat::kMaxLabelLength) fail("a label of a wrong length");
  }
  (void)oat::validate_description(data);
  (void)oat::validate_password(data);
  (void)accepted(oat::validate_custom_role_name(data));
  (void)oat::is_text(data);
  (void)oat::has_control_character(data);
  (void)oat::trim_space(data);
  if (const auto s = oat::parse_scope(data); s && oat::scope_name(*s) != data) fail("a scope of another name");
  if (const auto t = oat::parse_resource_type(data); t && oat::resource_type_name(*t) != data) {
    fail("a resource type of another name");
  }
  (void)oat::parse_plan(data);
  (void)oat::parse_builtin_org_role(data);
  if (const auto s = oat::parse_token_state(data); s && oat::token_state_name(*s) != data) {
    fail("a token state of another name");
  }
  (void)oat::parse_delivery_status(data);
}

void registry_host(std::string_view data) {
  if (oat::validate_registry_host(data, "--registry-host")) return;
  if (!oat::docker_login_lines(data, "acme")) fail("an accepted registry host without login lines");
}

void numbers(std::string_view data) {
  const auto all = lines(data);
  if (const auto page = oat::parse_page_request(line(all, 0), line(all, 1)); accepted(page)) {
    if (page->page < 1 || page->page_size < 1 || page->page_size > oat::kMaxPageSize) fail("a page out of range");
    // The handlers count the page's first item as (page - 1) * page_size, and page_json its end
    // as page * page_size: neither may wrap around.
    if (page->page > std::numeric_limits<std::size_t>::max() / page->page_size) fail("a page past any count");
    (void)oat::page_json(1000, *page, "http://oat.example/v2/orgs/acme/access-tokens?x=1", json::array());
  }
  if (const auto days = oat::parse_expiring_within_days(line(all, 2)); accepted(days) && *days) {
    if (**days < 1 || **days > oat::kMaxExpiringWithinDays) fail("expiring_within_days out of range");
  }
  if (const auto days = oat::parse_usage_days(line(all, 3)); accepted(days)) {
    if (*days < 1 || *days > oat::kUsageDaysKept) fail("days out of range");
  }
}

void ip(std::string_view data) {
  const auto address = oat::parse_ip_address(data);
  if (!address) return;
  if (oat::parse_ip_address(oat::format_ip_address(*address)) != address) fail("an address that does not read back");
}

void cidr(std::string_view data) {
  const auto block = oat::parse_cidr(data, "allowed_cidrs[0]");
  if (!accepted(block)) return;
  const auto again = oat::parse_cidr(oat::format_cidr(*block), "");
  if (!again || *again != *block) fail("a block whose canonical text does not read back");
  if (!oat::cidr_contains(*block, block->network)) fail("a block without its own network");
}

void allow_list(std::string_view data) {
  const auto newline = data.find('\n');
  const json value = oat::parse_json_text(data.substr(0, newline));
  if (value.is_discarded()) return;
  const auto blocks = oat::parse_allowed_cidrs(value);
  if (!accepted(blocks)) return;
  if (blocks->size() > oat::kMaxAllowedCidrs) fail("too many blocks accepted");
  for (const std::string& b : *blocks) {
    if (!oat::parse_cidr(b, "")) fail("a canonical block that does not parse");
  }
  const std::string_view address = newline == std::string_view::npos ? "" : data.substr(newline + 1);
  const bool allowed = oat::address_allowed(*blocks, address);
  if (blocks->empty() && !allowed) fail("an empty allow-list that refuses");
}

void forwarded(std::string_view data) {
  static const std::vector<oat::Cidr> trusted = {*oat::parse_cidr("127.0.0.0/8", ""),
                                                 *oat::parse_cidr("10.0.0.0/8", ""),
                                                 *oat::parse_cidr("fd00::/8", "")};
  const auto newline = data.find('\n');
  const std::string_view peer = data.substr(0, newline);
  const std::optional<std::string_view> header =
      newline == std::string_view::npos ? std::nullopt : std::optional(data.substr(newline + 1));
  const std::string client = oat::client_address(peer, header, trusted);
  if (oat::parse_ip_address(peer) && !oat::parse_ip_address(client)) fail("a client address that is not one");
  (void)oat::client_address(peer, header, {});
}

void webhook_url(std::string_view data) {
  const auto url = oat::parse_webhook_url(data);
  if (!accepted(url)) return;
  if ((url->scheme != "http" && url->scheme != "https") || url->host.empty() || url->port == 0 ||
      url->target.empty() || url->target.front() != '/') {
    fail("a webhook URL taken apart wrongly");
  }
}

void cookies(std::string_view data) {
  const auto all = lines(data);
  (void)oat::cookie_value(all[0], oat::kSessionCookieName);
  (void)oat::cookie_value(all[0], "");
  (void)oat::from_console_page("1", line(all, 1), line(all, 2));
  (void)oat::from_console_page(std::nullopt, line(all, 1), line(all, 2));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  switch (bytes[0]) {
    case 's':
      if (const auto parsed = oat::parse_scope_string(data); accepted(parsed)) scope(*parsed);
      break;
    case 'S':
      if (const auto parsed = oat::parse_scope_params(lines(data)); accepted(parsed)) scope(*parsed);
      break;
    case 't': time(data); break;
    case 'k': token(data); break;
    case 'n': names(data); break;
    case 'h': registry_host(data); break;
    case 'g': numbers(data); break;
    case 'i': ip(data); break;
    case 'c': cidr(data); break;
    case 'a': allow_list(data); break;
    case 'x': forwarded(data); break;
    case 'u': webhook_url(data); break;
    case 'o': cookies(data); break;
    default: break;
  }
  return 0;
}
