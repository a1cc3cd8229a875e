// The Beast side of the HTTP layer, after Beast's "advanced server" example: an acceptor loop
// and one Connection object per TCP connection, which lives on one I/O thread (Server::Impl says
// which threads there are). It is a small state machine:
//   wait for a request -> read header -> [100 Continue] -> read body
//     -> answer (router, CORS, static; on a handler thread unless the route is quick)
//     -> write -> loop
// with a deadline on every read and write. Past max_connections a connection is answered 503
// and closed instead. Handlers never see any of this.
//
// [SECTION] Helpers        listen address, MIME types, dates, the open-file limit
// [SECTION] TLS          the context: protocols, ciphers, the certificate and its key
// [SECTION] ServerState    what connections share: options, router, registry of live connections
// [SECTION] Connection
// [SECTION] Server
#include "http/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <condition_variable>
#include <ctime>
#include <fstream>
#include <iostream>
#include <limits>
#include <mutex>
#include <optional>
#include <vector>
#include <sstream>
#include <system_error>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>
#include <sys/resource.h>

#include "http/framing.h"
#include "log/log.h"

namespace oatd::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
namespace ssl = asio::ssl;
using Clock = std::chrono::steady_clock;

namespace {

// -----------------------------------------------------------------------------------------------
// [SECTION] Helpers
// -----------------------------------------------------------------------------------------------

// Beast 1.74 speaks boost::string_view; we speak std::string_view.
std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

bool iequals(std::string_view a, std::string_view b) {
  return beast::iequals(beast::string_view(a.data(), a.size()), beast::string_view(b.data(), b.size()));
}

// "host:port", "[v6]:port", ":port" -> (host, port). Throws std::invalid_argument.
std::pair<std::string, std::string> split_listen(const std::string& listen) {
  std::string host, port;
  if (!listen.empty() && listen.front() == '[') {
    auto close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      throw std::invalid_argument("listen address must be [v6]:port: " + listen);
    }
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument("listen address must be host:port: " + listen);
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  if (host.empty()) host = "0.0.0.0";
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos) {
    throw std::invalid_argument("listen port must be a number: " + listen);
  }
  return {host, port};
}

std::string_view mime_type(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::unordered_map<std::string, std::string_view> types = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".wasm", "application/wasm"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
      {".png", "image/png"},
      {".svg", "image/svg+xml"},
      {".ico", "image/x-icon"},
      {".ttf", "font/ttf"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
  };
  auto it = types.find(ext);
  return it == types.end() ? std::string_view("application/octet-stream") : it->second;
}

// The Date header's value for this second, formatted once a second by each thread.
std::string_view http_date() {
  thread_local std::time_t said = -1;
  thread_local char buf[64];
  const std::time_t now = std::time(nullptr);
  if (now != said) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    said = now;
  }
  return buf;
}

// An event that may come thousands of times a second (a refused connection, a failed accept)
// logged at most once per kPeriod: the first at once, then the next one due with how many
// there were since.
class LogThrottle {
 public:
  static constexpr std::chrono::seconds kPeriod{10};
  // Whether this occurrence is to be logged; `count` is then how many it stands for.
  bool due(std::size_t& count) {
    ++since_;
    const auto now = Clock::now();
    if (now < next_) return false;
    next_ = now + kPeriod;
    count = std::exchange(since_, 0);
    return true;
  }

 private:
  Clock::time_point next_{};
  std::size_t since_ = 0;
};

// The threads run() starts (ServerOptions::threads).
unsigned thread_count(const ServerOptions& options) {
  return options.threads ? options.threads : std::max(2u, std::thread::hardware_concurrency());
}
unsigned io_thread_count(const ServerOptions& options) {
  return options.io_threads ? options.io_threads : 2 * thread_count(options);
}

// How many descriptors the process has open now (Linux's /proc/self/fd); elsewhere a guess.
std::size_t open_descriptors() {
  std::error_code ec;
  std::size_t open = 0;
  std::filesystem::directory_iterator it("/proc/self/fd", ec);
  for (const std::filesystem::directory_iterator end; !ec && it != end; it.increment(ec)) ++open;
  return ec || open == 0 ? 64 : open;
}

