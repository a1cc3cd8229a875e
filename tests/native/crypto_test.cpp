// Tests of native/src/crypto: one behaviour per test, named after it.
#include "crypto/crypto.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "temp_dir.h"

namespace oatd {
namespace {

using json = nlohmann::json;

// Cheap scrypt for tests (N = 16): the format and logic are what is under test here.
constexpr ScryptParams kCheap{.ln = 4, .r = 8, .p = 1};

constexpr std::int64_t kNow = 1'700'000'000;

// A throwaway P-256 key whose kid was computed outside this code:
//   openssl pkey -pubout -outform DER | openssl dgst -sha256 -binary | head -c 30 | base32
constexpr const char* kFixedKeyPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg7c5/zJu+MEMsnoF9\n"
    "gOwBpLSZeHlb+uWnlxmPlzEHwy6hRANCAAQ9WpXamIeyc06Z7zWqIVCaHn527G2s\n"
    "zyiUCZdfXQ6+MGFKlex21mKUfXm3w2y6Vj1l0GMmmLToMJwsr0Pfr6r7\n"
    "-----END PRIVATE KEY-----\n";
constexpr const char* kFixedKeyKid =
    "JT5A:WXAY:CXIS:MO4Z:AQDR:YLCF:L5MR:BCFT:Z23P:ONIG:DIYA:XVLN";

// --- small independent helpers (deliberately not the code under test) -----------------------

std::string hex_to_bytes(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

// RFC 4648 base32, bit by bit.
std::string test_base32(const std::string& data) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string bits;
  for (unsigned char c : data) {
    for (int b = 7; b >= 0; --b) bits += ((c >> b) & 1) ? '1' : '0';
  }
  while (bits.size() % 5 != 0) bits += '0';
  std::string out;
  for (std::size_t i = 0; i < bits.size(); i += 5) out += alphabet[std::stoi(bits.substr(i, 5), nullptr, 2)];
  return out;
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

PkeyPtr read_public_pem(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  PkeyPtr key(PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return key;
}

PkeyPtr read_private_pem(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return key;
}

X509Ptr read_cert_pem(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509Ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

std::string b64url(const std::string& s) { return base64url_encode(s); }

// Signs header.payload with any EC P-256 key, JOSE R||S signature: for forging tokens.
std::string sign_es256_by_hand(EVP_PKEY* pkey, const json& header, const json& claims) {
  std::string input = b64url(header.dump()) + "." + b64url(claims.dump());
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  std::size_t len = 0;
  EXPECT_EQ(EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, pkey), 1);
  EXPECT_EQ(EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                           input.size()),
            1);
  std::string der(len, '\0');
  EXPECT_EQ(EVP_DigestSign(md, reinterpret_cast<unsigned char*>(der.data()), &len,
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()),
            1);
  EVP_MD_CTX_free(md);
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len));
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  std::string raw(64, '\0');
  BN_bn2binpad(r, reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(s, reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return input + "." + b64url(raw);
}

// A token signed by hand with `signer`'s private key: for headers sign_jwt never writes.
std::string hand_signed(const SigningKey& signer, const json& header, const json& claims) {
  PkeyPtr pkey = read_private_pem(signer.private_key_pem());
  return sign_es256_by_hand(pkey.get(), header, claims);
}

// Why verify_jwt refuses `token` at kNow ("" and a test failure if it accepts it).
std::string why_refused(const std::string& token, const SigningKey& key) {
  std::string reason;
  if (verify_jwt(token, key, kNow, 0, &reason).has_value()) {
    ADD_FAILURE() << "accepted: " << token.substr(0, 80);
    return "";
  }
  return reason;
}

std::vector<std::string> split_token(const std::string& token) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = token.find('.', start);
    parts.push_back(token.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

json standard_claims() {
  return json{{"iss", "oatd"},
              {"sub", "acme"},
              {"aud", "registry.local"},
              {"iat", kNow},
              {"nbf", kNow - 1},
              {"exp", kNow + 300},
              {"jti", "b1c0a2f4-0000-4000-8000-000000000000"},
              {"access", json::array({{{"type", "repository"},
                                       {"name", "acme/app"},
                                       {"actions", {"pull", "push"}}}})}};
}

// --- digests ----------------------------------------------------------------------------------

TEST(Sha256, OfAbcIsTheKnownVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, OfEmptyIsTheKnownVector) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, RawIsTheHexDecoded) {
  EXPECT_EQ(sha256_raw("abc"), hex_to_bytes(sha256_hex("abc")));
  EXPECT_EQ(sha256_raw("abc").size(), 32u);
}

TEST(HmacSha256, Rfc4231TestCase2) {
  EXPECT_EQ(oatd::hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(oatd::hmac_sha256_raw("Jefe", "what do ya want for nothing?").size(), 32u);
}

TEST(SealedSecret, OpensWithItsKeyOnlyAndNeverShowsThePlainText) {
  const std::string key(32, 'k');
  const std::string other(32, 'o');
  const std::string sealed = oatd::seal_secret(key, "whsec_abc");
  EXPECT_TRUE(sealed.starts_with("v1."));
  EXPECT_EQ(sealed.find("whsec_abc"), std::string::npos);
  EXPECT_NE(oatd::seal_secret(key, "whsec_abc"), sealed) << "a fresh nonce each time";
  EXPECT_EQ(oatd::open_secret(key, sealed), "whsec_abc");
  EXPECT_EQ(oatd::open_secret(other, sealed), std::nullopt);
  std::string changed = sealed;
  changed[changed.size() - 5] = changed[changed.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(oatd::open_secret(key, changed), std::nullopt);
  EXPECT_EQ(oatd::open_secret(key, "whsec_abc"), std::nullopt);
  EXPECT_EQ(oatd::open_secret(key, "v1.AAAA"), std::nullopt);
}

TEST(ConstantTimeEqual, ComparesContentsAndLength) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("secret", "secret"));
  EXPECT_FALSE(constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(constant_time_equal("secret", "secret2"));
  EXPECT_FALSE(constant_time_equal("", "x"));
}

// --- base64 -----------------------------------------------------------------------------------

TEST(Base64url, EncodesRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_encode(std::string("\xfb\xff\xbf", 3)), "-_-_");
}

TEST(Base64url, DecodesKnownVectors) {
  EXPECT_EQ(base64url_decode("Zm9vYmE"), std::optional<std::string>("fooba"));
  EXPECT_EQ(base64url_decode("-_-_"), std::optional<std::string>(std::string("\xfb\xff\xbf", 3)));
  EXPECT_EQ(base64url_decode(""), std::optional<std::string>(""));
}

TEST(Base64url, RoundTripsEveryLengthAndByte) {
  std::string data;
  for (int i = 0; i < 300; ++i) {
    data += static_cast<char>((i * 37 + 11) & 0xff);
    auto decoded = base64url_decode(base64url_encode(data));
    ASSERT_TRUE(decoded.has_value()) << i;
    ASSERT_EQ(*decoded, data) << i;
  }
}

TEST(Base64url, DecodeRefusesPaddingForeignCharactersAndBadLengths) {
  EXPECT_FALSE(base64url_decode("Zg==").has_value());
  EXPECT_FALSE(base64url_decode("Zg=").has_value());
  EXPECT_FALSE(base64url_decode("Z").has_value());       // 4k+1 characters
  EXPECT_FALSE(base64url_decode("Zm+v").has_value());    // standard alphabet
  EXPECT_FALSE(base64url_decode("Zm9v!").has_value());
  EXPECT_FALSE(base64url_decode("Zm9 v").has_value());
  EXPECT_FALSE(base64url_decode("Zh").has_value());      // non-zero unused bits
}

TEST(Base64, EncodesStandardAlphabetWithPadding) {
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\xfb\xff\xbf", 3)), "+/+/");
  EXPECT_EQ(base64_decode("Zm8="), std::optional<std::string>("fo"));
  EXPECT_FALSE(base64_decode("Zm8").has_value());  // padding required
}

// --- randomness -------------------------------------------------------------------------------

TEST(RandomUuid, IsLowerCaseVersion4Variant10) {
  const std::regex shape("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string id = random_uuid();
    EXPECT_TRUE(std::regex_match(id, shape)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(RandomSecret, IsBase64urlOfTheRequestedByteCount) {
  std::string secret = random_secret(32);
  EXPECT_EQ(secret.size(), 43u);
  auto raw = base64url_decode(secret);
  ASSERT_TRUE(raw.has_value());
  EXPECT_EQ(raw->size(), 32u);
  EXPECT_NE(random_secret(32), secret);
}

TEST(RandomBytes, FillsTheBufferDifferentlyEachTime) {
  std::uint8_t a[32] = {0};
  std::uint8_t b[32] = {0};
  random_bytes(a, sizeof a);
  random_bytes(b, sizeof b);
  EXPECT_NE(std::string(a, a + 32), std::string(b, b + 32));
  random_bytes(nullptr, 0);  // nothing to do, no failure
}

// --- passwords --------------------------------------------------------------------------------

TEST(Password, VerifyAcceptsTheRightPassword) {
  std::string stored = hash_password("correct horse", kCheap);
  EXPECT_TRUE(verify_password("correct horse", stored));
}

TEST(Password, VerifyRefusesAWrongPassword) {
  std::string stored = hash_password("correct horse", kCheap);
  EXPECT_FALSE(verify_password("correct horsf", stored));
  EXPECT_FALSE(verify_password("", stored));
}

TEST(Password, TwoHashesOfOnePasswordDiffer) {
  EXPECT_NE(hash_password("same", kCheap), hash_password("same", kCheap));
}

TEST(Password, HashIsSelfDescribingWith16ByteSaltAnd32ByteHash) {
  std::string stored = hash_password("pw", kCheap);
  const std::regex shape(R"(^\$scrypt\$ln=4,r=8,p=1\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$)");
  EXPECT_TRUE(std::regex_match(stored, shape)) << stored;
}

TEST(Password, DefaultCostIsLn15R8P1) {
  std::string stored = hash_password("pw");  // the one full-cost hash (32 MiB) of this suite
  EXPECT_TRUE(stored.starts_with("$scrypt$ln=15,r=8,p=1$")) << stored;
  EXPECT_TRUE(verify_password("pw", stored));
}

TEST(Password, VerifyMatchesTheRfc7914TestVector) {
  // RFC 7914 section 12: P="pleaseletmein", S="SodiumChloride", N=16384, r=8, p=1, dkLen=64.
  std::string dk = hex_to_bytes(
      "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
      "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887");
  auto nopad = [](std::string s) {
    while (!s.empty() && s.back() == '=') s.pop_back();
    return s;
  };
  std::string stored = "$scrypt$ln=14,r=8,p=1$" + nopad(base64_encode("SodiumChloride")) + "$" +
                       nopad(base64_encode(dk));
  EXPECT_TRUE(verify_password("pleaseletmein", stored));
  EXPECT_FALSE(verify_password("pleaseletmeim", stored));
}

TEST(Password, VerifyRefusesMalformedStoredStrings) {
  std::string good = hash_password("pw", kCheap);
  ASSERT_TRUE(verify_password("pw", good));
  std::string tail = good.substr(std::string("$scrypt$ln=4,r=8,p=1").size());  // "$salt$hash"
  const std::vector<std::string> bad = {
      "",
      "pw",
      "$scrypt$",
      "$scrypt$ln=4,r=8,p=1$",
      "$argon2id$ln=4,r=8,p=1" + tail,
      "$scrypt$ln=5,r=8,p=1" + tail,     // parameters do not match the hash
      "$scrypt$ln=0,r=8,p=1" + tail,
      "$scrypt$ln=99,r=8,p=1" + tail,
      "$scrypt$ln=4,r=0,p=1" + tail,
      "$scrypt$ln=4,r=8,p=0" + tail,
      "$scrypt$ln=-4,r=8,p=1" + tail,
      "$scrypt$ln=4,p=1,r=8" + tail,     // order
      "$scrypt$ln=4,r=8" + tail,
      "$scrypt$ln=4,r=8,p=1,x=1" + tail,
      "$scrypt$ ln=4,r=8,p=1" + tail,
      "$scrypt$ln=4,r=8,p=1" + tail + "$",
      "$scrypt$ln=4,r=8,p=1" + tail + "=",
      "$scrypt$ln=4,r=8,p=1$$" + tail.substr(tail.rfind('$') + 1),  // empty salt
      good.substr(0, good.size() - 30),                              // hash too short
      good + "AAAA",                                                 // hash changed
  };
  for (const std::string& stored : bad) EXPECT_FALSE(verify_password("pw", stored)) << stored;
}

TEST(Password, HashRefusesParametersOutOfRange) {
  EXPECT_THROW(hash_password("pw", ScryptParams{.ln = 0, .r = 8, .p = 1}), std::invalid_argument);
  EXPECT_THROW(hash_password("pw", ScryptParams{.ln = 25, .r = 8, .p = 1}), std::invalid_argument);
}

// --- libtrust kid -----------------------------------------------------------------------------

TEST(LibtrustKid, Has12GroupsOf4Base32Characters) {
  SigningKey key = SigningKey::generate();
  const std::regex shape("^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$");
  EXPECT_TRUE(std::regex_match(key.libtrust_kid(), shape)) << key.libtrust_kid();
}

TEST(LibtrustKid, MatchesAnIndependentComputation) {
  SigningKey key = SigningKey::generate();
  PkeyPtr pub = read_public_pem(key.public_key_pem());
  ASSERT_TRUE(pub);
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(pub.get(), &der);
  ASSERT_GT(len, 0);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  ASSERT_EQ(EVP_Digest(der, static_cast<std::size_t>(len), digest, &digest_len, EVP_sha256(), nullptr), 1);
  OPENSSL_free(der);
  std::string b32 = test_base32(std::string(reinterpret_cast<char*>(digest), 30));
  ASSERT_EQ(b32.size(), 48u);
  std::string expected;
  for (int g = 0; g < 12; ++g) expected += (g ? ":" : "") + b32.substr(g * 4, 4);
  EXPECT_EQ(key.libtrust_kid(), expected);
}

TEST(LibtrustKid, OfAFixedKeyIsTheOneComputedByTheOpensslCli) {
  SigningKey key = SigningKey::from_private_key_pem(kFixedKeyPem);
  EXPECT_EQ(key.libtrust_kid(), kFixedKeyKid);
}

// --- JWT --------------------------------------------------------------------------------------

TEST(Jwt, SignThenVerifyRoundTrips) {
  SigningKey key = SigningKey::generate();
  json claims = standard_claims();
  std::string token = key.sign_jwt(claims);
  std::string reason;
  auto verified = verify_jwt(token, key, kNow, 0, &reason);
  ASSERT_TRUE(verified.has_value()) << reason;
  EXPECT_EQ(verified->claims, claims);
  EXPECT_EQ(verified->header["alg"], "ES256");
}

TEST(Jwt, HeaderIsTypJwtAlgEs256AndTheKid) {
  SigningKey key = SigningKey::generate();
  auto parts = split_token(key.sign_jwt(standard_claims()));
  ASSERT_EQ(parts.size(), 3u);
  json header = json::parse(*base64url_decode(parts[0]));
  EXPECT_EQ(header, (json{{"typ", "JWT"}, {"alg", "ES256"}, {"kid", key.libtrust_kid()}}));
}

TEST(Jwt, SignatureIsJoseRawRAndS) {
  SigningKey key = SigningKey::generate();
  for (int i = 0; i < 20; ++i) {  // short R or S values must be left-padded to 32 bytes
    auto parts = split_token(key.sign_jwt(standard_claims()));
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(parts[2].size(), 86u);
    EXPECT_EQ(base64url_decode(parts[2])->size(), 64u);
  }
}

TEST(Jwt, X5cCarriesTheCertificateOfTheKey) {
  SigningKey key = SigningKey::generate();
  std::string cert_pem = key.certificate_pem("oatd-test", 30);
  std::string token = key.sign_jwt(standard_claims(), /*include_x5c=*/true);
  auto verified = verify_jwt(token, key, kNow);
  ASSERT_TRUE(verified.has_value());
  ASSERT_TRUE(verified->header["x5c"].is_array());
  ASSERT_EQ(verified->header["x5c"].size(), 1u);
  auto der = base64_decode(verified->header["x5c"][0].get<std::string>());
  ASSERT_TRUE(der.has_value());
  X509Ptr expected = read_cert_pem(cert_pem);
  unsigned char* expected_der = nullptr;
  int len = i2d_X509(expected.get(), &expected_der);
  EXPECT_EQ(*der, std::string(reinterpret_cast<char*>(expected_der), static_cast<std::size_t>(len)));
  OPENSSL_free(expected_der);
}

TEST(Jwt, X5cWithoutACertificateMakesOne) {
  SigningKey key = SigningKey::generate();
  auto parts = split_token(key.sign_jwt(standard_claims(), true));
  json header = json::parse(*base64url_decode(parts[0]));
  auto der = base64_decode(header["x5c"][0].get<std::string>());
  ASSERT_TRUE(der.has_value());
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der->size())));
  ASSERT_TRUE(cert);
  PkeyPtr pub = read_public_pem(key.public_key_pem());
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(cert.get()), pub.get()), 1);
}

TEST(Jwt, VerifyRefusesAChangedPayload) {
  SigningKey key = SigningKey::generate();
  auto parts = split_token(key.sign_jwt(standard_claims()));
  json claims = standard_claims();
  claims["sub"] = "evil";
  std::string forged = parts[0] + "." + b64url(claims.dump()) + "." + parts[2];
  EXPECT_EQ(why_refused(forged, key), "bad signature");
}

TEST(Jwt, VerifyRefusesAChangedSignatureByte) {
  SigningKey key = SigningKey::generate();
  auto parts = split_token(key.sign_jwt(standard_claims()));
  for (std::size_t i : {0u, 31u, 32u, 63u}) {
    std::string sig = *base64url_decode(parts[2]);
    sig[i] = static_cast<char>(sig[i] ^ 0x01);
    std::string forged = parts[0] + "." + parts[1] + "." + b64url(sig);
    EXPECT_FALSE(verify_jwt(forged, key, kNow).has_value()) << i;
  }
}

TEST(Jwt, VerifyRefusesAlgNone) {
  SigningKey key = SigningKey::generate();
  auto parts = split_token(key.sign_jwt(standard_claims()));
  std::string header = b64url(json{{"typ", "JWT"}, {"alg", "none"}}.dump());
  EXPECT_EQ(why_refused(header + "." + parts[1] + ".", key), "alg is not ES256");
  EXPECT_FALSE(verify_jwt(header + "." + parts[1] + "." + parts[2], key, kNow).has_value());
}

TEST(Jwt, VerifyRefusesHs256KeyedWithThePublicKey) {
  SigningKey key = SigningKey::generate();
  std::string secret = key.public_key_pem();  // the classic algorithm-confusion attack
  std::string input = b64url(json{{"typ", "JWT"}, {"alg", "HS256"}, {"kid", key.libtrust_kid()}}.dump()) +
                      "." + b64url(standard_claims().dump());
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  ASSERT_NE(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
                 reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &mac_len),
            nullptr);
  std::string token = input + "." + b64url(std::string(reinterpret_cast<char*>(mac), mac_len));
  EXPECT_EQ(why_refused(token, key), "alg is not ES256");
}

