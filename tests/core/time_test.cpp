// Instants and RFC 3339 (times are RFC 3339 UTC with Z).
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "oat/time.h"
#include "test_support.h"

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

// An RFC 3339 text and its instant, in Unix seconds.
struct Example {
  std::string_view text;
  long long seconds;
};

// The examples of one test, under its name.
struct Examples {
  std::string_view name;
  std::vector<Example> examples;
};

void PrintTo(const Examples& row, std::ostream* os) { *os << row.name; }

// ---- Formatting: each instant is written as its text ----------------------------------------

const Examples kFormatted[] = {
    {"TheEpoch", {{"1970-01-01T00:00:00Z", 0}}},
    {"IsUtcWithSecondsAndZ", {{"2026-01-02T03:04:05Z", k2026_01_02T03_04_05}}},
    {"ALeapDay",
     {{"2028-02-29T00:00:00Z", k2028_02_29}, {"2000-02-29T12:00:00Z", k2000_02_29T12}}},
    {"BeforeTheEpoch", {{"1969-12-31T23:59:59Z", -1}}},
    {"TheHeadersExample", {{"2026-11-30T16:37:56Z", 1796056676}}},
};

class Rfc3339Writing : public ::testing::TestWithParam<Examples> {};

TEST_P(Rfc3339Writing, WritesEachInstantAsItsText) {
  for (const Example& e : GetParam().examples) {
    EXPECT_EQ(oat::format_rfc3339(oat::from_unix(e.seconds)), e.text);
  }
}

INSTANTIATE_TEST_SUITE_P(FormatRfc3339, Rfc3339Writing, ::testing::ValuesIn(kFormatted),
                         oat_test::RowName());

// ---- Parsing: each text is read as its instant ----------------------------------------------

const Examples kParsed[] = {
    {"ReadsUtcWithZ", {{"2026-01-02T03:04:05Z", k2026_01_02T03_04_05}}},
    {"DropsFractions",
     {{"2026-01-02T03:04:05.123Z", k2026_01_02T03_04_05},
      {"2026-01-02T03:04:05.999999999Z", k2026_01_02T03_04_05},
      {"2026-01-02T03:04:05.5+00:00", k2026_01_02T03_04_05}}},
    {"ConvertsAPositiveOffsetToUtc", {{"2026-01-02T05:04:05+02:00", k2026_01_02T03_04_05}}},
    {"ConvertsANegativeOffsetToUtcAcrossADate",
     {{"2026-01-01T22:04:05-05:00", k2026_01_02T03_04_05}}},
    {"ConvertsAnOffsetWithMinutes", {{"2026-01-02T08:34:05+05:30", k2026_01_02T03_04_05}}},
    {"ZeroOffsetIsUtc",
     {{"2026-01-02T03:04:05+00:00", k2026_01_02T03_04_05},
      {"2026-01-02T03:04:05-00:00", k2026_01_02T03_04_05}}},
    {"AcceptsLowerCaseTAndZ", {{"2026-01-02t03:04:05z", k2026_01_02T03_04_05}}},
    {"AcceptsASpaceForT", {{"2026-01-02 03:04:05Z", k2026_01_02T03_04_05}}},
    {"AcceptsALeapDay",
     {{"2028-02-29T00:00:00Z", k2028_02_29}, {"2000-02-29T12:00:00Z", k2000_02_29T12}}},
};

class Rfc3339Reading : public ::testing::TestWithParam<Examples> {};

TEST_P(Rfc3339Reading, ReadsEachTextAsItsInstant) {
  for (const Example& e : GetParam().examples) {
    EXPECT_EQ(unix_of(e.text), e.seconds) << e.text;
  }
}

INSTANTIATE_TEST_SUITE_P(ParseRfc3339, Rfc3339Reading, ::testing::ValuesIn(kParsed),
                         oat_test::RowName());

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

// ---- Refusals -------------------------------------------------------------------------------

TEST(ParseRfc3339, RefusesFebruary29InACommonYear) {
  EXPECT_TRUE(oat_test::parses_none(oat::parse_rfc3339,
                                    {"2027-02-29T00:00:00Z", "2100-02-29T00:00:00Z"}));
}

TEST(ParseRfc3339, RefusesImpossibleDates) {
  EXPECT_TRUE(oat_test::parses_none(oat::parse_rfc3339,
                                    {"2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z",
                                     "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
                                     "2026-01-00T00:00:00Z", "2026-01-32T00:00:00Z"}));
}

TEST(ParseRfc3339, RefusesImpossibleTimes) {
  EXPECT_TRUE(oat_test::parses_none(oat::parse_rfc3339,
                                    {"2026-01-02T24:00:00Z", "2026-01-02T03:60:00Z",
                                     "2026-01-02T03:04:61Z", "2026-01-02T03:04:05+24:00",
                                     "2026-01-02T03:04:05+02:60"}));
}

// From the wire fuzz target's round trip (tests/fuzz): a time read is one the core can write back.
TEST(ParseRfc3339, RefusesAnOffsetThatCarriesTheTimeOutOfYears0000To9999) {
  EXPECT_TRUE(oat_test::parses_none(oat::parse_rfc3339,
                                    {"0000-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01"}));
  EXPECT_EQ(unix_of("0000-01-01T00:00:00Z"), -62167219200LL);
  EXPECT_EQ(unix_of("0000-01-01T00:01:00+00:01"), -62167219200LL);
  EXPECT_EQ(unix_of("9999-12-31T23:59:59Z"), 253402300799LL);
}

TEST(ParseRfc3339, RefusesGarbage) {
  EXPECT_TRUE(oat_test::parses_none(
      oat::parse_rfc3339,
      {"", "garbage", "2026-01-02", "03:04:05Z", "2026-01-02T03:04:05",
       "2026-01-02T03:04Z", "2026-1-02T03:04:05Z", "26-01-02T03:04:05Z",
       "2026/01/02T03:04:05Z", "2026-01-02T03:04:05ZZ", "2026-01-02T03:04:05Z ",
       " 2026-01-02T03:04:05Z", "2026-01-02T03:04:05+0200", "2026-01-02T03:04:05+02",
       "2026-01-02T03:04:05.Z", "2026-01-02X03:04:05Z", "2026-01-02T03:04:05UTC",
       "1767323045", "2026-01-02T03:04:05.12a3Z", "+2026-01-02T03:04:05Z"}));
}

}  // namespace
