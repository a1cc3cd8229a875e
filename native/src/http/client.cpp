#include "http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>

#include <memory>
#include <type_traits>

#include "oat/webhook.h"

namespace oatd::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Tls = beast::ssl_stream<beast::tcp_stream>;

// One exchange over `stream` (a tcp_stream, or TLS over one): resolve, connect, [handshake,]
// write, read the header, [read the body]. Everything runs on the io_context the caller runs
// for the timeout; `done` is set by the last step, whatever its outcome.
template <class Stream>
struct Exchange : std::enable_shared_from_this<Exchange<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, Tls>;

  Exchange(asio::io_context& ioc, Stream stream_in, ClientAnswer& answer_in)
      : resolver(ioc), stream(std::move(stream_in)), answer(answer_in) {}

  tcp::resolver resolver;
  Stream stream;
  ClientAnswer& answer;
  bhttp::request<bhttp::string_body> request;
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  std::optional<std::size_t> body_limit;
  bool done = false;

  void fail(std::string_view step, const beast::error_code& ec) { finish(0, std::string(step) + ": " + ec.message()); }
  void finish(int status, std::string error) {
    answer.status = status;
    answer.error = std::move(error);
    done = true;
  }

  void run(const std::string& host, const std::string& port) {
    resolver.async_resolve(host, port, [self = this->shared_from_this()](beast::error_code ec,
                                                                         tcp::resolver::results_type found) {
      if (ec) return self->fail("cannot resolve the host", ec);
      beast::get_lowest_layer(self->stream).async_connect(found, [self](beast::error_code ec, const tcp::endpoint&) {
        if (ec) return self->fail("cannot connect", ec);
        if constexpr (kTls) {
          self->stream.async_handshake(ssl::stream_base::client, [self](beast::error_code ec) {
            if (ec) return self->fail("TLS handshake failed", ec);
            self->write();
          });
        } else {
          self->write();
        }
      });
    });
  }

  void write() {
    bhttp::async_write(stream, request, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->fail("cannot send the request", ec);
      bhttp::async_read_header(self->stream, self->buffer, self->parser, [self](beast::error_code ec, std::size_t) {
        if (ec) return self->fail("no answer", ec);
        const int status = static_cast<int>(self->parser.get().result_int());
        if (!self->body_limit) return self->finish(status, "");
        if (self->parser.content_length().value_or(0) > *self->body_limit) return self->too_large();
        self->read_body();
      });
    });
  }

  void too_large() { finish(0, "the answer is larger than " + std::to_string(*body_limit / 1024) + " KiB"); }

  // Piece by piece, so that a body without a length (chunked, or up to the end) is cut off at
  // the limit too.
  void read_body() {
    if (parser.is_done()) {
      answer.body = std::move(parser.get().body());
      return finish(static_cast<int>(parser.get().result_int()), "");
    }
    bhttp::async_read_some(stream, buffer, parser, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->fail("no complete answer", ec);
      if (self->parser.get().body().size() > *self->body_limit) return self->too_large();
      self->read_body();
    });
  }
};

}  // namespace

ClientAnswer send(const ClientRequest& r) {
  const std::string timed_out = "timed out after " + std::to_string(r.timeout.count() / 1000) + " s";
  const auto target = oat::parse_webhook_url(r.url);
  if (!target) return {0, "", target.error().message};
  const bool tls = target->scheme == "https";
  if (r.https_only && !tls) return {0, "", "not an https URL: " + r.url};
  ClientAnswer answer{0, "", timed_out};
  try {
    // Declared before the io_context, so it outlives the handlers the io_context destroys.
    std::optional<ssl::context> context;
    asio::io_context ioc;
    bhttp::request<bhttp::string_body> request{r.method == "POST" ? bhttp::verb::post : bhttp::verb::get,
                                               target->target, 11};
    const bool default_port = target->port == (tls ? 443 : 80);
    const std::string host = target->host.find(':') != std::string::npos ? "[" + target->host + "]" : target->host;
    request.set(bhttp::field::host, default_port ? host : host + ":" + std::to_string(target->port));
    request.set(bhttp::field::user_agent, r.user_agent);
    request.set(bhttp::field::connection, "close");
    for (const auto& [name, value] : r.headers) request.set(name, value);
    if (r.method == "POST") {
      request.body() = r.body;
      request.prepare_payload();
    }
    const std::string port = std::to_string(target->port);
    const auto prepare = [&](auto& exchange) {
      exchange->request = std::move(request);
      exchange->body_limit = r.body_limit;
      exchange->parser.header_limit(16 * 1024);
      // The parser's own limit as a second guard (a byte over, so the check above speaks first);
      // with the header alone, no body is read at all.
      if (r.body_limit) exchange->parser.body_limit(*r.body_limit + 1);
      if (!r.body_limit) exchange->parser.skip(true);
    };
    bool finished = false;
    if (tls) {
      context.emplace(ssl::context::tls_client);
      context->set_default_verify_paths();
      if (!r.ca_file.empty()) context->load_verify_file(r.ca_file);
      context->set_verify_mode(ssl::verify_peer);
      SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
      auto exchange = std::make_shared<Exchange<Tls>>(ioc, Tls(beast::tcp_stream(ioc), *context), answer);
      SSL_set_tlsext_host_name(exchange->stream.native_handle(), target->host.c_str());
      exchange->stream.set_verify_callback(ssl::host_name_verification(target->host));
      prepare(exchange);
      exchange->run(target->host, port);
      ioc.run_for(r.timeout);
      finished = exchange->done;
    } else {
      auto exchange = std::make_shared<Exchange<beast::tcp_stream>>(ioc, beast::tcp_stream(ioc), answer);
      prepare(exchange);
      exchange->run(target->host, port);
      ioc.run_for(r.timeout);
      finished = exchange->done;
    }
    if (!finished) answer = {0, "", timed_out};
  } catch (const std::exception& e) {
    answer = {0, "", e.what()};
  }
  return answer;
}

}  // namespace oatd::http
