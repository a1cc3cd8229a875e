#include "api/oidc_keys.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>

#include <algorithm>
#include <memory>

#include "log/log.h"
#include "oat/oidc.h"
#include "oat/webhook.h"

namespace oatd {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Tls = beast::ssl_stream<beast::tcp_stream>;

// One GET: resolve, connect, handshake, write, read. `done` is set by the last step.
struct Get : std::enable_shared_from_this<Get> {
  Get(asio::io_context& ioc, ssl::context& context, HttpsGetResult& result_in)
      : resolver(ioc), stream(beast::tcp_stream(ioc), context), result(result_in) {}

  tcp::resolver resolver;
  Tls stream;
  HttpsGetResult& result;
  bhttp::request<bhttp::empty_body> request;
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  bool done = false;

  void fail(std::string_view step, const beast::error_code& ec) {
    result = {0, "", std::string(step) + ": " + ec.message()};
    done = true;
  }

  std::size_t max_bytes = 0;

  void too_large() {
    result = {0, "", "the document is larger than " + std::to_string(max_bytes / 1024) + " KiB"};
    done = true;
  }

  // Piece by piece, so that a body without a length (chunked, or up to the end) is cut off at
  // max_bytes too, whatever the parser's own limit does.
  void read_body() {
    if (parser.is_done()) {
      result = {static_cast<int>(parser.get().result_int()), std::move(parser.get().body()), ""};
      done = true;
      return;
    }
    bhttp::async_read_some(stream, buffer, parser, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->fail("no complete answer", ec);
      if (self->parser.get().body().size() > self->max_bytes) return self->too_large();
      self->read_body();
    });
  }

  void run(const std::string& host, const std::string& port) {
    resolver.async_resolve(host, port, [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type found) {
      if (ec) return self->fail("cannot resolve the host", ec);
      beast::get_lowest_layer(self->stream).async_connect(found, [self](beast::error_code ec, const tcp::endpoint&) {
        if (ec) return self->fail("cannot connect", ec);
        self->stream.async_handshake(ssl::stream_base::client, [self](beast::error_code ec) {
          if (ec) return self->fail("TLS handshake failed", ec);
          bhttp::async_write(self->stream, self->request, [self](beast::error_code ec, std::size_t) {
            if (ec) return self->fail("cannot send the request", ec);
            bhttp::async_read_header(self->stream, self->buffer, self->parser, [self](beast::error_code ec, std::size_t) {
              if (ec) return self->fail("no answer", ec);
              if (self->parser.content_length().value_or(0) > self->max_bytes) return self->too_large();
              self->read_body();
            });
          });
        });
      });
    });
  }
};

}  // namespace

HttpsGetResult https_get(const std::string& url, const std::string& ca_file, std::chrono::milliseconds timeout,
                         std::size_t max_bytes) {
  const auto target = oat::parse_webhook_url(url);
  if (!target || target->scheme != "https") return {0, "", "not an https URL: " + url};
  HttpsGetResult result{0, "", "timed out after " + std::to_string(timeout.count() / 1000) + " s"};
  try {
    ssl::context context(ssl::context::tls_client);  // outlives the io_context's handlers
    context.set_default_verify_paths();
    if (!ca_file.empty()) context.load_verify_file(ca_file);
    context.set_verify_mode(ssl::verify_peer);
    SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
    asio::io_context ioc;
    auto get = std::make_shared<Get>(ioc, context, result);
    const bool default_port = target->port == 443;
    const std::string host = target->host.find(':') != std::string::npos ? "[" + target->host + "]" : target->host;
    get->request = {bhttp::verb::get, target->target, 11};
    get->request.set(bhttp::field::host, default_port ? host : host + ":" + std::to_string(target->port));
    get->request.set(bhttp::field::user_agent, "oatd-oidc");
    get->request.set(bhttp::field::accept, "application/json");
    get->request.set(bhttp::field::connection, "close");
    get->max_bytes = max_bytes;
    get->parser.body_limit(max_bytes + 1);
    get->parser.header_limit(16 * 1024);
    SSL_set_tlsext_host_name(get->stream.native_handle(), target->host.c_str());
    get->stream.set_verify_callback(ssl::host_name_verification(target->host));
    get->run(target->host, std::to_string(target->port));
    ioc.run_for(timeout);
    if (!get->done) result = {0, "", "timed out after " + std::to_string(timeout.count() / 1000) + " s"};
  } catch (const std::exception& e) {
    result = {0, "", e.what()};
  }
  return result;
}

