// Prometheus metrics for the HTTP layer, in the text exposition format (version 0.0.4):
//   oatd_http_requests_total{route,method,status}          counter
//   oatd_http_request_duration_seconds{route}              histogram
// plus whatever text the registered collectors return (gauges such as tokens by state).
// Wire it to the server with Server::Options::on_complete and serve render() on GET /metrics.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace oatd::http {

class Metrics {
 public:
  // Content-Type for a response carrying render().
  static constexpr const char* content_type = "text/plain; version=0.0.4; charset=utf-8";

  // Prometheus' default latency buckets, in seconds: 5 ms ... 10 s.
  static std::vector<double> default_buckets();

  // REQUIRES: `buckets` strictly increasing (an +Inf bucket is always added).
  explicit Metrics(std::vector<double> buckets = default_buckets());

  // Counts one finished request. `route` should be a pattern or another bounded name (never a
  // raw path: each distinct value is a time series). A method outside the standard set is
  // counted as "OTHER", for the same reason. Thread-safe.
  void observe(std::string_view route, std::string_view method, int status, double seconds);

  // Adds a function whose output (complete exposition lines: "# TYPE ...", "name{..} value",
  // each ending in '\n') render() appends after the HTTP metrics. Called on every render(),
  // outside this object's lock. Register collectors before the server starts.
  void add_collector(std::function<std::string()> collector);

  // The whole exposition: HTTP metrics (series sorted by labels), then each collector's text.
  // Thread-safe.
  std::string render() const;

 private:
  struct Histogram {
    std::vector<std::uint64_t> counts;  // per bucket, not cumulative; last is +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  std::vector<double> buckets_;
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;  // route, method, status
  std::map<std::string, Histogram> durations_;                                   // by route
  std::vector<std::function<std::string()>> collectors_;
};

// `value` escaped for a Prometheus label value (backslash, double quote, newline).
std::string prometheus_label_escape(std::string_view value);

}  // namespace oatd::http
