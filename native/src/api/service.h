// The management API and its authentication: routes, handlers and what they share.
// Handlers see parsed requests (http::Request) and return responses; storage, keys and the
// clock are handed in here, never global. Every rule they apply is the core's.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/limiter.h"
#include "api/signin_cache.h"
#include "http/http.h"
#include "oat/oat.h"
#include "store/store.h"

namespace oatd {

class SigningKey;

// The registry token service (distribution token authentication).
struct RegistryOptions {
  std::string service = "oat-registry";     // aud of registry tokens; the registry's `service`
  std::string issuer = "oatd";               // iss; the registry's `issuer`
  std::chrono::seconds token_lifetime{300};  // expires_in (at least 60)
  std::string events_secret;                 // bearer the registry's notifications send; empty: off
};

struct ServiceOptions {
  std::chrono::seconds bearer_lifetime{600};        // Docker Hub's 10 minutes
  std::chrono::seconds session_lifetime{7 * 86400}; // console sessions (refresh tokens)
  std::string issuer = "oatd";                       // iss of management bearers
  std::optional<std::string> public_url;             // base of next/previous links
  // Failed sign-ins allowed per identifier, and (looser, since many clients may share one
  // address behind a NAT) per client address.
  SignInLimiter::Policy sign_in_policy{5, std::chrono::seconds{300}};
  SignInLimiter::Policy address_policy{20, std::chrono::seconds{300}};
  RegistryOptions registry;
  // The issuers organizations' OIDC connections may name (oatd serve --oidc-issuer).
  std::vector<std::string> oidc_issuers = oat::default_oidc_issuers();
};

class UsageRecorder;
class WebhookWorker;
class OidcKeys;

// Counts for /metrics that the handlers and the webhook worker keep: sign-ins with an access
// token by result and route, and webhook delivery attempts by result. Thread-safe.
class EventCounters {
 public:
  void sign_in(std::string_view result, std::string_view route);
  void delivery(std::string_view result);
  // Prometheus text: oatd_token_sign_ins_total{result,route}, oatd_webhook_deliveries_total{result}.
  std::string render() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> sign_ins_;
  std::map<std::string, std::uint64_t> deliveries_;
};

// What every handler shares.
struct Services {
  Store& store;
  const SigningKey& key;
  std::function<Timestamp()> clock;
  const ServiceOptions options;  // settled before construction: the limiters are built from it
  SignInLimiter limiter{options.sign_in_policy};
  SignInLimiter address_limiter{options.address_policy};
  // Leaked-token reports (POST /v2/access-tokens/revoke) per client address: every report
  // counts, kept as the sign-in failures are.
  SignInLimiter revoke_limiter{oat::kRevokeLimit};
  UsageRecorder* usage = nullptr;  // registry sign-ins are recorded through it when set
  // Seals webhook secrets in the database (crypto.h, seal_secret): 32 bytes derived from the
  // signing key (webhook_sealing_key), so every node of a database can read them back.
  std::string sealing_key{};
  WebhookWorker* webhooks = nullptr;  // woken when a change wrote deliveries, when set
  OidcKeys* oidc_keys = nullptr;      // OIDC issuers' keys; REQUIRED by the exchange
  EventCounters counters{};
  SignInCache sign_in_cache{};  // token sign-ins' reads, between writes
};

// The key that seals webhook secrets: HMAC-SHA256 of the signing key's PEM with a fixed label.
std::string webhook_sealing_key(const SigningKey& key);

// The API's error shape, {"detail","message"}, for the HTTP layer's own refusals
// (ServerOptions::error_writer; add_api_routes sets it on the router).
http::Response api_error(int status, std::string_view message);

// Registers every management API route (auth, access tokens, audit log, user, organizations,
// repositories) on `router`.
void add_api_routes(http::Router& router, Services& services);

// Registers the registry token service (GET and POST /token) and the registry notifications
// endpoint (POST /registry/events). REQUIRES services.usage.
void add_registry_routes(http::Router& router, Services& services);

}  // namespace oatd
