#include "oat/time.h"

#include <chrono>
#include <cstdio>

namespace oat {
namespace {

// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: what four digits of year can write.
constexpr long long kFirstInstant = -62167219200LL;
constexpr long long kLastInstant = 253402300799LL;

// Reads exactly `n` digits at `pos`.
bool digits(std::string_view s, std::size_t& pos, std::size_t n, unsigned& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<unsigned>(c - '0');
  }
  pos += n;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char a, char b = '\0') {
  if (pos >= s.size() || (s[pos] != a && (b == '\0' || s[pos] != b))) return false;
  ++pos;
  return true;
}

}  // namespace

std::string format_rfc3339(Timestamp t) {
  const long long secs = to_unix(t);
  long long days = secs / 86400;
  long long rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{days}}};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lldZ", int(date.year()),
                unsigned(date.month()), unsigned(date.day()), rem / 3600, rem / 60 % 60, rem % 60);
  return buf;
}

std::optional<Timestamp> parse_rfc3339(std::string_view s) {
  std::size_t pos = 0;
  unsigned year, month, day, hour, minute, second;
  if (!digits(s, pos, 4, year) || !expect(s, pos, '-') || !digits(s, pos, 2, month) ||
      !expect(s, pos, '-') || !digits(s, pos, 2, day) ||
      !(expect(s, pos, 'T', 't') || expect(s, pos, ' ')) || !digits(s, pos, 2, hour) ||
      !expect(s, pos, ':') || !digits(s, pos, 2, minute) || !expect(s, pos, ':') ||
      !digits(s, pos, 2, second)) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year{static_cast<int>(year)},
                                         std::chrono::month{month}, std::chrono::day{day}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
  }
  long long offset = 0;
  if (expect(s, pos, 'Z', 'z')) {
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const int sign = s[pos] == '+' ? 1 : -1;
    ++pos;
    unsigned oh, om;
    if (!digits(s, pos, 2, oh) || !expect(s, pos, ':') || !digits(s, pos, 2, om) || oh > 23 ||
        om > 59) {
      return std::nullopt;
    }
    offset = sign * static_cast<long long>(oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  const long long days = std::chrono::sys_days{date}.time_since_epoch().count();
  const long long secs = days * 86400 + hour * 3600LL + minute * 60LL + second - offset;
  // Only instants the form can write back: an offset must not carry a time out of the years
  // 0000 to 9999 in UTC ("0000-01-01T00:00:00+01:00" would be written "-001-12-31T23:00:00Z").
  if (secs < kFirstInstant || secs > kLastInstant) return std::nullopt;
  return from_unix(secs);
}

}  // namespace oat
