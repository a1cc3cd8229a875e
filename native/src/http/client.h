// oatd as an HTTP client: one request to another server (a webhook's receiver, an OIDC issuer),
// over http or https, bounded in time and in what it reads. Never throws.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace oatd::http {

struct ClientRequest {
  std::string method = "GET";  // "GET" or "POST"
  std::string url;             // http:// or https:// (oat::parse_webhook_url's form)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string user_agent = "oatd";
  std::chrono::milliseconds timeout{5000};  // for all of it: resolving, connecting, TLS, answer
  bool https_only = false;
  std::string ca_file;  // authorities trusted besides the system's (PEM); "" for none
  // The answer's body is read when set, up to this many bytes (more is an error); otherwise
  // only its status line and header are.
  std::optional<std::size_t> body_limit;
};

struct ClientAnswer {
  int status = 0;      // 0 when no (complete) answer came: `error` says why
  std::string body;    // with body_limit
  std::string error;   // "cannot connect: Connection refused", "timed out after 5 s", ...
};

// Sends the request (no redirects followed, certificates and host names checked, TLS 1.2 or
// later, Connection: close) and waits for the answer.
ClientAnswer send(const ClientRequest& request);

}  // namespace oatd::http