// ServerOptions::max_connections as the open-file limit lets it be: `asked` (0: whatever the
// soft limit leaves), raising the soft limit up to the hard one when `asked` needs it, lowered
// (with a warning) when even the hard limit is too low.
std::size_t settle_max_connections(std::size_t asked, unsigned threads) {
  const std::size_t reserve = open_descriptors() + kDescriptorReserve + kDescriptorsPerThread * threads;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return asked ? asked : 1024;
  const auto room = [reserve](rlim_t files) -> std::size_t {
    if (files == RLIM_INFINITY) return std::numeric_limits<std::size_t>::max();
    return files > reserve ? static_cast<std::size_t>(files) - reserve : 0;
  };
  if (asked == 0) return std::max<std::size_t>(1, room(limit.rlim_cur));
  if (room(limit.rlim_cur) < asked) {
    rlimit raised = limit;
    raised.rlim_cur = static_cast<rlim_t>(asked + reserve);
    if (limit.rlim_max != RLIM_INFINITY) raised.rlim_cur = std::min(raised.rlim_cur, limit.rlim_max);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  const std::size_t fits = std::max<std::size_t>(1, room(limit.rlim_cur));
  if (fits >= asked) return asked;
  log::warn("max-connections lowered to what the open-file limit leaves",
            {{"asked", asked},
             {"max_connections", fits},
             {"open_file_limit", static_cast<unsigned long long>(limit.rlim_cur)}});
  return fits;
}

bool header_safe(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Headers the server owns; a handler's values for them are dropped.
bool server_owned(std::string_view name) {
  return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
         iequals(name, "Connection") || iequals(name, "Server") || iequals(name, "Date");
}

// -----------------------------------------------------------------------------------------------
// [SECTION] TLS
// -----------------------------------------------------------------------------------------------

// TLS 1.2's suites: ECDHE key exchange (forward secrecy) with AES-GCM or ChaCha20-Poly1305,
// Mozilla's "intermediate" list without the DHE ones. TLS 1.3's suites are all AEAD and stay
// OpenSSL's defaults.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

void require_readable(const std::string& file, std::string_view what) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read the TLS " + std::string(what) + " \"" + file + "\": " +
                             std::strerror(errno));
  }
}

// A server context holding the chain and key of the two files. Throws std::runtime_error.
std::shared_ptr<ssl::context> make_tls_context(const std::string& cert_file, const std::string& key_file) {
  require_readable(cert_file, "certificate");
  require_readable(key_file, "key");
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    throw std::runtime_error("this OpenSSL offers none of the TLS 1.2 ciphers oatd uses");
  }
  // An encrypted key would make OpenSSL ask on the terminal; give it no passphrase instead.
  context->set_password_callback([](std::size_t, ssl::context::password_purpose) { return std::string(); });
  // The key first: a certificate that does not match it then drops it (OpenSSL's rule), and
  // the check below says so, instead of the key's load failing with "key values mismatch".
  boost::system::error_code ec;
  context->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) {
    throw std::runtime_error("the TLS key \"" + key_file +
                             "\" is not an unencrypted PEM private key (" + ec.message() + ")");
  }
  context->use_certificate_chain_file(cert_file, ec);
  if (ec) {
    throw std::runtime_error("the TLS certificate \"" + cert_file +
                             "\" is not a PEM certificate chain (" + ec.message() + ")");
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    throw std::runtime_error("the TLS key \"" + key_file + "\" does not belong to the certificate \"" +
                             cert_file + "\"");
  }
  return context;
}

// -----------------------------------------------------------------------------------------------
// [SECTION] ServerState
// -----------------------------------------------------------------------------------------------

// What shutdown asks of every connection, whatever its stream.
class ConnectionBase {
 public:
  virtual ~ConnectionBase() = default;
  // A connection waiting for its next request (nothing of it received yet) is closed now; a
  // connection in the middle of a request finishes it (and then closes).
  virtual void shutdown_if_idle() = 0;
};

// Shared by the acceptor and every Connection. It is Server::Impl's base, so destroyed after the
// io_context and the connections that the io_context destroys.
struct ServerState {
  ServerState(ServerOptions o, Router r) : options(std::move(o)), router(std::move(r)) {}

  ServerOptions options;
  Router router;
  std::filesystem::path static_root;  // canonical static_dir, or empty

  std::atomic<bool> stopping{false};  // set once shutdown begins; connections stop looping

  // Where handlers that may wait run (Server::Impl's handler threads).
  asio::any_io_executor handler_threads;

  // Connections served at once, settled by start() (ServerOptions::max_connections).
  std::size_t max_connections = 0;

  std::mutex mutex;
  std::condition_variable changed;  // stop requested, a connection ended, run() returned
  bool stop_requested = false;
  // Every live connection, the ones being refused (over max_connections) among them.
  std::unordered_map<ConnectionBase*, std::weak_ptr<ConnectionBase>> connections;
  std::size_t refusing = 0;

  // The TLS context new connections get (null: plain HTTP); SIGHUP replaces it.
  std::mutex tls_mutex;
  std::shared_ptr<ssl::context> tls;
  std::shared_ptr<ssl::context> current_tls() {
    std::lock_guard lock(tls_mutex);
    return tls;
  }

  void add(ConnectionBase* s, std::weak_ptr<ConnectionBase> w, bool refused) {
    std::lock_guard lock(mutex);
    connections.emplace(s, std::move(w));
    if (refused) ++refusing;
  }
  // From the connection's destructor: its socket is closed by then.
  void remove(ConnectionBase* s, bool refused) {
    std::lock_guard lock(mutex);
    connections.erase(s);
    if (refused) --refusing;
    changed.notify_all();
  }

  // A file under static_root, or nothing. A precompressed sibling the client accepts is sent
  // instead, with its Content-Encoding: "app.wasm.br" (Brotli) first, else "app.wasm.gz". Every
  // file has an ETag (its size and modification time, and the encoding); `if_none_match`
  // naming it gets 304 without a body. A file whose name carries a content hash
  // ("app.3f9a1c2b.wasm") never changes: it may be cached for a year; the rest is revalidated
  // on every use.
  std::optional<Response> serve_static(const std::string& path,
                                       std::optional<std::string_view> accept_encoding,
                                       std::optional<std::string_view> if_none_match) const;
};

