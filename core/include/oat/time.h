// Instants and their RFC 3339 form. The core never reads a clock: "now" is always a parameter.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace oat {

// Seconds since the Unix epoch, UTC. Sub-second precision is not part of any OAT rule.
using Timestamp = std::chrono::sys_seconds;

// "2026-11-30T16:37:56Z": UTC, seconds precision, always with Z.
std::string format_rfc3339(Timestamp t);

// Accepts "YYYY-MM-DDTHH:MM:SS", optional fraction (dropped), then Z or +HH:MM / -HH:MM.
// Also accepts a lower-case t/z and a space instead of T. Nothing else, and no instant outside
// the years 0000 to 9999 in UTC (which format_rfc3339 could not write).
std::optional<Timestamp> parse_rfc3339(std::string_view text);

inline Timestamp from_unix(long long seconds) { return Timestamp{std::chrono::seconds{seconds}}; }
inline long long to_unix(Timestamp t) { return t.time_since_epoch().count(); }

}  // namespace oat
