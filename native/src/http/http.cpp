// Request/Response helpers and the Router. No Beast here.
//
// [SECTION] Decoding
// [SECTION] Request
// [SECTION] Response
// [SECTION] Router
#include "http/http.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <set>
#include <stdexcept>

#include "log/log.h"
#include "oat/resource.h"

namespace oatd::http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
    return lower(x) == lower(y);
  });
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string_view> find_in(const std::vector<std::pair<std::string, std::string>>& headers,
                                        std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return std::string_view(v);
  }
  return std::nullopt;
}

// Splits "/a/b/c" into {"a","b","c"}; "/" into {""}; keeps empty segments ("/a//b/").
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace

// -----------------------------------------------------------------------------------------------
// [SECTION] Decoding
// -----------------------------------------------------------------------------------------------

std::string percent_decode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_as_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::multimap<std::string, std::string> parse_urlencoded(std::string_view text) {
  std::multimap<std::string, std::string> out;
  while (!text.empty()) {
    auto amp = text.find('&');
    std::string_view piece = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
    if (piece.empty()) continue;
    auto eq = piece.find('=');
    std::string_view name = piece.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1);
    out.emplace(percent_decode(name, true), percent_decode(value, true));
  }
  return out;
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Request
// -----------------------------------------------------------------------------------------------

Request Request::make(std::string method, std::string_view target, std::string body) {
  Request r;
  r.method = std::move(method);
  r.raw_target = std::string(target);
  auto cut = target.find_first_of("?#");
  r.path = percent_decode(target.substr(0, cut));
  if (cut != std::string_view::npos && target[cut] == '?') {
    std::string_view q = target.substr(cut + 1);
    q = q.substr(0, q.find('#'));
    r.query = parse_urlencoded(q);
  }
  r.body = std::move(body);
  return r;
}

std::optional<std::string_view> Request::header(std::string_view name) const {
  return find_in(headers, name);
}

std::optional<std::string> Request::query_value(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Request::query_values(std::string_view name) const {
  std::vector<std::string> out;
  auto [lo, hi] = query.equal_range(std::string(name));
  for (auto it = lo; it != hi; ++it) out.push_back(it->second);
  return out;
}

std::multimap<std::string, std::string> Request::form() const { return parse_urlencoded(body); }

// -----------------------------------------------------------------------------------------------
// [SECTION] Response
// -----------------------------------------------------------------------------------------------

namespace {

Response typed(int status, std::string body, const char* content_type) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", content_type);
  return r;
}

}  // namespace

Response Response::json(int status, std::string body) {
  return typed(status, std::move(body), "application/json");
}

Response Response::text(int status, std::string body) {
  return typed(status, std::move(body), "text/plain; charset=utf-8");
}

Response Response::no_content() {
  Response r;
  r.status = 204;
  return r;
}

Response plain_error(int status, std::string_view message) {
  return Response::text(status, std::string(message) + "\n");
}

