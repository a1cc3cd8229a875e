#include "oat/token_format.h"

#include <array>

namespace oat {
namespace {

constexpr std::string_view kAlphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr auto kCrcTable = make_crc_table();

bool is_base62(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

std::string checksum_of(std::string_view prefix_and_random) {
  return base62_encode(crc32(prefix_and_random), kTokenChecksumLength);
}

}  // namespace

std::uint32_t crc32(std::string_view bytes) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : bytes) c = kCrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::string base62_encode(std::uint64_t value, std::size_t width) {
  std::string out(width, '0');
  for (std::size_t i = width; i > 0 && value > 0; --i) {
    out[i - 1] = kAlphabet[value % 62];
    value /= 62;
  }
  return out;
}

std::string generate_token(const RandomBytes& random) {
  std::string token(kTokenPrefix);
  token.reserve(kTokenLength);
  std::array<std::uint8_t, 32> buffer{};
  while (token.size() < kTokenPrefix.size() + kTokenRandomLength) {
    random(buffer.data(), buffer.size());
    for (std::uint8_t b : buffer) {
      // 248 = 4 * 62: bytes above it would favour the first characters of the alphabet.
      if (b >= 248) continue;
      token.push_back(kAlphabet[b % 62]);
      if (token.size() == kTokenPrefix.size() + kTokenRandomLength) break;
    }
  }
  token += checksum_of(token);
  return token;
}

bool has_token_prefix(std::string_view text) { return text.substr(0, kTokenPrefix.size()) == kTokenPrefix; }

Status check_token_format(std::string_view token) {
  if (!has_token_prefix(token)) {
    return Error{ErrorCode::TokenBadPrefix, "token",
                 "This is not an organization access token: it must start with \"dckr_oat_\"."};
  }
  if (token.size() != kTokenLength) {
    return Error{ErrorCode::TokenBadLength, "token",
                 "This access token has the wrong length; it must be " +
                     std::to_string(kTokenLength) + " characters. Copy it again."};
  }
  for (char c : token.substr(kTokenPrefix.size())) {
    if (!is_base62(c)) {
      return Error{ErrorCode::TokenBadCharacter, "token",
                   "This access token contains a character that tokens never contain. Copy it "
                   "again."};
    }
  }
  const std::size_t body_end = kTokenPrefix.size() + kTokenRandomLength;
  if (token.substr(body_end) != checksum_of(token.substr(0, body_end))) {
    return Error{ErrorCode::TokenBadChecksum, "token",
                 "This access token is mistyped: its checksum does not match. Copy it again."};
  }
  return std::nullopt;
}

}  // namespace oat
