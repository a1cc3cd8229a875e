// Cryptography of oatd: randomness, digests, encodings, password hashing (scrypt), and the ES256
// key that signs registry and management JWTs (as the distribution registry's token
// authentication specification wants them).
//
// Everything here is built on OpenSSL 3 (libcrypto) non-deprecated APIs. Functions that can only
// fail because OpenSSL or the operating system failed throw CryptoError; functions that judge
// untrusted input (decoders, verify_password, verify_jwt) answer "no" instead of throwing.
// All functions are safe to call from several threads at once; a SigningKey may be shared
// between threads (its methods are const and internally synchronized).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace oatd {

// Thrown when OpenSSL or the operating system fails, or a key file is unusable. what() names the
// operation and, when OpenSSL reported one, its error text. The OpenSSL error queue of the
// calling thread is left empty.
class CryptoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ---------------------------------------------------------------------------------------------
// Randomness (OpenSSL's CSPRNG)
// ---------------------------------------------------------------------------------------------

// Fills out[0, n) with cryptographically secure random bytes (RAND_bytes). Throws CryptoError
// if the generator cannot deliver; never returns weak bytes. Matches oat::RandomBytes.
void random_bytes(std::uint8_t* out, std::size_t n);

// A random RFC 4122 version 4 UUID: 36 lower-case characters "xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx"
// where V is one of 8, 9, a, b (variant 10). 122 random bits.
std::string random_uuid();

// `bytes` random bytes encoded as base64url without padding (ceil(4*bytes/3) characters,
// alphabet [A-Za-z0-9_-]).
std::string random_secret(std::size_t bytes);

// ---------------------------------------------------------------------------------------------
// Digests and comparison
// ---------------------------------------------------------------------------------------------

// SHA-256 of `data` as 64 lower-case hex characters.
std::string sha256_hex(std::string_view data);
// The same of a file's content, read in pieces; nothing when it cannot be read.
std::optional<std::string> sha256_file_hex(const std::string& path);

// HMAC-SHA256 of `data` with `key`: 32 raw bytes, or 64 lower-case hex characters.
std::string hmac_sha256_raw(std::string_view key, std::string_view data);
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// A secret kept in the database that the server must read back (a webhook's signing secret):
// AES-256-GCM under `key` (32 bytes), with a random nonce, as "v1." + base64url(nonce, cipher
// text, tag). open_secret gives the plain text back, or nothing when it was sealed under another
// key or changed.
std::string seal_secret(std::string_view key, std::string_view plaintext);
std::optional<std::string> open_secret(std::string_view key, std::string_view sealed);

// SHA-256 of `data` as the raw 32-byte digest.
std::string sha256_raw(std::string_view data);

// True iff a and b are equal. When the lengths are equal, the time taken depends only on the
// length, never on the contents (CRYPTO_memcmp); different lengths answer false at once (the
// length is not treated as secret).
bool constant_time_equal(std::string_view a, std::string_view b);

// ---------------------------------------------------------------------------------------------
// Encodings (RFC 4648)
// ---------------------------------------------------------------------------------------------

// base64url (alphabet [A-Za-z0-9-_]) without '=' padding, as used by JWS.
std::string base64url_encode(std::string_view data);

// Decodes base64url without padding. Answers std::nullopt for anything else: '=' padding,
// characters outside the alphabet (including whitespace), a length of 4k+1, or non-zero unused
// bits in the last character (so every byte string has exactly one accepted encoding).
std::optional<std::string> base64url_decode(std::string_view text);

// Standard base64 (alphabet [A-Za-z0-9+/]) with '=' padding, as used by the JWS "x5c" header.
std::string base64_encode(std::string_view data);

// Decodes standard base64 with the '=' padding required (length a multiple of 4); std::nullopt
// for malformed input, with the same strictness as base64url_decode.
std::optional<std::string> base64_decode(std::string_view text);

// ---------------------------------------------------------------------------------------------
// Password hashing: scrypt (memory-hard), self-describing PHC-style strings
// ---------------------------------------------------------------------------------------------

