// The HTTP/1.1 server: accepts connections, parses requests, asks a Router for the answer and
// writes it. One session per connection, each read and write with its own deadline, so a slow or
// silent client only ever holds its own connection, and no thread; past max_connections a new
// connection is refused politely (503) rather than the server running out of file
// descriptors. Beast stays inside server.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/http.h"
#include "oat/network.h"

namespace oatd::http {

// Names passed as `route` to on_complete when no router pattern answered. Patterns always start
// with '/', so these never collide with one.
inline constexpr std::string_view kRouteUnmatched = "unmatched";   // router's 404 or 405
inline constexpr std::string_view kRouteStatic = "static";         // a file from static_dir
inline constexpr std::string_view kRoutePreflight = "preflight";   // a CORS preflight
inline constexpr std::string_view kRouteRejected = "rejected";     // 400/413/414/431/501 unrouted

// What start() keeps of the open-file limit for descriptors other than the connections it
// serves: files opened later (the access log, TLS files, the console's files), outgoing
// connections (webhook deliveries, OIDC keys), and connections being refused (at most
// kRefusalsAtOnce: past that, an over-limit connection is closed without an answer); and for
// each server thread, the database connections and the file it may be using.
inline constexpr std::size_t kRefusalsAtOnce = 32;
inline constexpr std::size_t kDescriptorReserve = 64 + kRefusalsAtOnce;
inline constexpr std::size_t kDescriptorsPerThread = 4;

struct ServerOptions {
  // "host:port" or "[v6]:port"; host may be a name ("localhost"), port 0 picks a free port.
  std::string listen = "127.0.0.1:8080";
  // Handler threads, which answer every route that is not quick (Runs::quick). 0 =
  // hardware_concurrency, at least 2.
  unsigned threads = 0;
  // I/O threads, each with the connections it was given when they were accepted (in turn),
  // which it reads, answers when their route is quick, and writes. 0 = twice `threads`: a
  // thread the system keeps waiting (another process on its core) then holds up fewer
  // connections (the token service's p99 at half its peak on 2 cores: 1.0 to 1.6 ms with one
  // I/O thread a core, 0.7 to 0.9 ms with two; docs/benchmarks-registry.md).
  unsigned io_threads = 0;
  // Deadline for the wait for a request's first bytes (on a new connection, and between requests
  // on a keep-alive one), for the TLS handshake, and for reading a whole body. Past it the
  // connection is closed without an answer.
  std::chrono::milliseconds read_timeout = std::chrono::seconds(30);
  // Deadline for a request's header, from its first bytes to its end: a total, however the
  // bytes trickle in, so a client sending a byte now and then (slowloris) holds its connection
  // this long at most. Past it the connection is closed without an answer.
  std::chrono::milliseconds header_timeout = std::chrono::seconds(10);
  // Deadline for writing one response (a client that does not read is dropped).
  std::chrono::milliseconds write_timeout = std::chrono::seconds(30);
  // Largest accepted request body; larger gets 413 and the connection is closed.
  std::size_t body_limit = 64 * 1024;
  // Largest accepted request target (path and query); longer gets 414 and the connection is
  // closed.
  std::size_t target_limit = 8 * 1024;
  // Largest accepted header fields (the request line not counted); larger gets 431 and the
  // connection is closed.
  std::size_t header_limit = 16 * 1024;
  // Connections served at once. One more gets a 503 (error_writer's, with Retry-After) as soon
  // as it is accepted, without its request being read, and is closed: the server runs out of
  // connections it may serve, never of file descriptors. 0: what the open-file limit
  // (RLIMIT_NOFILE's soft limit) leaves once the descriptors open at start() and a reserve
  // (kDescriptorReserve, and kDescriptorsPerThread for each thread) are set aside. A number
  // that does not fit raises the soft limit, up to the hard limit, and past that is lowered to
  // fit, with a warning. start() settles it (Server::max_connections()).
  std::size_t max_connections = 0;
  // After stop(): how long in-flight requests get to finish before run() gives up on them.
  std::chrono::milliseconds shutdown_timeout = std::chrono::seconds(10);
  // How the server words the requests it refuses before routing (400, 413, 414, 431, 501) and
  // a status a handler got wrong (500); the router has its own (Router::set_error_writer).
  ErrorWriter error_writer = plain_error;
  // Proxies whose X-Forwarded-For is believed (oat::client_address): a request coming from one
  // has the client's address as its remote_address. Empty: the peer is always the client.
  std::vector<oat::Cidr> trusted_proxies;
  // Stop gracefully on SIGINT/SIGTERM, reload on SIGHUP (off for servers embedded in tests).
  bool handle_signals = true;

