// Words and numbers as the console shows them: times relative to now, dates in the reader's
// time zone, usage. Pure functions; `now` is always given.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "oat/time.h"

namespace console::format {

// "just now", "3 minutes ago", "yesterday", "5 days ago", "in 3 hours", "in 2 months".
std::string RelativeTime(oat::Timestamp t, oat::Timestamp now);

// "Nov 30, 2026" in the browser's time zone.
std::string ShortDate(oat::Timestamp t);

// "Mon, Nov 30, 2026, 17:56:12 GMT+1" (local), for tooltips.
std::string ExactLocalTime(oat::Timestamp t);

// The browser's zone at `t`: "UTC", "GMT+1", "GMT-3:30".
std::string Zone(oat::Timestamp t);

// "10,000"
std::string Thousands(std::size_t n);

// "3 of 10 tokens used" ("1 of 10 token used" reads wrong: always "tokens").
std::string Usage(std::size_t used, std::size_t quota);

// Case-insensitive (ASCII) substring test; an empty needle matches.
bool ContainsFolded(std::string_view haystack, std::string_view needle);

// "LAST USED" as said: "Last used" (headers drawn in capitals, named for the page).
std::string SentenceCase(std::string_view capitals);

}  // namespace console::format
