#include "net.h"

#include <emscripten/fetch.h>

#include <cstring>
#include <deque>
#include <memory>
#include <utility>

#include "oat/api.h"
#include "oat/console_session.h"

namespace console::net {
namespace {

// One request on the wire. Owns every byte emscripten_fetch was given a pointer to.
struct Flight {
  std::uint64_t id = 0;
  Request request;
  std::vector<std::string> header_text;  // "Authorization", "Bearer ...", ...
  std::vector<const char*> headers;      // pointers into header_text, then nullptr
};

std::uint64_t g_next_id = 1;
// Filled by fetch callbacks, drained by the frame loop (both on the browser's main thread).
std::deque<Response> g_answers;

oat::Errors ErrorsFor(int status, const std::string& body, const char* status_text) {
  if (status == 0) return {{oat::ErrorCode::ServerRefused, "", kUnreachable}};
  std::string fallback = "The server answered " + std::to_string(status);
  if (status_text && *status_text) fallback += std::string(" ") + status_text;
  fallback += ".";
  return oat::parse_error_response(body, fallback);
}

void OnDone(emscripten_fetch_t* fetch) {
  std::unique_ptr<Flight> flight(static_cast<Flight*>(fetch->userData));
  Response response;
  response.id = flight->id;
  response.status = fetch->status;
  if (fetch->data && fetch->numBytes > 0) {
    response.body.assign(fetch->data, static_cast<std::size_t>(fetch->numBytes));
  }
  if (!response.ok()) response.errors = ErrorsFor(response.status, response.body, fetch->statusText);
  emscripten_fetch_close(fetch);
  g_answers.push_back(std::move(response));
}

}  // namespace

std::uint64_t Send(Request request) {
  auto flight = std::make_unique<Flight>();
  flight->id = g_next_id++;
  flight->request = std::move(request);
  const Request& r = flight->request;

  flight->header_text.push_back("Accept");
  flight->header_text.push_back("application/json");
  // Says the request comes from the console's page: with the page's Origin, it lets the
  // session cookie renew the session (oat/console_session.h).
  flight->header_text.push_back(std::string(oat::kConsoleHeader));
  flight->header_text.push_back("1");
  if (!r.body.empty()) {
    flight->header_text.push_back("Content-Type");
    flight->header_text.push_back("application/json");
  }
  if (!r.bearer.empty()) {
    flight->header_text.push_back("Authorization");
    flight->header_text.push_back("Bearer " + r.bearer);
  }
  for (const std::string& s : flight->header_text) flight->headers.push_back(s.c_str());
  flight->headers.push_back(nullptr);

  emscripten_fetch_attr_t attr;
  emscripten_fetch_attr_init(&attr);
  std::strncpy(attr.requestMethod, r.method.c_str(), sizeof attr.requestMethod - 1);
  // REPLACE: straight to the network, never a cached copy.
  attr.attributes = EMSCRIPTEN_FETCH_LOAD_TO_MEMORY | EMSCRIPTEN_FETCH_REPLACE;
  attr.requestHeaders = flight->headers.data();
  if (!r.body.empty()) {
    attr.requestData = r.body.data();
    attr.requestDataSize = r.body.size();
  }
  attr.timeoutMSecs = 30000;
  attr.onsuccess = OnDone;
  attr.onerror = OnDone;  // 4xx/5xx carry a body too; status 0 means no answer
  attr.userData = flight.get();

  const std::uint64_t id = flight->id;
  Flight* raw = flight.release();  // OnDone takes it back
  if (!emscripten_fetch(&attr, raw->request.url.c_str())) {
    std::unique_ptr<Flight> lost(raw);
    g_answers.push_back({id, 0, "", ErrorsFor(0, "", nullptr)});
  }
  return id;
}

bool HasAnswers() { return !g_answers.empty(); }

std::vector<Response> TakeAnswers() {
  std::vector<Response> out(std::make_move_iterator(g_answers.begin()),
                            std::make_move_iterator(g_answers.end()));
  g_answers.clear();
  return out;
}

}  // namespace console::net
