// The audit log: GET /v2/auditlogs/{org}, 100 events a page, newest first. Pages follow one
// another in the background up to kAuditAutoLoad events, then on demand ("Load more").
#include <cstdint>
#include <optional>
#include <utility>

#include "client.h"
#include "client_internal.h"
#include "format.h"
#include "oat/token_policy.h"

namespace console {

using nlohmann::json;
using namespace calls;

namespace {

// "1 day", "7 days", "1 hour", "90 seconds": a rotation's grace.
std::string Duration(std::int64_t seconds) {
  auto count = [](std::int64_t n, const char* unit) {
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
  };
  if (seconds > 0 && seconds % 86400 == 0) return count(seconds / 86400, "day");
  if (seconds > 0 && seconds % 3600 == 0) return count(seconds / 3600, "hour");
  if (seconds > 0 && seconds % 60 == 0) return count(seconds / 60, "minute");
  return count(seconds, "second");
}

// The parts of `data` people read, on one line; ids stay in the tooltip's JSON.
std::string Summary(const oat::AuditData& data) {
  std::string out;
  auto add = [&](const std::string& part) {
    if (part.empty()) return;
    if (!out.empty()) out += "  \xC2\xB7  ";
    out += part;
  };
  if (data.address) add("from " + *data.address);
  if (data.reason) add(*data.reason);
  if (data.previous_label) add("renamed from \xE2\x80\x9C" + *data.previous_label + "\xE2\x80\x9D");
  if (data.resources) {
    std::string paths;
    std::size_t shown = 0;
    for (const oat::Resource& resource : *data.resources) {
      if (shown == 3) {
        paths += " +" + std::to_string(data.resources->size() - 3);
        break;
      }
      paths += (shown++ ? ", " : "") + resource.path;
    }
    add(paths);
  }
  if (data.expires_at) {
    add(*data.expires_at ? "expires " + format::ShortDate(**data.expires_at) : "never expires");
  }
  if (data.grace_period_seconds) {
    add(*data.grace_period_seconds > 0 ? "old secret kept " + Duration(*data.grace_period_seconds)
                                       : "old secret stopped at once");
  }
  if (data.allowed_cidrs) {
    std::string blocks;
    for (std::size_t i = 0; i < data.allowed_cidrs->size() && i < 3; ++i) {
      blocks += (i ? ", " : "") + (*data.allowed_cidrs)[i];
    }
    if (data.allowed_cidrs->size() > 3) blocks += " +" + std::to_string(data.allowed_cidrs->size() - 3);
    add(blocks.empty() ? "any address" : "addresses " + blocks);
  }
  if (data.allow_self_rotation) add(*data.allow_self_rotation ? "may rotate itself" : "may not rotate itself");
  if (data.policy) add(oat::describe_token_policy(*data.policy));
  return out;
}

std::optional<AuditEntry> ParseEntry(const json& item) {
  auto event = oat::parse_audit_event_json(item);
  if (!event) return std::nullopt;
  AuditEntry entry;
  entry.action = event->action;
  entry.description = event->description;
  entry.name = event->name;
  entry.actor = event->actor;
  entry.timestamp = event->timestamp;
  if (!event->data.empty()) {
    entry.details = Summary(oat::parse_audit_data(event->data));
    entry.data = event->data.dump(2, ' ', false, json::error_handler_t::replace);
  }
  return entry;
}

void SendPage(State& state, std::size_t page) {
  AuditLog& log = state.audit;
  std::string path = "/v2/auditlogs/" + log.org + "?page=" + std::to_string(page) +
                     "&page_size=" + std::to_string(kAuditPageSize);
  if (!log.action.empty()) path += "&action=" + log.action;  // action names are [a-z_.]
  PendingCall call = OrgCall(state, Call::AuditLog, "GET", std::move(path));
  call.org = log.org;
  call.page = page;
  call.list_generation = log.generation;
  log.loading = true;
  Send(state, std::move(call));
}

}  // namespace

void LoadAuditLog(State& state) {
  if (state.selected_org.empty()) return;
  AuditLog& log = state.audit;
  if (log.org != state.selected_org) {  // another organization's events never show
    AuditLog fresh;
    fresh.generation = log.generation;
    fresh.filter = log.filter;  // the chosen action carries over, asked of the server
    fresh.action = log.filter;
    log = std::move(fresh);
  }
  log.org = state.selected_org;
  log.generation++;
  log.load_all = false;
  log.load_until = kAuditAutoLoad;
  SendPage(state, 1);
}

void LoadMoreAuditLog(State& state, bool all) {
  AuditLog& log = state.audit;
  if (log.loading || !log.more || log.org != state.selected_org) return;
  log.load_all = all;
  log.load_until = log.items.size() + kAuditPageSize;
  SendPage(state, log.next_page);
}

namespace calls {

void OnAuditPage(State& state, const PendingCall& call, const net::Response& answer) {
  AuditLog& log = state.audit;
  if (call.list_generation != log.generation || call.org != log.org) return;
  log.loading = false;
  if (!answer.ok()) {
    log.error = answer.message();
    log.error_status = answer.status;
    if (call.page == 1) log.items.clear();  // the filter's events are unknown
    return;
  }
  const auto page = oat::parse_page_json(answer.body, oat::kLogsKey);
  if (!page) {
    log.error = kUnreadable;
    log.error_status = answer.status;
    return;
  }
  if (call.page == 1) log.items.clear();
  for (const json& item : page->items) {
    if (auto entry = ParseEntry(item)) log.items.push_back(std::move(*entry));
  }
  log.total = page->total;
  log.more = page->next && !page->items.empty() && log.items.size() < log.total;
  log.next_page = call.page + 1;
  log.loaded = true;
  log.error.clear();
  log.error_status = 0;
  log.loaded_at = state.now;
  if (log.more && (log.load_all || log.items.size() < log.load_until)) SendPage(state, log.next_page);
}

}  // namespace calls
}  // namespace console
