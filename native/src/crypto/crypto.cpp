// Randomness, digests, encodings and scrypt password hashing. See crypto.h.
#include "crypto/crypto.h"

#include <pthread.h>

#include <array>
#include <atomic>
#include <charconv>
#include <climits>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <vector>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "crypto/ossl_util.h"

namespace oatd {

// ---------------------------------------------------------------------------------------------
// Randomness
// ---------------------------------------------------------------------------------------------

void random_bytes(std::uint8_t* out, std::size_t n) {
  while (n > 0) {
    int chunk = n > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(n);
    if (RAND_bytes(out, chunk) != 1) ossl::fail("RAND_bytes");
    out += chunk;
    n -= static_cast<std::size_t>(chunk);
  }
}

namespace {
// Bumped in a forked child, whose copy of a thread's buffer below must not be used again (the
// parent would hand out the same bytes).
std::atomic<unsigned> fork_generation{0};
[[maybe_unused]] const int fork_guard =
    pthread_atfork(nullptr, nullptr, [] { fork_generation.fetch_add(1); });

// The CSPRNG's bytes for identifiers, drawn 1 KiB at a time: each RAND_bytes call has a fixed
// cost (about a microsecond) that a registry token's jti would otherwise pay alone. Per thread,
// and each byte handed out once.
void random_id_bytes(std::uint8_t* out, std::size_t n) {
  thread_local std::array<std::uint8_t, 1024> buffer;
  thread_local std::size_t used = buffer.size();
  thread_local unsigned generation = 0;
  if (generation != fork_generation.load(std::memory_order_relaxed)) {
    generation = fork_generation.load(std::memory_order_relaxed);
    used = buffer.size();
  }
  if (buffer.size() - used < n) {
    random_bytes(buffer.data(), buffer.size());
    used = 0;
  }
  std::memcpy(out, buffer.data() + used, n);
  OPENSSL_cleanse(buffer.data() + used, n);  // handed out: not kept
  used += n;
}
}  // namespace

std::string random_uuid() {
  std::array<std::uint8_t, 16> b{};
  random_id_bytes(b.data(), b.size());
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // variant 10
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0x0f];
  }
  return out;
}

std::string random_secret(std::size_t bytes) {
  std::string raw(bytes, '\0');
  random_bytes(reinterpret_cast<std::uint8_t*>(raw.data()), raw.size());
  std::string out = base64url_encode(raw);
  OPENSSL_cleanse(raw.data(), raw.size());
  return out;
}

// ---------------------------------------------------------------------------------------------
// Digests
// ---------------------------------------------------------------------------------------------

namespace ossl {

const EVP_MD* sha256() {
  static const Md md = [] {
    // Initializing the library first registers its atexit cleanup before this static's
    // destructor, so the digest is freed before OpenSSL is torn down.
    OPENSSL_init_crypto(0, nullptr);
    return Md(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  }();
  if (!md) fail("fetching SHA-256");
  return md.get();
}

}  // namespace ossl

namespace {

void sha256_into(std::string_view data, unsigned char (&out)[32]) {
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, ossl::sha256(), nullptr) != 1 || len != 32) {
    ossl::fail("SHA-256");
  }
}

}  // namespace

std::string sha256_raw(std::string_view data) {
  unsigned char digest[32];
  sha256_into(data, digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

namespace {
// Lower-case hex of bytes.
std::string hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * n, '\0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 0x0f];
  }
  return out;
}
}  // namespace

std::string hmac_sha256_raw(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &size) == nullptr) {
    ossl::fail("HMAC");
  }
  return std::string(reinterpret_cast<const char*>(digest), size);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  const std::string raw = hmac_sha256_raw(key, data);
  return hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

namespace {
constexpr std::string_view kSealedPrefix = "v1.";
constexpr std::size_t kNonceSize = 12, kTagSize = 16;

std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> gcm(std::string_view key,
                                                                   const unsigned char* nonce, bool encrypt) {
  if (key.size() != 32) throw std::invalid_argument("a sealing key is 32 bytes");
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                                reinterpret_cast<const unsigned char*>(key.data()), nonce, encrypt ? 1 : 0) != 1) {
    ossl::fail("EVP_CipherInit_ex");
  }
  return ctx;
}
}  // namespace

