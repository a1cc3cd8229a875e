// The HTTP layer: Request/Router as plain functions, then a real Server on 127.0.0.1 (port 0)
// spoken to over raw sockets, so the tests see exactly the bytes a client would.
//
// [SECTION] Request and Router
// [SECTION] Test client and server
// [SECTION] Server
// [SECTION] CORS
// [SECTION] Static files
// [SECTION] Metrics
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "http/http.h"
#include "http/metrics.h"
#include "http/server.h"
#include "temp_dir.h"

namespace oatd::http {
namespace {

using namespace std::chrono_literals;

// -----------------------------------------------------------------------------------------------
// [SECTION] Request and Router
// -----------------------------------------------------------------------------------------------

// An error writer of the shape the API gives the HTTP layer (the messages here are plain ASCII).
Response detail_error(int status, std::string_view message) {
  const std::string quoted = "\"" + std::string(message) + "\"";
  return Response::json(status, "{\"detail\":" + quoted + ",\"message\":" + quoted + "}");
}

Response echo_params(const Request&, const Params& p) {
  std::string out;
  for (const auto& [name, value] : p.items) out += name + "=" + value + ";";
  return Response::text(200, out);
}

// A pattern, a target it matches, and the parameters captured (as echo_params writes them).
struct Capture {
  std::string_view name;
  std::string_view pattern;
  std::string_view target;
  std::string_view params;
};

void PrintTo(const Capture& row, std::ostream* os) { *os << row.name; }

const Capture kCaptures[] = {
    {"MatchesPatternAndCapturesParams", "/v2/orgs/{org}/access-tokens/{id}",
     "/v2/orgs/acme/access-tokens/42", "org=acme;id=42;"},
    {"EncodedSlashStaysInsideOneSegment", "/v2/repositories/{name}",
     "/v2/repositories/acme%2Fapp", "name=acme/app;"},
};

class RouterCapture : public ::testing::TestWithParam<Capture> {};

TEST_P(RouterCapture, HandsTheCapturedParamsToTheHandler) {
  Router router;
  router.add("GET", std::string(GetParam().pattern), echo_params);
  Response r = router.route(Request::make("GET", GetParam().target));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, GetParam().params);
}

INSTANTIATE_TEST_SUITE_P(Router, RouterCapture, ::testing::ValuesIn(kCaptures),
                         [](const ::testing::TestParamInfo<Capture>& info) {
                           return std::string(info.param.name);
                         });

TEST(Router, ParamsAtGivesCapturedValue) {
  Router router;
  std::string seen;
  router.add("DELETE", "/v2/orgs/{org}/access-tokens/{id}", [&](const Request&, const Params& p) {
    seen = p.at("org") + "/" + p.at("id");
    return Response::no_content();
  });
  EXPECT_EQ(router.route(Request::make("DELETE", "/v2/orgs/acme/access-tokens/7")).status, 204);
  EXPECT_EQ(seen, "acme/7");
}

TEST(Router, ReportsMatchedPattern) {
  Router router;
  router.add("GET", "/v2/orgs/{org}", echo_params);
  std::string_view pattern = "unset";
  router.route(Request::make("GET", "/v2/orgs/acme"), &pattern);
  EXPECT_EQ(pattern, "/v2/orgs/{org}");
  router.route(Request::make("GET", "/nowhere"), &pattern);
  EXPECT_EQ(pattern, "");
}

TEST(Router, LiteralSegmentBeatsCapture) {
  Router router;
  router.add("GET", "/v2/orgs/{org}", [](const Request&, const Params&) { return Response::text(200, "capture"); });
  router.add("GET", "/v2/orgs/export", [](const Request&, const Params&) { return Response::text(200, "literal"); });
  EXPECT_EQ(router.route(Request::make("GET", "/v2/orgs/export")).body, "literal");
  EXPECT_EQ(router.route(Request::make("GET", "/v2/orgs/acme")).body, "capture");
}

TEST(Router, CaptureDoesNotMatchEmptySegmentOrExtraSegments) {
  Router router;
  router.add("GET", "/v2/orgs/{org}", echo_params);
  EXPECT_EQ(router.route(Request::make("GET", "/v2/orgs/")).status, 404);
  EXPECT_EQ(router.route(Request::make("GET", "/v2/orgs/acme/x")).status, 404);
}

TEST(Router, CaptureDoesNotMatchWhatIsNotText) {
  Router router;
  router.add("GET", "/v2/orgs/{org}", echo_params);
  EXPECT_EQ(router.route(Request::make("GET", "/v2/orgs/ac%FFme")).status, 404);   // not UTF-8
  EXPECT_EQ(router.route(Request::make("GET", "/v2/orgs/ac%00me")).status, 404);   // NUL
  EXPECT_EQ(router.route(Request::make("GET", "/v2/orgs/%C0%AF")).status, 404);    // overlong
  EXPECT_EQ(router.route(Request::make("GET", "/v2/orgs/%ED%A0%80")).status, 404); // surrogate
  EXPECT_EQ(router.route(Request::make("GET", "/v2/orgs/%E2%82")).status, 404);    // cut short
  EXPECT_EQ(router.route(Request::make("GET", "/v2/orgs/caf%C3%A9")).status, 200); // é is text
  EXPECT_EQ(router.route(Request::make("GET", "/v2/orgs/%F0%9F%90%B3")).status, 200);
}

TEST(Router, UnknownPathIs404InTheShapeOfItsErrorWriter) {
  Router router;
  router.set_error_writer(detail_error);
  router.add("GET", "/v2/orgs/{org}", echo_params);
  Response r = router.route(Request::make("GET", "/v2/users/bob"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"detail":"Not found","message":"Not found"})");
  EXPECT_EQ(r.find_header("content-type"), "application/json");
}

TEST(Router, WithoutAnErrorWriterRefusalsArePlainText) {
  Router router;
  router.add("GET", "/v2/orgs/{org}", echo_params);
  Response r = router.route(Request::make("GET", "/v2/users/bob"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "Not found\n");
  EXPECT_EQ(r.find_header("content-type"), "text/plain; charset=utf-8");
}

TEST(Router, KnownPathWithOtherMethodIs405WithAllow) {
  Router router;
  router.add("GET", "/v2/orgs/{org}/access-tokens", echo_params);
  router.add("POST", "/v2/orgs/{org}/access-tokens", echo_params);
  Response r = router.route(Request::make("DELETE", "/v2/orgs/acme/access-tokens"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.find_header("Allow"), "GET, POST, HEAD");
}

TEST(Router, HeadFallsBackToGet) {
  Router router;
  router.add("GET", "/health", [](const Request&, const Params&) { return Response::text(200, "ok"); });
  EXPECT_EQ(router.route(Request::make("HEAD", "/health")).status, 200);
}

TEST(Router, ThrowingHandlerBecomes500) {
  Router router;
  router.set_error_writer(detail_error);
  router.add("GET", "/boom", [](const Request&, const Params&) -> Response {
    throw std::runtime_error("database is on fire");
  });
  Response r = router.route(Request::make("GET", "/boom"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, R"({"detail":"Internal server error","message":"Internal server error"})");
}

TEST(Router, AskingForAnUnknownParamBecomes500) {
  Router router;
  router.add("GET", "/v2/orgs/{org}", [](const Request&, const Params& p) { return Response::text(200, p.at("nope")); });
  EXPECT_EQ(router.route(Request::make("GET", "/v2/orgs/acme")).status, 500);
}

TEST(Router, QuickRouteIsAnsweredHereAndOneThatMustWaitIsLeftToRoute) {
  Router router;
  int quick_calls = 0, waiting_calls = 0, reached_after_wait = 0;
  router.add("GET", "/quick/{name}", [&](const Request&, const Params& p) {
    ++quick_calls;
    return Response::text(200, p.at("name"));
  }, Runs::quick);
  router.add("GET", "/waits", [&](const Request&, const Params&) {
    ++waiting_calls;
    wait_point();
    ++reached_after_wait;
    return Response::text(200, "waited");
  }, Runs::quick);
  router.add("GET", "/handler", [](const Request&, const Params&) { return Response::text(200, "h"); });

  std::string_view pattern = "unset";
  const auto quick = router.route_quick(Request::make("GET", "/quick/acme"), &pattern);
  ASSERT_TRUE(quick.has_value());
  EXPECT_EQ(quick->body, "acme");
  EXPECT_EQ(pattern, "/quick/{name}");
  EXPECT_EQ(quick_calls, 1);

  // Not quick, no route, a wrong method: nothing run, left to route().
  EXPECT_FALSE(router.route_quick(Request::make("GET", "/handler"), &pattern).has_value());
  EXPECT_EQ(pattern, "");
  EXPECT_FALSE(router.route_quick(Request::make("GET", "/nope")).has_value());
  EXPECT_FALSE(router.route_quick(Request::make("POST", "/quick/acme")).has_value());
  EXPECT_EQ(quick_calls, 1);

  // A wait_point() ends the quick run there; route() runs it from the start, to the end.
  EXPECT_FALSE(router.route_quick(Request::make("GET", "/waits"), &pattern).has_value());
  EXPECT_EQ(pattern, "");
  EXPECT_EQ(waiting_calls, 1);
  EXPECT_EQ(reached_after_wait, 0);
  const Response waited = router.route(Request::make("GET", "/waits"));
  EXPECT_EQ(waited.body, "waited");
  EXPECT_EQ(waiting_calls, 2);
  EXPECT_EQ(reached_after_wait, 1);
}

TEST(Router, WaitPointDoesNothingOutsideAQuickRoute) {
  EXPECT_NO_THROW(wait_point());
  Router router;
  router.add("GET", "/q", [](const Request&, const Params&) -> Response {
    throw std::runtime_error("broken");
  }, Runs::quick);
  // A quick handler that throws is answered as route() would (500), and leaves the thread as
  // it found it: wait_point() still does nothing here.
  const auto answer = router.route_quick(Request::make("GET", "/q"));
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 500);
  EXPECT_NO_THROW(wait_point());
}

TEST(Router, RejectsMalformedPatterns) {
  Router router;
  auto noop = [](const Request&, const Params&) { return Response::no_content(); };
  EXPECT_THROW(router.add("GET", "v2/orgs", noop), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/v2/{org", noop), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/v2/x{org}", noop), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/v2/{a}/{a}", noop), std::invalid_argument);
  router.add("GET", "/v2/{org}", noop);
  EXPECT_THROW(router.add("GET", "/v2/{org}", noop), std::invalid_argument);
}

TEST(Request, PathAndQueryArePercentDecoded) {
  Request r = Request::make("GET", "/v2/orgs/my%20org?q=a%26b+c&empty=");
  EXPECT_EQ(r.path, "/v2/orgs/my org");
  EXPECT_EQ(r.raw_target, "/v2/orgs/my%20org?q=a%26b+c&empty=");
  EXPECT_EQ(r.query_value("q"), "a&b c");
  EXPECT_EQ(r.query_value("empty"), "");
  EXPECT_EQ(r.query_value("missing"), std::nullopt);
}

TEST(Request, PlusIsLiteralInPath) {
  EXPECT_EQ(Request::make("GET", "/a+b").path, "/a+b");
}

TEST(Request, MalformedPercentEscapeIsKeptLiterally) {
  EXPECT_EQ(percent_decode("100%zz%4"), "100%zz%4");
  EXPECT_EQ(percent_decode("%41%62"), "Ab");
}

TEST(Request, RepeatedQueryParamsAreAllKept) {
  Request r = Request::make(
      "GET", "/token?service=registry&scope=repository:acme/app:pull&scope=repository:acme/db:pull,push");
  EXPECT_EQ(r.query_values("scope"),
            (std::vector<std::string>{"repository:acme/app:pull", "repository:acme/db:pull,push"}));
  EXPECT_EQ(r.query_value("scope"), "repository:acme/app:pull");
}

TEST(Request, FormBodyIsParsed) {
  Request r = Request::make("POST", "/token",
                            "grant_type=password&username=bob&password=p%40ss+word&&scope=a&scope=b&flag");
  auto form = r.form();
  EXPECT_EQ(form.find("password")->second, "p@ss word");
  EXPECT_EQ(form.count("scope"), 2u);
  EXPECT_EQ(form.find("flag")->second, "");
  EXPECT_EQ(form.size(), 6u);
}

TEST(Request, HeaderLookupIsCaseInsensitive) {
  Request r = Request::make("GET", "/");
  r.headers = {{"Authorization", "Bearer x"}, {"X-Twice", "1"}, {"x-twice", "2"}};
  EXPECT_EQ(r.header("authorization"), "Bearer x");
  EXPECT_EQ(r.header("X-TWICE"), "1");
  EXPECT_EQ(r.header("Cookie"), std::nullopt);
}

TEST(Response, PlainErrorIsTheMessageAsText) {
  const Response r = plain_error(400, "bad \"name\"");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "bad \"name\"\n");
}

TEST(Response, HeaderChainsOnTemporaries) {
  Response r = Response::json(201, "{}").header("Location", "/x");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.find_header("location"), "/x");
}

TEST(Response, HeaderReplacesSameNameAndAddHeaderAppends) {
  Response r = Response::text(200, "a,b")
                   .header("content-type", "text/csv")
                   .add_header("Link", "<1>")
                   .add_header("Link", "<2>");
  EXPECT_EQ(r.find_header("Content-Type"), "text/csv");
  EXPECT_EQ(std::count_if(r.headers.begin(), r.headers.end(), [](const auto& h) { return h.first == "Link"; }), 2);
  EXPECT_EQ(r.headers.size(), 3u);
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Test client and server
// -----------------------------------------------------------------------------------------------

struct RawResponse {
  int status = 0;  // 0: connection closed or timed out before a full response
  std::string head;
  std::string body;

  // First header value (case-insensitive name), or "" if absent.
  std::string header(std::string_view name) const {
    std::size_t pos = head.find("\r\n");
    while (pos != std::string::npos && pos + 2 < head.size()) {
      std::size_t end = head.find("\r\n", pos + 2);
      std::string line = head.substr(pos + 2, end - pos - 2);
      auto colon = line.find(':');
      if (colon != std::string::npos && colon == name.size() &&
          std::equal(name.begin(), name.end(), line.begin(),
                     [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
        auto value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        return value;
      }
      pos = end;
    }
    return "";
  }
  bool has_header(std::string_view name) const {
    std::string needle = "\r\n" + std::string(name) + ":";
    auto lower = [](std::string s) {
      for (auto& c : s) c = static_cast<char>(std::tolower(c));
      return s;
    };
    return lower(head).find(lower(needle)) != std::string::npos;
  }
};

// A blocking HTTP/1.1 client over a raw socket; every receive gives up after 5 s.
class Client {
 public:
  explicit Client(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("connect failed");
    }
  }
  ~Client() { ::close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  // Reads one response (Content-Length framed). `head_request`: expect no body.
  RawResponse read_response(bool head_request = false) {
    RawResponse r;
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return r;
    }
    r.head = buffer_.substr(0, end + 2);
    buffer_.erase(0, end + 4);
    std::size_t length = 0;
    if (std::string cl = r.header("Content-Length"); !cl.empty() && !head_request) length = std::stoul(cl);
    while (buffer_.size() < length) {
      if (!fill()) return r;
    }
    r.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    r.status = std::stoi(r.head.substr(9, 3));
    return r;
  }

  RawResponse request(std::string_view raw, bool head_request = false) {
    send(raw);
    return read_response(head_request);
  }

  // True when the server closed the connection (orderly EOF or reset) within 5 s.
  bool closed_by_peer() {
    char c;
    ssize_t n = ::recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  bool fill() {
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<std::size_t>(n));
    return true;
  }
  int fd_ = -1;
  std::string buffer_;
};

ServerOptions test_options() {
  ServerOptions o;
  o.listen = "127.0.0.1:0";
  o.threads = 2;
  o.read_timeout = 3s;
  o.write_timeout = 3s;
  o.shutdown_timeout = 3s;
  o.handle_signals = false;
  o.error_writer = detail_error;
  return o;
}

// A Server running on its own thread for the life of the object.
class RunningServer {
 public:
  explicit RunningServer(Router router, ServerOptions options = test_options())
      : server_(std::move(options), std::move(router)) {
    server_.start();
    thread_ = std::thread([this] { server_.run(); });
  }
  ~RunningServer() { stop(); }
  std::uint16_t port() const { return server_.port(); }
  void stop() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  Server& server() { return server_; }

 private:
  Server server_;
  std::thread thread_;
};

Router hello_router() {
  Router router;
  router.set_error_writer(detail_error);
  router.add("GET", "/v2/orgs/{org}", [](const Request&, const Params& p) {
    return Response::json(200, "{\"name\":\"" + p.at("org") + "\"}");
  });
  router.add("POST", "/echo", [](const Request& r, const Params&) { return Response::text(200, r.body); });
  return router;
}

std::string get(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) + "\r\n";
}

// The answer to one raw request from a fresh server on hello_router().
RawResponse answer_to(std::string_view request, ServerOptions options = test_options()) {
  RunningServer server(hello_router(), std::move(options));
  Client client(server.port());
  return client.request(request);
}

// Polls `condition` for up to 2 s (on_complete runs just after the client has its response).
bool eventually(const std::function<bool()>& condition) {
  for (auto deadline = std::chrono::steady_clock::now() + 2s; std::chrono::steady_clock::now() < deadline;) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Server
// -----------------------------------------------------------------------------------------------

TEST(Server, PortZeroReportsTheBoundPort) {
  RunningServer server(hello_router());
  EXPECT_NE(server.port(), 0);
}

TEST(Server, GetAnswersWithHandlerOutput) {
  RawResponse r = answer_to(get("/v2/orgs/acme"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"name":"acme"})");
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  EXPECT_EQ(r.header("Content-Length"), "15");
  EXPECT_EQ(r.header("Server"), "oatd");
}

TEST(Server, UnroutedPathGets404Json) {
  RawResponse r = answer_to(get("/nope"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"detail":"Not found","message":"Not found"})");
}

TEST(Server, PostBodyReachesHandler) {
  RawResponse r =
      answer_to("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello world");
}

TEST(Server, KeepAliveServesTwoRequestsOnOneConnection) {
  RunningServer server(hello_router());
  Client client(server.port());
  RawResponse first = client.request(get("/v2/orgs/a"));
  RawResponse second = client.request(get("/v2/orgs/b"));
  EXPECT_EQ(first.body, R"({"name":"a"})");
  EXPECT_EQ(second.body, R"({"name":"b"})");
}

TEST(Server, ConnectionCloseIsHonoured) {
  RunningServer server(hello_router());
  Client client(server.port());
  RawResponse r = client.request(get("/v2/orgs/a", "Connection: close\r\n"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Connection"), "close");
  EXPECT_TRUE(client.closed_by_peer());
}

TEST(Server, HeadAnswersLikeGetWithoutBody) {
  RunningServer server(hello_router());
  Client client(server.port());
  RawResponse r = client.request("HEAD /v2/orgs/acme HTTP/1.1\r\nHost: t\r\n\r\n", /*head_request=*/true);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Length"), "15");
  // The connection is still usable: no stray body bytes precede the next response.
  EXPECT_EQ(client.request(get("/v2/orgs/b")).body, R"({"name":"b"})");
}

// The answer's head, byte for byte: the handler's headers in their order, then Server, Date,
// a Content-Type when the handler gave none, Content-Length, and Connection where the request's
// version needs it said (the bytes Beast's serializer wrote before the server wrote heads itself).
TEST(Server, AnswerHeadsAreTheseBytes) {
  Router router;
  router.set_error_writer(detail_error);
  router.add("GET", "/made", [](const Request&, const Params&) {
    Response r = Response::json(201, "[1]");
    r.header("X-One", "1");
    r.header("Cache-Control", "no-store");
    return r;
  });
  router.add("GET", "/untyped", [](const Request&, const Params&) {
    Response r;
    r.status = 200;
    r.body = "{}";
    return r;
  });
  router.add("GET", "/empty", [](const Request&, const Params&) { return Response::no_content(); });
  RunningServer server(std::move(router));
  const auto undated = [](std::string head) {
    const auto at = head.find("\r\nDate: ");
    if (at != std::string::npos) head.replace(at + 8, head.find("\r\n", at + 2) - at - 8, "D");
    return head;
  };
  const std::string made = "201 Created\r\nContent-Type: application/json\r\nX-One: 1\r\nCache-Control: no-store\r\n"
                           "Server: oatd\r\nDate: D\r\nContent-Length: 3\r\n";
  Client client(server.port());
  EXPECT_EQ(undated(client.request(get("/made")).head), "HTTP/1.1 " + made);
  EXPECT_EQ(undated(client.request(get("/untyped")).head),
            "HTTP/1.1 200 OK\r\nServer: oatd\r\nDate: D\r\nContent-Type: application/json\r\nContent-Length: 2\r\n");
  EXPECT_EQ(undated(client.request(get("/empty")).head), "HTTP/1.1 204 No Content\r\nServer: oatd\r\nDate: D\r\n");
  RawResponse head = client.request("HEAD /made HTTP/1.1\r\nHost: t\r\n\r\n", /*head_request=*/true);
  EXPECT_EQ(undated(head.head), "HTTP/1.1 " + made);
  EXPECT_EQ(undated(client.request(get("/made", "Connection: close\r\n")).head),
            "HTTP/1.1 " + made + "Connection: close\r\n");
  Client old(server.port());
  EXPECT_EQ(undated(old.request("GET /made HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").head),
            "HTTP/1.0 " + made + "Connection: keep-alive\r\n");
  EXPECT_EQ(undated(old.request("GET /made HTTP/1.0\r\n\r\n").head), "HTTP/1.0 " + made);
  EXPECT_TRUE(old.closed_by_peer());
}

TEST(Server, BodyOverLimitGets413AndClose) {
  ServerOptions options = test_options();
  options.body_limit = 1024;
  RunningServer server(hello_router(), options);
  Client client(server.port());
  client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n" + std::string(2000, 'x'));
  RawResponse r = client.read_response();
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("\"detail\""), std::string::npos);
  EXPECT_EQ(r.header("Connection"), "close");
  EXPECT_TRUE(client.closed_by_peer());
}

TEST(Server, HeaderOverLimitGets431) {
  ServerOptions options = test_options();
  options.header_limit = 1024;
  RawResponse r =
      answer_to(get("/v2/orgs/a", "X-Big: " + std::string(4000, 'y') + "\r\n"), options);
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(r.header("Connection"), "close");
}

TEST(Server, LongTargetGets414NotTheHeaderLimit) {
  ServerOptions options = test_options();
  options.target_limit = 1024;
  options.header_limit = 1024;
  RunningServer server(hello_router(), options);
  {  // longer than the parser's whole limit
    Client client(server.port());
    RawResponse r = client.request(get("/v2/orgs/" + std::string(5000, 'a')));
    EXPECT_EQ(r.status, 414);
    EXPECT_NE(r.body.find("\"detail\""), std::string::npos);
    EXPECT_EQ(r.header("Connection"), "close");
  }
  {  // over the target's limit, within the parser's
    Client client(server.port());
    EXPECT_EQ(client.request(get("/v2/orgs/" + std::string(1500, 'a'))).status, 414);
  }
  {  // a target within its limit does not use up the headers' room
    Client client(server.port());
    RawResponse r = client.request(get("/v2/orgs/" + std::string(1000, 'a'),
                                       "X-Big: " + std::string(900, 'y') + "\r\n"));
    EXPECT_EQ(r.status, 200);
  }
  {  // headers over theirs stay 431, with a short target too
    Client client(server.port());
    RawResponse r = client.request(get("/v2/orgs/" + std::string(1000, 'a'),
                                       "X-Big: " + std::string(1100, 'y') + "\r\n"));
    EXPECT_EQ(r.status, 431);
  }
}

// RFC 9112 §6.3: a body whose length cannot be known is refused, and the connection closed, so
// what follows it is never answered as a request of its own (request smuggling).
void expect_refused_and_closed(std::uint16_t port, std::string_view transfer_encoding, int status,
                               std::string_view version = "HTTP/1.1") {
  Client client(port);
  client.send("POST /echo " + std::string(version) + "\r\nHost: x\r\n" +
              std::string(transfer_encoding) +
              "\r\n0\r\n\r\nGET /v2/orgs/smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
  RawResponse r = client.read_response();
  EXPECT_EQ(r.status, status) << transfer_encoding;
  EXPECT_NE(r.body.find("\"detail\""), std::string::npos) << transfer_encoding;
  if (version == "HTTP/1.1") {
    EXPECT_EQ(r.header("Connection"), "close") << transfer_encoding;
  }
  RawResponse next = client.read_response();
  EXPECT_EQ(next.status, 0) << transfer_encoding << ": answered " << next.head << next.body;
}

TEST(Server, UnknownOrNonFinalChunkedTransferEncodingIsRefusedAndClosed) {
  RunningServer server(hello_router());
  expect_refused_and_closed(server.port(), "Transfer-Encoding: xchunked\r\n", 400);
  expect_refused_and_closed(server.port(), "Transfer-Encoding: chunked, identity\r\n", 400);
  expect_refused_and_closed(server.port(), "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n", 400);
  expect_refused_and_closed(server.port(), "Transfer-Encoding: chunked, chunked\r\n", 400);
  expect_refused_and_closed(server.port(), "Transfer-Encoding: \r\n", 400);
  expect_refused_and_closed(server.port(), "Transfer-Encoding: xchunked\r\nContent-Length: 5\r\n", 400);
  expect_refused_and_closed(server.port(), "Transfer-Encoding: chunked\r\n", 400, "HTTP/1.0");
  expect_refused_and_closed(server.port(), "Transfer-Encoding: gzip, chunked\r\n", 501);
  expect_refused_and_closed(server.port(), "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", 501);
}

TEST(Server, ChunkedBodyStillWorks) {
  RunningServer server(hello_router());
  Client client(server.port());
  RawResponse r = client.request(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(client.request(get("/v2/orgs/b")).body, R"({"name":"b"})");  // still open
}

TEST(Server, ExpectContinueGets100BeforeTheBody) {
  RunningServer server(hello_router());
  Client client(server.port());
  client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  RawResponse interim = client.read_response();
  EXPECT_EQ(interim.status, 100);
  RawResponse r = client.request("hello");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello");
}

TEST(Server, MalformedRequestGets400) {
  RawResponse r = answer_to("GET /v2 HTTP/1.1\r\nBad Header Line\r\n\r\n");
  EXPECT_EQ(r.status, 400);
}

TEST(Server, SlowClientDoesNotBlockOthers) {
  ServerOptions options = test_options();
  options.read_timeout = 10s;  // the stalled client stays stalled for the whole test
  RunningServer server(hello_router(), options);
  Client slow(server.port());
  slow.send("GET /v2/orgs/slow HTTP/1.1\r\nHost: t\r\n");  // half a request, then silence
  Client fast(server.port());
  auto begin = std::chrono::steady_clock::now();
  RawResponse r = fast.request(get("/v2/orgs/fast"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"name":"fast"})");
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 5s);
}

TEST(Server, AHandlerThatWaitsHoldsUpNoQuickRoute) {
  // One I/O thread (and one handler thread): both connections are read on the same thread.
  ServerOptions options = test_options();
  options.threads = 1;
  options.io_threads = 1;
  std::promise<void> entered;
  Router router;
  router.add("GET", "/slow", [&](const Request&, const Params&) {
    entered.set_value();
    std::this_thread::sleep_for(1500ms);  // a password hash, a database that is slow to answer
    return Response::text(200, "slow");
  });
  router.add("GET", "/quick", [](const Request&, const Params&) { return Response::text(200, "quick"); },
             Runs::quick);
  RunningServer server(std::move(router), options);
  Client slow(server.port());
  slow.send(get("/slow"));
  entered.get_future().wait();
  Client quick(server.port());
  const auto begin = std::chrono::steady_clock::now();
  const RawResponse r = quick.request(get("/quick"));
  EXPECT_EQ(r.body, "quick");
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 1s) << "answered after the slow handler";
  EXPECT_EQ(slow.read_response().body, "slow");
}

TEST(Server, AQuickRouteThatMustWaitIsAnsweredOnAHandlerThread) {
  std::mutex mutex;
  std::vector<std::thread::id> runs;  // the thread of each run of the handler
  Router router;
  router.add("GET", "/lookup", [&](const Request&, const Params&) {
    {
      std::lock_guard lock(mutex);
      runs.push_back(std::this_thread::get_id());
    }
    wait_point();  // a cache miss: the database must be read
    return Response::text(200, "looked up");
  }, Runs::quick);
  RunningServer server(std::move(router));
  Client client(server.port());
  for (int i = 0; i < 2; ++i) {  // the same on a kept-alive connection's next request
    const RawResponse r = client.request(get("/lookup"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "looked up");
  }
  std::lock_guard lock(mutex);
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_NE(runs[0], runs[1]) << "run again on the thread that read it";
  EXPECT_NE(runs[2], runs[3]);
  EXPECT_EQ(runs[0], runs[2]) << "a connection stays on its I/O thread";
}

TEST(Server, IdleConnectionIsClosedAfterReadTimeout) {
  ServerOptions options = test_options();
  options.read_timeout = 200ms;
  RunningServer server(hello_router(), options);
  Client client(server.port());
  EXPECT_EQ(client.request(get("/v2/orgs/a")).status, 200);
  EXPECT_TRUE(client.closed_by_peer());
}

TEST(Server, GracefulStopLetsInFlightRequestFinish) {
  std::promise<void> entered;
  Router router;
  router.add("GET", "/slow", [&](const Request&, const Params&) {
    entered.set_value();
    std::this_thread::sleep_for(300ms);
    return Response::json(200, R"({"done":true})");
  });
  RunningServer server(std::move(router));
  Client client(server.port());
  client.send(get("/slow"));
  entered.get_future().wait();
  auto begin = std::chrono::steady_clock::now();
  std::thread stopper([&] { server.stop(); });  // returns when run() has returned
  RawResponse r = client.read_response();
  stopper.join();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"done":true})");
  EXPECT_EQ(r.header("Connection"), "close");
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 3s);
}

TEST(Server, StopClosesIdleKeepAliveConnectionsAndReturnsPromptly) {
  RunningServer server(hello_router());
  Client client(server.port());
  EXPECT_EQ(client.request(get("/v2/orgs/a")).status, 200);
  auto begin = std::chrono::steady_clock::now();
  server.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 2s);
  EXPECT_TRUE(client.closed_by_peer());
}

TEST(Server, SigtermStopsRunGracefully) {
  ServerOptions options = test_options();
  options.handle_signals = true;
  Server server(options, hello_router());
  server.start();
  std::thread runner([&] { server.run(); });
  {
    Client client(server.port());  // a served request proves run() has installed its handlers
    ASSERT_EQ(client.request(get("/v2/orgs/a", "Connection: close\r\n")).status, 200);
  }
  std::raise(SIGTERM);
  runner.join();  // returns: the signal stopped the server instead of the process
  SUCCEED();
}

TEST(Server, OnCompleteReportsRoutePatternStatusAndMethod) {
  std::mutex mutex;
  std::vector<std::string> seen;
  ServerOptions options = test_options();
  options.on_complete = [&](const Request& req, const Response& res, std::string_view route, double seconds) {
    std::lock_guard lock(mutex);
    seen.push_back(req.method + " " + std::string(route) + " " + std::to_string(res.status) +
                   (seconds >= 0 ? "" : " negative"));
  };
  RunningServer server(hello_router(), options);
  Client client(server.port());
  client.request(get("/v2/orgs/acme"));
  client.request(get("/missing"));
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mutex);
    return seen.size() == 2;
  }));
  EXPECT_EQ(seen[0], "GET /v2/orgs/{org} 200");
  EXPECT_EQ(seen[1], "GET unmatched 404");
}

