// oatd_rate_load: an open-loop HTTP/1.1 load generator that holds a rate, for the latency of a
// server below its peak (bench/token_bench.sh). Request k is due at start + k / rate, evenly
// spaced; it goes out on the first idle keep-alive connection, and its latency is counted from
// when it was due, not from when it could be sent: a server that falls behind is charged for
// the queue it caused (no "coordinated omission", as in wrk2). One thread, epoll, timers with
// 1 ns slack, so the generator costs a few microseconds of CPU a request.
//
//   oatd_rate_load --rate 15000 --seconds 10 --connections 16
//                  --header 'Authorization: Basic ...' http://127.0.0.1:8080/token?service=...
//
// Prints one line: the rate held, the answers by status, the latency percentiles, and the
// requests sent in all (the warm-up's too).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  double rate = 0;
  double seconds = 10;
  double warmup = 1;  // seconds whose answers are not counted
  int connections = 16;
  std::vector<std::string> headers;
  std::string url;
};

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "oatd_rate_load: %s\n", message.c_str());
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) fail(std::string(arg) + " needs a value");
      return argv[++i];
    };
    if (arg == "--rate") o.rate = std::atof(value().c_str());
    else if (arg == "--seconds") o.seconds = std::atof(value().c_str());
    else if (arg == "--warmup") o.warmup = std::atof(value().c_str());
    else if (arg == "--connections") o.connections = std::atoi(value().c_str());
    else if (arg == "--header") o.headers.push_back(value());
    else if (!arg.starts_with("--") && o.url.empty()) o.url = arg;
    else fail("unknown argument " + std::string(arg));
  }
  if (o.rate <= 0 || o.seconds <= 0 || o.warmup < 0 || o.connections < 1 || o.url.empty()) {
    fail("usage: oatd_rate_load --rate R [--seconds S] [--warmup W] [--connections C] "
         "[--header 'Name: value']... http://IPv4:PORT/path");
  }
  return o;
}

struct Connection {
  int fd = -1;
  bool busy = false;
  Clock::time_point due;  // of the request in flight
  std::string in;         // what has arrived of its answer
};