std::variant<std::vector<PublicKey>, std::string> OidcKeys::fetch(const std::string& issuer) const {
  const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
  const auto left = [&] {
    return std::max(std::chrono::milliseconds(1), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                      deadline - std::chrono::steady_clock::now()));
  };
  const auto get_json = [&](const std::string& url, const char* what) -> std::variant<nlohmann::json, std::string> {
    const HttpsGetResult got = https_get(url, options_.ca_file, left(), options_.max_bytes);
    if (got.status == 0) return std::string(what) + " " + url + ": " + got.error;
    if (got.status != 200) return std::string(what) + " " + url + ": HTTP " + std::to_string(got.status);
    auto body = nlohmann::json::parse(got.body, nullptr, false);
    if (!body.is_object()) return std::string(what) + " " + url + ": not a JSON object";
    return body;
  };
  std::string base = issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto discovery = get_json(base + "/.well-known/openid-configuration", "discovery document");
  if (auto* error = std::get_if<std::string>(&discovery)) return *error;
  const auto& doc = std::get<nlohmann::json>(discovery);
  if (doc.value("issuer", std::string()) != issuer) return "the discovery document names another issuer";
  const std::string jwks_uri = doc.value("jwks_uri", std::string());
  if (!jwks_uri.starts_with("https://")) return "the discovery document has no https jwks_uri";
  auto jwks = get_json(jwks_uri, "key set");
  if (auto* error = std::get_if<std::string>(&jwks)) return *error;
  const auto& set = std::get<nlohmann::json>(jwks);
  if (!set.contains("keys") || !set["keys"].is_array()) return "the key set has no keys";
  std::vector<PublicKey> keys;
  for (const auto& jwk : set["keys"]) {
    if (auto key = public_key_from_jwk(jwk)) keys.push_back(std::move(*key));
  }
  return keys;
}

OidcKeys::Lookup OidcKeys::find(const std::string& issuer, const std::optional<std::string>& kid,
                                const std::string& alg) {
  const auto pick = [&](const std::vector<PublicKey>& keys) {
    std::vector<PublicKey> found;
    for (const PublicKey& k : keys) {
      if (k.alg == alg && (!kid || k.kid == *kid)) found.push_back(k);
    }
    return found;
  };
  const auto now = std::chrono::steady_clock::now();
  std::vector<PublicKey> kept;
  {
    std::lock_guard lock(mutex_);
    Entry& entry = entries_[issuer];
    kept = pick(entry.keys);
    const bool fetched = entry.fetched_at != std::chrono::steady_clock::time_point{};
    if (!kept.empty() && now - entry.fetched_at < options_.max_age) return {Outcome::Found, kept, ""};
    // Not among the keys fetched a moment ago: an unknown key, without asking again.
    if (fetched && kept.empty() && now - entry.fetched_at < options_.refetch_interval) {
      return {Outcome::UnknownKey, {}, ""};
    }
    // One fetch per issuer at a time, and none for a while after one failed: a slow or dead
    // issuer holds at most one request (thread) at a time, never all of them.
    if (entry.fetching || (!entry.last_error.empty() && now - entry.failed_at < options_.retry_after_failure)) {
      if (!kept.empty()) return {Outcome::Found, kept, ""};
      return {Outcome::Unreachable, {},
              entry.fetching ? "the issuer's keys are being fetched" : entry.last_error};
    }
    entry.fetching = true;
  }
  auto fetched = fetch(issuer);
  std::lock_guard lock(mutex_);
  Entry& entry = entries_[issuer];
  entry.fetching = false;
  if (auto* error = std::get_if<std::string>(&fetched)) {
    log::warn("the keys of an OIDC issuer could not be fetched", {{"issuer", issuer}, {"error", *error}});
    entry.last_error = *error;
    entry.failed_at = std::chrono::steady_clock::now();
    if (!kept.empty()) return {Outcome::Found, kept, ""};  // stale but still published, as far as known
    return {Outcome::Unreachable, {}, *error};
  }
  entry.keys = std::move(std::get<std::vector<PublicKey>>(fetched));
  entry.fetched_at = std::chrono::steady_clock::now();
  entry.last_error.clear();
  std::vector<PublicKey> found = pick(entry.keys);
  if (found.empty()) return {Outcome::UnknownKey, {}, ""};
  return {Outcome::Found, std::move(found), ""};
}

}  // namespace oatd