// scrypt cost: N = 2^ln, block size r, parallelism p. Memory used is about 128 * r * N bytes.
// The default (ln=15, r=8, p=1) uses 32 MiB and ~0.1 s per hash; lower it only in tests.
struct ScryptParams {
  unsigned ln = 15;
  std::uint32_t r = 8;
  std::uint32_t p = 1;
};

// Hashes `password` with scrypt and a fresh random 16-byte salt into
//   "$scrypt$ln=<ln>,r=<r>,p=<p>$<salt>$<hash>"
// where salt and hash (32 bytes) are standard base64 without padding (the PHC string format).
// The string holds everything verify_password needs; two calls never return the same string.
// Throws std::invalid_argument for parameters outside what verify_password accepts (ln 1..20,
// r 1..32, p 1..16, at most 1 GiB of memory), CryptoError if OpenSSL fails.
std::string hash_password(std::string_view password, const ScryptParams& params = {});

// True iff `stored` is a string made by hash_password and `password` is the one hashed. Recomputes
// scrypt with the parameters and salt found in `stored` and compares in constant time. False (never
// an exception) for a malformed `stored`: wrong scheme, fields missing or out of order, parameters
// out of range, bad base64, salt under 8 bytes, hash not 16..64 bytes. Throws CryptoError only if
// OpenSSL fails on well-formed input (e.g. cannot allocate the memory).
bool verify_password(std::string_view password, std::string_view stored);

// ---------------------------------------------------------------------------------------------
// ES256 signing key, X.509 certificate, JWT
// ---------------------------------------------------------------------------------------------

// An ECDSA P-256 private key that signs JWTs with ES256. Move-only (a moved-from key may only be
// destroyed or assigned to); methods are const and may be called from several threads at once.
class SigningKey {
 public:
  // Loads the key at `path`, or creates one there if no file exists.
  // - Existing file: must be a regular file with no group/other permission bits (mode & 077 == 0),
  //   holding an unencrypted PEM private key (PKCS#8 "PRIVATE KEY" or "EC PRIVATE KEY") on the
  //   P-256 curve; otherwise throws CryptoError saying why (e.g. "... mode 0644 ... chmod 600").
  // - No file: generates a P-256 key and writes it as PKCS#8 PEM to a file created with
  //   open(O_CREAT|O_EXCL, 0600), fsyncs the file and its directory. If another process created
  //   the file first, loads that one instead. On a write failure the partial file is removed.
  //   The directory must exist.
  static SigningKey load_or_create(const std::string& path);

  // A fresh P-256 key held only in memory (tests, ephemeral use).
  static SigningKey generate();

  // Reads a P-256 private key from PEM text (no permission checks); throws CryptoError otherwise.
  static SigningKey from_private_key_pem(std::string_view pem);

  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;
  ~SigningKey();

  // The public key as PEM SubjectPublicKeyInfo ("-----BEGIN PUBLIC KEY-----").
  std::string public_key_pem() const;

  // The private key as unencrypted PKCS#8 PEM. Secret: for writing the key file only.
  std::string private_key_pem() const;

  // The libtrust key ID used as the JWT "kid" (what distribution's registry computes from the
  // certificates in its rootcertbundle): SHA-256 of the DER SubjectPublicKeyInfo, first 30 bytes,
  // base32 (RFC 4648 upper case, no padding, 48 characters), in 12 groups of 4 joined by ':'.
  // Computed once; stable for the key.
  const std::string& libtrust_kid() const;

  // Makes a new self-signed X.509 v3 certificate for this key and answers it as PEM: subject and
  // issuer CN=common_name, random positive 127-bit serial, valid from now - 1 day to now + days,
  // ECDSA-with-SHA256 signature, basicConstraints CA:TRUE (critical), keyUsage digitalSignature +
  // keyCertSign (critical), subject/authority key identifiers. The registry's rootcertbundle
  // takes it. The certificate also becomes the one sign_jwt puts in "x5c".
  std::string certificate_pem(std::string_view common_name = "oatd", int days = 3650) const;