// Whether an Accept-Encoding value admits `coding` ("gzip", "br"): named as one of its
// comma-separated codings (or "*"), and not refused with q=0.
bool accepts_encoding(std::optional<std::string_view> accept_encoding, std::string_view coding) {
  if (!accept_encoding) return false;
  std::string_view rest = *accept_encoding;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    const auto semicolon = item.find(';');
    std::string_view name = item.substr(0, semicolon);
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (!iequals(name, coding) && name != "*") continue;
    if (semicolon == std::string_view::npos) return true;
    const std::string params(item.substr(semicolon + 1));
    const auto q = params.find("q=");
    return q == std::string::npos || std::strtod(params.c_str() + q + 2, nullptr) > 0;
  }
  return false;
}

// Whether a file name carries a content hash: a part of 8 or more lower-case hex digits
// between dots ("oat_console.3f9a1c2b.wasm").
bool content_hashed(const std::string& name) {
  std::size_t run = 0;
  bool after_dot = false;
  for (const char c : name) {
    if (c == '.') {
      if (after_dot && run >= 8) return true;
      after_dot = true;
      run = 0;
    } else if (after_dot && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      ++run;
    } else {
      after_dot = false;
      run = 0;
    }
  }
  return false;
}

// Whether an If-None-Match value ("*", or a list of entity tags, weak ones too) names `etag`.
bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  std::size_t at = 0;
  while (at < if_none_match.size()) {
    auto end = if_none_match.find(',', at);
    if (end == std::string_view::npos) end = if_none_match.size();
    std::string_view tag = if_none_match.substr(at, end - at);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    at = end + 1;
  }
  return false;
}

