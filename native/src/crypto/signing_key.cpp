// ES256 signing key, its libtrust kid, self-signed certificate, JWT signing and verification.
// See crypto.h.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"
#include "crypto/ossl_util.h"
#include "oat/wire.h"

namespace oatd {

struct SigningKey::State {
  ossl::Pkey pkey;
  std::string kid;
  std::string plain_header;  // base64url of the JWT header without x5c (made once)
  mutable std::mutex mu;
  std::string cert_der;  // guarded by mu; empty until a certificate is made or adopted
  // Signing contexts set up for this key and not in use: EVP_PKEY_sign_init fetches the
  // algorithm and binds the key, which is worth doing once rather than per signature. A context
  // serves one thread at a time; each signature takes one out and puts it back.
  mutable std::mutex signers_mu;
  mutable std::vector<ossl::PkeyCtx> idle_signers;  // guarded by signers_mu
};

namespace {

constexpr std::size_t kCoordBytes = 32;  // P-256
constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;
constexpr std::size_t kMaxTokenBytes = 64 * 1024;

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

std::string spki_der(EVP_PKEY* pkey) {
  int len = i2d_PUBKEY(pkey, nullptr);
  if (len <= 0) ossl::fail("encoding the public key (i2d_PUBKEY)");
  std::string der(static_cast<std::size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_PUBKEY(pkey, &p) != len) ossl::fail("encoding the public key (i2d_PUBKEY)");
  return der;
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

std::string cert_to_der(X509* cert) {
  int len = i2d_X509(cert, nullptr);
  if (len <= 0) ossl::fail("i2d_X509");
  std::string der(static_cast<std::size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_X509(cert, &p) != len) ossl::fail("i2d_X509");
  return der;
}

std::string der_to_cert_pem(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ossl::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) ossl::fail("d2i_X509");
  ossl::Bio bio = ossl::mem_bio();
  if (PEM_write_bio_X509(bio.get(), cert.get()) != 1) ossl::fail("PEM_write_bio_X509");
  return ossl::bio_string(bio.get());
}

void add_extension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  ossl::X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext) ossl::fail(std::string("making certificate extension ") + OBJ_nid2sn(nid));
  if (X509_add_ext(cert, ext.get(), -1) != 1) ossl::fail("X509_add_ext");
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

constexpr std::size_t kMaxIdleSigners = 16;  // more than oatd's worker threads
constexpr std::size_t kMaxDerSignatureBytes = 72;  // ECDSA-Sig-Value of two 33-byte INTEGERs

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

std::string errno_text(int err) { return std::strerror(err); }

// Reads an existing key file; nullopt if it does not exist.
std::optional<std::string> read_key_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw CryptoError("crypto: cannot open signing key file " + path + ": " + errno_text(errno));
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};

  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    throw CryptoError("crypto: cannot stat signing key file " + path + ": " + errno_text(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    throw CryptoError("crypto: signing key file " + path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw CryptoError("crypto: signing key file " + path + " has mode " + mode +
                      "; it must not be accessible by group or others (chmod 600 " + path + ")");
  }
  if (st.st_size < 0 || static_cast<std::size_t>(st.st_size) > kMaxKeyFileBytes) {
    throw CryptoError("crypto: signing key file " + path + " is too large to be a key");
  }

  std::string data;
  char buf[4096];
  for (;;) {
    ssize_t got = ::read(fd, buf, sizeof buf);
    if (got < 0) {
      if (errno == EINTR) continue;
      OPENSSL_cleanse(data.data(), data.size());
      throw CryptoError("crypto: cannot read signing key file " + path + ": " + errno_text(errno));
    }
    if (got == 0) break;
    data.append(buf, static_cast<std::size_t>(got));
    if (data.size() > kMaxKeyFileBytes) {
      OPENSSL_cleanse(data.data(), data.size());
      throw CryptoError("crypto: signing key file " + path + " is too large to be a key");
    }
  }
  OPENSSL_cleanse(buf, sizeof buf);
  return data;
}

void fsync_directory_of(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    throw CryptoError("crypto: cannot open directory " + dir.string() + ": " + errno_text(errno));
  }
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0 && err != EINVAL) {
    throw CryptoError("crypto: cannot fsync directory " + dir.string() + ": " + errno_text(err));
  }
}

// Creates `path` exclusively with mode 0600 and writes `data`, durably. False if the file
// already exists (someone else created it); throws on other failures, removing a partial file.
bool write_new_key_file(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return false;
    throw CryptoError("crypto: cannot create signing key file " + path + ": " + errno_text(errno));
  }
  auto fail = [&](const char* what, int err) {
    ::close(fd);
    ::unlink(path.c_str());
    throw CryptoError("crypto: cannot " + std::string(what) + " signing key file " + path + ": " +
                      errno_text(err));
  };
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write", errno);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) fail("fsync", errno);
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(path.c_str());
    throw CryptoError("crypto: cannot close signing key file " + path + ": " + errno_text(err));
  }
  fsync_directory_of(path);
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// SigningKey
// ---------------------------------------------------------------------------------------------

