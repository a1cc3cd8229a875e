// The token string: "dckr_oat_" + 26 random base62 characters + 6-character base62 CRC32.
// The checksum lets anyone (a secret scanner, the console) reject a mistyped token offline.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "oat/error.h"

namespace oat {

inline constexpr std::string_view kTokenPrefix = "dckr_oat_";
inline constexpr std::size_t kTokenRandomLength = 26;
inline constexpr std::size_t kTokenChecksumLength = 6;
inline constexpr std::size_t kTokenLength =
    kTokenPrefix.size() + kTokenRandomLength + kTokenChecksumLength;  // 41

// Fills `size` bytes at `out` with cryptographically strong random bytes.
using RandomBytes = std::function<void(std::uint8_t* out, std::size_t size)>;

// A new token. Characters are drawn by rejection sampling, so each of the 62 is equally likely.
std::string generate_token(const RandomBytes& random);

// Checks prefix, length, alphabet and checksum. No database needed.
Status check_token_format(std::string_view token);

// Cheap test used before any lookup: does this look like an OAT at all (prefix only)?
bool has_token_prefix(std::string_view text);

// CRC-32 (IEEE 802.3, as zlib) of the bytes.
std::uint32_t crc32(std::string_view bytes);
// `value` in base62 (0-9A-Za-z), left-padded with '0' to `width` characters.
std::string base62_encode(std::uint64_t value, std::size_t width);

}  // namespace oat