std::optional<Response> ServerState::serve_static(const std::string& path,
                                                  std::optional<std::string_view> accept_encoding,
                                                  std::optional<std::string_view> if_none_match) const {
  namespace fs = std::filesystem;
  if (static_root.empty() || path.empty() || path.front() != '/') return std::nullopt;
  if (path.find('\0') != std::string::npos) return std::nullopt;
  fs::path file = static_root;
  std::string_view rest = std::string_view(path).substr(1);
  while (!rest.empty()) {
    auto slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (seg == "..") return std::nullopt;
    if (seg.empty() || seg == ".") continue;
    file /= std::string(seg);
  }
  std::error_code ec;
  if (fs::is_directory(file, ec)) file /= "index.html";
  fs::path real = fs::canonical(file, ec);
  if (ec || !fs::is_regular_file(real, ec)) return std::nullopt;
  // Inside the root even after symlinks are resolved.
  auto [root_end, _] = std::mismatch(static_root.begin(), static_root.end(), real.begin(), real.end());
  if (root_end != static_root.end()) return std::nullopt;

  fs::path source = real;
  std::string_view encoding;  // "" (identity), "br" or "gzip"
  static constexpr std::pair<std::string_view, std::string_view> kSiblings[] = {{"br", ".br"},
                                                                               {"gzip", ".gz"}};
  for (const auto& [coding, suffix] : kSiblings) {
    if (!accepts_encoding(accept_encoding, coding)) continue;
    fs::path packed = real;
    packed += std::string(suffix);
    const fs::path packed_real = fs::canonical(packed, ec);
    if (!ec && fs::is_regular_file(packed_real, ec) && packed_real.parent_path() == real.parent_path()) {
      source = packed_real;
      encoding = coding;
      break;
    }
  }
  const auto size = fs::file_size(source, ec);
  if (ec) return std::nullopt;
  const auto modified = fs::last_write_time(source, ec);
  if (ec) return std::nullopt;
  char etag[64];
  std::snprintf(etag, sizeof etag, "\"%llx-%llx%s%s\"", static_cast<unsigned long long>(size),
                static_cast<unsigned long long>(modified.time_since_epoch().count()),
                encoding.empty() ? "" : "-", std::string(encoding).c_str());
  Response r;
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Vary", "Accept-Encoding");
  r.headers.emplace_back("Cache-Control", content_hashed(real.filename().string())
                                              ? "public, max-age=31536000, immutable"
                                              : "no-cache");
  if (if_none_match && etag_matches(*if_none_match, etag)) {
    r.status = 304;
    return r;
  }
  std::ifstream in(source, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  r.body = std::move(content).str();
  r.headers.emplace_back("Content-Type", std::string(mime_type(real)));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (!encoding.empty()) r.headers.emplace_back("Content-Encoding", std::string(encoding));
  return r;
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Connection
// -----------------------------------------------------------------------------------------------

// Room in a request line for the method, the spaces and the version around the target.
constexpr std::size_t kRequestLineSlack = 64;
// What the read buffer may hold beyond a whole header: the parser consumes a body as it comes,
// so past the header only a chunk's size line (or a trailer) waits in it, and one that does
// not fit is refused instead of growing the buffer for as long as the client sends.
constexpr std::size_t kBufferSlack = 8 * 1024;
// The first read of a request (which the idle deadline bounds); the header's reads follow.
constexpr std::size_t kFirstRead = 4096;

// The refusal of a connection over max_connections, and how soon to try again.
constexpr std::string_view kTooManyConnections =
    "The server is serving as many connections as it may; try again in a moment.";
constexpr int kTooManyConnectionsRetrySeconds = 1;
// How long a refused connection's TLS handshake may take: a refusal holds a descriptor from
// the reserve, so it is quick or nothing.
constexpr std::chrono::seconds kRefusalHandshakeTimeout{2};

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// One connection over a Stream: PlainStream (HTTP) or TlsStream (HTTPS, which first shakes
// hands and keeps its context alive as long as it lives).
template <class Stream>
class Connection : public ConnectionBase, public std::enable_shared_from_this<Connection<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  Connection(tcp::socket&& socket, ServerState& state)
    requires(!kTls)
      : stream_(std::move(socket)), state_(state) {
    init();
  }
  Connection(tcp::socket&& socket, ServerState& state, std::shared_ptr<ssl::context> tls)
    requires(kTls)
      : tls_(std::move(tls)), stream_(std::move(socket), *tls_), state_(state) {
    init();
  }

  ~Connection() override { state_.remove(this, refused_); }

  void start() {
    state_.add(this, this->weak_from_this(), false);
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->handshake();
      } else {
        self->read_header();
      }
    });
  }

  // A connection over max_connections: 503 with Retry-After at once, without reading the
  // request (an over-limit connection costs as little as it can: no parsing, no waiting for a
  // slow client; the client reads the answer as the one to its first request), then closed as
  // any final answer is (drain_and_close). Over TLS the handshake comes first.
  void refuse() {
    refused_ = true;
    state_.add(this, this->weak_from_this(), true);
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->handshake();
      } else {
        self->answer_refusal();
      }
    });
  }

  void shutdown_if_idle() override {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if ((self->phase_ == Phase::idle && self->buffer_.size() == 0) || self->phase_ == Phase::draining) {
        self->close();
      }
    });
  }

 private:
  void init() {
    buffer_.max_size(options().header_limit + options().target_limit + kRequestLineSlack + kBufferSlack);
    beast::error_code ec;
    auto peer = layer().socket().remote_endpoint(ec);
    if (!ec) {
      auto address = peer.address();
      if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
      }
      remote_address_ = address.to_string();
    }
  }

  enum class Phase { idle, reading, answering, writing, draining, closed };

  const ServerOptions& options() const { return state_.options; }
  // The TCP layer under either stream: deadlines and the socket.
  beast::tcp_stream& layer() { return beast::get_lowest_layer(stream_); }

  void close() {
    phase_ = Phase::closed;
    beast::error_code ec;
    layer().socket().shutdown(tcp::socket::shutdown_both, ec);
    layer().socket().close(ec);
  }

  // --- TLS ------------------------------------------------------------------------------------

  // The handshake has the read deadline (a refused connection's a shorter one); a client that
  // never finishes it (or speaks plain HTTP) is closed without an answer.
  void handshake() {
    phase_ = Phase::idle;
    layer().expires_after(refused_ ? std::min<Clock::duration>(options().read_timeout,
                                                               kRefusalHandshakeTimeout)
                                   : Clock::duration(options().read_timeout));
    stream_.async_handshake(ssl::stream_base::server,
                            [self = this->shared_from_this()](beast::error_code ec) {
                              if (ec) return self->close();
                              if (self->refused_) return self->answer_refusal();
                              self->read_header();
                            });
  }

  // --- reading --------------------------------------------------------------------------------

  // Two deadlines: the wait for the request's first bytes (read_timeout, which is how long an
  // idle keep-alive connection stays open), then the whole header from there (header_timeout).
  // A request already in the buffer (pipelined) goes straight to the second.
  void read_header() {
    if (state_.stopping) return close();
    phase_ = Phase::idle;
    parser_.emplace();
    // The request line has its own limit (target_limit, 414); the parser's limit covers both,
    // and on_header tells which one was passed.
    parser_->header_limit(static_cast<std::uint32_t>(options().header_limit + options().target_limit +
                                                     kRequestLineSlack));
    parser_->body_limit(options().body_limit);
    if (buffer_.size() > 0) return read_rest_of_header();
    layer().expires_after(options().read_timeout);
    stream_.async_read_some(buffer_.prepare(kFirstRead),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->buffer_.commit(n);
                              // End of stream, timeout, reset, shutdown: nothing to answer.
                              if (ec) return self->close();
                              self->read_rest_of_header();
                            });
  }

  void read_rest_of_header() {
    layer().expires_after(options().header_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Connection::on_header, this->shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t header_bytes) {
    started_ = Clock::now();
    if (ec) return on_read_error(ec);
    phase_ = Phase::reading;
    const auto& msg = parser_->get();
    const std::size_t request_line = msg.method_string().size() + msg.target().size() + 12;
    if (msg.target().size() > options().target_limit) return reject(414, "Request URI too long");
    if (header_bytes > request_line + options().header_limit) {
      return reject(431, "Request header fields too large");
    }
    if (auto refusal = framing_refusal(msg)) return reject(refusal->status, refusal->message);
    if (!parser_->is_done() && msg.version() >= 11 &&
        iequals(sv(msg[bhttp::field::expect]), "100-continue")) {
      continue_.emplace(bhttp::status::continue_, msg.version());
      layer().expires_after(options().write_timeout);
      bhttp::async_write(stream_, *continue_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return self->close();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    if (parser_->is_done()) return answer();
    layer().expires_after(options().read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Connection::on_body, this->shared_from_this()));
  }

  void on_body(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    answer();
  }

  void on_read_error(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) return reject(413, "Request body too large");
    if (auto refusal = framing_read_refusal(ec, parser_->is_header_done())) {
      return reject(refusal->status, refusal->message);
    }
    if (ec == bhttp::error::header_limit) {
      // Nothing of the header was consumed: the request line is the buffer's first line.
      const std::string_view received(static_cast<const char*>(buffer_.data().data()), buffer_.size());
      const auto line_end = received.find("\r\n");
      const std::size_t line = line_end == std::string_view::npos ? received.size() : line_end;
      if (line > options().target_limit + kRequestLineSlack) return reject(414, "Request URI too long");
      return reject(431, "Request header fields too large");
    }
    bool malformed = ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
                     ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
    if (malformed) return reject(400, "Bad request");
    // end of stream, timeout, reset, shutdown: nobody to answer.
    close();
  }

  // --- answering ------------------------------------------------------------------------------

  void answer_refusal() {
    response_ = options().error_writer(503, kTooManyConnections);
    response_.header("Retry-After", std::to_string(kTooManyConnectionsRetrySeconds));
    route_ = kRouteRejected;
    keep_alive_ = false;
    head_ = false;
    write(11);
  }

  // Answers a request the parser could not accept, then closes.
  void reject(int status, std::string_view message) {
    const auto& msg = parser_->get();
    request_ = Request::make(std::string(msg.method_string()), sv(msg.target()));
    request_.remote_address = remote_address_;
    response_ = options().error_writer(status, message);
    route_ = kRouteRejected;
    keep_alive_ = false;
    head_ = false;
    write(msg.version() == 10 ? 10 : 11);
  }

  void answer() {
    phase_ = Phase::answering;
    auto msg = parser_->release();
    std::string target(sv(msg.target()));
    request_ = Request::make(std::string(msg.method_string()), target, std::move(msg.body()));
    request_.remote_address = remote_address_;
    std::optional<std::string> forwarded_for;  // every X-Forwarded-For field, joined
    std::string_view forwarded_proto;             // the last X-Forwarded-Proto field
    for (const auto& field : msg) {
      request_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      if (iequals(sv(field.name_string()), "x-forwarded-for")) {
        forwarded_for = forwarded_for ? *forwarded_for + "," + std::string(field.value())
                                      : std::string(field.value());
      } else if (iequals(sv(field.name_string()), "x-forwarded-proto")) {
        forwarded_proto = sv(field.value());
      }
    }
    request_.secure = kTls;
    if (!options().trusted_proxies.empty()) {
      request_.remote_address =
          oat::client_address(remote_address_, forwarded_for, options().trusted_proxies);
      // The proxy next to oatd says how the client reached it.
      const auto peer = oat::parse_ip_address(remote_address_);
      const auto& trusted = options().trusted_proxies;
      request_.secure = request_.secure || (iequals(forwarded_proto, "https") && peer &&
                        std::any_of(trusted.begin(), trusted.end(), [&](const oat::Cidr& block) {
                          return oat::cidr_contains(block, *peer);
                        }));
    }
    keep_alive_ = msg.keep_alive() && !state_.stopping;
    head_ = request_.method == "HEAD";
    version_ = msg.version() == 10 ? 10 : 11;

    const auto& cors = options().cors_origins;
    std::string_view pattern;
    if (target.empty() || target.front() != '/') {
      response_ = options().error_writer(400, "Bad request");
      route_ = kRouteRejected;
    } else if (!cors.empty() && request_.method == "OPTIONS" && request_.header("Origin") &&
               request_.header("Access-Control-Request-Method")) {
      response_ = Response::no_content();
      if (allowed_origin()) response_.header("Access-Control-Max-Age", "600");
      route_ = kRoutePreflight;
    } else if (auto quick = state_.router.route_quick(request_, &pattern)) {
      response_ = std::move(*quick);
      route_ = pattern;
    } else {
      // To a handler thread, and back to this connection's thread to write. Meanwhile nothing
      // here touches the request or the response: no read is pending, and shutdown_if_idle
      // leaves a connection that is answering alone. The work guard keeps this connection's
      // thread running until the answer is back (it has nothing else of it to wait for).
      asio::post(state_.handler_threads, [self = this->shared_from_this(),
                                          work = asio::make_work_guard(stream_.get_executor())] {
        self->route_on_handler_thread();
        asio::post(work.get_executor(), [self] { self->finish_answer(); });
      });
      return;
    }
    finish_answer();
  }

  // The request's Origin when it is one CORS admits.
  std::optional<std::string_view> allowed_origin() const {
    const auto& cors = options().cors_origins;
    const auto origin = request_.header("Origin");
    if (!origin || std::find(cors.begin(), cors.end(), *origin) == cors.end()) return std::nullopt;
    return origin;
  }

  // The router's answer, or a static file for a GET or HEAD no route has.
  void route_on_handler_thread() {
    try {
      std::string_view pattern;
      response_ = state_.router.route(request_, &pattern);
      route_ = pattern.empty() ? kRouteUnmatched : pattern;
      if (pattern.empty() && response_.status == 404 && (head_ || request_.method == "GET")) {
        if (auto file = state_.serve_static(request_.path, request_.header("accept-encoding"),
                                            request_.header("if-none-match"))) {
          response_ = std::move(*file);
          route_ = kRouteStatic;
        }
      }
    } catch (const std::exception& e) {  // the router answers what handlers throw; this is the rest
      log::error("answering a request threw", {{"error", e.what()}});
      response_ = options().error_writer(500, "Internal server error");
    }
  }

  void finish_answer() {
    if (!options().cors_origins.empty()) {
      response_.add_header("Vary", "Origin");  // keeps a handler's own Vary
      if (const auto origin = allowed_origin()) {
        response_.header("Access-Control-Allow-Origin", std::string(*origin));
        response_.header("Access-Control-Allow-Headers", options().cors_allow_headers);
        response_.header("Access-Control-Allow-Methods", options().cors_allow_methods);
      }
    }
    write(version_);
  }

  // --- writing --------------------------------------------------------------------------------

  // The answer's head, written by hand into one buffer that lives with the connection, and its
  // body beside it: one gathered write, no field allocated. The bytes are what Beast's serializer
  // wrote (the handler's headers in order, then Server, Date, Content-Type, Content-Length and
  // Connection as Beast's keep_alive() sets it).
  void write(unsigned version) {
    phase_ = Phase::writing;
    int status = response_.status;
    if (status < 100 || status > 599) {
      log::error("a handler returned a status outside 100..599",
                 {{"route", route_}, {"status", status}});
      response_ = options().error_writer(500, "Internal server error");
      status = 500;
    }
    std::string& head = head_out_;
    head.clear();
    head += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    head += std::to_string(status);
    head += ' ';
    const auto reason = bhttp::obsolete_reason(bhttp::int_to_status(static_cast<unsigned>(status)));
    head.append(reason.data(), reason.size());
    head += "\r\n";
    bool has_type = false;
    const auto field = [&head](std::string_view name, std::string_view value) {
      head += name;
      head += ": ";
      head += value;
      head += "\r\n";
    };
    for (const auto& [name, value] : response_.headers) {
      if (name.empty() || !header_safe(name) || !header_safe(value)) {
        log::error("dropped a response header with CR, LF or NUL", {{"route", route_}});
        continue;
      }
      if (server_owned(name)) continue;
      if (iequals(name, "Content-Type")) has_type = true;
      field(name, value);
    }
    field("Server", "oatd");
    field("Date", http_date());
    const bool bodiless = status < 200 || status == 204 || status == 304;
    if (!has_type && !bodiless && !response_.body.empty()) {
      const char first = response_.body.front();
      field("Content-Type", first == '{' || first == '[' ? "application/json" : "text/plain; charset=utf-8");
    }
    if (!bodiless) field("Content-Length", std::to_string(response_.body.size()));
    if (state_.stopping) keep_alive_ = false;  // shutdown began while the handler ran
    if (version == 10 && keep_alive_) field("Connection", "keep-alive");
    if (version != 10 && !keep_alive_) field("Connection", "close");
    head += "\r\n";
    const std::size_t body = bodiless || head_ ? 0 : response_.body.size();
    const std::array<asio::const_buffer, 2> out{asio::buffer(head), asio::buffer(response_.body.data(), body)};
    layer().expires_after(options().write_timeout);
    asio::async_write(stream_, out, beast::bind_front_handler(&Connection::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    // A refused connection answered no request (none was read): no access log line.
    if (options().on_complete && !refused_) {
      double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
      try {
        options().on_complete(request_, response_, route_, seconds);
      } catch (const std::exception& e) {
        log::error("the request completion hook threw", {{"error", e.what()}});
      } catch (...) {
        log::error("the request completion hook threw");
      }
    }
    request_ = {};
    response_ = {};
    if (ec) return close();
    if (!keep_alive_) return drain_and_close();
    read_header();
  }

  // Closes after a final response without dropping it: closing a socket with unread input makes
  // the kernel send RST, which can destroy the response before the client reads it (e.g. a 413
  // while the client is still sending its body). So: half-close, read and discard what the
  // client still sends (bounded in time and bytes) until it closes, then close.
  //
  // Over TLS the same is TLS's own closure: close_notify sent, the client's awaited (what it
  // still sends is read and dropped meanwhile), bounded by the same deadline.
  void drain_and_close() {
    phase_ = Phase::draining;
    // While shutting down, a client that keeps the connection open must not hold up run().
    Clock::duration linger = state_.stopping ? std::chrono::milliseconds(100) : std::chrono::seconds(2);
    if constexpr (kTls) {
      layer().expires_after(std::min<Clock::duration>(options().read_timeout, linger));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->close(); });
      return;
    }
    beast::error_code ec;
    layer().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close();
    layer().expires_after(std::min<Clock::duration>(options().read_timeout, linger));
    drained_ = 0;
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(drain_buffer_),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > 1024 * 1024 || self->phase_ != Phase::draining) {
                                return self->close();
                              }
                              self->drain();
                            });
  }

  std::shared_ptr<ssl::context> tls_;  // HTTPS: the context stream_ was made with
  Stream stream_;
  ServerState& state_;
  std::string remote_address_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::empty_body>> continue_;
  std::string head_out_;  // the answer's head while it is written (write()); kept for the next
  Request request_;
  Response response_;
  std::string_view route_;  // a pattern in the router, or a kRoute* name
  bool keep_alive_ = false;
  bool head_ = false;
  unsigned version_ = 11;  // the request's HTTP version, the answer's: 10 or 11
  Clock::time_point started_{};
  Phase phase_ = Phase::idle;
  bool refused_ = false;  // over max_connections: answered 503 and closed
  std::array<char, 4096> drain_buffer_{};
  std::size_t drained_ = 0;
};

}  // namespace

