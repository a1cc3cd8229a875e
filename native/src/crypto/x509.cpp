#include <array>

#include <openssl/crypto.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"
#include "crypto/keys.h"

namespace oatd::keys {
namespace {

// RFC 4648 base32, upper case, no padding.
std::string base32_encode(std::string_view data) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : data) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += kAlphabet[(acc >> bits) & 31];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (5 - bits)) & 31];
  return out;
}

void add_extension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  ossl::X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext) ossl::fail(std::string("making certificate extension ") + OBJ_nid2sn(nid));
  if (X509_add_ext(cert, ext.get(), -1) != 1) ossl::fail("X509_add_ext");
}

// The DER encoding of `object` by OpenSSL's i2d_* function `encode` (asked for the length, then
// writing it); `what` names the step in the error.
template <class T>
std::string der_of(T* object, int (*encode)(const T*, unsigned char**), const char* what) {
  const int len = encode(object, nullptr);
  if (len <= 0) ossl::fail(what);
  std::string der(static_cast<std::size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  if (encode(object, &p) != len) ossl::fail(what);
  return der;
}

}  // namespace

std::string spki_der(EVP_PKEY* pkey) {
  return der_of(pkey, i2d_PUBKEY, "encoding the public key (i2d_PUBKEY)");
}

std::string compute_libtrust_kid(EVP_PKEY* pkey) {
  std::string digest = sha256_raw(spki_der(pkey));
  std::string b32 = base32_encode(std::string_view(digest).substr(0, 30));  // 240 bits: 48 chars
  std::string kid;
  for (std::size_t i = 0; i < b32.size(); i += 4) {
    if (i > 0) kid += ':';
    kid += b32.substr(i, 4);
  }
  return kid;
}

// Throws unless pkey is an EC key on P-256 holding a private part.
void require_p256_private(EVP_PKEY* pkey, const std::string& where) {
  if (EVP_PKEY_is_a(pkey, "EC") != 1) throw CryptoError("crypto: " + where + ": not an EC key");
  char group[64] = {0};
  std::size_t group_len = 0;
  if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &group_len) != 1) {
    ossl::fail(where + ": reading the EC curve");
  }
  int nid = OBJ_txt2nid(group);
  if (nid == NID_undef) nid = EC_curve_nist2nid(group);
  if (nid != NID_X9_62_prime256v1) {
    ERR_clear_error();
    throw CryptoError("crypto: " + where + ": EC curve " + group + " is not P-256");
  }
  BIGNUM* priv = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, "priv", &priv) != 1 || priv == nullptr) {
    ERR_clear_error();
    throw CryptoError("crypto: " + where + ": no private key");
  }
  BN_clear_free(priv);
}

// PEM passphrase callback that refuses: encrypted keys fail instead of prompting on a terminal.
int no_passphrase(char*, int, int, void*) { return 0; }

ossl::Pkey parse_private_pem(std::string_view pem, const std::string& where) {
  ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) ossl::fail("BIO_new_mem_buf");
  ossl::Pkey pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!pkey) ossl::fail(where + ": not an unencrypted PEM private key");
  require_p256_private(pkey.get(), where);
  return pkey;
}

ossl::X509Ptr parse_cert_pem(std::string_view pem) {
  ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) ossl::fail("BIO_new_mem_buf");
  ossl::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) ossl::fail("not a PEM certificate");
  return cert;
}

std::string cert_to_der(X509* cert) { return der_of(cert, i2d_X509, "i2d_X509"); }

std::string der_to_cert_pem(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ossl::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) ossl::fail("d2i_X509");
  ossl::Bio bio = ossl::mem_bio();
  if (PEM_write_bio_X509(bio.get(), cert.get()) != 1) ossl::fail("PEM_write_bio_X509");
  return ossl::bio_string(bio.get());
}

std::string make_certificate_der(EVP_PKEY* pkey, std::string_view common_name, int days) {
  if (common_name.empty() || common_name.size() > 64) {
    throw std::invalid_argument("certificate_pem: common name must be 1..64 characters");
  }
  if (days < 1 || days > 36500) throw std::invalid_argument("certificate_pem: days must be 1..36500");

  ossl::X509Ptr cert(X509_new());
  if (!cert) ossl::fail("X509_new");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) ossl::fail("X509_set_version");

  // Random positive serial below 2^127 (RFC 5280: positive, at most 20 octets).
  ossl::Bignum serial(BN_new());
  if (!serial) ossl::fail("BN_new");
  do {
    if (BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) ossl::fail("BN_rand");
  } while (BN_is_zero(serial.get()));
  if (BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    ossl::fail("BN_to_ASN1_INTEGER");
  }

  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -86400L) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), days, 0, nullptr) == nullptr) {
    ossl::fail("setting the certificate validity");
  }

  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1) {
    ossl::fail("setting the certificate common name");
  }
  if (X509_set_issuer_name(cert.get(), name) != 1) ossl::fail("X509_set_issuer_name");
  if (X509_set_pubkey(cert.get(), pkey) != 1) ossl::fail("X509_set_pubkey");

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  add_extension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature,keyCertSign");
  add_extension(cert.get(), &ctx, NID_subject_key_identifier, "hash");
  add_extension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");

  if (X509_sign(cert.get(), pkey, EVP_sha256()) <= 0) ossl::fail("signing the certificate");
  return cert_to_der(cert.get());
}

}  // namespace oatd::keys
