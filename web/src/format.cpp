#include "format.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <unordered_map>

namespace console::format {
namespace {

std::string Plural(long long n, const char* unit) {
  return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
}

std::tm Local(oat::Timestamp t) {
  const std::time_t seconds = static_cast<std::time_t>(oat::to_unix(t));
  std::tm tm{};
  localtime_r(&seconds, &tm);
  return tm;
}

// Minutes east of UTC at `t` (tm_gmtoff is not standard C++).
long UtcOffsetMinutes(oat::Timestamp t) {
  const std::time_t seconds = static_cast<std::time_t>(oat::to_unix(t));
  std::tm local{}, utc{};
  localtime_r(&seconds, &local);
  gmtime_r(&seconds, &utc);
  long days = 0;
  if (local.tm_year != utc.tm_year) days = local.tm_year > utc.tm_year ? 1 : -1;
  else days = local.tm_yday - utc.tm_yday;
  return days * 1440 + (local.tm_hour - utc.tm_hour) * 60L + (local.tm_min - utc.tm_min);
}

// The zone's name at `t`: UTC, GMT+2, GMT-3:30.
std::string ZoneOf(oat::Timestamp t) {
  const long offset = UtcOffsetMinutes(t);
  char zone[24];
  if (offset == 0) {
    std::snprintf(zone, sizeof zone, "UTC");
  } else if (offset % 60 == 0) {
    std::snprintf(zone, sizeof zone, "GMT%+ld", offset / 60);
  } else {
    std::snprintf(zone, sizeof zone, "GMT%+ld:%02ld", offset / 60, std::labs(offset % 60));
  }
  return zone;
}

// strftime of the local time at `t`, without the space %e pads a single-digit day with
// ("Dec  5, 2026" reads "Dec 5, 2026").
std::string Strftime(oat::Timestamp t, const char* format) {
  const std::tm tm = Local(t);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  std::string s(buf);
  if (const auto pos = s.find("  "); pos != std::string::npos) s.erase(pos, 1);
  return s;
}

// What was said of a moment, remembered: a table says its rows' dates in every frame (and
// measures all of them to fit its columns), and the C library's local time and strftime are
// JavaScript here (a Date made and formatted each call). At most kRemembered of each kind,
// then it starts over.
constexpr std::size_t kRemembered = 4096;
template <typename Say>
const std::string& Remembered(std::unordered_map<long long, std::string>& said, oat::Timestamp t, Say say) {
  const long long seconds = oat::to_unix(t);
  if (auto it = said.find(seconds); it != said.end()) return it->second;
  if (said.size() >= kRemembered) said.clear();
  return said.emplace(seconds, say(t)).first->second;
}

std::string LocalText(oat::Timestamp t, const char* format) {
  static std::unordered_map<const char*, std::unordered_map<long long, std::string>> said;
  return Remembered(said[format], t, [format](oat::Timestamp at) { return Strftime(at, format); });
}

}  // namespace

std::string RelativeTime(oat::Timestamp t, oat::Timestamp now) {
  const long long delta = oat::to_unix(now) - oat::to_unix(t);
  const bool past = delta >= 0;
  const long long s = past ? delta : -delta;
  if (s < 45) return past ? "just now" : "in a few seconds";
  std::string amount;
  if (s < 90) amount = "1 minute";
  else if (s < 45 * 60) amount = Plural((s + 30) / 60, "minute");
  else if (s < 90 * 60) amount = "1 hour";
  else if (s < 22 * 3600) amount = Plural((s + 1800) / 3600, "hour");
  else if (s < 36 * 3600) return past ? "yesterday" : "tomorrow";
  else if (s < 26 * 86400) amount = Plural((s + 43200) / 86400, "day");
  else if (s < 45 * 86400) amount = "1 month";
  else if (s < 320 * 86400) amount = Plural(std::max(2LL, (s + 15 * 86400) / (30 * 86400)), "month");
  else if (s < 548 * 86400) amount = "1 year";
  else amount = Plural((s + 182 * 86400) / (365 * 86400), "year");
  return past ? amount + " ago" : "in " + amount;
}

std::string ShortDate(oat::Timestamp t) { return LocalText(t, "%b %e, %Y"); }

std::string Zone(oat::Timestamp t) {
  static std::unordered_map<long long, std::string> said;
  return Remembered(said, t, ZoneOf);
}

std::string ExactLocalTime(oat::Timestamp t) { return LocalText(t, "%a, %b %e, %Y, %H:%M:%S") + " " + Zone(t); }

std::string Thousands(std::size_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
  return digits;
}

std::string Usage(std::size_t used, std::size_t quota) {
  return std::to_string(used) + " of " + std::to_string(quota) + " tokens used";
}

bool ContainsFolded(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  auto fold = [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  };
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), fold) !=
         haystack.end();
}

std::string SentenceCase(std::string_view capitals) {
  std::string out(capitals);
  for (std::size_t i = 1; i < out.size(); ++i) out[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[i])));
  return out;
}

}  // namespace console::format