TEST(Jwt, VerifyRefusesAnExpiredToken) {
  SigningKey key = SigningKey::generate();
  json claims = standard_claims();
  claims["exp"] = kNow;
  std::string token = key.sign_jwt(claims);
  EXPECT_EQ(why_refused(token, key), "expired");
  EXPECT_TRUE(verify_jwt(token, key, kNow - 1).has_value());
}

TEST(Jwt, VerifyAllowsLeewayAroundExpAndNbf) {
  SigningKey key = SigningKey::generate();
  json claims = standard_claims();
  claims["exp"] = kNow - 30;
  claims["nbf"] = kNow + 30;
  std::string token = key.sign_jwt(claims);
  EXPECT_FALSE(verify_jwt(token, key, kNow).has_value());
  EXPECT_TRUE(verify_jwt(token, key, kNow, 60).has_value());
}

TEST(Jwt, VerifyRefusesNbfInTheFuture) {
  SigningKey key = SigningKey::generate();
  json claims = standard_claims();
  claims["nbf"] = kNow + 1;
  std::string token = key.sign_jwt(claims);
  EXPECT_EQ(why_refused(token, key), "not yet valid (nbf)");
  EXPECT_TRUE(verify_jwt(token, key, kNow + 1).has_value());
}

TEST(Jwt, VerifyRefusesATokenSignedByAnotherKey) {
  SigningKey key = SigningKey::generate();
  SigningKey other = SigningKey::generate();
  EXPECT_FALSE(verify_jwt(other.sign_jwt(standard_claims()), key, kNow).has_value());
  // Even when it claims our kid, the signature gives it away.
  std::string forged = hand_signed(
      other, json{{"typ", "JWT"}, {"alg", "ES256"}, {"kid", key.libtrust_kid()}},
      standard_claims());
  EXPECT_EQ(why_refused(forged, key), "bad signature");
}