// -----------------------------------------------------------------------------------------------
// [SECTION] CORS
// -----------------------------------------------------------------------------------------------

ServerOptions cors_options() {
  ServerOptions o = test_options();
  o.cors_origins = {"https://console.example"};
  return o;
}

std::string preflight(std::string_view origin) {
  return "OPTIONS /v2/orgs/acme HTTP/1.1\r\nHost: t\r\nOrigin: " + std::string(origin) +
         "\r\nAccess-Control-Request-Method: DELETE\r\nAccess-Control-Request-Headers: authorization\r\n\r\n";
}

TEST(Cors, PreflightFromAllowedOriginGets204AndHeaders) {
  RawResponse r = answer_to(preflight("https://console.example"), cors_options());
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.header("Access-Control-Allow-Origin"), "https://console.example");
  EXPECT_NE(r.header("Access-Control-Allow-Headers").find("Authorization"), std::string::npos);
  EXPECT_NE(r.header("Access-Control-Allow-Methods").find("DELETE"), std::string::npos);
  EXPECT_EQ(r.header("Vary"), "Origin");
}

TEST(Cors, PreflightFromOtherOriginGetsNoCorsHeaders) {
  RawResponse r = answer_to(preflight("https://evil.example"), cors_options());
  EXPECT_FALSE(r.has_header("Access-Control-Allow-Origin"));
  EXPECT_FALSE(r.has_header("Access-Control-Allow-Headers"));
  EXPECT_FALSE(r.has_header("Access-Control-Allow-Methods"));
}

