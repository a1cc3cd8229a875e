#include "api/oidc_keys.h"

#include <algorithm>

#include "http/client.h"
#include "log/log.h"
#include "oat/oidc.h"

namespace oatd {

std::variant<std::vector<PublicKey>, std::string> OidcKeys::fetch(const std::string& issuer) const {
  const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
  const auto left = [&] {
    return std::max(std::chrono::milliseconds(1), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                      deadline - std::chrono::steady_clock::now()));
  };
  const auto get_json = [&](const std::string& url, const char* what) -> std::variant<nlohmann::json, std::string> {
    http::ClientRequest request;
    request.url = url;
    request.headers = {{"Accept", "application/json"}};
    request.user_agent = "oatd-oidc";
    request.timeout = left();
    request.https_only = true;
    request.ca_file = options_.ca_file;
    request.body_limit = options_.max_bytes;
    const http::ClientAnswer got = http::send(request);
    if (got.status == 0) return std::string(what) + " " + url + ": " + got.error;
    if (got.status != 200) return std::string(what) + " " + url + ": HTTP " + std::to_string(got.status);
    auto body = nlohmann::json::parse(got.body, nullptr, false);
    if (!body.is_object()) return std::string(what) + " " + url + ": not a JSON object";
    return body;
  };
  std::string base = issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto discovery = get_json(base + "/.well-known/openid-configuration", "discovery document");
  if (auto* error = std::get_if<std::string>(&discovery)) return *error;
  const auto& doc = std::get<nlohmann::json>(discovery);
  // A stranger's document: members of another type are as good as absent (never a JSON error).
  const auto text = [&doc](const char* key) {
    const auto it = doc.find(key);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (text("issuer") != issuer) return "the discovery document names another issuer";
  const std::string jwks_uri = text("jwks_uri");
  if (!jwks_uri.starts_with("https://")) return "the discovery document has no https jwks_uri";
  auto jwks = get_json(jwks_uri, "key set");
  if (auto* error = std::get_if<std::string>(&jwks)) return *error;
  const auto& set = std::get<nlohmann::json>(jwks);
  if (!set.contains("keys") || !set["keys"].is_array()) return "the key set has no keys";
  std::vector<PublicKey> keys;
  for (const auto& jwk : set["keys"]) {
    if (auto key = public_key_from_jwk(jwk)) keys.push_back(std::move(*key));
  }
  return keys;
}

OidcKeys::Lookup OidcKeys::find(const std::string& issuer, const std::optional<std::string>& kid,
                                const std::string& alg) {
  const auto pick = [&](const std::vector<PublicKey>& keys) {
    std::vector<PublicKey> found;
    for (const PublicKey& k : keys) {
      if (k.alg == alg && (!kid || k.kid == *kid)) found.push_back(k);
    }
    return found;
  };
  const auto now = std::chrono::steady_clock::now();
  std::vector<PublicKey> kept;
  {
    std::lock_guard lock(mutex_);
    Entry& entry = entries_[issuer];
    kept = pick(entry.keys);
    const bool fetched = entry.fetched_at != std::chrono::steady_clock::time_point{};
    if (!kept.empty() && now - entry.fetched_at < options_.max_age) return {Outcome::Found, kept, ""};
    // Not among the keys fetched a moment ago: an unknown key, without asking again.
    if (fetched && kept.empty() && now - entry.fetched_at < options_.refetch_interval) {
      return {Outcome::UnknownKey, {}, ""};
    }
    // One fetch per issuer at a time, and none for a while after one failed: a slow or dead
    // issuer holds at most one request (thread) at a time, never all of them.
    if (entry.fetching || (!entry.last_error.empty() && now - entry.failed_at < options_.retry_after_failure)) {
      if (!kept.empty()) return {Outcome::Found, kept, ""};
      return {Outcome::Unreachable, {},
              entry.fetching ? "the issuer's keys are being fetched" : entry.last_error};
    }
    entry.fetching = true;
  }
  // Whatever happens in the fetch, the issuer is not left marked as being fetched.
  std::variant<std::vector<PublicKey>, std::string> fetched;
  try {
    fetched = fetch(issuer);
  } catch (const std::exception& e) {
    fetched = std::string("cannot read the issuer's keys: ") + e.what();
  }
  std::lock_guard lock(mutex_);
  Entry& entry = entries_[issuer];
  entry.fetching = false;
  if (auto* error = std::get_if<std::string>(&fetched)) {
    log::warn("the keys of an OIDC issuer could not be fetched", {{"issuer", issuer}, {"error", *error}});
    entry.last_error = *error;
    entry.failed_at = std::chrono::steady_clock::now();
    if (!kept.empty()) return {Outcome::Found, kept, ""};  // stale but still published, as far as known
    return {Outcome::Unreachable, {}, *error};
  }
  entry.keys = std::move(std::get<std::vector<PublicKey>>(fetched));
  entry.fetched_at = std::chrono::steady_clock::now();
  entry.last_error.clear();
  std::vector<PublicKey> found = pick(entry.keys);
  if (found.empty()) return {Outcome::UnknownKey, {}, ""};
  return {Outcome::Found, std::move(found), ""};
}

}  // namespace oatd
