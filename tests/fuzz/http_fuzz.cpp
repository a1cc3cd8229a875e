// libFuzzer target: oatd's HTTP layer below the handlers (native/src/http/http.h). The first byte
// chooses the function, the rest is its input:
//   'd'  percent_decode, as paths (no '+') and as queries ('+' is a space)
//   'q'  a query string or form body: parse_urlencoded
//   't'  a request target ("/path?query#fragment"): Request::make, and the query's look-ups
//   'r'  a method, a space, a target: Router::route on a router with the server's route shapes
// Anything may be refused; nothing may crash, throw, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "http/http.h"
#include "log/log.h"
#include "oat/oat.h"

#include "property.h"

namespace {

using oatd::http::Params;
using oatd::http::Request;
using oatd::http::Response;

using oat_fuzz::fail;

void decode(std::string_view text) {
  const std::string path = oatd::http::percent_decode(text);
  const std::string query = oatd::http::percent_decode(text, true);
  if (path.size() > text.size() || query.size() != path.size()) fail("a decoding longer than its text");
  if (text.find('%') == std::string_view::npos && path != text) fail("text without escapes changed");
}

void urlencoded(std::string_view text) {
  const auto fields = oatd::http::parse_urlencoded(text);
  std::size_t decoded = 0;
  for (const auto& [name, value] : fields) decoded += name.size() + value.size();
  if (decoded > text.size()) fail("fields longer than their text");
}

void target(std::string_view text) {
  const Request request = Request::make("GET", text);
  if (request.raw_target != text) fail("the raw target changed");
  for (const auto& [name, value] : request.query) {
    if (!request.query_value(name)) fail("a parameter that cannot be looked up");
    if (request.query_values(name).empty()) fail("a parameter without values");
  }
  (void)request.form();
  (void)request.header("authorization");
}

// The shapes of oatd's routes: literals, captures, a capture beside a literal at one level.
const oatd::http::Router& router() {
  static const oatd::http::Router r = [] {
    static std::ostream nowhere(nullptr);  // the router logs what a handler threw
    oatd::log::set_stream(nowhere);
    oatd::http::Router router;
    const auto answer = [](const Request&, const Params& params) {
      std::string body;
      for (const auto& [name, value] : params.items) {
        if (value.empty() || !oat::is_text(value)) fail("a capture that is empty or not text");
        body += name + "=" + value + "\n";
      }
      return Response::text(200, body);
    };
    for (const char* pattern :
         {"/v2/auth/token", "/v2/user", "/v2/user/orgs", "/v2/orgs/{org}", "/v2/orgs/{org}/access-tokens",
          "/v2/orgs/{org}/access-tokens/{id}", "/v2/orgs/{org}/access-tokens/{id}/rotate",
          "/v2/orgs/{org}/access-tokens/{id}/usage", "/v2/orgs/{org}/access-token-policy",
          "/v2/orgs/{org}/webhooks/{id}/deliveries", "/v2/auditlogs/{account}",
          "/v2/auditlogs/{account}/actions", "/v2/access-tokens/self/rotate", "/token", "/registry/events",
          "/v2/namespaces/{org}/repositories"}) {
      router.add("GET", pattern, answer);
    }
    router.add("POST", "/v2/orgs/{org}/access-tokens", answer);
    router.add("PATCH", "/v2/orgs/{org}/access-tokens/{id}", answer);
    router.add("DELETE", "/v2/orgs/{org}/access-tokens/{id}", answer);
    router.add("GET", "/v2/orgs/acme/access-tokens/{id}", answer);
    router.add("POST", "/throws", [](const Request&, const Params&) -> Response { throw std::runtime_error("x"); });
    return router;
  }();
  return r;
}

void route(std::string_view text) {
  const auto space = text.find(' ');
  if (space == std::string_view::npos) return;
  const Request request = Request::make(std::string(text.substr(0, space)), text.substr(space + 1));
  std::string_view pattern;
  const Response response = router().route(request, &pattern);
  if (response.status == 405 && !response.find_header("Allow")) fail("a 405 without Allow");
  if (response.status == 200 && pattern.empty()) fail("an answer without its pattern");
  if (response.status != 200 && response.status != 404 && response.status != 405 && response.status != 500) {
    fail("an unexpected status");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  switch (bytes[0]) {
    case 'd': decode(data); break;
    case 'q': urlencoded(data); break;
    case 't': target(data); break;
    case 'r': route(data); break;
    default: break;
  }
  return 0;
}
