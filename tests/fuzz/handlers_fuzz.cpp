// libFuzzer target: oatd's handlers, in process (server_fixture.h: the real store, Services and
// routes), each fed one untrusted part of a request while the rest of the request is a valid one
// (signed in as the owner, the right token, the right path), so that the fuzzer works on that
// part. The first byte chooses the part, the rest is it:
//   Authorization headers:
//     'b'  of a registry sign-in (GET /token): Basic credentials, base64, the token's format
//     'B'  of a management request (GET /v2/user): a Bearer JWT ($BEARER and $TOKEN_BEARER expand)
//   Registry:
//     'q'  the query of GET /token with the token's Basic credentials (scope, service, account);
//     'a'  the same without credentials (an anonymous pull)
//     'f'  the form body of POST /token (OAuth2 password grant)
//     'e'  a notification body (POST /registry/events) with the shared secret
//   Management API bodies, as the owner (or, for 'R', the token itself):
//     'c' a token's create body, 'u' its PATCH, 'r' a rotation, 'R' a self-rotation,
//     'p' the token policy, 'w' a webhook's create body, 'W' its PATCH, 'o' an OIDC connection's
//     create body, 'O' its PATCH
//   Without a bearer: 's' a sign-in body, 'l' the legacy one, 'h' a refresh body, 'L' a sign-out
//     body, 'k' a leaked-token report, 'x' an OIDC exchange's form body
//   Any request target ("/path?query"): 'g' a GET as the owner, 'G' as the token, 'D' a DELETE as
//     the owner
// Every answer is checked (Oatd::check): no 500, no header the server would drop, JSON that is
// JSON, registry tokens that verify.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/crypto.h"
#include "server_fixture.h"

namespace {

using oat_fuzz::Oatd;
using oatd::http::Request;

std::string basic(const Oatd& oatd) { return "Basic " + oatd::base64_encode("acme:" + oatd.token_secret()); }

Request make(const std::string& method, std::string_view target, std::string body = {},
             std::string authorization = {}) {
  Request request = Request::make(method, target, std::move(body));
  request.remote_address = std::string(oat_fuzz::kClientAddress);
  request.headers.emplace_back("Host", "oat.example.com");
  if (!authorization.empty()) request.headers.emplace_back("Authorization", std::move(authorization));
  return request;
}

Request request_for(Oatd& oatd, char part, std::string_view data) {
  const std::string owner = "Bearer " + oatd.owner_bearer();
  const std::string item = "/v2/orgs/acme/access-tokens/" + std::string(oat_fuzz::kTokenId);
  const std::string target = data.starts_with('/') ? std::string(data) : "/" + std::string(data);
  std::string body(data);
  switch (part) {
    case 'b': return make("GET", "/token?service=oat-registry&scope=repository:acme/app:pull,push", {}, body);
    case 'B': return make("GET", "/v2/user", {}, oatd.expand(data));
    case 'q': return make("GET", "/token?" + body, {}, basic(oatd));
    case 'a': return make("GET", "/token?" + body);
    case 'f': {
      Request r = make("POST", "/token", body);
      r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
      return r;
    }
    case 'e': return make("POST", "/registry/events", body, "Bearer " + std::string(oat_fuzz::kEventsSecret));
    case 'c': return make("POST", "/v2/orgs/acme/access-tokens", body, owner);
    case 'u': return make("PATCH", item, body, owner);
    case 'r': return make("POST", item + "/rotate", body, owner);
    case 'R': return make("POST", "/v2/access-tokens/self/rotate", body, "Bearer " + oatd.token_bearer());
    case 'p': return make("PUT", "/v2/orgs/acme/access-token-policy", body, owner);
    case 'w': return make("POST", "/v2/orgs/acme/webhooks", body, owner);
    case 'W': return make("PATCH", "/v2/orgs/acme/webhooks/" + std::string(oat_fuzz::kWebhookId), body, owner);
    case 'o': return make("POST", "/v2/orgs/acme/oidc-connections", body, owner);
    case 'O':
      return make("PATCH", "/v2/orgs/acme/oidc-connections/" + std::string(oat_fuzz::kConnectionId), body, owner);
    case 's': return make("POST", "/v2/auth/token", body);
    case 'l': return make("POST", "/v2/users/login", body);
    case 'h': return make("POST", "/v2/auth/refresh", body);
    case 'L': return make("POST", "/v2/auth/logout", body);
    case 'k': return make("POST", "/v2/access-tokens/revoke", body);
    case 'x': return make("POST", "/v2/oidc/token", body);
    case 'g': return make("GET", target, {}, owner);
    case 'G': return make("GET", target, {}, "Bearer " + oatd.token_bearer());
    case 'D': return make("DELETE", target, {}, owner);
    default: return {};
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  Oatd& oatd = Oatd::get();
  const std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  const Request request = request_for(oatd, static_cast<char>(bytes[0]), data);
  if (request.method.empty()) return 0;
  oatd.begin();
  const auto response = oatd.route(request);
  oatd.check(request, response);
  oatd.end();
  return 0;
}