TEST(Jwt, VerifyAcceptsAHandSignedTokenWithoutKid) {
  SigningKey key = SigningKey::generate();
  std::string token = hand_signed(key, json{{"alg", "ES256"}}, standard_claims());
  EXPECT_TRUE(verify_jwt(token, key, kNow).has_value());
}

TEST(Jwt, VerifyRefusesAForeignKid) {
  SigningKey key = SigningKey::generate();
  const json foreign_kid = {
      {"alg", "ES256"}, {"kid", "AAAA:AAAA:AAAA:AAAA:AAAA:AAAA:AAAA:AAAA:AAAA:AAAA:AAAA:AAAA"}};
  std::string token = hand_signed(key, foreign_kid, standard_claims());
  EXPECT_EQ(why_refused(token, key), "kid is not this key's");
}

TEST(Jwt, VerifyRefusesClaimsWithoutExp) {
  SigningKey key = SigningKey::generate();
  json claims = standard_claims();
  claims.erase("exp");
  std::string token = hand_signed(key, json{{"alg", "ES256"}}, claims);
  EXPECT_FALSE(verify_jwt(token, key, kNow).has_value());
}

TEST(Jwt, VerifyRefusesMalformedTokens) {
  SigningKey key = SigningKey::generate();
  auto parts = split_token(key.sign_jwt(standard_claims()));
  const std::vector<std::string> bad = {
      "",
      "..",
      parts[0] + "." + parts[1],
      parts[0] + "." + parts[1] + "." + parts[2] + ".",
      parts[0] + "=." + parts[1] + "." + parts[2],
      b64url("not json") + "." + parts[1] + "." + parts[2],
      b64url("[\"ES256\"]") + "." + parts[1] + "." + parts[2],
      parts[0] + "." + parts[1] + "." + parts[2].substr(0, 43),
      std::string(70000, 'A'),
  };
  for (const std::string& token : bad) {
    EXPECT_NE(why_refused(token, key), "") << token.substr(0, 80);
  }
}