SigningKey::SigningKey(std::unique_ptr<State> state) : state_(std::move(state)) {
  state_->kid = compute_libtrust_kid(state_->pkey.get());
  const nlohmann::json header = {{"typ", "JWT"}, {"alg", "ES256"}, {"kid", state_->kid}};
  state_->plain_header =
      base64url_encode(oat::json_text(header));
}
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;
SigningKey::~SigningKey() = default;

SigningKey SigningKey::generate() {
  ossl::Pkey pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!pkey) ossl::fail("generating a P-256 key");
  auto state = std::make_unique<State>();
  state->pkey = std::move(pkey);
  return SigningKey(std::move(state));
}

SigningKey SigningKey::from_private_key_pem(std::string_view pem) {
  auto state = std::make_unique<State>();
  state->pkey = parse_private_pem(pem, "signing key");
  return SigningKey(std::move(state));
}

SigningKey SigningKey::load_or_create(const std::string& path) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (std::optional<std::string> pem = read_key_file(path)) {
      auto state = std::make_unique<State>();
      try {
        state->pkey = parse_private_pem(*pem, "signing key file " + path);
      } catch (...) {
        OPENSSL_cleanse(pem->data(), pem->size());
        throw;
      }
      OPENSSL_cleanse(pem->data(), pem->size());
      return SigningKey(std::move(state));
    }
    SigningKey key = generate();
    std::string pem = key.private_key_pem();
    bool created = false;
    try {
      created = write_new_key_file(path, pem);
    } catch (...) {
      OPENSSL_cleanse(pem.data(), pem.size());
      throw;
    }
    OPENSSL_cleanse(pem.data(), pem.size());
    if (created) return key;
    // Lost a creation race: load the winner's key.
  }
  throw CryptoError("crypto: signing key file " + path + " appeared and vanished; giving up");
}

std::string SigningKey::public_key_pem() const {
  ossl::Bio bio = ossl::mem_bio();
  if (PEM_write_bio_PUBKEY(bio.get(), state_->pkey.get()) != 1) ossl::fail("PEM_write_bio_PUBKEY");
  return ossl::bio_string(bio.get());
}

std::string SigningKey::private_key_pem() const {
  ossl::Bio bio = ossl::mem_bio();
  if (PEM_write_bio_PrivateKey(bio.get(), state_->pkey.get(), nullptr, nullptr, 0, nullptr,
                               nullptr) != 1) {
    ossl::fail("PEM_write_bio_PrivateKey");
  }
  return ossl::bio_string(bio.get());
}

const std::string& SigningKey::libtrust_kid() const { return state_->kid; }

std::string SigningKey::certificate_pem(std::string_view common_name, int days) const {
  std::string der = make_certificate_der(state_->pkey.get(), common_name, days);
  {
    std::lock_guard lock(state_->mu);
    state_->cert_der = der;
  }
  return der_to_cert_pem(der);
}

void SigningKey::use_certificate_pem(std::string_view pem) const {
  ossl::X509Ptr cert = parse_cert_pem(pem);
  EVP_PKEY* cert_key = X509_get0_pubkey(cert.get());
  if (cert_key == nullptr || EVP_PKEY_eq(cert_key, state_->pkey.get()) != 1) {
    ERR_clear_error();
    throw CryptoError("crypto: the certificate is not for this signing key");
  }
  std::string der = cert_to_der(cert.get());
  std::lock_guard lock(state_->mu);
  state_->cert_der = std::move(der);
}

std::string SigningKey::sign_jwt(const nlohmann::json& claims, bool include_x5c) const {
  if (!claims.is_object()) throw std::invalid_argument("sign_jwt: claims must be a JSON object");

  std::string header_part = state_->plain_header;
  if (include_x5c) {
    std::string der;
    {
      std::lock_guard lock(state_->mu);
      der = state_->cert_der;
    }
    if (der.empty()) {
      std::string made = make_certificate_der(state_->pkey.get(), "oatd", 3650);
      std::lock_guard lock(state_->mu);
      if (state_->cert_der.empty()) state_->cert_der = std::move(made);
      der = state_->cert_der;
    }
    nlohmann::json header = {{"typ", "JWT"}, {"alg", "ES256"}, {"kid", state_->kid}};
    header["x5c"] = nlohmann::json::array({base64_encode(der)});
    header_part =
        base64url_encode(oat::json_text(header));
  }

  std::string claims_text;
  try {
    // Never fail on text that is not UTF-8 (with exceptions off it would abort): replace it.
    claims_text = oat::json_text(claims);
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("sign_jwt: claims not serializable: ") + e.what());
  }
  return sign_compact(std::move(header_part), claims_text);
}

std::string SigningKey::sign_jwt_json(std::string_view claims_json) const {
  if (claims_json.size() < 2 || claims_json.front() != '{' || claims_json.back() != '}') {
    throw std::invalid_argument("sign_jwt_json: claims must be the text of a JSON object");
  }
  return sign_compact(state_->plain_header, claims_json);
}

