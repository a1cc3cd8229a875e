// The ES256 signing key: loading or creating it, JWT signing and verification (crypto.h). Its
// key file, certificate, libtrust kid and signature forms are in keys.h.
#include <mutex>
#include <stdexcept>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/pem.h>

#include "crypto/crypto.h"
#include "crypto/keys.h"
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

constexpr std::size_t kMaxTokenBytes = 64 * 1024;
constexpr std::size_t kMaxIdleSigners = 16;        // more than oatd's worker threads
constexpr std::size_t kMaxDerSignatureBytes = 72;  // ECDSA-Sig-Value of two 33-byte INTEGERs

}  // namespace

using namespace keys;

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

// Several processes (nodes) may share one key file and start together: read it if it exists,
// else create and publish one (all at once, see write_new_key_file), else another process
// published first and its complete file is read.
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
