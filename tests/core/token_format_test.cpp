// The token string: "dckr_oat_" + 26 random base62 characters + a 6-character
// base62 CRC32 of the prefix and random part, checkable offline.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include <gtest/gtest.h>

#include "oat/token_format.h"
#include "test_support.h"

namespace {

using oat::ErrorCode;

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// Random bytes 0, 1, 2, ... (from `start`), wrapping at 256: deterministic and varied.
oat::RandomBytes counter_bytes(std::uint8_t start = 0) {
  auto next = std::make_shared<std::uint8_t>(start);
  return [next](std::uint8_t* out, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) out[i] = (*next)++;
  };
}

// A small deterministic generator (splitmix64) for statistical checks.
oat::RandomBytes seeded_bytes(std::uint64_t seed) {
  auto state = std::make_shared<std::uint64_t>(seed);
  return [state](std::uint8_t* out, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) {
      std::uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      out[i] = static_cast<std::uint8_t>((z ^ (z >> 31)) >> 56);
    }
  };
}

bool is_base62(char c) { return kBase62.find(c) != std::string_view::npos; }

// Some other base62 character than `c`.
char another_base62(char c) { return c == 'a' ? 'b' : 'a'; }

std::string a_token() { return oat::generate_token(counter_bytes()); }

// ---- CRC-32 and base62 ----------------------------------------------------------------------

TEST(Crc32, MatchesTheStandardCheckValue) { EXPECT_EQ(oat::crc32("123456789"), 0xCBF43926u); }

TEST(Crc32, OfNothingIsZero) { EXPECT_EQ(oat::crc32(""), 0u); }

TEST(Crc32, MatchesZlibOnKnownInputs) {
  EXPECT_EQ(oat::crc32("a"), 0xE8B7BE43u);
  EXPECT_EQ(oat::crc32("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
}

TEST(Crc32, ReadsEveryByteIncludingZeroAndHighBytes) {
  EXPECT_NE(oat::crc32(std::string_view("\0", 1)), oat::crc32(""));
  EXPECT_NE(oat::crc32("\xFF"), oat::crc32("\x7F"));
}

TEST(Base62, UsesDigitsThenUpperThenLowerCase) {
  EXPECT_EQ(oat::base62_encode(0, 1), "0");
  EXPECT_EQ(oat::base62_encode(9, 1), "9");
  EXPECT_EQ(oat::base62_encode(10, 1), "A");
  EXPECT_EQ(oat::base62_encode(35, 1), "Z");
  EXPECT_EQ(oat::base62_encode(36, 1), "a");
  EXPECT_EQ(oat::base62_encode(61, 1), "z");
}

TEST(Base62, IsPositional) {
  EXPECT_EQ(oat::base62_encode(62, 2), "10");
  EXPECT_EQ(oat::base62_encode(62 * 62 - 1, 2), "zz");
  EXPECT_EQ(oat::base62_encode(62 * 62 + 62 + 1, 3), "111");
}

TEST(Base62, PadsWithZerosToTheWidth) {
  EXPECT_EQ(oat::base62_encode(0, 6), "000000");
  EXPECT_EQ(oat::base62_encode(61, 6), "00000z");
  EXPECT_EQ(oat::base62_encode(62, 4), "0010");
}

TEST(Base62, TheLargestCrcFitsInSixCharacters) {
  // 62^6 > 2^32, so every checksum is exactly six characters.
  std::string s = oat::base62_encode(0xFFFFFFFFu, 6);
  EXPECT_EQ(s, "4gfFC3");
}

// ---- Generating -----------------------------------------------------------------------------

TEST(GenerateToken, Is41CharactersLong) {
  EXPECT_EQ(a_token().size(), 41u);
  EXPECT_EQ(oat::kTokenLength, 41u);
}

TEST(GenerateToken, StartsWithThePrefix) {
  std::string token = a_token();
  EXPECT_EQ(token.substr(0, 9), "dckr_oat_");
  EXPECT_TRUE(oat::has_token_prefix(token));
}

TEST(GenerateToken, BodyIsBase62) {
  std::string token = a_token();
  for (std::size_t i = oat::kTokenPrefix.size(); i < token.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(is_base62(token[i])) << token[i];
  }
}

TEST(GenerateToken, PassesTheFormatCheck) {
  std::string token = a_token();
  auto refusal = oat::check_token_format(token);
  EXPECT_FALSE(refusal.has_value()) << token << " " << ::testing::PrintToString(*refusal);
}

TEST(GenerateToken, ChecksumIsTheBase62CrcOfPrefixAndRandomPart) {
  std::string token = a_token();
  std::string_view head = std::string_view(token).substr(0, 35);
  EXPECT_EQ(token.substr(35), oat::base62_encode(oat::crc32(head), 6));
}

TEST(GenerateToken, IsDeterminedByTheRandomBytes) {
  EXPECT_EQ(oat::generate_token(counter_bytes(7)), oat::generate_token(counter_bytes(7)));
}

TEST(GenerateToken, DifferentRandomBytesGiveADifferentToken) {
  EXPECT_NE(oat::generate_token(counter_bytes(0)), oat::generate_token(counter_bytes(100)));
}

TEST(GenerateToken, ManyTokensAreDistinctAndAllValid) {
  auto random = seeded_bytes(42);
  std::set<std::string> seen;
  for (int i = 0; i < 500; ++i) {
    std::string token = oat::generate_token(random);
    EXPECT_FALSE(oat::check_token_format(token).has_value()) << token;
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 500u);
}

TEST(GenerateToken, EveryCharacterIsEquallyLikely) {
  // 5000 tokens x 26 characters: about 2097 of each of the 62. Taking `byte % 62` without
  // rejection would make eight characters about 25% more frequent than the rest.
  auto random = seeded_bytes(2026);
  std::map<char, int> counts;
  const int tokens = 5000;
  for (int i = 0; i < tokens; ++i) {
    std::string token = oat::generate_token(random);
    for (std::size_t j = 9; j < 9 + oat::kTokenRandomLength; ++j) ++counts[token[j]];
  }
  EXPECT_EQ(counts.size(), 62u);
  const double expected = tokens * 26.0 / 62.0;
  for (const auto& [c, n] : counts) {
    SCOPED_TRACE(std::string(1, c));
    EXPECT_GT(n, expected * 0.9);
    EXPECT_LT(n, expected * 1.1);
  }
}

// ---- Checking -------------------------------------------------------------------------------

TEST(CheckTokenFormat, ATypoInTheRandomPartFailsTheChecksum) {
  std::string token = a_token();
  token[12] = another_base62(token[12]);
  auto refusal = oat::check_token_format(token);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->code, ErrorCode::TokenBadChecksum);
  EXPECT_FALSE(refusal->message.empty());
}

TEST(CheckTokenFormat, ATypoAnywhereInTheBodyFailsTheChecksum) {
  const std::string good = a_token();
  for (std::size_t i = oat::kTokenPrefix.size(); i < good.size(); ++i) {
    SCOPED_TRACE(i);
    std::string token = good;
    token[i] = another_base62(token[i]);
    auto refusal = oat::check_token_format(token);
    ASSERT_TRUE(refusal.has_value());
    EXPECT_EQ(refusal->code, ErrorCode::TokenBadChecksum);
  }
}

TEST(CheckTokenFormat, SwappedNeighboursFailTheChecksum) {
  std::string token = a_token();
  std::size_t i = 10;
  while (token[i] == token[i + 1]) ++i;
  std::swap(token[i], token[i + 1]);
  auto refusal = oat::check_token_format(token);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->code, ErrorCode::TokenBadChecksum);
}