TEST(Cors, ActualRequestFromAllowedOriginCarriesAllowOrigin) {
  RawResponse r =
      answer_to(get("/v2/orgs/acme", "Origin: https://console.example\r\n"), cors_options());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Access-Control-Allow-Origin"), "https://console.example");
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Static files
// -----------------------------------------------------------------------------------------------

const std::string kWasm("\0asm\1\0\0\0", 8);

// A fresh folder <tmp>/oatd-http-XXXXXX/{www/index.html, www/app.wasm, secret.txt}, www/ served.
// The server starts at the first fetch, so a test can add files before.
class StaticFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    root_.write("www/index.html", "<h1>console</h1>");
    root_.write("www/app.wasm", kWasm);
    root_.write("secret.txt", "top secret");
    options_ = test_options();
    options_.static_dir = root_.path() / "www";
  }

  // The answer to GET `target` (with `headers`, each line ending in CRLF), on one connection.
  RawResponse fetch(std::string_view target, std::string_view headers = "") {
    if (!server_) {
      server_ = std::make_unique<RunningServer>(hello_router(), options_);
      client_ = std::make_unique<Client>(server_->port());
    }
    return client_->request(get(target, headers));
  }

  oatd_test::TempDir root_{"oatd-http"};
  ServerOptions options_;
  std::unique_ptr<RunningServer> server_;
  std::unique_ptr<Client> client_;
};