// -----------------------------------------------------------------------------------------------
// [SECTION] Server
// -----------------------------------------------------------------------------------------------

// Threads, as nginx has its workers: each I/O thread runs an io_context of its own, with the
// connections given to it when accepted (in turn), which it reads, answers when their route is
// quick (Runs::quick: the registry's token service), and writes; no request moves between
// threads and no lock is shared on that path. Every other route is answered on the handler
// threads (one io_context they share), where a handler that waits (the database, a password
// hash) holds up no connection but its own.
struct Server::Impl : ServerState {
  Impl(ServerOptions o, Router r) : ServerState(std::move(o), std::move(r)) {
    handler_threads = handlers.get_executor();
  }

  static std::vector<std::unique_ptr<asio::io_context>> io_contexts(unsigned count) {
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    for (unsigned i = 0; i < count; ++i) contexts.push_back(std::make_unique<asio::io_context>(1));
    return contexts;
  }

  // One per I/O thread. Declared before `handlers` and so destroyed after it: a handler's job
  // that never ran holds a connection whose socket is on one of these.
  std::vector<std::unique_ptr<asio::io_context>> io = io_contexts(io_thread_count(options));
  asio::io_context handlers;
  std::size_t next_io = 0;  // the I/O thread the next connection goes to (on the strand)
  asio::io_context& ioc = *io.front();  // the acceptor's, and the signals'
  asio::strand<asio::io_context::executor_type> strand{asio::make_strand(ioc)};  // acceptor, signals
  tcp::acceptor acceptor{strand};
  asio::signal_set signals{strand};
  asio::steady_timer accept_retry{strand};
  LogThrottle accept_failures;  // on the strand
  LogThrottle refusals;         // on the strand
  std::atomic<std::uint16_t> port{0};
  bool started = false;
  bool ran = false;

