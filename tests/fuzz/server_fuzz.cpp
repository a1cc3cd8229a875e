// libFuzzer target: whole HTTP requests, the raw bytes a client sends on one connection, through
// oatd's request handling in process (server_fixture.h: the real store, Services and routes).
//
// The server's Connection (native/src/http/server.cpp) reads requests with Beast's parser and
// answers them with the router; it lives on a socket, so this target does what it does on the
// bytes instead: the same parser with the same limits (ServerOptions' defaults, which oatd serve
// keeps) read through Beast's in-memory test stream with the same read_header/read calls, the
// same refusals (400, 413, 414, 431, and the framing rules of http/framing.h), the Request built
// as Connection::answer builds it (headers in order, X-Forwarded-For from a trusted proxy, CORS
// preflights), then the router, for as many requests as the connection keeps alive. Static files
// are not served here (no console folder).
//
// $BEARER and $TOKEN_BEARER in the input are replaced by the seeded owner's and token's bearers
// before parsing. Every answer is checked (Oatd::check): no 500, no header the server would drop,
// JSON that is JSON, registry tokens that verify.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/framing.h"
#include "server_fixture.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using oat_fuzz::Oatd;
using oatd::http::Request;
using oatd::http::Response;

// ServerOptions' defaults (server.h), and server.cpp's room for the request line's other parts.
constexpr std::size_t kBodyLimit = 64 * 1024;
constexpr std::size_t kTargetLimit = 8 * 1024;
constexpr std::size_t kHeaderLimit = 16 * 1024;
constexpr std::size_t kRequestLineSlack = 64;
constexpr std::size_t kBufferSlack = 8 * 1024;
// A connection's requests answered for one input, at most.
constexpr int kMaxRequests = 8;

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

bool iequals(std::string_view a, std::string_view b) {
  return beast::iequals(beast::string_view(a.data(), a.size()), beast::string_view(b.data(), b.size()));
}

const std::vector<oat::Cidr>& trusted_proxies() {
  static const std::vector<oat::Cidr> trusted = {*oat::parse_cidr("127.0.0.1/32", "--trusted-proxy")};
  return trusted;
}
const std::vector<std::string> kCorsOrigins = {"https://console.example.com"};
constexpr std::string_view kPeer = "127.0.0.1";

// Connection::reject: an answer from the error writer, then the connection closes.
void reject(Oatd& oatd, const bhttp::request_parser<bhttp::string_body>& parser, int status,
            std::string_view message) {
  const auto& msg = parser.get();
  Request request = Request::make(std::string(msg.method_string()), sv(msg.target()));
  request.remote_address = std::string(kPeer);
  oatd.check(request, oatd::api_error(status, message));
}

// Connection::on_read_error: the answer to a request the server could not read; none at the end
// of what was sent (nobody to answer).
void answer_read_error(Oatd& oatd, const bhttp::request_parser<bhttp::string_body>& parser,
                       const beast::flat_buffer& buffer, beast::error_code ec) {
  if (ec == bhttp::error::body_limit) {
    return reject(oatd, parser, 413, "Request body too large");
  }
  if (auto refusal = oatd::http::framing_read_refusal(ec, parser.is_header_done())) {
    return reject(oatd, parser, refusal->status, refusal->message);
  }
  if (ec == bhttp::error::header_limit) {
    const std::string_view received(static_cast<const char*>(buffer.data().data()), buffer.size());
    const auto line_end = received.find("\r\n");
    const std::size_t line = line_end == std::string_view::npos ? received.size() : line_end;
    if (line > kTargetLimit + kRequestLineSlack) {
      reject(oatd, parser, 414, "Request URI too long");
    } else {
      reject(oatd, parser, 431, "Request header fields too large");
    }
    return;
  }
  const bool malformed = ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
                         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
  if (malformed) reject(oatd, parser, 400, "Bad request");
}

// Connection::answer. Returns whether the connection stays open.
bool answer(Oatd& oatd, bhttp::request<bhttp::string_body> msg) {
  const std::string target(sv(msg.target()));
  Request request = Request::make(std::string(msg.method_string()), target, std::move(msg.body()));
  request.remote_address = std::string(kPeer);
  std::optional<std::string> forwarded_for;
  std::string_view forwarded_proto;
  for (const auto& field : msg) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    if (iequals(sv(field.name_string()), "x-forwarded-for")) {
      forwarded_for = forwarded_for ? *forwarded_for + "," + std::string(field.value()) : std::string(field.value());
    } else if (iequals(sv(field.name_string()), "x-forwarded-proto")) {
      forwarded_proto = sv(field.value());
    }
  }
  request.remote_address = oat::client_address(kPeer, forwarded_for, trusted_proxies());
  request.secure = iequals(forwarded_proto, "https");  // the peer is a trusted proxy
  const bool keep_alive = msg.keep_alive();

  const auto origin = request.header("Origin");
  const bool origin_allowed =
      origin && std::find(kCorsOrigins.begin(), kCorsOrigins.end(), *origin) != kCorsOrigins.end();
  Response response;
  if (target.empty() || target.front() != '/') {
    response = oatd::api_error(400, "Bad request");
  } else if (request.method == "OPTIONS" && origin && request.header("Access-Control-Request-Method")) {
    response = Response::no_content();
    if (origin_allowed) response.header("Access-Control-Max-Age", "600");
  } else {
    std::string_view pattern;
    response = oatd.route(request, &pattern);
  }
  response.add_header("Vary", "Origin");
  if (origin_allowed) response.header("Access-Control-Allow-Origin", std::string(*origin));
  oatd.check(request, response);
  return keep_alive;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  Oatd& oatd = Oatd::get();
  const std::string input = oatd.expand(std::string_view(reinterpret_cast<const char*>(bytes), size));
  asio::io_context ioc;
  beast::test::stream stream(ioc);
  stream.append(input);
  stream.close_remote();  // then the client has sent everything: reads end
  beast::flat_buffer buffer;
  // Connection::init: past a whole header only a chunk's size line or a trailer waits here.
  buffer.max_size(kHeaderLimit + kTargetLimit + kRequestLineSlack + kBufferSlack);
  oatd.begin();
  for (int n = 0; n < kMaxRequests; ++n) {
    // Connection::read_header and on_header.
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(kHeaderLimit + kTargetLimit + kRequestLineSlack));
    parser.body_limit(kBodyLimit);
    beast::error_code ec;
    const std::size_t header_bytes = bhttp::read_header(stream, buffer, parser, ec);
    if (ec) {
      answer_read_error(oatd, parser, buffer, ec);
      break;
    }
    const auto& msg = parser.get();
    const std::size_t request_line = msg.method_string().size() + msg.target().size() + 12;
    if (msg.target().size() > kTargetLimit) {
      reject(oatd, parser, 414, "Request URI too long");
      break;
    }
    if (header_bytes > request_line + kHeaderLimit) {
      reject(oatd, parser, 431, "Request header fields too large");
      break;
    }
    if (auto refusal = oatd::http::framing_refusal(msg)) {
      reject(oatd, parser, refusal->status, refusal->message);
      break;
    }
    // Connection::read_body.
    if (!parser.is_done()) {
      bhttp::read(stream, buffer, parser, ec);
      if (ec) {
        answer_read_error(oatd, parser, buffer, ec);
        break;
      }
    }
    if (!answer(oatd, parser.release())) break;
  }
  oatd.end();
  return 0;
}
