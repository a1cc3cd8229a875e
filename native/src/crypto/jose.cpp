#include <openssl/crypto.h>

#include "crypto/crypto.h"
#include "crypto/keys.h"

namespace oatd::keys {

// A context ready for EVP_PKEY_sign with `pkey`: ECDSA over a SHA-256 digest.
ossl::PkeyCtx new_signer(EVP_PKEY* pkey) {
  ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx) ossl::fail("EVP_PKEY_CTX_new_from_pkey");
  if (EVP_PKEY_sign_init(ctx.get()) != 1) ossl::fail("EVP_PKEY_sign_init");
  if (EVP_PKEY_CTX_set_signature_md(ctx.get(), ossl::sha256()) != 1) {
    ossl::fail("EVP_PKEY_CTX_set_signature_md");
  }
  return ctx;
}

// ECDSA DER signature (ECDSA-Sig-Value) -> JOSE R||S, 32 bytes each.
std::string der_sig_to_jose(const unsigned char* der, std::size_t len) {
  const unsigned char* p = der;
  ossl::EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)));
  if (!sig) ossl::fail("decoding the ECDSA signature");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string out(2 * kCoordBytes, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (BN_bn2binpad(r, o, kCoordBytes) != static_cast<int>(kCoordBytes) ||
      BN_bn2binpad(s, o + kCoordBytes, kCoordBytes) != static_cast<int>(kCoordBytes)) {
    ossl::fail("ECDSA signature component too large");
  }
  return out;
}

// JOSE R||S -> DER ECDSA-Sig-Value; empty on failure.
std::string jose_sig_to_der(std::string_view jose) {
  if (jose.size() != 2 * kCoordBytes) return {};
  const auto* p = reinterpret_cast<const unsigned char*>(jose.data());
  ossl::Bignum r(BN_bin2bn(p, kCoordBytes, nullptr));
  ossl::Bignum s(BN_bin2bn(p + kCoordBytes, kCoordBytes, nullptr));
  ossl::EcdsaSig sig(ECDSA_SIG_new());
  if (!r || !s || !sig) return {};
  if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return {};
  r.release();  // now owned by sig
  s.release();
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0 || der == nullptr) return {};
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace oatd::keys