std::string SigningKey::sign_compact(std::string header_part, std::string_view claims_text) const {
  std::string token = std::move(header_part);
  token += '.';
  token += base64url_encode(claims_text);

  unsigned char digest[32];
  unsigned int digest_len = 0;
  if (EVP_Digest(token.data(), token.size(), digest, &digest_len, ossl::sha256(), nullptr) != 1 ||
      digest_len != sizeof digest) {
    ossl::fail("SHA-256 of the JWT");
  }

  ossl::PkeyCtx signer;
  {
    std::lock_guard lock(state_->signers_mu);
    if (!state_->idle_signers.empty()) {
      signer = std::move(state_->idle_signers.back());
      state_->idle_signers.pop_back();
    }
  }
  if (!signer) signer = new_signer(state_->pkey.get());
  unsigned char der[kMaxDerSignatureBytes];
  std::size_t der_len = sizeof der;
  // A context that failed is dropped (freed here), not put back.
  if (EVP_PKEY_sign(signer.get(), der, &der_len, digest, sizeof digest) != 1) {
    ossl::fail("EVP_PKEY_sign");
  }
  {
    std::lock_guard lock(state_->signers_mu);
    if (state_->idle_signers.size() < kMaxIdleSigners) {
      state_->idle_signers.push_back(std::move(signer));
    }
  }
  token += '.';
  token += base64url_encode(der_sig_to_jose(der, der_len));
  return token;
}

// ---------------------------------------------------------------------------------------------
// verify_jwt
// ---------------------------------------------------------------------------------------------

struct SigningKeyAccess {
  static EVP_PKEY* pkey(const SigningKey& key) { return key.state_->pkey.get(); }
};

namespace {

std::optional<VerifiedJwt> refuse(std::string* reason, const char* why) {
  ERR_clear_error();
  if (reason != nullptr) *reason = why;
  return std::nullopt;
}

std::optional<nlohmann::json> decode_json_object(std::string_view part) {
  std::optional<std::string> text = base64url_decode(part);
  if (!text) return std::nullopt;
  nlohmann::json value = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) return std::nullopt;  // also the parse failure (discarded)
  return value;
}

}  // namespace

std::optional<VerifiedJwt> verify_jwt(std::string_view token, const SigningKey& key,
                                      std::int64_t now_unix, std::int64_t leeway_seconds,
                                      std::string* reason) {
  try {
    if (token.size() > kMaxTokenBytes) return refuse(reason, "token too large");
    std::size_t dot1 = token.find('.');
    std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
      return refuse(reason, "malformed: not three parts");
    }
    std::string_view header_part = token.substr(0, dot1);
    std::string_view payload_part = token.substr(dot1 + 1, dot2 - dot1 - 1);
    std::string_view sig_part = token.substr(dot2 + 1);

    std::optional<nlohmann::json> header = decode_json_object(header_part);
    if (!header) return refuse(reason, "malformed header");
    auto alg = header->find("alg");
    if (alg == header->end() || !alg->is_string() || alg->get<std::string>() != "ES256") {
      return refuse(reason, "alg is not ES256");
    }
    if (header->contains("crit")) return refuse(reason, "crit header not supported");
    auto kid = header->find("kid");
    if (kid != header->end() &&
        (!kid->is_string() || kid->get<std::string>() != key.libtrust_kid())) {
      return refuse(reason, "kid is not this key's");
    }

    std::optional<std::string> jose_sig = base64url_decode(sig_part);
    if (!jose_sig || jose_sig->size() != 2 * kCoordBytes) {
      return refuse(reason, "malformed signature");
    }
    std::string der_sig = jose_sig_to_der(*jose_sig);
    if (der_sig.empty()) return refuse(reason, "malformed signature");

    std::string_view signing_input = token.substr(0, dot2);
    ossl::MdCtx md(EVP_MD_CTX_new());
    if (!md) return refuse(reason, "out of memory");
    if (EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr,
                             SigningKeyAccess::pkey(key)) != 1) {
      return refuse(reason, "verifier setup failed");
    }
    if (EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(der_sig.data()),
                         der_sig.size(),
                         reinterpret_cast<const unsigned char*>(signing_input.data()),
                         signing_input.size()) != 1) {
      return refuse(reason, "bad signature");
    }

    std::optional<nlohmann::json> claims = decode_json_object(payload_part);
    if (!claims) return refuse(reason, "malformed claims");
    auto exp = claims->find("exp");
    if (exp == claims->end() || !exp->is_number()) return refuse(reason, "exp missing");
    double now = static_cast<double>(now_unix);
    double leeway = static_cast<double>(leeway_seconds);
    if (!(now < exp->get<double>() + leeway)) return refuse(reason, "expired");
    auto nbf = claims->find("nbf");
    if (nbf != claims->end()) {
      if (!nbf->is_number()) return refuse(reason, "nbf not a number");
      if (nbf->get<double>() > now + leeway) return refuse(reason, "not yet valid (nbf)");
    }
    return VerifiedJwt{std::move(*header), std::move(*claims)};
  } catch (const std::exception&) {
    return refuse(reason, "internal error while verifying");
  }
}

}  // namespace oatd
