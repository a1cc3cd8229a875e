// HTTP from the browser: one small wrapper over emscripten_fetch.
//
// Send() starts a request and returns at once; the answer is queued when it arrives and handed
// out by TakeAnswers(), which the frame loop calls. Nothing here knows the console's state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "oat/error.h"

namespace console::net {

struct Request {
  std::string method = "GET";
  std::string url;     // absolute, or relative to the page's origin ("/v2/user/orgs")
  std::string body;    // sent as application/json when not empty
  std::string bearer;  // sent as "Authorization: Bearer ..." when not empty
};

struct Response {
  std::uint64_t id = 0;  // as returned by Send
  int status = 0;        // 0: no answer at all (network failure, CORS refusal, timeout)
  std::string body;
  // When not ok(): why, in the server's words when it gave any (oat::parse_error_response).
  oat::Errors errors;

  bool ok() const { return status >= 200 && status < 300; }
  // The first error's message, or "" when ok().
  std::string message() const { return errors.empty() ? std::string() : errors.front().message; }
};

// Starts the request. The request (body included) is kept alive until its answer arrives.
std::uint64_t Send(Request request);

// The answers that arrived since the last call, in arrival order.
std::vector<Response> TakeAnswers();
// Whether any answer waits to be taken.
bool HasAnswers();

// What a status-0 failure says to people.
inline constexpr const char* kUnreachable =
    "Could not reach the server (a network failure or a CORS refusal).";

}  // namespace console::net