Response& Response::header(std::string name, std::string value) & {
  std::erase_if(headers, [&](const auto& h) { return iequals(h.first, name); });
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

Response Response::header(std::string name, std::string value) && {
  header(std::move(name), std::move(value));
  return std::move(*this);
}

Response& Response::add_header(std::string name, std::string value) & {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

Response Response::add_header(std::string name, std::string value) && {
  add_header(std::move(name), std::move(value));
  return std::move(*this);
}

std::optional<std::string_view> Response::find_header(std::string_view name) const {
  return find_in(headers, name);
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Router
// -----------------------------------------------------------------------------------------------

const std::string& Params::at(std::string_view name) const {
  for (const auto& [n, v] : items) {
    if (n == name) return v;
  }
  throw std::out_of_range("no path parameter named '" + std::string(name) + "'");
}

std::optional<std::string_view> Params::get(std::string_view name) const {
  for (const auto& [n, v] : items) {
    if (n == name) return std::string_view(v);
  }
  return std::nullopt;
}

namespace {
// Whether this thread is running a quick route's handler (Router::route_quick).
thread_local bool t_answering_quickly = false;
}  // namespace

void wait_point() {
  if (t_answering_quickly) throw MustWait{};
}

void Router::add(std::string method, std::string pattern, Handler handler, Runs runs) {
  if (method.empty()) throw std::invalid_argument("route method is empty");
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + pattern);
  }
  Route route;
  std::set<std::string, std::less<>> names;
  for (std::string_view seg : split_path(pattern)) {
    Segment s;
    bool opens = seg.find('{') != std::string_view::npos;
    bool closes = seg.find('}') != std::string_view::npos;
    if (opens || closes) {
      if (seg.size() < 3 || seg.front() != '{' || seg.back() != '}' ||
          seg.substr(1, seg.size() - 2).find_first_of("{}") != std::string_view::npos) {
        throw std::invalid_argument("malformed capture '" + std::string(seg) + "' in " + pattern);
      }
      s.capture = true;
      s.text = std::string(seg.substr(1, seg.size() - 2));
      if (!names.insert(s.text).second) {
        throw std::invalid_argument("capture '" + s.text + "' repeated in " + pattern);
      }
    } else {
      s.text = std::string(seg);
    }
    route.segments.push_back(std::move(s));
  }
  for (const Route& r : routes_) {
    if (r.method == method && r.pattern == pattern) {
      throw std::invalid_argument("route already registered: " + method + " " + pattern);
    }
  }
  route.method = std::move(method);
  route.pattern = std::move(pattern);
  route.handler = std::move(handler);
  route.runs = runs;
  routes_.push_back(std::move(route));
}

Router::Match Router::match(const Request& request) const {
  // Decoded segments of the request path.
  std::vector<std::string> segments;
  if (!request.raw_target.empty()) {
    std::string_view raw = request.raw_target;
    raw = raw.substr(0, raw.find_first_of("?#"));
    for (std::string_view s : split_path(raw)) segments.push_back(percent_decode(s));
  } else {
    for (std::string_view s : split_path(request.path)) segments.emplace_back(s);
  }

  auto matches = [&](const Route& r) {
    if (r.segments.size() != segments.size()) return false;
    for (std::size_t i = 0; i < segments.size(); ++i) {
      const Segment& s = r.segments[i];
      if (s.capture ? segments[i].empty() || !oat::is_text(segments[i]) : s.text != segments[i]) {
        return false;
      }
    }
    return true;
  };
  // True when `a` is more specific than `b`: at the first position where one has a literal and
  // the other a capture, the literal wins.
  auto more_specific = [](const Route& a, const Route& b) {
    for (std::size_t i = 0; i < a.segments.size(); ++i) {
      if (a.segments[i].capture != b.segments[i].capture) return !a.segments[i].capture;
    }
    return false;
  };

  Match found;
  const Route*& best = found.route;
  const Route* best_get = nullptr;  // for HEAD falling back to GET
  for (const Route& r : routes_) {
    if (!matches(r)) continue;
    if (std::find(found.allow.begin(), found.allow.end(), r.method) == found.allow.end()) {
      found.allow.push_back(r.method);
    }
    if (r.method == request.method) {
      if (!best || more_specific(r, *best)) best = &r;
    } else if (r.method == "GET" && request.method == "HEAD") {
      if (!best_get || more_specific(r, *best_get)) best_get = &r;
    }
  }
  if (!best) best = best_get;
  if (best) {
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (best->segments[i].capture) found.params.items.emplace_back(best->segments[i].text, segments[i]);
    }
  }
  return found;
}

Response Router::route(const Request& request, std::string_view* matched_pattern) const {
  if (matched_pattern) *matched_pattern = {};
  Match found = match(request);
  if (!found.route) {
    std::vector<std::string>& allow = found.allow;
    if (allow.empty()) return error_writer_(404, "Not found");
    if (std::find(allow.begin(), allow.end(), "GET") != allow.end() &&
        std::find(allow.begin(), allow.end(), "HEAD") == allow.end()) {
      allow.push_back("HEAD");
    }
    std::string joined;
    for (const auto& m : allow) joined += (joined.empty() ? "" : ", ") + m;
    return error_writer_(405, "Method not allowed").header("Allow", joined);
  }

  if (matched_pattern) *matched_pattern = found.route->pattern;
  return call(*found.route, request, found.params);
}

std::optional<Response> Router::route_quick(const Request& request,
                                            std::string_view* matched_pattern) const {
  if (matched_pattern) *matched_pattern = {};
  const Match found = match(request);
  if (!found.route || found.route->runs != Runs::quick) return std::nullopt;
  struct Quickly {
    Quickly() { t_answering_quickly = true; }
    ~Quickly() { t_answering_quickly = false; }
  };
  try {
    const Quickly quickly;
    Response answer = call(*found.route, request, found.params);
    if (matched_pattern) *matched_pattern = found.route->pattern;
    return answer;
  } catch (const MustWait&) {
    return std::nullopt;
  }
}

Response Router::call(const Route& route, const Request& request, const Params& params) const {
  try {
    return route.handler(request, params);
  } catch (const MustWait&) {
    throw;
  } catch (const std::exception& e) {
    if (on_exception_) {
      try {
        if (auto answer = on_exception_(request, e)) return std::move(*answer);
      } catch (...) {  // the handler of last resort must not be the end of the request
      }
    }
    log::error("a handler threw", {{"method", route.method}, {"route", route.pattern},
                                   {"error", e.what()}});
  } catch (...) {
    log::error("a handler threw a non-std exception",
               {{"method", route.method}, {"route", route.pattern}});
  }
  return error_writer_(500, "Internal server error");
}

}  // namespace oatd::http
