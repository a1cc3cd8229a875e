// A real oatd inside a fuzz target: the store, the key, Services and the Router as `oatd serve`
// builds them (native/src/main.cpp), on a SQLite database of its own, so that requests run through
// the very handlers the server runs. Made once per process; every input then starts from the same
// database: whatever an input wrote is undone before the next one (the database is copied back
// from a snapshot taken after seeding), and Services and the Router are made anew for each input,
// so no cache or limiter carries one input's effects into the next.
//
// What the database holds, for inputs to use:
//   organization acme (Team plan) with repositories app, web and docs (public); organization other
//   user owner (password kOwnerPassword), owner of acme; user member, a member of acme
//   token kTokenId of acme, secret token_secret(): push on acme/*, repository list on acme, may
//   rotate itself; a deactivated token kInactiveTokenId
//   webhook kWebhookId of acme; OIDC connection kConnectionId of acme (its issuer, kOidcIssuer,
//   is an address where nothing listens: a key lookup fails at once)
//   a console session of owner, refresh token kRefreshToken
// Inputs name the management bearers, which a key made at start signs, by placeholders that
// expand() replaces: $BEARER (owner's, of that session) and $TOKEN_BEARER (the token's).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/oidc_keys.h"
#include "api/service.h"
#include "api/usage.h"
#include "crypto/crypto.h"
#include "http/http.h"
#include "store/store.h"

namespace oat_fuzz {

inline constexpr long long kNow = 1'800'000'000;  // the clock every input sees: 2027-01-15
inline constexpr std::string_view kOwnerPassword = "correct horse battery";
inline constexpr std::string_view kTokenId = "10000000-0000-4000-8000-000000000001";
inline constexpr std::string_view kInactiveTokenId = "10000000-0000-4000-8000-000000000002";
inline constexpr std::string_view kWebhookId = "20000000-0000-4000-8000-000000000001";
inline constexpr std::string_view kConnectionId = "30000000-0000-4000-8000-000000000001";
inline constexpr std::string_view kSessionId = "40000000-0000-4000-8000-000000000001";
inline constexpr std::string_view kRefreshToken =
    "40000000-0000-4000-8000-000000000001.fuzz-session-secret-0123456789abcdefghijklmnopq";
inline constexpr std::string_view kEventsSecret = "registry-events-secret";
inline constexpr std::string_view kOidcIssuer = "https://127.0.0.1:1";
inline constexpr std::string_view kClientAddress = "192.0.2.10";

class Oatd {
 public:
  // The one instance, made on first use.
  static Oatd& get();

  // The token's secret ("dckr_oat_..."), the same in every run.
  const std::string& token_secret() const { return token_secret_; }
  const std::string& owner_bearer() const { return owner_bearer_; }
  const std::string& token_bearer() const { return token_bearer_; }

  // `text` with $BEARER and $TOKEN_BEARER replaced by the bearers.
  std::string expand(std::string_view text) const;

  // Answers a request as the server's router does, from a Services and a Router made for this
  // input (begin() makes them, end() drops them and puts the database back).
  void begin();
  oatd::http::Response route(const oatd::http::Request& request, std::string_view* pattern = nullptr);
  void end();

  // Aborts, printing the request and answer, when an answer shows a bug rather than a refusal:
  // a 500 (a handler threw), a status outside 100..599, a header the server would drop (CR, LF
  // or NUL), a JSON answer that is not JSON, a registry token that does not verify. With
  // OAT_FUZZ_TRACE set in the environment, every request's status and answer go to stderr.
  void check(const oatd::http::Request& request, const oatd::http::Response& response) const;

  Oatd(const Oatd&) = delete;
  Oatd& operator=(const Oatd&) = delete;

 private:
  Oatd();
  ~Oatd();
  void seed();
  void snapshot();
  void restore();

  struct Sqlite;
  std::string dir_;
  std::unique_ptr<oatd::Store> store_;
  oatd::SigningKey key_;
  std::unique_ptr<Sqlite> sqlite_;  // the snapshot, and a connection that copies it back
  std::string token_secret_, owner_bearer_, token_bearer_;
  std::uint64_t version_ = 0;  // the store's change_version() when the database was as seeded

  // One input's server.
  std::unique_ptr<oatd::Services> services_;
  std::unique_ptr<oatd::UsageRecorder> usage_;
  std::unique_ptr<oatd::OidcKeys> oidc_keys_;
  std::unique_ptr<oatd::http::Router> router_;
};

}  // namespace oat_fuzz
