// Instants and RFC 3339 (times are RFC 3339 UTC with Z).
#include <optional>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "oat/time.h"

namespace {

// Unix seconds computed independently (Python's calendar.timegm).
constexpr long long k2026_01_02T03_04_05 = 1767323045;
constexpr long long k2028_02_29 = 1835395200;
constexpr long long k2000_02_29T12 = 951825600;

std::optional<long long> unix_of(std::string_view text) {
  auto t = oat::parse_rfc3339(text);
  if (!t) return std::nullopt;
  return oat::to_unix(*t);
}

TEST(UnixTime, FromAndToAreInverse) {
  EXPECT_EQ(oat::to_unix(oat::from_unix(k2026_01_02T03_04_05)), k2026_01_02T03_04_05);
}

TEST(FormatRfc3339, TheEpoch) { EXPECT_EQ(oat::format_rfc3339(oat::from_unix(0)), "1970-01-01T00:00:00Z"); }

TEST(FormatRfc3339, IsUtcWithSecondsAndZ) {
  EXPECT_EQ(oat::format_rfc3339(oat::from_unix(k2026_01_02T03_04_05)), "2026-01-02T03:04:05Z");
}

TEST(FormatRfc3339, ALeapDay) {
  EXPECT_EQ(oat::format_rfc3339(oat::from_unix(k2028_02_29)), "2028-02-29T00:00:00Z");
  EXPECT_EQ(oat::format_rfc3339(oat::from_unix(k2000_02_29T12)), "2000-02-29T12:00:00Z");
}

TEST(FormatRfc3339, BeforeTheEpoch) {
  EXPECT_EQ(oat::format_rfc3339(oat::from_unix(-1)), "1969-12-31T23:59:59Z");
}

TEST(FormatRfc3339, TheHeadersExample) {
  EXPECT_EQ(oat::format_rfc3339(oat::from_unix(1796056676)), "2026-11-30T16:37:56Z");
}

TEST(ParseRfc3339, ReadsUtcWithZ) {
  EXPECT_EQ(unix_of("2026-01-02T03:04:05Z"), k2026_01_02T03_04_05);
}

TEST(ParseRfc3339, RoundTripsThroughFormat) {
  for (std::string_view text : {"1970-01-01T00:00:00Z", "2026-01-02T03:04:05Z",
                                "2026-12-31T23:59:59Z", "2028-02-29T00:00:00Z",
                                "1999-07-04T12:30:00Z", "9999-12-31T23:59:59Z"}) {
    SCOPED_TRACE(text);
    auto t = oat::parse_rfc3339(text);
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(oat::format_rfc3339(*t), text);
  }
}

TEST(ParseRfc3339, FormatThenParseIsTheSameInstant) {
  for (long long s : {0LL, 1LL, 86399LL, 951825600LL, 1767323045LL, 4102444800LL}) {
    SCOPED_TRACE(s);
    EXPECT_EQ(unix_of(oat::format_rfc3339(oat::from_unix(s))), s);
  }
}

TEST(ParseRfc3339, DropsFractions) {
  EXPECT_EQ(unix_of("2026-01-02T03:04:05.123Z"), k2026_01_02T03_04_05);
  EXPECT_EQ(unix_of("2026-01-02T03:04:05.999999999Z"), k2026_01_02T03_04_05);
  EXPECT_EQ(unix_of("2026-01-02T03:04:05.5+00:00"), k2026_01_02T03_04_05);
}

TEST(ParseRfc3339, ConvertsAPositiveOffsetToUtc) {
  EXPECT_EQ(unix_of("2026-01-02T05:04:05+02:00"), k2026_01_02T03_04_05);
}

TEST(ParseRfc3339, ConvertsANegativeOffsetToUtcAcrossADate) {
  EXPECT_EQ(unix_of("2026-01-01T22:04:05-05:00"), k2026_01_02T03_04_05);
}

TEST(ParseRfc3339, ConvertsAnOffsetWithMinutes) {
  EXPECT_EQ(unix_of("2026-01-02T08:34:05+05:30"), k2026_01_02T03_04_05);
}

TEST(ParseRfc3339, ZeroOffsetIsUtc) {
  EXPECT_EQ(unix_of("2026-01-02T03:04:05+00:00"), k2026_01_02T03_04_05);
  EXPECT_EQ(unix_of("2026-01-02T03:04:05-00:00"), k2026_01_02T03_04_05);
}

TEST(ParseRfc3339, AcceptsLowerCaseTAndZ) {
  EXPECT_EQ(unix_of("2026-01-02t03:04:05z"), k2026_01_02T03_04_05);
}

TEST(ParseRfc3339, AcceptsASpaceForT) {
  EXPECT_EQ(unix_of("2026-01-02 03:04:05Z"), k2026_01_02T03_04_05);
}

TEST(ParseRfc3339, AcceptsALeapDay) {
  EXPECT_EQ(unix_of("2028-02-29T00:00:00Z"), k2028_02_29);
  EXPECT_EQ(unix_of("2000-02-29T12:00:00Z"), k2000_02_29T12);
}

TEST(ParseRfc3339, RefusesFebruary29InACommonYear) {
  EXPECT_FALSE(oat::parse_rfc3339("2027-02-29T00:00:00Z").has_value());
  EXPECT_FALSE(oat::parse_rfc3339("2100-02-29T00:00:00Z").has_value());
}

TEST(ParseRfc3339, RefusesImpossibleDates) {
  for (std::string_view text : {"2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z",
                                "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
                                "2026-01-00T00:00:00Z", "2026-01-32T00:00:00Z"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(oat::parse_rfc3339(text).has_value());
  }
}

TEST(ParseRfc3339, RefusesImpossibleTimes) {
  for (std::string_view text : {"2026-01-02T24:00:00Z", "2026-01-02T03:60:00Z",
                                "2026-01-02T03:04:61Z", "2026-01-02T03:04:05+24:00",
                                "2026-01-02T03:04:05+02:60"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(oat::parse_rfc3339(text).has_value());
  }
}

TEST(ParseRfc3339, RefusesGarbage) {
  for (std::string_view text :
       {"", "garbage", "2026-01-02", "03:04:05Z", "2026-01-02T03:04:05",
        "2026-01-02T03:04Z", "2026-1-02T03:04:05Z", "26-01-02T03:04:05Z",
        "2026/01/02T03:04:05Z", "2026-01-02T03:04:05ZZ", "2026-01-02T03:04:05Z ",
        " 2026-01-02T03:04:05Z", "2026-01-02T03:04:05+0200", "2026-01-02T03:04:05+02",
        "2026-01-02T03:04:05.Z", "2026-01-02X03:04:05Z", "2026-01-02T03:04:05UTC",
        "1767323045", "2026-01-02T03:04:05.12a3Z", "+2026-01-02T03:04:05Z"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(oat::parse_rfc3339(text).has_value());
  }
}

}  // namespace