TEST(CheckTokenFormat, AnotherPrefixIsRefused) {
  std::string token = a_token();
  for (std::string_view prefix : {"dckr_pat_", "DCKR_OAT_", "ghp_oat__", "dckr-oat_"}) {
    SCOPED_TRACE(prefix);
    std::string other = std::string(prefix) + token.substr(9);
    auto refusal = oat::check_token_format(other);
    ASSERT_TRUE(refusal.has_value());
    EXPECT_EQ(refusal->code, ErrorCode::TokenBadPrefix);
    EXPECT_FALSE(refusal->message.empty());
  }
}

TEST(CheckTokenFormat, NoPrefixAtAllIsRefused) {
  auto refusal = oat::check_token_format(a_token().substr(9));
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->code, ErrorCode::TokenBadPrefix);
}

TEST(CheckTokenFormat, OneCharacterShortIsRefused) {
  std::string token = a_token();
  token.pop_back();
  auto refusal = oat::check_token_format(token);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->code, ErrorCode::TokenBadLength);
  EXPECT_FALSE(refusal->message.empty());
}

TEST(CheckTokenFormat, OneCharacterLongIsRefused) {
  auto refusal = oat::check_token_format(a_token() + "a");
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->code, ErrorCode::TokenBadLength);
}

TEST(CheckTokenFormat, ThePrefixAloneIsRefusedForLength) {
  auto refusal = oat::check_token_format("dckr_oat_");
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->code, ErrorCode::TokenBadLength);
}

TEST(CheckTokenFormat, CharactersOutsideBase62AreRefused) {
  const std::string good = a_token();
  for (char bad : {'-', '_', '+', '/', '=', ' ', '.', '\0'}) {
    SCOPED_TRACE(static_cast<int>(bad));
    std::string token = good;
    token[20] = bad;
    auto refusal = oat::check_token_format(token);
    ASSERT_TRUE(refusal.has_value());
    EXPECT_EQ(refusal->code, ErrorCode::TokenBadCharacter);
    EXPECT_FALSE(refusal->message.empty());
  }
}

TEST(CheckTokenFormat, ANonBase62ByteInTheChecksumIsRefused) {
  std::string token = a_token();
  token[40] = '\xC3';
  auto refusal = oat::check_token_format(token);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->code, ErrorCode::TokenBadCharacter);
}

TEST(CheckTokenFormat, EmptyIsRefused) {
  EXPECT_TRUE(oat::check_token_format("").has_value());
}

TEST(HasTokenPrefix, LooksAtThePrefixOnly) {
  EXPECT_TRUE(oat::has_token_prefix("dckr_oat_"));
  EXPECT_TRUE(oat::has_token_prefix("dckr_oat_whatever-follows"));
  EXPECT_FALSE(oat::has_token_prefix("dckr_pat_abc"));
  EXPECT_FALSE(oat::has_token_prefix("dckr_oa"));
  EXPECT_FALSE(oat::has_token_prefix("my-password"));
  EXPECT_FALSE(oat::has_token_prefix(""));
}

}  // namespace
