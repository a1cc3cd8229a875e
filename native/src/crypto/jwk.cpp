// Public keys of other issuers, read from JWKs (RFC 7517, 7518), and the signatures of the ID
// tokens they sign: RS256 (RSASSA-PKCS1-v1_5 with SHA-256) and ES256 (ECDSA P-256, SHA-256).
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "crypto/keys.h"
#include "crypto/ossl_util.h"
#include "oat/oidc.h"

namespace oatd {
namespace {

using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, ossl::Deleter<OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, ossl::Deleter<OSSL_PARAM_free>>;

// The smallest RSA modulus accepted (RFC 7518 3.3: 2048 bits or larger).
constexpr int kMinRsaBits = 2048;

// A member that should be text, or "" when it is absent or of another type (never a JSON type
// error: a key set is a stranger's document).
std::string text(const nlohmann::json& jwk, const char* key) {
  const auto it = jwk.find(key);
  return it != jwk.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::string> member(const nlohmann::json& jwk, const char* key) {
  const auto it = jwk.find(key);
  if (it == jwk.end() || !it->is_string()) return std::nullopt;
  return oat::base64url_decode_strict(it->get_ref<const std::string&>());
}

ossl::Pkey from_params(const char* type, OSSL_PARAM_BLD* bld) {
  Params params(OSSL_PARAM_BLD_to_param(bld));
  ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return ossl::Pkey(pkey);
}

}  // namespace

std::optional<PublicKey> public_key_from_jwk(const nlohmann::json& jwk, std::string* reason) {
  const auto refuse = [&](std::string why) -> std::optional<PublicKey> {
    if (reason) *reason = std::move(why);
    return std::nullopt;
  };
  if (!jwk.is_object()) return refuse("not a JSON object");
  const std::string kty = text(jwk, "kty");
  if (jwk.contains("use") && text(jwk, "use") != "sig") return refuse("not a signing key");
  ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld) return refuse("out of memory");
  PublicKey key;
  if (kty == "RSA") {
    const auto n = member(jwk, "n"), e = member(jwk, "e");
    if (!n || !e || n->empty() || e->empty()) return refuse("an RSA key without n and e");
    ossl::Bignum bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()), nullptr));
    ossl::Bignum bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), static_cast<int>(e->size()), nullptr));
    if (!bn_n || !bn_e || BN_num_bits(bn_n.get()) < kMinRsaBits) return refuse("an RSA key shorter than 2048 bits");
    if (OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
      return refuse("out of memory");
    }
    key.pkey = std::shared_ptr<EVP_PKEY>(from_params("RSA", bld.get()).release(), EVP_PKEY_free);
    key.alg = "RS256";
  } else if (kty == "EC") {
    const auto x = member(jwk, "x"), y = member(jwk, "y");
    if (text(jwk, "crv") != "P-256") return refuse("an EC key not on P-256");
    if (!x || !y || x->size() != keys::kCoordBytes || y->size() != keys::kCoordBytes) {
      return refuse("an EC key without 32-byte x and y");
    }
    const std::string point = "\x04" + *x + *y;
    if (OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
      return refuse("out of memory");
    }
    key.pkey = std::shared_ptr<EVP_PKEY>(from_params("EC", bld.get()).release(), EVP_PKEY_free);
    key.alg = "ES256";
  } else {
    return refuse("key type \"" + kty + "\" is not RSA or EC");
  }
  if (!key.pkey) return refuse("the key's numbers are not a valid public key");
  if (jwk.contains("alg") && text(jwk, "alg") != key.alg) {
    return refuse("the key is for another algorithm");
  }
  key.kid = text(jwk, "kid");
  return key;
}

bool verify_jws_signature(const PublicKey& key, std::string_view alg, std::string_view signing_input,
                          std::string_view signature) {
  if (!key.pkey || alg != key.alg) return false;
  std::string der;
  if (alg == "ES256") {
    der = keys::jose_sig_to_der(signature);
    if (der.empty()) return false;
    signature = der;
  }
  ossl::MdCtx md(EVP_MD_CTX_new());
  if (!md) return false;
  const bool ok =
      EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key.pkey.get()) == 1 &&
      EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace oatd