// The length of a whole answer at the start of `in` (header and Content-Length body), its
// status in `status`; nullopt while incomplete.
std::optional<std::size_t> whole_answer(const std::string& in, int& status) {
  const auto end = in.find("\r\n\r\n");
  if (end == std::string::npos) return std::nullopt;
  status = in.size() > 12 ? std::atoi(in.c_str() + 9) : 0;
  std::size_t length = 0;
  for (std::size_t at = in.find("\r\n") + 2; at < end;) {
    const auto eol = in.find("\r\n", at);
    std::string line = in.substr(at, eol - at);
    std::transform(line.begin(), line.end(), line.begin(), [](unsigned char c) { return std::tolower(c); });
    if (line.starts_with("content-length:")) length = std::strtoull(line.c_str() + 15, nullptr, 10);
    at = eol + 2;
  }
  if (in.size() < end + 4 + length) return std::nullopt;
  return end + 4 + length;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  const std::string_view url = o.url;
  if (!url.starts_with("http://")) fail("only http:// URLs");
  const auto slash = url.find('/', 7);
  const std::string authority(url.substr(7, slash == std::string_view::npos ? std::string_view::npos : slash - 7));
  const std::string target(slash == std::string_view::npos ? "/" : url.substr(slash));
  const auto colon = authority.rfind(':');
  if (colon == std::string::npos) fail("the URL needs a port");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(std::atoi(authority.c_str() + colon + 1)));
  if (inet_pton(AF_INET, authority.substr(0, colon).c_str(), &address.sin_addr) != 1) {
    fail("the URL's host must be an IPv4 address");
  }
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: " + authority + "\r\n";
  for (const auto& h : o.headers) request += h + "\r\n";
  request += "\r\n";

  prctl(PR_SET_TIMERSLACK, 1UL);  // wake when due, not up to 50 us later
  const int epoll = epoll_create1(0);
  std::vector<Connection> connections(static_cast<std::size_t>(o.connections));
  for (std::size_t i = 0; i < connections.size(); ++i) {
    Connection& c = connections[i];
    c.fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c.fd < 0 || connect(c.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      fail("cannot connect to " + authority + ": " + std::strerror(errno));
    }
    const int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = i;
    epoll_ctl(epoll, EPOLL_CTL_ADD, c.fd, &event);
  }

  const auto period = std::chrono::duration<double>(1.0 / o.rate);
  const Clock::time_point start = Clock::now();
  const Clock::time_point counted_from = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.warmup));
  const Clock::time_point stop_sending = counted_from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  std::uint64_t scheduled = 0;           // requests due so far
  std::deque<Clock::time_point> queue;   // due, not yet sent: every connection was busy
  std::vector<std::uint32_t> latencies;  // microseconds, of the counted answers
  latencies.reserve(static_cast<std::size_t>(o.rate * o.seconds * 1.1) + 16);
  std::map<int, std::uint64_t> statuses;
  std::uint64_t errors = 0;
  std::size_t idle = connections.size();
  char buffer[16384];

  for (;;) {
    const Clock::time_point now = Clock::now();
    // Every request due by now joins the queue; the queue goes out on idle connections.
    for (;;) {
      const auto due = start + std::chrono::duration_cast<Clock::duration>(period * static_cast<double>(scheduled));
      if (due > now || due >= stop_sending) break;
      queue.push_back(due);
      ++scheduled;
    }
    for (auto& c : connections) {
      if (queue.empty() || idle == 0) break;
      if (c.busy) continue;
      if (send(c.fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
        fail(std::string("send failed: ") + std::strerror(errno));
      }
      c.busy = true;
      c.due = queue.front();
      queue.pop_front();
      --idle;
    }
    const auto next_due = start + std::chrono::duration_cast<Clock::duration>(period * static_cast<double>(scheduled));
    const bool sending = next_due < stop_sending;
    if (!sending && queue.empty() && idle == connections.size()) break;
    if (!sending && now > stop_sending + std::chrono::seconds(5)) fail("answers still missing 5 s after the last request");

    timespec wait{};
    if (sending && queue.empty()) {
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(next_due - now).count();
      wait.tv_sec = ns / 1000000000;
      wait.tv_nsec = ns % 1000000000;
    } else if (!sending || idle == 0) {
      wait.tv_sec = 1;  // only answers can move things on
    }
    epoll_event events[64];
    const int n = epoll_pwait2(epoll, events, 64, &wait, nullptr);
    if (n < 0 && errno != EINTR) fail(std::string("epoll_pwait2: ") + std::strerror(errno));
    for (int e = 0; e < n; ++e) {
      Connection& c = connections[events[e].data.u64];
      const ssize_t got = recv(c.fd, buffer, sizeof buffer, 0);
      if (got <= 0) {
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        fail("the server closed a connection");
      }
      c.in.append(buffer, static_cast<std::size_t>(got));
      int status = 0;
      while (const auto length = whole_answer(c.in, status)) {
        const Clock::time_point done = Clock::now();
        if (!c.busy) fail("an answer nobody asked for");
        if (c.due >= counted_from) {
          latencies.push_back(static_cast<std::uint32_t>(
              std::chrono::duration_cast<std::chrono::microseconds>(done - c.due).count()));
          ++statuses[status];
        }
        if (status != 200) ++errors;
        c.in.erase(0, *length);
        c.busy = false;
        ++idle;
      }
    }
  }

  std::sort(latencies.begin(), latencies.end());
  const auto at = [&](double q) -> double {
    if (latencies.empty()) return 0;
    return latencies[std::min(latencies.size() - 1, static_cast<std::size_t>(q * static_cast<double>(latencies.size())))] / 1000.0;
  };
  std::string by_status;
  for (const auto& [status, count] : statuses) {
    by_status += (by_status.empty() ? "" : " ") + std::to_string(status) + ":" + std::to_string(count);
  }
  std::printf("rate %.0f/s held %.0f/s over %.0f s (%d connections), answers %s, latency from due: "
              "p50 %.2fms p90 %.2fms p99 %.2fms p99.9 %.2fms max %.2fms; %llu requests in all\n",
              o.rate, static_cast<double>(latencies.size()) / o.seconds, o.seconds, o.connections,
              by_status.c_str(), at(0.50), at(0.90), at(0.99), at(0.999),
              latencies.empty() ? 0.0 : latencies.back() / 1000.0, static_cast<unsigned long long>(scheduled));
  return errors ? 1 : 0;
}
