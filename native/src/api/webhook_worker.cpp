#include "api/webhook_worker.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include <optional>
#include <utility>

#include "api/internal.h"
#include "crypto/crypto.h"
#include "log/log.h"

namespace oatd {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

// One attempt over `stream` (a tcp_stream, or an ssl_stream over one): resolve, connect,
// [handshake,] write the request, read the answer's header. Everything runs on `ioc`, which the
// caller runs for the attempt's time; `done` is set by the last step, whatever its outcome.
template <class Stream>
struct Exchange : std::enable_shared_from_this<Exchange<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Exchange(asio::io_context& ioc, Stream stream_in, DeliveryAttempt& result_in)
      : resolver(ioc), stream(std::move(stream_in)), result(result_in) {}

  tcp::resolver resolver;
  Stream stream;
  DeliveryAttempt& result;
  bhttp::request<bhttp::string_body> request;
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::empty_body> parser;
  bool done = false;

  void fail(std::string_view step, const beast::error_code& ec) {
    result = {0, std::string(step) + ": " + ec.message()};
    done = true;
  }

  void run(const std::string& host, const std::string& port) {
    parser.skip(true);  // only the status line and header matter
    resolver.async_resolve(host, port, [self = this->shared_from_this()](beast::error_code ec,
                                                                         tcp::resolver::results_type found) {
      if (ec) return self->fail("cannot resolve the host", ec);
      beast::get_lowest_layer(self->stream).async_connect(
          found, [self](beast::error_code ec, const tcp::endpoint&) {
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
      bhttp::async_read_header(self->stream, self->buffer, self->parser,
                               [self](beast::error_code ec, std::size_t) {
                                 if (ec) return self->fail("no answer", ec);
                                 self->result = {static_cast<int>(self->parser.get().result_int()), ""};
                                 self->done = true;
                               });
    });
  }
};

}  // namespace

DeliveryAttempt post_json(const std::string& url, const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          std::chrono::milliseconds timeout) {
  const auto target = oat::parse_webhook_url(url);
  if (!target) return {0, target.error().message};
  DeliveryAttempt result{0, "timed out after " + std::to_string(timeout.count() / 1000) + " s"};
  try {
    // Declared before the io_context, so it outlives the handlers the io_context destroys.
    std::optional<ssl::context> context;
    asio::io_context ioc;
    bhttp::request<bhttp::string_body> request{bhttp::verb::post, target->target, 11};
    const bool default_port = target->port == (target->scheme == "https" ? 443 : 80);
    const std::string host = target->host.find(':') != std::string::npos ? "[" + target->host + "]" : target->host;
    request.set(bhttp::field::host, default_port ? host : host + ":" + std::to_string(target->port));
    request.set(bhttp::field::user_agent, "oatd-webhooks");
    request.set(bhttp::field::content_type, "application/json");
    request.set(bhttp::field::connection, "close");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    request.prepare_payload();
    const std::string port = std::to_string(target->port);
    bool finished = false;
    if (target->scheme == "https") {
      context.emplace(ssl::context::tls_client);
      context->set_default_verify_paths();
      context->set_verify_mode(ssl::verify_peer);
      SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
      using Tls = beast::ssl_stream<beast::tcp_stream>;
      auto exchange = std::make_shared<Exchange<Tls>>(ioc, Tls(beast::tcp_stream(ioc), *context), result);
      SSL_set_tlsext_host_name(exchange->stream.native_handle(), target->host.c_str());
      exchange->stream.set_verify_callback(ssl::host_name_verification(target->host));
      exchange->request = std::move(request);
      exchange->run(target->host, port);
      ioc.run_for(timeout);
      finished = exchange->done;
    } else {
      auto exchange = std::make_shared<Exchange<beast::tcp_stream>>(ioc, beast::tcp_stream(ioc), result);
      exchange->request = std::move(request);
      exchange->run(target->host, port);
      ioc.run_for(timeout);
      finished = exchange->done;
    }
    if (!finished) result = {0, "timed out after " + std::to_string(timeout.count() / 1000) + " s"};
  } catch (const std::exception& e) {
    result = {0, e.what()};
  }
  return result;
}

void WebhookWorker::start() {
  thread_ = std::thread([this] {
    auto next_scan = std::chrono::steady_clock::now();
    for (;;) {
      bool asked = false;
      {
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, kPollPeriod, [this] { return woken_ || stopping_; });
        if (stopping_) return;
        woken_ = false;
        asked = std::exchange(scan_asked_, false);
      }
      const bool scan = asked || std::chrono::steady_clock::now() >= next_scan;
      if (scan) next_scan = std::chrono::steady_clock::now() + kExpiryScanPeriod;
      try {
        run_once(scan);
      } catch (const std::exception& e) {
        log::warn("webhook deliveries wait: the database cannot be used; will retry", {{"error", e.what()}});
      }
    }
  });
}

void WebhookWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookWorker::wake(bool expiries) {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
    scan_asked_ = scan_asked_ || expiries;
  }
  wake_.notify_all();
}

std::size_t WebhookWorker::run_once(bool expiries) {
  if (expiries) scan_expiries();
  std::size_t attempted = 0;
  // One at a time: each is held only for its own attempt, so a node that dies holds at most
  // one delivery back, for at most kLease.
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    const Timestamp now = services_.clock();
    // A read first: an idle node never takes the write lock (SQLite's is the database's).
    bool any = false;
    services_.store.read([&](Transaction& tx) { any = tx.has_due_delivery(now); });
    if (!any) break;
    std::vector<DueDelivery> due;
    services_.store.write([&](Transaction& tx) { due = tx.claim_due_deliveries(now, now + kLease, 1); });
    if (due.empty()) break;
    send(due.front());
    ++attempted;
  }
  return attempted;
}

void WebhookWorker::send(const DueDelivery& due) {
  DeliveryRecord d = due.delivery;
  d.attempts += 1;
  d.last_attempt_at = services_.clock();
  DeliveryAttempt attempt;
  if (auto secret = open_secret(services_.sealing_key, due.sealed_secret)) {
    const std::string signature = oat::signature_header_value(hmac_sha256_hex(*secret, d.body));
    OPENSSL_cleanse(secret->data(), secret->size());
    attempt = post_json(due.url, d.body,
                        {{std::string(oat::kEventHeader), d.event},
                         {std::string(oat::kDeliveryHeader), d.id},
                         {std::string(oat::kSignatureHeader), signature}},
                        oat::kDeliveryTimeout);
  } else {
    attempt = {0, "the webhook's secret cannot be read (it was sealed with another signing key); "
                  "create the webhook again"};
  }
  const Timestamp now = services_.clock();
  d.last_status = attempt.status ? std::optional<int>(attempt.status) : std::nullopt;
  d.last_error = attempt.error;
  if (attempt.status >= 200 && attempt.status < 300) {
    d.status = oat::DeliveryStatus::Delivered;
    d.delivered_at = now;
    d.next_attempt_at.reset();
    services_.counters.delivery("delivered");
  } else if (const auto next = oat::next_delivery_attempt(d.created_at, d.attempts, now)) {
    d.next_attempt_at = next;
    services_.counters.delivery("failed");
  } else {
    d.status = oat::DeliveryStatus::Failed;
    d.next_attempt_at.reset();
    services_.counters.delivery("abandoned");
    log::warn("a webhook delivery was given up after a day of attempts",
              {{"delivery", d.id}, {"event", d.event}, {"attempts", d.attempts}});
  }
  try {
    services_.store.write([&](Transaction& tx) { tx.finish_delivery(d); });
  } catch (const std::exception& e) {
    // The hold ends by itself: the delivery is attempted again then (the receiver may see it
    // twice, with the same X-OAT-Delivery).
    log::warn("could not record a webhook delivery's attempt", {{"delivery", d.id}, {"error", e.what()}});
  }
}

std::size_t WebhookWorker::scan_expiries() {
  const Timestamp now = services_.clock();
  std::size_t told = 0;
  services_.store.write([&](Transaction& tx) {
    told = 0;
    const Timestamp horizon = now + std::chrono::days{oat::kExpiryWarningDays.front()};
    // A token that expired more than a day ago is not news (a webhook added today is not told
    // of every token that ever expired).
    for (const ExpiryNotice& n : tx.expiry_notices(now - oat::kExpiredEventWindow, horizon, 200)) {
      if (now >= n.expires_at) {
        api::notify_webhooks(tx, n.org_id, n.org_name, oat::webhook::kExpired, "oatd",
                             oat::expiry_event_data(n.token_id, n.label, n.expires_at, std::nullopt), now);
        tx.set_expiry_notice(n.token_id, n.warned_days, true);
        ++told;
      } else if (const auto days = oat::expiry_warning_due(n.expires_at, now, n.warned_days)) {
        api::notify_webhooks(tx, n.org_id, n.org_name, oat::webhook::kExpiring, "oatd",
                             oat::expiry_event_data(n.token_id, n.label, n.expires_at, *days), now);
        tx.set_expiry_notice(n.token_id, *days, false);
        ++told;
      }
    }
    tx.forget_deliveries(now - oat::kDeliveryLogDays);
  });
  return told;
}

}  // namespace oatd
