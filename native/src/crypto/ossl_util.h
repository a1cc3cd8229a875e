// Internal to native/src/crypto: RAII holders for OpenSSL objects and error reporting.
#pragma once

#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"

namespace oatd::ossl {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;
using Kdf = std::unique_ptr<EVP_KDF, Deleter<EVP_KDF_free>>;
using KdfCtx = std::unique_ptr<EVP_KDF_CTX, Deleter<EVP_KDF_CTX_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using Md = std::unique_ptr<EVP_MD, Deleter<EVP_MD_free>>;
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using X509ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using Asn1Integer = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;

// Drains this thread's OpenSSL error queue into text ("" if empty).
inline std::string drain_errors() {
  std::string text;
  unsigned long code;
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text;
}

// Throws CryptoError "<what>: <OpenSSL errors>" and leaves the error queue empty.
[[noreturn]] inline void fail(const std::string& what) {
  std::string errors = drain_errors();
  throw CryptoError(errors.empty() ? "crypto: " + what : "crypto: " + what + ": " + errors);
}

// Contents of a memory BIO as a string.
inline std::string bio_string(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  if (size < 0 || (size > 0 && data == nullptr)) fail("reading memory BIO");
  return std::string(data, static_cast<std::size_t>(size));
}

inline Bio mem_bio() {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio) fail("BIO_new");
  return bio;
}

// SHA-256, fetched from the default provider once per process. EVP_sha256() would be fetched
// again by every digest that uses it. Throws CryptoError if the provider has no SHA-256.
const EVP_MD* sha256();

}  // namespace oatd::ossl