TEST_F(StaticFiles, WasmIsServedAsApplicationWasm) {
  RawResponse r = fetch("/app.wasm");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "application/wasm");
  EXPECT_EQ(r.body, kWasm);
}

TEST_F(StaticFiles, RootServesIndexHtml) {
  RawResponse r = fetch("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r.body, "<h1>console</h1>");
}

TEST_F(StaticFiles, DotDotTraversalIsRefused) {
  for (const char* target : {"/../secret.txt", "/%2e%2e/secret.txt", "/x/..%2f..%2fsecret.txt"}) {
    RawResponse r = fetch(target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.body.find("top secret"), std::string::npos) << target;
  }
}

TEST_F(StaticFiles, SymlinkLeavingTheDirectoryIsRefused) {
  std::filesystem::create_symlink(root_.path() / "secret.txt", root_.path() / "www" / "link.txt");
  EXPECT_EQ(fetch("/link.txt").status, 404);
}

TEST_F(StaticFiles, APrecompressedSiblingIsSentToClientsAcceptingGzip) {
  root_.write("www/app.wasm.gz", "pretend-gzip");
  RawResponse r = fetch("/app.wasm", "Accept-Encoding: gzip, deflate, br\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Encoding"), "gzip");
  EXPECT_EQ(r.header("Content-Type"), "application/wasm");
  EXPECT_EQ(r.body, "pretend-gzip");
}