std::string seal_secret(std::string_view key, std::string_view plaintext) {
  std::string out(kNonceSize + plaintext.size() + kTagSize, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  random_bytes(bytes, kNonceSize);
  auto ctx = gcm(key, bytes, true);
  int n = 0;
  if (EVP_EncryptUpdate(ctx.get(), bytes + kNonceSize, &n,
                        reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), bytes + kNonceSize + n, &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize),
                          bytes + kNonceSize + plaintext.size()) != 1) {
    ossl::fail("AES-256-GCM");
  }
  return std::string(kSealedPrefix) + base64url_encode(out);
}

std::optional<std::string> open_secret(std::string_view key, std::string_view sealed) {
  if (!sealed.starts_with(kSealedPrefix)) return std::nullopt;
  const auto raw = base64url_decode(sealed.substr(kSealedPrefix.size()));
  if (!raw || raw->size() < kNonceSize + kTagSize) return std::nullopt;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw->data());
  const std::size_t size = raw->size() - kNonceSize - kTagSize;
  auto ctx = gcm(key, bytes, false);
  std::string plain(size, '\0');
  int n = 0;
  std::array<unsigned char, kTagSize> tag{};
  std::copy(bytes + kNonceSize + size, bytes + raw->size(), tag.begin());
  if (EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &n, bytes + kNonceSize,
                        static_cast<int>(size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize), tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + n, &n) != 1) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return std::nullopt;
  }
  return plain;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[32];
  sha256_into(data, digest);
  return hex(digest, sizeof digest);
}

std::optional<std::string> sha256_file_hex(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) ossl::fail("EVP_DigestInit_ex");
  std::array<char, 1 << 16> buffer;
  while (in) {
    in.read(buffer.data(), buffer.size());
    EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return std::nullopt;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &size);
  return hex(digest, size);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// ---------------------------------------------------------------------------------------------
// base64 / base64url
// ---------------------------------------------------------------------------------------------

namespace {

constexpr char kB64Std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Each byte's value in an alphabet, or -1: built once, at compile time.
using B64Values = std::array<signed char, 256>;
constexpr B64Values b64_values(const char* alphabet) {
  B64Values value{};
  for (auto& v : value) v = -1;
  for (int k = 0; k < 64; ++k) value[static_cast<unsigned char>(alphabet[k])] = static_cast<signed char>(k);
  return value;
}
constexpr B64Values kB64StdValues = b64_values(kB64Std);
constexpr B64Values kB64UrlValues = b64_values(kB64Url);

std::string b64_encode(std::string_view data, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(data[k])); };
  for (; i + 3 <= data.size(); i += 3) {
    std::uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  std::size_t rest = data.size() - i;
  if (rest == 1) {
    std::uint32_t v = byte(i) << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    std::uint32_t v = byte(i) << 16 | byte(i + 1) << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

// Strict decoder: no whitespace, canonical trailing bits. `pad`: padding required (true) or
// forbidden (false).
std::optional<std::string> b64_decode(std::string_view text, const B64Values& value, bool pad) {
  if (pad) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::size_t pads = 0;
    while (pads < 2 && pads < text.size() && text[text.size() - 1 - pads] == '=') ++pads;
    text.remove_suffix(pads);
  }
  if (text.size() % 4 == 1) return std::nullopt;

  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = value[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;  // also a stray '=' in the middle
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;  // non-canonical
  return out;
}

}  // namespace

std::string base64url_encode(std::string_view data) { return b64_encode(data, kB64Url, false); }

std::optional<std::string> base64url_decode(std::string_view text) {
  return b64_decode(text, kB64UrlValues, false);
}

std::string base64_encode(std::string_view data) { return b64_encode(data, kB64Std, true); }

std::optional<std::string> base64_decode(std::string_view text) {
  return b64_decode(text, kB64StdValues, true);
}

// ---------------------------------------------------------------------------------------------
// scrypt
// ---------------------------------------------------------------------------------------------

namespace {

constexpr std::string_view kScryptPrefix = "$scrypt$";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr std::uint64_t kMaxScryptMemory = std::uint64_t{1} << 30;  // 1 GiB

// Memory OpenSSL's scrypt allocates: B (128*r*p) + V and XY (128*r*(N+2)).
std::uint64_t scrypt_memory(const ScryptParams& p) {
  return 128ull * p.r * p.p + 128ull * p.r * ((std::uint64_t{1} << p.ln) + 2);
}

bool params_ok(const ScryptParams& p) {
  return p.ln >= 1 && p.ln <= 20 && p.r >= 1 && p.r <= 32 && p.p >= 1 && p.p <= 16 &&
         scrypt_memory(p) <= kMaxScryptMemory;
}

// B64 without padding (PHC): encode standard base64 and drop the '='.
std::string phc_b64_encode(std::string_view data) { return b64_encode(data, kB64Std, false); }
std::optional<std::string> phc_b64_decode(std::string_view text) {
  return b64_decode(text, kB64StdValues, false);
}

std::string scrypt_derive(std::string_view password, std::string_view salt,
                          const ScryptParams& params, std::size_t out_len) {
  ossl::Kdf kdf(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_SCRYPT, nullptr));
  if (!kdf) ossl::fail("fetching the SCRYPT KDF");
  ossl::KdfCtx ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) ossl::fail("EVP_KDF_CTX_new");

  std::uint64_t n = std::uint64_t{1} << params.ln;
  std::uint32_t r = params.r;
  std::uint32_t p = params.p;
  // OpenSSL refuses above its maxmem (32 MiB by default), which N=2^15,r=8 just exceeds.
  std::uint64_t maxmem = scrypt_memory(params) + (1u << 20);
  OSSL_PARAM ossl_params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, const_cast<char*>(password.data()),
                                        password.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()),
                                        salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
      OSSL_PARAM_construct_end(),
  };
  std::string out(out_len, '\0');
  if (EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), out.size(),
                     ossl_params) != 1) {
    ossl::fail("scrypt");
  }
  return out;
}