TEST(Jwt, SignRefusesClaimsThatAreNotAnObject) {
  SigningKey key = SigningKey::generate();
  EXPECT_THROW(key.sign_jwt(json::array({1, 2})), std::invalid_argument);
}

TEST(Jwt, SignJwtJsonSignsTheGivenClaimsTextByteForByte) {
  SigningKey key = SigningKey::generate();
  const std::string text = standard_claims().dump();
  const std::string token = key.sign_jwt_json(text);
  auto parts = split_token(token);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], split_token(key.sign_jwt(standard_claims()))[0]);  // the same header
  EXPECT_EQ(*base64url_decode(parts[1]), text);
  std::string reason;
  auto verified = verify_jwt(token, key, kNow, 0, &reason);
  ASSERT_TRUE(verified.has_value()) << reason;
  EXPECT_EQ(verified->claims, standard_claims());
}

TEST(Jwt, SignJwtJsonRefusesTextThatIsNotAnObject) {
  SigningKey key = SigningKey::generate();
  for (const char* text : {"", "{", "}", "[1,2]", "\"text\"", " {}", "{} "}) {
    EXPECT_THROW(key.sign_jwt_json(text), std::invalid_argument) << text;
  }
}

TEST(Jwt, SignatureVerifiesWithThePublicKeyAlone) {
  SigningKey key = SigningKey::generate();
  const std::string token = key.sign_jwt(standard_claims());
  const std::string pem = key.public_key_pem();
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* pub = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(pub, nullptr);
  auto parts = split_token(token);
  ASSERT_EQ(parts.size(), 3u);
  const std::string input = parts[0] + "." + parts[1];
  const std::string raw = *base64url_decode(parts[2]);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig,
                 BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr),
                 BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr));
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig, &der);
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EXPECT_EQ(EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, pub), 1);
  EXPECT_EQ(EVP_DigestVerify(md, der, static_cast<std::size_t>(der_len),
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()),
            1);
  EVP_MD_CTX_free(md);
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  EVP_PKEY_free(pub);
}

