#include "log/log.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <iostream>
#include <stdexcept>

#include "oat/wire.h"

namespace oatd::log {
namespace {

std::atomic<Level> g_level{Level::Info};
std::mutex g_mutex;
std::ostream* g_out = &std::cerr;

std::string_view level_name(Level level) {
  switch (level) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warn: return "warn";
    case Level::Error: return "error";
  }
  return "info";
}

// RFC 3339 with milliseconds, UTC: lines of one second stay in order when sorted.
std::string now_text() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                          now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(millis));
  return buf;
}

}  // namespace

void set_level(Level level) { g_level = level; }

void set_stream(std::ostream& out) {
  std::lock_guard lock(g_mutex);
  g_out = &out;
}

bool parse_level(std::string_view name, Level& level) {
  for (Level l : {Level::Debug, Level::Info, Level::Warn, Level::Error}) {
    if (name == level_name(l)) {
      level = l;
      return true;
    }
  }
  return false;
}

void write(Level level, std::string_view message, const nlohmann::json& fields) {
  if (level < g_level.load()) return;
  nlohmann::json line = fields.is_object() ? fields : nlohmann::json::object();
  line["time"] = now_text();
  line["level"] = level_name(level);
  line["msg"] = message;
  const std::string text = oat::json_text(line);
  std::lock_guard lock(g_mutex);
  *g_out << text << '\n' << std::flush;
}

AccessLog::AccessLog(const std::string& target) {
  if (target == "off") return;
  if (target == "-") {
    out_ = &std::cout;
    return;
  }
  path_ = target;
  file_.open(target, std::ios::app);
  if (!file_) throw std::runtime_error("cannot open the access log \"" + target + "\"");
  out_ = &file_;
}

void AccessLog::reopen() {
  if (path_.empty()) return;
  std::ofstream next(path_, std::ios::app);
  if (!next) {
    error("cannot reopen the access log; still writing to the file it was",
          {{"path", path_}, {"error", std::strerror(errno)}});
    return;
  }
  std::lock_guard lock(mutex_);
  file_ = std::move(next);
  info("reopened the access log", {{"path", path_}});
}

void AccessLog::write(const nlohmann::json& line) {
  if (!out_) return;
  const std::string text = oat::json_text(line);
  std::lock_guard lock(mutex_);
  *out_ << text << '\n' << std::flush;
}

}  // namespace oatd::log