  void request_stop() {
    std::lock_guard lock(mutex);
    stop_requested = true;
    changed.notify_all();
  }

  // SIGINT and SIGTERM stop; SIGHUP reloads and waits again.
  void wait_for_signals() {
    signals.async_wait([this](beast::error_code ec, int signal) {
      if (ec) return;
      if (signal != SIGHUP) return request_stop();
      reload();
      wait_for_signals();
    });
  }

  // SIGHUP: the TLS files read again (kept as they were if that fails), then the caller's own.
  void reload() {
    if (!options.tls_cert_file.empty()) {
      try {
        auto next = make_tls_context(options.tls_cert_file, options.tls_key_file);
        {
          std::lock_guard lock(tls_mutex);
          tls = std::move(next);
        }
        log::info("reloaded the TLS certificate", {{"certificate", options.tls_cert_file}});
      } catch (const std::exception& e) {
        log::error("kept the TLS certificate in use: reading it again failed", {{"error", e.what()}});
      }
    }
    if (options.on_reload) options.on_reload();
  }

  enum class Admission { serve, refuse, drop };

  // Whether a new connection is served, refused with a 503, or (when even the refusals have
  // used their share of descriptors) closed at once. Only the acceptor adds connections, so
  // the count cannot grow between this and the connection's start().
  Admission admit() {
    std::lock_guard lock(mutex);
    if (connections.size() - refusing < max_connections) return Admission::serve;
    return refusing < kRefusalsAtOnce ? Admission::refuse : Admission::drop;
  }