TEST(Jwt, TwoKeysUsedInTurnEachSignWithTheirOwnKey) {
  SigningKey a = SigningKey::generate();
  SigningKey b = SigningKey::generate();
  for (int i = 0; i < 10; ++i) {
    const SigningKey& signer = i % 2 ? b : a;
    const SigningKey& other = i % 2 ? a : b;
    const std::string token = signer.sign_jwt(standard_claims());
    EXPECT_TRUE(verify_jwt(token, signer, kNow).has_value()) << i;
    EXPECT_FALSE(verify_jwt(token, other, kNow).has_value()) << i;
  }
}

TEST(Jwt, OneKeySignsFromSeveralThreadsAtOnce) {
  SigningKey key = SigningKey::generate();
  const std::string text = standard_claims().dump();
  std::vector<std::string> tokens[4];
  std::vector<std::thread> threads;
  for (auto& out : tokens) {
    threads.emplace_back([&key, &text, &out] {
      for (int i = 0; i < 50; ++i) out.push_back(key.sign_jwt_json(text));
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<std::string> distinct;
  for (const auto& out : tokens) {
    ASSERT_EQ(out.size(), 50u);
    for (const std::string& token : out) {
      EXPECT_TRUE(verify_jwt(token, key, kNow).has_value());
      distinct.insert(token);
    }
  }
  EXPECT_EQ(distinct.size(), 200u);  // ECDSA signatures are randomized
}

// --- certificate ------------------------------------------------------------------------------

TEST(Certificate, ParsesAndHoldsTheKeysPublicKey) {
  SigningKey key = SigningKey::generate();
  X509Ptr cert = read_cert_pem(key.certificate_pem("oatd.example", 365));
  ASSERT_TRUE(cert);
  PkeyPtr pub = read_public_pem(key.public_key_pem());
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(cert.get()), pub.get()), 1);
}

TEST(Certificate, IsSelfSignedV3CaWithTheCommonName) {
  SigningKey key = SigningKey::generate();
  X509Ptr cert = read_cert_pem(key.certificate_pem("oatd.example", 365));
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
  EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(cert.get())), 1);
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())), 0);
  char cn[128] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "oatd.example");
  EXPECT_EQ(X509_check_ca(cert.get()), 1);
  EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_ecdsa_with_SHA256);
}

