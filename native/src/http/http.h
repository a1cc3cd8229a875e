// HTTP as the handlers see it: a parsed Request in, a Response out, and a Router that maps
// (method, path pattern) to a handler. No sockets, no Beast: handler files include only this.
// The Beast server that feeds the router lives in server.h.
//
// [SECTION] Decoding       percent-decoding and x-www-form-urlencoded parsing
// [SECTION] Request
// [SECTION] Response
// [SECTION] Router
#pragma once

#include <exception>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oatd::http {

// -----------------------------------------------------------------------------------------------
// [SECTION] Decoding
// -----------------------------------------------------------------------------------------------

// Decodes %XX escapes; with `plus_as_space`, '+' becomes ' ' (query strings and form bodies, not
// paths). Lenient like browsers (WHATWG URL): a '%' not followed by two hex digits is kept as is,
// so decoding never fails. The result may contain any byte, including NUL.
std::string percent_decode(std::string_view text, bool plus_as_space = false);

// Parses "a=1&b=x+y&a=2" (a query string without '?', or an application/x-www-form-urlencoded
// body) into name -> value pairs, names and values decoded with '+' as space. Repeated names are
// all kept, in order; empty pieces ("a=1&&b") are skipped; a piece without '=' has value "".
std::multimap<std::string, std::string> parse_urlencoded(std::string_view text);

// -----------------------------------------------------------------------------------------------
// [SECTION] Request
// -----------------------------------------------------------------------------------------------

// One parsed HTTP request. The server fills every field; tests and handler code can build one
// with Request::make.
struct Request {
  std::string method;      // as sent, case-sensitive: "GET", "POST", ...
  std::string path;        // percent-decoded path, without the query ("/v2/orgs/acme")
  std::string raw_target;  // the request-target exactly as sent ("/v2/orgs/acme?x=1")
  std::multimap<std::string, std::string> query;  // decoded, '+' as space; repeats kept
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order
  std::string body;            // the whole body (the server enforces its size limit)
  std::string remote_address;  // peer IP as text ("127.0.0.1", "::1"); proxies not unwrapped
  // Whether the client's request came over TLS: said by a trusted proxy's X-Forwarded-Proto.
  bool secure = false;

  // A request for `target` ("/path?query"), with path and query decoded as the server would.
  static Request make(std::string method, std::string_view target, std::string body = {});

  // Value of the first header named `name` (case-insensitive), or nullopt. The view points into
  // this Request.
  std::optional<std::string_view> header(std::string_view name) const;

  // Value of the first query parameter named `name` (case-sensitive), or nullopt.
  std::optional<std::string> query_value(std::string_view name) const;

  // All values of query parameter `name`, in request order (the registry repeats `scope`).
  std::vector<std::string> query_values(std::string_view name) const;

  // The body parsed as application/x-www-form-urlencoded (see parse_urlencoded). Does not check
  // Content-Type: that is the handler's call.
  std::multimap<std::string, std::string> form() const;
};

// -----------------------------------------------------------------------------------------------
// [SECTION] Response
// -----------------------------------------------------------------------------------------------

// What a handler returns. The server adds Content-Length, Server and Connection itself (a
// handler's own values for those are ignored) and, when the handler set no Content-Type, uses
// application/json for a body starting with '{' or '[' and text/plain otherwise.
struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // `body` (already JSON text) with Content-Type: application/json.
  static Response json(int status, std::string body);
  // `body` with Content-Type: text/plain; charset=utf-8.
  static Response text(int status, std::string body);
  // 204, no body.
  static Response no_content();

  // Sets header `name` to `value`, replacing any header of that name (case-insensitive), and
  // returns this response, for chaining:
  //   return Response::text(200, text).header("Content-Type", "text/csv");
  Response& header(std::string name, std::string value) &;
  Response header(std::string name, std::string value) &&;
  // Appends a header, keeping others of the same name (Set-Cookie, Link, WWW-Authenticate...).
  Response& add_header(std::string name, std::string value) &;
  Response add_header(std::string name, std::string value) &&;

  // Value of the first header named `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> find_header(std::string_view name) const;
};

// How the HTTP layer words its own refusals (an unknown path, a method a path does not have, a
// handler that threw, a request the server cannot read): the layer above chooses the shape of
// the body (the API: {"detail","message"}). plain_error, the default, is the message as text.
using ErrorWriter = std::function<Response(int status, std::string_view message)>;
Response plain_error(int status, std::string_view message);

// -----------------------------------------------------------------------------------------------
// [SECTION] Router
// -----------------------------------------------------------------------------------------------

