// oatd's logs: one JSON object per line, so that a collector (journald, Loki, a file) can read
// them without a pattern. Two streams:
//   - the server log (standard error): {"time","level","msg", ...fields} for what oatd does
//     and what goes wrong (listening, stopped, a handler that threw, a full disk);
//   - the access log (standard output, a file, or off): one line per answered request with its
//     documented fields (time, remote, method, path, route, status, bytes, duration_ms).
// Never a request body, a query string, a header value or a secret. Thread-safe.
#pragma once

#include <fstream>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace oatd::log {

enum class Level { Debug, Info, Warn, Error };

// Lines below `level` are dropped (default: Info).
void set_level(Level level);
// Where the server log goes (default: standard error). For tests.
void set_stream(std::ostream& out);

// Writes {"time": now, "level", "msg": message} plus `fields` (an object) as one line.
void write(Level level, std::string_view message, const nlohmann::json& fields = nullptr);
inline void debug(std::string_view m, const nlohmann::json& f = nullptr) { write(Level::Debug, m, f); }
inline void info(std::string_view m, const nlohmann::json& f = nullptr) { write(Level::Info, m, f); }
inline void warn(std::string_view m, const nlohmann::json& f = nullptr) { write(Level::Warn, m, f); }
inline void error(std::string_view m, const nlohmann::json& f = nullptr) { write(Level::Error, m, f); }

// Reads "debug", "info", "warn" or "error" into `level`; false for another word.
bool parse_level(std::string_view name, Level& level);

// The access log. `target` is "-" (standard output), "off", or a file appended to.
class AccessLog {
 public:
  // Throws std::runtime_error when the file cannot be opened.
  explicit AccessLog(const std::string& target);
  bool enabled() const { return out_ != nullptr; }
  // One line; `line` is an object with the documented fields.
  void write(const nlohmann::json& line);
  // For a file: opens its path again (appending), so that lines go to a new file after log
  // rotation moved the old one away. If that fails, says so and keeps the file it had.
  void reopen();

 private:
  std::string path_;  // the file's, or "" for standard output and off
  std::mutex mutex_;
  std::ofstream file_;
  std::ostream* out_ = nullptr;
};

}  // namespace oatd::log
