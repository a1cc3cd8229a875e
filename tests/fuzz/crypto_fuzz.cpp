// libFuzzer target: oatd's decoders and verifiers of untrusted input (native/src/crypto). The
// first byte chooses the function, the rest is its input:
//   'j'  a compact JWS presented as a bearer: verify_jwt with a P-256 key read once at start
//        (a fixed test key, so that the corpus can hold tokens it signed)
//   'J'  a JWT's claims as text: signed with sign_jwt_json, then verify_jwt, which must accept
//        exactly the claims objects with a numeric exp after now and no nbf after now
//   'b'  standard base64 (Basic credentials, x5c): base64_decode
//   'u'  base64url (JWS parts): base64url_decode, and the core's base64url_decode_strict, which
//        must agree with it
//   'k'  a JWK of an OIDC issuer's key set: public_key_from_jwk, and verify_jws_signature of a
//        signature nobody made
//   's'  a sealed secret as the database keeps it: open_secret
// Anything may be refused; nothing may crash, throw, hang or read out of bounds. A decoder
// accepts one encoding of each byte string: what it decodes encodes back to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crypto/crypto.h"
#include "oat/oat.h"

#include "property.h"

namespace {

using nlohmann::json;

constexpr std::int64_t kNow = 1'800'000'000;

// A P-256 key made for these tests only; it signs nothing anywhere else.
constexpr std::string_view kTestKey = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgbYT3P83R9K7jpM2K
M8fCroTDad4XEhHpif08PjMnyMChRANCAAR2cvjCTLABq4aSZFkbljZ+Rrcw2CMw
zwc7OTJZ9nedcfYDFW1ZD6vr+i61Tyv+wR4LLlkfBV9bgMS+CxWl/H3F
-----END PRIVATE KEY-----
)";

const oatd::SigningKey& key() {
  static const oatd::SigningKey k = oatd::SigningKey::from_private_key_pem(kTestKey);
  return k;
}

using oat_fuzz::fail;

void jwt(std::string_view token) {
  std::string reason;
  const auto verified = oatd::verify_jwt(token, key(), kNow, 0, &reason);
  if (!verified) {
    if (reason.empty()) fail("a refusal without a reason");
    return;
  }
  if (!verified->header.is_object() || verified->header["alg"] != "ES256" || !verified->claims.is_object() ||
      !verified->claims["exp"].is_number()) {
    fail("a JWT accepted without ES256 or a numeric exp");
  }
  (void)oatd::verify_jwt(token, key(), kNow, 86400);
}

void signed_claims(std::string_view claims_text) {
  if (claims_text.size() < 2 || claims_text.front() != '{' || claims_text.back() != '}') return;
  const std::string token = key().sign_jwt_json(claims_text);
  const json claims = json::parse(claims_text, nullptr, false);
  bool valid = claims.is_object() && claims.contains("exp") && claims["exp"].is_number() &&
               static_cast<double>(kNow) < claims["exp"].get<double>();
  if (valid && claims.contains("nbf")) {
    valid = claims["nbf"].is_number() && claims["nbf"].get<double>() <= static_cast<double>(kNow);
  }
  std::string reason;
  const auto verified = oatd::verify_jwt(token, key(), kNow, 0, &reason);
  if (verified.has_value() != valid) {
    std::fprintf(stderr, "crypto_fuzz: verify_jwt said %s (%s)\n", verified ? "yes" : "no", reason.c_str());
    fail("a token this key signed judged wrongly");
  }
  if (verified && verified->claims != claims) fail("claims that do not read back as signed");
}

void base64(std::string_view text) {
  if (const auto decoded = oatd::base64_decode(text)) {
    if (oatd::base64_encode(*decoded) != text) fail("base64: a second encoding accepted");
  }
  if (oatd::base64_decode(oatd::base64_encode(text)) != std::string(text)) fail("base64: no round trip");
}

void base64url(std::string_view text) {
  const auto decoded = oatd::base64url_decode(text);
  if (decoded && oatd::base64url_encode(*decoded) != text) fail("base64url: a second encoding accepted");
  if (oat::base64url_decode_strict(text) != decoded) fail("base64url: the core's decoder disagrees");
  if (oatd::base64url_decode(oatd::base64url_encode(text)) != std::string(text)) fail("base64url: no round trip");
}

void jwk(std::string_view text) {
  const json value = json::parse(text, nullptr, false);
  if (value.is_discarded()) return;
  std::string reason;
  const auto found = oatd::public_key_from_jwk(value, &reason);
  if (!found) {
    if (reason.empty()) fail("a JWK refused without a reason");
    return;
  }
  if (!found->pkey || (found->alg != "RS256" && found->alg != "ES256")) fail("a JWK read as no key");
  const std::string signature(found->alg == "ES256" ? 64 : 256, '\x01');
  if (oatd::verify_jws_signature(*found, found->alg, text, signature)) fail("a signature nobody made verified");
  if (oatd::verify_jws_signature(*found, "none", text, "")) fail("alg none verified");
}

void sealed(std::string_view text) {
  static const std::string sealing_key(32, 'k');
  (void)oatd::open_secret(sealing_key, text);
  if (oatd::open_secret(sealing_key, oatd::seal_secret(sealing_key, text)) != std::string(text)) {
    fail("a sealed secret that does not open");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  switch (bytes[0]) {
    case 'j': jwt(data); break;
    case 'J': signed_claims(data); break;
    case 'b': base64(data); break;
    case 'u': base64url(data); break;
    case 'k': jwk(data); break;
    case 's': sealed(data); break;
    default: break;
  }
  return 0;
}