// The path segments a pattern captured, by name: for "/v2/orgs/{org}" and "/v2/orgs/acme",
// at("org") == "acme". Values are percent-decoded; a capture never matches an empty segment,
// nor one that is not text (invalid UTF-8, or a NUL): no name or id is, and no database could
// look it up.
class Params {
 public:
  // The captured value. Throws std::out_of_range if the pattern has no such capture (a bug in
  // the handler; the router turns it into a 500).
  const std::string& at(std::string_view name) const;
  // The captured value, or nullopt.
  std::optional<std::string_view> get(std::string_view name) const;

  std::vector<std::pair<std::string, std::string>> items;  // in pattern order
};

using Handler = std::function<Response(const Request&, const Params&)>;

// Where a route's handler runs (Router::add).
enum class Runs {
  // On the server's handler threads: the handler may wait (for the database, a password hash,
  // another server) without holding up any other connection.
  on_handler_thread,
  // On the thread that read the request (Router::route_quick), which saves the hand-off to a
  // handler thread and back: for a handler that answers in microseconds and seldom waits.
  // Before it would wait, it calls wait_point(): there that throws MustWait, and the server
  // runs the handler again from the start on a handler thread, so nothing the handler does
  // before its first wait_point() may be done twice (no write, no count, no log line).
  quick,
};

// Thrown by wait_point() on a thread answering a quick route. Not a std::exception: only the
// router catches it.
struct MustWait {};

// Called by a quick route's code before it waits (a database read or write): throws MustWait
// while Router::route_quick runs it, and does nothing anywhere else.
void wait_point();

// Maps (method, path pattern) to handlers. Build it before the server starts; after that it is
// only read, and route() may be called from many threads at once.
class Router {
 public:
  // Registers `handler` for `method` ("GET", ...) and `pattern`: literal segments and "{name}"
  // segments that capture exactly one non-empty path segment ("/v2/orgs/{org}/members/{user}").
  // A HEAD request falls back to the GET handler (the server drops the body).
  // Throws std::invalid_argument for a malformed pattern (no leading '/', unbalanced or partial
  // braces such as "a{b}", a repeated capture name) or a (method, pattern) already registered.
  // `runs` says on which thread the server calls it (Runs).
  void add(std::string method, std::string pattern, Handler handler,
           Runs runs = Runs::on_handler_thread);

  // Answers `request`:
  // - the handler of the best route whose pattern matches the path and whose method matches
  //   (literal segments beat captures, compared left to right);
  // - 405 with an Allow header listing the methods when some pattern matches the path but none
  //   has the method;
  // - 404 "Not found" (through the error writer) when no pattern matches the path.
  // A handler that throws is answered by the exception handler (set_exception_handler) when it
  // has an answer for that exception; otherwise with 500 "Internal server error" (through the
  // error writer),
  // the exception text (never the request body) going to stderr.
  // Segments are split on the raw path and decoded one by one, so "%2F" inside a segment is
  // captured as '/' and never splits it. A Request with an empty raw_target is matched on `path`.
  // When `matched_pattern` is given, it is set to the pattern of the handler that ran (a view
  // into this Router), or to "" when none ran (404, 405).
  Response route(const Request& request, std::string_view* matched_pattern = nullptr) const;

  // The answer of `request`'s route when it is a quick one (Runs::quick) and its handler did
  // not need to wait, its handler run on this thread; otherwise nullopt (no route, 404 or 405,
  // a route that runs on handler threads, or a wait_point() reached), and route() answers it
  // on a handler thread. `matched_pattern` as for route().
  std::optional<Response> route_quick(const Request& request,
                                      std::string_view* matched_pattern = nullptr) const;

  // The answer to an exception a handler let escape, or nullopt for the generic 500. Set by the
  // layer that knows what its exceptions mean (the API: a full disk is a 503). Set before
  // serving; called on server threads.
  using ExceptionHandler =
      std::function<std::optional<Response>(const Request&, const std::exception&)>;
  void set_exception_handler(ExceptionHandler handler) { on_exception_ = std::move(handler); }
  // How 404, 405 and 500 are written (default plain_error). Set before serving.
  void set_error_writer(ErrorWriter writer) { error_writer_ = std::move(writer); }

 private:
  struct Segment {
    bool capture = false;
    std::string text;  // literal text, or the capture's name
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;
    Runs runs = Runs::on_handler_thread;
  };
  // The route `request` goes to (null when none matches its path and method), its captures,
  // and the methods the matching patterns have (for 405's Allow).
  struct Match {
    const Route* route = nullptr;
    Params params;
    std::vector<std::string> allow;
  };
  Match match(const Request& request) const;
  // The handler's answer, or the answer to what it threw (MustWait passes through).
  Response call(const Route& route, const Request& request, const Params& params) const;

  std::vector<Route> routes_;
  ExceptionHandler on_exception_;
  ErrorWriter error_writer_ = plain_error;
};

}  // namespace oatd::http
