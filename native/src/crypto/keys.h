// The parts of the ES256 signing key (signing_key.cpp) that are not the key itself: the key
// file, the key's X.509 certificate and libtrust key id, and the JOSE form of signatures.
// Internal to crypto/.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/ossl_util.h"

namespace oatd::keys {

inline constexpr std::size_t kCoordBytes = 32;  // P-256

// ---- The key file (key_file.cpp) ----
// The key file's text, or nullopt when there is no file; throws CryptoError when it exists but
// is not a regular file of mode 0600 or less, or is too large.
std::optional<std::string> read_key_file(const std::string& path);
// Creates the file all at once: writes and fsyncs a temporary of mode 0600 in the same folder,
// link(2)s it to `path`, removes the temporary and fsyncs the folder, so `path` is never seen
// half-written. False when `path` already exists (another process was first). Removes the
// temporary on failure.
bool write_new_key_file(const std::string& path, std::string_view data);

// ---- Keys and certificates (x509.cpp) ----
// Throws CryptoError (naming `where`) unless the key is a P-256 private key.
void require_p256_private(EVP_PKEY* pkey, const std::string& where);
ossl::Pkey parse_private_pem(std::string_view pem, const std::string& where);
ossl::X509Ptr parse_cert_pem(std::string_view pem);
std::string cert_to_der(X509* cert);
std::string der_to_cert_pem(const std::string& der);
std::string spki_der(EVP_PKEY* pkey);
// The libtrust key id of the key (see SigningKey::libtrust_kid).
std::string compute_libtrust_kid(EVP_PKEY* pkey);
// A self-signed certificate (see SigningKey::certificate_pem), as DER.
std::string make_certificate_der(EVP_PKEY* pkey, std::string_view common_name, int days);

// ---- Signatures (jose.cpp) ----
// A signing context set up for the key (EVP_PKEY_sign_init done once).
ossl::PkeyCtx new_signer(EVP_PKEY* pkey);
// ECDSA DER signature <-> JOSE R||S (64 bytes); "" when the input is not one.
std::string der_sig_to_jose(const unsigned char* der, std::size_t len);
std::string jose_sig_to_der(std::string_view jose);

}  // namespace oatd::keys