TEST_F(StaticFiles, ClientsNotAcceptingGzipGetThePlainFile) {
  root_.write("www/app.wasm.gz", "pretend-gzip");
  for (const char* accept : {"", "Accept-Encoding: identity\r\n", "Accept-Encoding: gzip;q=0\r\n"}) {
    RawResponse r = fetch("/app.wasm", accept);
    EXPECT_FALSE(r.has_header("Content-Encoding")) << accept;
    EXPECT_EQ(r.body, kWasm) << accept;
  }
}

TEST_F(StaticFiles, ABrotliSiblingIsPreferredByClientsAcceptingBrotli) {
  root_.write("www/app.wasm.gz", "pretend-gzip");
  root_.write("www/app.wasm.br", "pretend-brotli");
  RawResponse r = fetch("/app.wasm", "Accept-Encoding: gzip, deflate, br, zstd\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Encoding"), "br");
  EXPECT_EQ(r.header("Content-Type"), "application/wasm");
  EXPECT_EQ(r.header("Vary"), "Accept-Encoding");
  EXPECT_EQ(r.body, "pretend-brotli");
  // Brotli refused, or not named (a coding merely containing the letters is another coding):
  // gzip.
  for (const char* accept : {"Accept-Encoding: br;q=0, gzip\r\n", "Accept-Encoding: gzip\r\n",
                             "Accept-Encoding: gzip, brx\r\n"}) {
    RawResponse g = fetch("/app.wasm", accept);
    EXPECT_EQ(g.header("Content-Encoding"), "gzip") << accept;
    EXPECT_EQ(g.body, "pretend-gzip") << accept;
  }
  // Each representation has its own tag.
  EXPECT_NE(fetch("/app.wasm", "Accept-Encoding: br\r\n").header("ETag"),
            fetch("/app.wasm", "Accept-Encoding: gzip\r\n").header("ETag"));
}