  template <class Stream, class... Context>
  void open(tcp::socket socket, Context&&... context) {
    const Admission admission = admit();
    if (admission == Admission::serve) {
      auto connection = std::make_shared<Connection<Stream>>(std::move(socket), *this,
                                                             std::forward<Context>(context)...);
      connection->start();
      return;
    }
    std::size_t count = 0;
    if (refusals.due(count)) {
      log::warn("refused connections: max-connections are being served",
                {{"max_connections", max_connections}, {"refused", count}});
    }
    if (admission == Admission::refuse) {
      auto connection = std::make_shared<Connection<Stream>>(std::move(socket), *this,
                                                             std::forward<Context>(context)...);
      connection->refuse();
    } else {
      beast::error_code ignored;
      socket.close(ignored);
    }
  }

  void accept() {
    asio::io_context& owner = *io[next_io++ % io.size()];
    acceptor.async_accept(owner, [this](beast::error_code ec, tcp::socket socket) {
      if (!acceptor.is_open()) return;
      if (ec) {
        // Out of descriptors (EMFILE, ENFILE) and the like: the connection stays in the listen
        // queue, so accepting again at once would fail again at once. Back off instead of
        // spinning; the log says so once per LogThrottle::kPeriod.
        std::size_t count = 0;
        if (accept_failures.due(count)) {
          log::warn("accepting connections failed; retrying every 100 ms",
                    {{"error", ec.message()}, {"failures", count}});
        }
        accept_retry.expires_after(std::chrono::milliseconds(100));
        accept_retry.async_wait([this](beast::error_code ec) {
          if (!ec && acceptor.is_open()) accept();
        });
        return;
      }
      if (stopping) {
        beast::error_code ignored;
        socket.close(ignored);
      } else if (auto context = current_tls()) {
        open<TlsStream>(std::move(socket), std::move(context));
      } else {
        open<PlainStream>(std::move(socket));
      }
      accept();
    });
  }
};

