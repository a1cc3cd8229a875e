#include "http/metrics.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>

namespace oatd::http {

namespace {

// Shortest text that reads back as the same double ("0.005", "1", "2.5").
std::string format_number(double v) {
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string_view normalize_method(std::string_view method) {
  static constexpr std::array<std::string_view, 9> known = {
      "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"};
  for (std::string_view m : known) {
    if (m == method) return m;
  }
  return "OTHER";
}

}  // namespace

std::vector<double> Metrics::default_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Metrics::Metrics(std::vector<double> buckets) : buckets_(std::move(buckets)) {}

void Metrics::observe(std::string_view route, std::string_view method, int status, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(route), std::string(normalize_method(method)), status}];
  auto [it, inserted] = durations_.try_emplace(std::string(route));
  Histogram& h = it->second;
  if (inserted) h.counts.assign(buckets_.size() + 1, 0);
  auto bucket = std::lower_bound(buckets_.begin(), buckets_.end(), seconds) - buckets_.begin();
  ++h.counts[bucket];
  h.sum += seconds;
  ++h.count;
}

void Metrics::add_collector(std::function<std::string()> collector) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collector));
}

std::string Metrics::render() const {
  std::string out;
  std::vector<std::function<std::string()>> collectors;
  {
    std::lock_guard lock(mutex_);
    out += "# HELP oatd_http_requests_total HTTP requests answered, by route pattern, method and status.\n";
    out += "# TYPE oatd_http_requests_total counter\n";
    for (const auto& [key, n] : requests_) {
      const auto& [route, method, status] = key;
      out += "oatd_http_requests_total{route=\"" + prometheus_label_escape(route) + "\",method=\"" +
             method + "\",status=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
    }
    out += "# HELP oatd_http_request_duration_seconds Time from request received to response written.\n";
    out += "# TYPE oatd_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : durations_) {
      std::string label = "route=\"" + prometheus_label_escape(route) + "\"";
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i <= buckets_.size(); ++i) {
        cumulative += h.counts[i];
        std::string le = i < buckets_.size() ? format_number(buckets_[i]) : "+Inf";
        out += "oatd_http_request_duration_seconds_bucket{" + label + ",le=\"" + le + "\"} " +
               std::to_string(cumulative) + "\n";
      }
      out += "oatd_http_request_duration_seconds_sum{" + label + "} " + format_number(h.sum) + "\n";
      out += "oatd_http_request_duration_seconds_count{" + label + "} " + std::to_string(h.count) + "\n";
    }
    collectors = collectors_;
  }
  for (const auto& collect : collectors) out += collect();
  return out;
}

std::string prometheus_label_escape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
  return out;
}

}  // namespace oatd::http