TEST_F(StaticFiles, AFileNamedByItsContentHashIsCachedForAYearTheRestIsRevalidated) {
  root_.write("www/app.3f9a1c2b.wasm", kWasm);
  RawResponse hashed = fetch("/app.3f9a1c2b.wasm");
  EXPECT_EQ(hashed.status, 200);
  EXPECT_EQ(hashed.header("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(hashed.header("Content-Type"), "application/wasm");
  for (const char* plain : {"/", "/app.wasm"}) {
    RawResponse r = fetch(plain);
    EXPECT_EQ(r.header("Cache-Control"), "no-cache") << plain;
  }
  root_.write("www/app.3f9a1c.wasm", kWasm);  // too short a part to be a hash
  EXPECT_EQ(fetch("/app.3f9a1c.wasm").header("Cache-Control"), "no-cache");
}

TEST_F(StaticFiles, ARepeatedRequestWithTheETagGets304WithoutABody) {
  RawResponse first = fetch("/");
  ASSERT_TRUE(first.has_header("ETag"));
  const std::string etag = first.header("ETag");
  EXPECT_EQ(etag.front(), '"');
  RawResponse again = fetch("/", "If-None-Match: " + etag + "\r\n");
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(again.body, "");
  EXPECT_EQ(again.header("ETag"), etag);
  EXPECT_EQ(fetch("/", "If-None-Match: \"other\", W/" + etag + "\r\n").status, 304);
  EXPECT_EQ(fetch("/", "If-None-Match: \"other\"\r\n").status, 200);
  // The gzip sibling is another representation, with its own tag.
  root_.write("www/app.wasm.gz", "pretend-gzip");
  const std::string plain = fetch("/app.wasm").header("ETag");
  const std::string packed = fetch("/app.wasm", "Accept-Encoding: gzip\r\n").header("ETag");
  EXPECT_NE(plain, packed);
  EXPECT_EQ(fetch("/app.wasm", "Accept-Encoding: gzip\r\nIf-None-Match: " + plain + "\r\n").status, 200);
}

TEST_F(StaticFiles, AChangedFileGetsANewETag) {
  const std::string before = fetch("/").header("ETag");
  root_.write("www/index.html", "<h1>console, version 2</h1>");
  RawResponse r = fetch("/", "If-None-Match: " + before + "\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.header("ETag"), before);
}

TEST_F(StaticFiles, RoutesWinOverFiles) {
  root_.write("www/echo", "file");
  EXPECT_EQ(fetch("/echo").status, 405);  // /echo is a POST route
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Metrics
// -----------------------------------------------------------------------------------------------

TEST(Metrics, RenderContainsCounterAfterRequest) {
  Metrics metrics;
  ServerOptions options = test_options();
  options.on_complete = [&](const Request& req, const Response& res, std::string_view route, double seconds) {
    metrics.observe(route, req.method, res.status, seconds);
  };
  RunningServer server(hello_router(), options);
  Client client(server.port());
  client.request(get("/v2/orgs/acme"));
  const std::string line = R"(oatd_http_requests_total{route="/v2/orgs/{org}",method="GET",status="200"} 1)";
  EXPECT_TRUE(eventually([&] { return metrics.render().find(line) != std::string::npos; }))
      << metrics.render();
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  Metrics metrics({0.1, 1});
  metrics.observe("/r", "GET", 200, 0.05);
  metrics.observe("/r", "GET", 200, 0.5);
  metrics.observe("/r", "GET", 200, 5);
  std::string text = metrics.render();
  EXPECT_NE(text.find(R"(oatd_http_request_duration_seconds_bucket{route="/r",le="0.1"} 1)"), std::string::npos);
  EXPECT_NE(text.find(R"(oatd_http_request_duration_seconds_bucket{route="/r",le="1"} 2)"), std::string::npos);
  EXPECT_NE(text.find(R"(oatd_http_request_duration_seconds_bucket{route="/r",le="+Inf"} 3)"), std::string::npos);
  EXPECT_NE(text.find(R"(oatd_http_request_duration_seconds_count{route="/r"} 3)"), std::string::npos);
  EXPECT_NE(text.find("# TYPE oatd_http_request_duration_seconds histogram"), std::string::npos);
}

TEST(Metrics, UnknownMethodsShareOneLabel) {
  Metrics metrics;
  metrics.observe("unmatched", "FROBNICATE", 405, 0.001);
  EXPECT_NE(metrics.render().find(R"(method="OTHER")"), std::string::npos);
}

TEST(Metrics, CollectorOutputIsAppended) {
  Metrics metrics;
  metrics.add_collector([] { return std::string("# TYPE oatd_tokens gauge\noatd_tokens 7\n"); });
  EXPECT_NE(metrics.render().find("oatd_tokens 7\n"), std::string::npos);
}

}  // namespace
}  // namespace oatd::http