TEST(Certificate, IsValidFromYesterdayForTheGivenDays) {
  SigningKey key = SigningKey::generate();
  X509Ptr cert = read_cert_pem(key.certificate_pem("oatd", 10));
  std::time_t now = std::time(nullptr);
  std::time_t t = now - 86400 + 120;  // not before is about now - 1 day
  EXPECT_EQ(X509_cmp_time(X509_get0_notBefore(cert.get()), &t), -1);
  t = now - 86400 - 120;
  EXPECT_EQ(X509_cmp_time(X509_get0_notBefore(cert.get()), &t), 1);
  t = now + 10 * 86400 - 120;
  EXPECT_EQ(X509_cmp_time(X509_get0_notAfter(cert.get()), &t), 1);
  t = now + 10 * 86400 + 120;
  EXPECT_EQ(X509_cmp_time(X509_get0_notAfter(cert.get()), &t), -1);
}

TEST(Certificate, SerialsAreRandomAndPositive) {
  SigningKey key = SigningKey::generate();
  X509Ptr a = read_cert_pem(key.certificate_pem());
  X509Ptr b = read_cert_pem(key.certificate_pem());
  const ASN1_INTEGER* sa = X509_get0_serialNumber(a.get());
  const ASN1_INTEGER* sb = X509_get0_serialNumber(b.get());
  EXPECT_NE(ASN1_INTEGER_cmp(sa, sb), 0);
  BIGNUM* bn = ASN1_INTEGER_to_BN(sa, nullptr);
  EXPECT_FALSE(BN_is_negative(bn));
  EXPECT_FALSE(BN_is_zero(bn));
  BN_free(bn);
}