  // HTTPS: a PEM certificate chain (the server's certificate first) and its unencrypted PEM
  // private key. With both, every connection speaks TLS 1.2 or 1.3 with forward-secret AEAD
  // ciphers only, and plain HTTP on the port ends at the handshake. Read by start() (a problem
  // throws std::runtime_error with one sentence) and again on SIGHUP: new connections get the
  // new certificate, open ones keep theirs; a file that fails to load then is logged and the
  // certificate in use is kept.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Called on SIGHUP (with handle_signals), after the TLS files were read again, on the
  // server's own thread: for the caller's own files (the access log). Must not throw.
  std::function<void()> on_reload;

  // CORS: origins ("https://console.example.com", exact match) allowed to call the API from a
  // browser. For them every response carries Access-Control-Allow-Origin (the origin),
  // -Allow-Headers, -Allow-Methods, and preflights (OPTIONS with Access-Control-Request-Method)
  // are answered 204 by the server, never routed. Preflights from other origins get a 204
  // without those headers. When the list is non-empty, every response carries Vary: Origin.
  std::vector<std::string> cors_origins;
  std::string cors_allow_headers = "Authorization, Content-Type, X-OAT-Console";
  std::string cors_allow_methods = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

  // Files served for GET/HEAD requests no route matches ("" = none): "/" and directories serve
  // their index.html; only regular files inside the directory (after resolving symlinks) are
  // served, and a path with a ".." segment or a NUL is refused with 404.
  std::filesystem::path static_dir;

  // Called once per answered request, after its response was written (or the write failed),
  // on a server thread: `route` is the matched pattern or one of the kRoute* names, `seconds`
  // the time from the request header's arrival to the end of the write. For the access log and
  // Metrics. Must be thread-safe and must not throw.
  std::function<void(const Request&, const Response&, std::string_view route, double seconds)>
      on_complete;
};

// Why `listen` ("host:port", "[v6]:port", ":port") cannot be listened on, or "" when its form
// is right (whether the address is free shows only at start()).
std::string listen_address_problem(const std::string& listen);

// Why a TLS certificate chain and key cannot serve (unreadable, not PEM, encrypted, not a
// pair), in one sentence, or "".
std::string tls_files_problem(const std::string& cert_file, const std::string& key_file);

// An HTTP/1.1 server with keep-alive. Every response carries Content-Length (except 1xx, 204,
// 304), Content-Type (see Response), Server: oatd, and Connection: close when the connection
// is about to close. HEAD is answered like GET without the body. A request whose target is not
// "/path..." gets 400. "Expect: 100-continue" is answered before the body is read. A request
// whose Transfer-Encoding does not end in "chunked" (or comes with HTTP/1.0) gets 400, one with
// a transfer coding other than chunked 501; a Content-Length sent twice (even with one value),
// a Content-Length with a Transfer-Encoding, and a malformed chunked body get 400. All of them
// close the connection, so the rest of what was sent is never read as a request (RFC 9112
// §6.1, §6.3, §7.1).
class Server {
 public:
  Server(ServerOptions options, Router router);
  // REQUIRES: run() is not running (call stop() and wait for run() to return first). Closes
  // whatever connections are left.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Throws std::system_error if the address is unusable (in use,
  // unresolvable). Afterwards port() is the bound port. Called by run() if not called before.
  void start();

  // The bound port; 0 before start().
  std::uint16_t port() const;

  // The connections served at once (ServerOptions::max_connections as start() settled it); 0
  // before start().
  std::size_t max_connections() const;

  // Serves until stop() or a signal, then shuts down gracefully: stops accepting, closes idle
  // connections, lets requests already being handled finish and their responses be written
  // (with Connection: close), and returns once they are done or shutdown_timeout has passed.
  // A handler still running at that point is waited for (it cannot be interrupted). A Server
  // runs once. Throws like start().
  void run();

  // Asks run() to shut down and returns at once. Thread-safe; callable before run() (then run()
  // returns right after binding), from a handler, or repeatedly.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace oatd::http