Server::Server(ServerOptions options, Router router)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router))) {}

Server::~Server() = default;

std::uint16_t Server::port() const { return impl_->port; }

std::size_t Server::max_connections() const { return impl_->started ? impl_->max_connections : 0; }

void Server::start() {
  Impl& s = *impl_;
  if (s.started) return;
  if (!s.options.static_dir.empty()) s.static_root = std::filesystem::canonical(s.options.static_dir);
  if (!s.options.tls_cert_file.empty() || !s.options.tls_key_file.empty()) {
    s.tls = make_tls_context(s.options.tls_cert_file, s.options.tls_key_file);
  }
  auto [host, port] = split_listen(s.options.listen);
  s.max_connections = settle_max_connections(s.options.max_connections, thread_count(s.options));
  try {
    tcp::resolver resolver(s.ioc);
    auto results = resolver.resolve(host, port, tcp::resolver::passive | tcp::resolver::numeric_service);
    tcp::endpoint endpoint = results.begin()->endpoint();
    s.acceptor.open(endpoint.protocol());
    s.acceptor.set_option(asio::socket_base::reuse_address(true));
    s.acceptor.bind(endpoint);
    s.acceptor.listen(asio::socket_base::max_listen_connections);
    s.port = s.acceptor.local_endpoint().port();
  } catch (const boost::system::system_error& e) {
    beast::error_code ignored;
    s.acceptor.close(ignored);
    throw std::system_error(static_cast<std::error_code>(e.code()),
                            "oatd http: cannot listen on " + s.options.listen);
  }
  s.started = true;
}

void Server::run() {
  Impl& s = *impl_;
  if (s.ran) throw std::logic_error("oatd http: Server::run() called twice");
  s.ran = true;
  start();

  asio::post(s.strand, [&s] { s.accept(); });
  if (s.options.handle_signals) {
    s.signals.add(SIGINT);
    s.signals.add(SIGTERM);
    s.signals.add(SIGHUP);
    asio::post(s.strand, [&s] { s.wait_for_signals(); });
  }
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  const auto start_thread = [&](asio::io_context& context) {
    work.push_back(asio::make_work_guard(context));
    threads.emplace_back([&context] {
      for (;;) {
        try {
          context.run();
          return;
        } catch (const std::exception& e) {
          log::error("uncaught exception on a server thread", {{"error", e.what()}});
        }
      }
    });
  };
  for (auto& context : s.io) start_thread(*context);
  for (unsigned i = 0; i < thread_count(s.options); ++i) start_thread(s.handlers);

  std::unique_lock lock(s.mutex);
  s.changed.wait(lock, [&s] { return s.stop_requested; });

  // Graceful shutdown: no new connections, idle ones closed, busy ones finish their request.
  s.stopping = true;
  asio::post(s.strand, [&s] {
    beast::error_code ignored;
    s.acceptor.close(ignored);
    s.signals.cancel(ignored);
    s.accept_retry.cancel();
  });
  std::vector<std::shared_ptr<ConnectionBase>> live;
  for (auto& [_, weak] : s.connections) {
    if (auto connection = weak.lock()) live.push_back(std::move(connection));
  }
  lock.unlock();
  for (auto& connection : live) connection->shutdown_if_idle();
  live.clear();  // the connections' own handlers keep them alive as long as needed
  work.clear();

  lock.lock();
  s.changed.wait_for(lock, s.options.shutdown_timeout, [&s] { return s.connections.empty(); });
  lock.unlock();
  for (auto& context : s.io) context->stop();
  s.handlers.stop();
  for (auto& t : threads) t.join();
  beast::error_code ignored;
  s.acceptor.close(ignored);  // in case the posted close never ran
}

void Server::stop() { impl_->request_stop(); }

std::string listen_address_problem(const std::string& listen) {
  try {
    split_listen(listen);
    return {};
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
}

std::string tls_files_problem(const std::string& cert_file, const std::string& key_file) {
  try {
    make_tls_context(cert_file, key_file);
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace oatd::http