TEST(Certificate, UseCertificateRefusesAnotherKeysCertificate) {
  SigningKey key = SigningKey::generate();
  SigningKey other = SigningKey::generate();
  EXPECT_THROW(key.use_certificate_pem(other.certificate_pem()), CryptoError);
  EXPECT_NO_THROW(key.use_certificate_pem(key.certificate_pem()));
}

// --- key file ---------------------------------------------------------------------------------

// A fresh folder for the key file.
class KeyFile : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return dir_.file(name); }
  void write_file(const std::string& path, const std::string& data, mode_t mode) {
    { std::ofstream(path) << data; }
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }
  // What load_or_create says when it refuses the key file at `path` ("" and a test failure if
  // it loads it).
  static std::string refusal(const std::string& path) {
    try {
      SigningKey::load_or_create(path);
    } catch (const CryptoError& e) {
      return e.what();
    }
    ADD_FAILURE() << "the key file was accepted";
    return "";
  }

  oatd_test::TempDir dir_{"oatd-crypto-test"};
};

TEST_F(KeyFile, LoadOrCreateCreatesThePemFileWithMode0600) {
  std::string p = path("signing.pem");
  SigningKey key = SigningKey::load_or_create(p);
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  std::ifstream in(p);
  std::string first;
  std::getline(in, first);
  EXPECT_EQ(first, "-----BEGIN PRIVATE KEY-----");
}

TEST_F(KeyFile, LoadOrCreateLoadsTheSameKeyBack) {
  std::string p = path("signing.pem");
  SigningKey created = SigningKey::load_or_create(p);
  SigningKey loaded = SigningKey::load_or_create(p);
  EXPECT_EQ(loaded.libtrust_kid(), created.libtrust_kid());
  EXPECT_TRUE(verify_jwt(created.sign_jwt(standard_claims()), loaded, kNow).has_value());
}

TEST_F(KeyFile, LoadOrCreateRefusesAGroupReadableKeyFile) {
  std::string p = path("signing.pem");
  write_file(p, kFixedKeyPem, 0644);
  const std::string refused = refusal(p);
  EXPECT_NE(refused.find("0644"), std::string::npos) << refused;
}

