// The signing keys of OIDC issuers: fetched over HTTPS from each issuer's discovery document and
// its JWKS, kept, and fetched again when a token names a key not kept (at most once a minute per
// issuer) or when they are an hour old. Thread-safe; a fetch runs on the calling thread, never
// under the lock, and only one per issuer at a time (the others answer at once from what is kept,
// or as unreachable), so an issuer that hangs holds one request, not every worker.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "crypto/crypto.h"

namespace oatd {

class OidcKeys {
 public:
  struct Options {
    std::string ca_file;                              // --oidc-ca-file
    std::chrono::milliseconds timeout{5000};          // per fetch of discovery and JWKS together
    std::size_t max_bytes = 256 * 1024;               // per document
    std::chrono::seconds refetch_interval{60};        // unknown kid: at most this often
    std::chrono::seconds max_age{3600};               // kept keys are fetched again after this
    std::chrono::seconds retry_after_failure{5};      // a failed fetch is not tried again sooner
  };
  explicit OidcKeys(Options options) : options_(std::move(options)) {}

  enum class Outcome { Found, UnknownKey, Unreachable };
  struct Lookup {
    Outcome outcome = Outcome::Unreachable;
    std::vector<PublicKey> keys;  // Found: the candidates (the kid's, or every key of the alg)
    std::string error;            // Unreachable: why
  };
  // The keys of `issuer` that may have signed a token of `alg` naming `kid` (nullopt: none named).
  Lookup find(const std::string& issuer, const std::optional<std::string>& kid, const std::string& alg);

 private:
  struct Entry {
    std::vector<PublicKey> keys;
    std::chrono::steady_clock::time_point fetched_at{};  // of `keys`; the epoch: never
    bool fetching = false;                                // a request is fetching them now
    std::string last_error;                               // of the last fetch, when it failed
    std::chrono::steady_clock::time_point failed_at{};
  };
  // Discovery, then JWKS; the keys, or why not.
  std::variant<std::vector<PublicKey>, std::string> fetch(const std::string& issuer) const;

  const Options options_;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace oatd