// Parses a decimal unsigned number that is all of `text` (no sign, no spaces, not empty).
template <typename T>
bool parse_uint(std::string_view text, T& out) {
  if (text.empty() || text.size() > 10) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// Takes text up to the next '$' (exclusive) and advances past it; false if there is no '$'.
bool take_field(std::string_view& rest, std::string_view& field) {
  std::size_t pos = rest.find('$');
  if (pos == std::string_view::npos) return false;
  field = rest.substr(0, pos);
  rest.remove_prefix(pos + 1);
  return true;
}

}  // namespace

std::string hash_password(std::string_view password, const ScryptParams& params) {
  if (!params_ok(params)) throw std::invalid_argument("hash_password: scrypt parameters out of range");
  std::string salt(kSaltBytes, '\0');
  random_bytes(reinterpret_cast<std::uint8_t*>(salt.data()), salt.size());
  std::string hash = scrypt_derive(password, salt, params, kHashBytes);
  std::string out = std::string(kScryptPrefix) + "ln=" + std::to_string(params.ln) +
                    ",r=" + std::to_string(params.r) + ",p=" + std::to_string(params.p) + "$" +
                    phc_b64_encode(salt) + "$" + phc_b64_encode(hash);
  OPENSSL_cleanse(hash.data(), hash.size());
  return out;
}

bool verify_password(std::string_view password, std::string_view stored) {
  if (stored.size() > 512 || !stored.starts_with(kScryptPrefix)) return false;
  std::string_view rest = stored.substr(kScryptPrefix.size());
  std::string_view param_text, salt_text;
  if (!take_field(rest, param_text) || !take_field(rest, salt_text)) return false;
  std::string_view hash_text = rest;  // the remainder; a further '$' fails base64 below

  // "ln=<n>,r=<n>,p=<n>" in exactly this order.
  ScryptParams params;
  {
    std::string_view t = param_text;
    auto take_kv = [&t](std::string_view key, auto& value, bool last) {
      if (!t.starts_with(key)) return false;
      t.remove_prefix(key.size());
      std::size_t end = last ? t.size() : t.find(',');
      if (end == std::string_view::npos) return false;
      if (!parse_uint(t.substr(0, end), value)) return false;
      t.remove_prefix(last ? end : end + 1);
      return true;
    };
    if (!take_kv("ln=", params.ln, false) || !take_kv("r=", params.r, false) ||
        !take_kv("p=", params.p, true)) {
      return false;
    }
  }
  if (!params_ok(params)) return false;

  std::optional<std::string> salt = phc_b64_decode(salt_text);
  std::optional<std::string> expected = phc_b64_decode(hash_text);
  if (!salt || !expected || salt->size() < 8 || salt->size() > 64 || expected->size() < 16 ||
      expected->size() > 64) {
    return false;
  }
  std::string actual = scrypt_derive(password, *salt, params, expected->size());
  bool equal = constant_time_equal(actual, *expected);
  OPENSSL_cleanse(actual.data(), actual.size());
  return equal;
}

}  // namespace oatd