TEST_F(KeyFile, LoadOrCreateLoadsAnExisting0600KeyFile) {
  std::string p = path("signing.pem");
  write_file(p, kFixedKeyPem, 0600);
  EXPECT_EQ(SigningKey::load_or_create(p).libtrust_kid(), kFixedKeyKid);
}

TEST_F(KeyFile, LoadOrCreateRefusesAFileThatIsNotAKey) {
  std::string p = path("signing.pem");
  write_file(p, "hello\n", 0600);
  EXPECT_THROW(SigningKey::load_or_create(p), CryptoError);
}

TEST_F(KeyFile, LoadOrCreateRefusesAKeyOffP256) {
  EVP_PKEY* p384 = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
  ASSERT_NE(p384, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, p384, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(p384);
  std::string p = path("signing.pem");
  write_file(p, pem, 0600);
  const std::string refused = refusal(p);
  EXPECT_NE(refused.find("P-256"), std::string::npos) << refused;
}

TEST_F(KeyFile, LoadOrCreateFailsWhenTheDirectoryIsMissing) {
  EXPECT_THROW(SigningKey::load_or_create(path("missing/signing.pem")), CryptoError);
}

// Several nodes share one key file and start together: each process calls load_or_create on the
// same fresh path at once. Every one must get the key (never a half-written file), all the same
// key, and the folder must hold the key file alone afterwards (no temporary left behind).
TEST_F(KeyFile, ProcessesStartingTogetherAllLoadOneKey) {
  constexpr int kProcesses = 8;
  constexpr int kRounds = 40;
  int failed_rounds = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::filesystem::path folder = dir_.path() / ("round-" + std::to_string(round));
    ASSERT_TRUE(std::filesystem::create_directory(folder));
    const std::string key_path = (folder / "signing.pem").string();

    // The children wait for `go` to close, then each writes "<kid>" or "!<error>" to its pipe.
    int go[2];
    ASSERT_EQ(::pipe(go), 0);
    std::vector<pid_t> pids;
    std::vector<int> results;
    for (int i = 0; i < kProcesses; ++i) {
      int out[2];
      ASSERT_EQ(::pipe(out), 0);
      pid_t pid = ::fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        ::close(go[1]);
        ::close(out[0]);
        char byte;
        while (::read(go[0], &byte, 1) < 0 && errno == EINTR) {
        }
        std::string said;
        try {
          said = SigningKey::load_or_create(key_path).libtrust_kid();
        } catch (const std::exception& e) {
          said = std::string("!") + e.what();
        }
        std::size_t done = 0;
        while (done < said.size()) {
          ssize_t n = ::write(out[1], said.data() + done, said.size() - done);
          if (n <= 0) ::_exit(2);
          done += static_cast<std::size_t>(n);
        }
        ::_exit(said.starts_with('!') ? 1 : 0);
      }
      ::close(out[1]);
      pids.push_back(pid);
      results.push_back(out[0]);
    }
    ::close(go[0]);
    ::close(go[1]);  // go

    std::set<std::string> kids;
    std::vector<std::string> errors;
    for (int i = 0; i < kProcesses; ++i) {
      std::string said;
      char buf[512];
      ssize_t n;
      while ((n = ::read(results[i], buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        ASSERT_GT(n, 0);
        said.append(buf, static_cast<std::size_t>(n));
      }
      ::close(results[i]);
      int status = 0;
      ASSERT_EQ(::waitpid(pids[i], &status, 0), pids[i]);
      if (said.empty() || said.starts_with('!') || !WIFEXITED(status) ||
          WEXITSTATUS(status) != 0) {
        errors.push_back(said.empty() ? "(no answer)" : said);
      } else {
        kids.insert(said);
      }
    }
    if (!errors.empty() || kids.size() != 1) ++failed_rounds;
    EXPECT_TRUE(errors.empty()) << "round " << round << ": " << errors.size() << " of "
                                << kProcesses << " failed, e.g. " << errors.front();
    EXPECT_LE(kids.size(), 1u) << "round " << round << ": the processes got different keys";
    // The file holds the key they all got, and nothing else is in the folder.
    EXPECT_EQ(SigningKey::load_or_create(key_path).libtrust_kid(),
              kids.empty() ? "" : *kids.begin());
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
      names.push_back(entry.path().filename().string());
    }
    EXPECT_EQ(names, std::vector<std::string>{"signing.pem"}) << "round " << round;
  }
  EXPECT_EQ(failed_rounds, 0) << "of " << kRounds << " rounds of " << kProcesses << " processes";
}

}  // namespace
}  // namespace oatd