  // Adopts an existing certificate (e.g. the one written into the registry's rootcertbundle at an
  // earlier start) as the one sign_jwt puts in "x5c". Throws CryptoError if `pem` is not a
  // certificate or its public key is not this key's.
  void use_certificate_pem(std::string_view pem) const;

  // Signs `claims` (must be a JSON object) as a compact JWS "header.payload.signature", with
  // header {"alg":"ES256","kid":libtrust_kid(),"typ":"JWT"} and the signature as the 64-byte JOSE
  // R||S form. With include_x5c the header also carries "x5c": [standard base64 DER of the
  // certificate] (the adopted or last made certificate; one with CN "oatd" and 10 years is made
  // if there is none yet). Claims are taken as given: the caller sets iss, sub, aud, exp, ...
  // Throws std::invalid_argument if claims is not an object or not serializable as UTF-8.
  std::string sign_jwt(const nlohmann::json& claims, bool include_x5c = false) const;

  // sign_jwt(claims) (no x5c) for claims already serialized, for callers that write a fixed
  // shape directly: `claims_json` is signed byte for byte as given, so it must be the text of
  // one JSON object in UTF-8, as nlohmann::json::dump writes it. Throws std::invalid_argument
  // only if it does not start with '{' and end with '}' (the rest is not checked).
  std::string sign_jwt_json(std::string_view claims_json) const;

 private:
  struct State;
  friend struct SigningKeyAccess;  // lets verify_jwt reach the key (signing_key.cpp)
  explicit SigningKey(std::unique_ptr<State> state);
  // "header_part.base64url(claims_text).signature"
  std::string sign_compact(std::string header_part, std::string_view claims_text) const;
  std::unique_ptr<State> state_;
};

// A public key of another issuer (an OIDC provider), for the one algorithm it is used with.
struct PublicKey {
  std::shared_ptr<evp_pkey_st> pkey;
  std::string alg;  // "RS256" (RSA, 2048 bits or more) or "ES256" (EC P-256)
  std::string kid;  // "" when the JWK has none
};
// Reads a JWK; nullopt (with `reason`) for one that is not an RSA or P-256 signing key, whose
// "alg" (when given) is not its own, or whose numbers are not a public key.
std::optional<PublicKey> public_key_from_jwk(const nlohmann::json& jwk, std::string* reason = nullptr);
// Whether `signature` (JOSE form: R||S for ES256) of `signing_input` verifies with `key` for
// `alg`; false whenever the algorithm is not the key's.
bool verify_jws_signature(const PublicKey& key, std::string_view alg, std::string_view signing_input,
                          std::string_view signature);

// A JWT that verify_jwt accepted.
struct VerifiedJwt {
  nlohmann::json header;  // a JSON object, "alg" == "ES256"
  nlohmann::json claims;  // a JSON object with a numeric "exp"
};

// Verifies a compact JWS made by `key` (or any holder of the same private key) at time `now_unix`
// (seconds since the epoch). Accepts only when all hold:
// - three base64url (no padding) parts; header and payload are JSON objects;
// - header "alg" is exactly "ES256" (so "none", "HS256", "RS256", ... are refused); if the header
//   carries "kid" it equals key.libtrust_kid(); the header carries no "crit";
// - the signature is 64 bytes R||S and verifies with the key's public key over "header.payload";
// - claims "exp" is a number and now_unix < exp + leeway_seconds;
// - claims "nbf", if present, is a number and nbf <= now_unix + leeway_seconds.
// Claims such as iss and aud are not checked here: the caller does that.
// Answers std::nullopt on any refusal, and then, if `reason` is given, stores a short reason for
// logs there (never secret material). Never throws on bad input; tokens over 64 KiB are refused.
std::optional<VerifiedJwt> verify_jwt(std::string_view token, const SigningKey& key,
                                      std::int64_t now_unix, std::int64_t leeway_seconds = 0,
                                      std::string* reason = nullptr);

}  // namespace oatd
