// [SECTION] Sign-in (/v2/auth/token, /v2/users/login), console sessions (refresh, logout),
// and the check of a management bearer on every other request.
#include <algorithm>

#include "api/internal.h"
#include "crypto/crypto.h"
#include "oat/console_session.h"

namespace oatd::api {
namespace {

constexpr std::string_view kAudience = "oatd-management";
using oat::kBadBearer;
using oat::kBadCredentials;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A string claim, or "" when absent or not a string (never a JSON type error).
std::string text_claim(const json& claims, const char* name) {
  const auto it = claims.find(name);
  return it != claims.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json bearer_claims(const Services& services, Timestamp now) {
  const long long iat = oat::to_unix(now);
  return {{"iss", services.options.issuer},
          {"aud", kAudience},
          {"iat", iat},
          {"nbf", iat},
          {"exp", iat + services.options.bearer_lifetime.count()},
          {"jti", random_uuid()}};
}

std::string user_bearer(const Services& services, const User& user,
                        const std::optional<std::string>& session_id, Timestamp now) {
  json claims = bearer_claims(services, now);
  claims["sub"] = user.username;
  claims["kind"] = "user";
  claims["uid"] = user.id;
  if (session_id) claims["sid"] = *session_id;
  return services.key.sign_jwt(claims);
}

std::string token_bearer(const Services& services, const TokenSignIn& signed_in, Timestamp now) {
  json claims = bearer_claims(services, now);
  claims["sub"] = signed_in.org.name;
  claims["kind"] = "access_token";
  claims["oid"] = signed_in.org.id;
  claims["tid"] = signed_in.token.id;
  claims["sh"] = secret_fingerprint(signed_in.previous_secret ? signed_in.token.previous_secret_hash
                                                              : signed_in.token.secret_hash);
  return services.key.sign_jwt(claims);
}

// Which of a token's secrets a bearer was got with: its current one, the one its last rotation
// replaced (while that one's grace lasts), or neither (nullopt: the bearer no longer holds).
enum class BearerSecret { Current, Previous };
std::optional<BearerSecret> bearer_secret(const json& claims, const TokenRecord& token, Timestamp now) {
  const std::string sh = text_claim(claims, "sh");
  if (sh.empty()) return std::nullopt;
  if (constant_time_equal(sh, secret_fingerprint(token.secret_hash))) return BearerSecret::Current;
  if (!token.previous_secret_hash.empty() &&
      oat::previous_secret_usable(token.previous_expires_at, now) &&
      constant_time_equal(sh, secret_fingerprint(token.previous_secret_hash))) {
    return BearerSecret::Previous;
  }
  return std::nullopt;
}

// The claims of the request's management bearer ("Authorization: Bearer JWT"), signed by us for
// our audience, and lapsed at most `leeway` seconds ago; or nothing.
std::optional<json> presented_claims(const http::Request& request, const Services& services,
                                     Timestamp now, long long leeway) {
  const auto header = request.header("authorization");
  constexpr std::string_view kScheme = "Bearer ";
  if (!header || header->size() <= kScheme.size() ||
      lower(header->substr(0, kScheme.size())) != lower(kScheme)) {
    return std::nullopt;
  }
  auto jwt = verify_jwt(header->substr(kScheme.size()), services.key, oat::to_unix(now), leeway);
  if (!jwt || text_claim(jwt->claims, "aud") != kAudience ||
      text_claim(jwt->claims, "iss") != services.options.issuer) {
    return std::nullopt;
  }
  return std::move(jwt->claims);
}

bool from_console_page(const http::Request& request) {
  return oat::from_console_page(request.header(oat::kConsoleHeader), request.header("origin"),
                                request.header("host"));
}

// 200 with a bearer and its lifetime, without a session (a token's sign-in, a refresh).
http::Response bearer_answer(const Services& services, std::string bearer) {
  return json_response(200, oat::sign_in_answer_json({std::move(bearer),
                                                      services.options.bearer_lifetime.count(),
                                                      std::nullopt, std::nullopt}));
}

http::Response sign_in(Services& services, const http::Request& request, bool legacy) {
  const auto parsed = oat::parse_sign_in_request(
      request.body, legacy ? oat::SignInForm::Legacy : oat::SignInForm::Current);
  if (!parsed) return errors_response(parsed.errors());
  // Named references, not a structured binding: the lambdas below capture them (which clang
  // before 16 refuses for bindings; the fuzz targets build this file with clang 14).
  const std::string& identifier = parsed->identifier;
  const std::string& secret = parsed->secret;
  const bool refresh = parsed->refresh;
  const Timestamp now = services.clock();
  if (oat::has_token_prefix(secret)) {
    if (legacy) return detail_response(401, oat::kLegacySignInIsForPeople);
    const auto result = sign_in_with_token(
        services, {identifier, secret, request.remote_address, now, "api", {}});
    if (const auto* refusal = std::get_if<TokenSignInRefusal>(&result)) {
      if (refusal->rate_limited) return too_many_response(*refusal->rate_limited, now);
      return detail_response(401, refusal->policy.value_or(std::string(oat::kBadTokenCredentials)));
    }
    return bearer_answer(services, token_bearer(services, std::get<TokenSignIn>(result), now));
  }

  const LimiterKeys keys = limiter_keys(identifier, request.remote_address);
  std::optional<RateLimited> limited;
  std::optional<User> user;
  bool failed_before = false;  // the identifier has failures that a success forgets
  services.store.read([&](Transaction& tx) {
    const LimitState state = limit_state(services, tx, keys, now);
    if ((limited = state.limited)) return;
    failed_before = state.identifier_failed;
    // Not a name any user can have: no lookup (and no bytes a database cannot take).
    if (!oat::validate_account_name(identifier, "identifier")) user = tx.find_user(identifier);
  });
  if (limited) return too_many_response(*limited, now);
  // Unknown users cost the same KDF work as known ones, so timing reveals no usernames.
  static const std::string decoy = hash_password("decoy password");
  const bool ok = verify_password(secret, user ? user->password_hash : decoy) && user;
  if (!ok) {
    services.store.write([&](Transaction& tx) { record_failure(services, tx, keys, now); });
    return detail_response(401, kBadCredentials);
  }
  if (failed_before) {
    services.store.write([&](Transaction& tx) { tx.clear_sign_in_failures(keys.identifier); });
  }
  if (legacy) {
    return json_response(200, oat::legacy_sign_in_answer_json(user_bearer(services, *user, {}, now)));
  }

  oat::SignInAnswer answer;
  answer.expires_in = services.options.bearer_lifetime.count();
  std::optional<std::string> session_id;
  std::optional<std::string> cookie;  // the console's page keeps its session in a cookie
  if (refresh) {
    const std::string secret_part = random_secret(32);
    SessionRecord session{random_uuid(), user->id, sha256_hex(secret_part), now,
                    now + services.options.session_lifetime, false};
    services.store.write([&](Transaction& tx) { tx.insert_session(session); });
    session_id = session.id;
    const std::string credential = session.id + "." + secret_part;
    if (from_console_page(request)) {
      cookie = oat::session_cookie(credential, services.options.session_lifetime.count(),
                                   request.secure);
    } else {
      answer.refresh_token = credential;
    }
    answer.refresh_expires_at = session.expires_at;
  }
  answer.access_token = user_bearer(services, *user, session_id, now);
  http::Response response = json_response(200, oat::sign_in_answer_json(answer));
  if (cookie) response.add_header("Set-Cookie", std::move(*cookie));
  return response;
}

// The live session named by a refresh token "<id>.<secret>", or nothing.
std::optional<SessionRecord> session_of(Transaction& tx, std::string_view refresh_token, Timestamp now) {
  const auto dot = refresh_token.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto session = tx.find_session(std::string(refresh_token.substr(0, dot)));
  if (!session || session->revoked || session->expires_at <= now ||
      !constant_time_equal(session->secret_hash, sha256_hex(refresh_token.substr(dot + 1)))) {
    return std::nullopt;
  }
  return session;
}

// The session cookie a request carries, or nothing.
std::optional<std::string> session_cookie_of(const http::Request& request) {
  const auto header = request.header("cookie");
  if (!header) return std::nullopt;
  return oat::cookie_value(*header, oat::kSessionCookieName);
}

// An answer that also clears the session cookie (the session it held is over).
http::Response clearing_cookie(http::Response response, const http::Request& request) {
  response.add_header("Set-Cookie", oat::cleared_session_cookie(request.secure));
  return response;
}

// The refresh token comes in the body, or, from the console's own page, in the session cookie.
http::Response refresh(Services& services, const http::Request& request) {
  const auto parsed = oat::parse_refresh_request(request.body, /*required=*/false);
  if (!parsed) return errors_response(parsed.errors());
  std::optional<std::string> refresh_token = *parsed;
  const bool by_cookie = !refresh_token;
  if (by_cookie) {
    refresh_token = session_cookie_of(request);
    if (refresh_token && !from_console_page(request)) {
      return detail_response(403, oat::kSessionCookieRefused);
    }
    // Neither. The console's page has no session (its cookie lapsed, or it never signed in);
    // anyone else left out the body's field (an empty body is read as {} to say so).
    if (!refresh_token && from_console_page(request)) return detail_response(401, oat::kSessionEnded);
    if (!refresh_token) {
      return errors_response(
          oat::parse_refresh_request(request.body.empty() ? "{}" : request.body, true).errors());
    }
  }
  const Timestamp now = services.clock();
  std::optional<SessionRecord> session;
  std::optional<User> user;
  services.store.read([&](Transaction& tx) {
    session = session_of(tx, *refresh_token, now);
    if (session) user = tx.find_user_by_id(session->user_id);
  });
  if (!session || !user) {
    http::Response ended = detail_response(401, oat::kSessionEnded);
    return by_cookie ? clearing_cookie(std::move(ended), request) : ended;
  }
  return bearer_answer(services, user_bearer(services, *user, session->id, now));
}

// The session a sign-out names: by its refresh token in the body, else by a bearer of it (one
// lapsed within the session's lifetime still names it: ending a session is all it can do).
std::optional<std::string> session_to_end(Services& services, const http::Request& request,
                                          const std::optional<std::string>& refresh_token,
                                          Timestamp now) {
  std::optional<std::string> session_id;
  if (refresh_token) {
    services.store.read([&](Transaction& tx) {
      if (auto s = session_of(tx, *refresh_token, now)) session_id = s->id;
    });
    return session_id;
  }
  const auto claims =
      presented_claims(request, services, now, services.options.session_lifetime.count());
  if (!claims || text_claim(*claims, "kind") != "user") return std::nullopt;
  const std::string sid = text_claim(*claims, "sid");
  if (sid.empty()) return std::nullopt;
  services.store.read([&](Transaction& tx) {
    const auto session = tx.find_session(sid);
    if (session && !session->revoked && session->expires_at > now) session_id = sid;
  });
  return session_id;
}

// Signing out ends the session for every tab: its bearers stop at their next call, its
// refresh token and cookie renew nothing, and the answer clears the cookie.
http::Response logout(Services& services, const http::Request& request) {
  const Timestamp now = services.clock();
  const auto parsed = oat::parse_refresh_request(request.body, /*required=*/false);
  if (!parsed) return errors_response(parsed.errors());
  const std::optional<std::string> session_id = session_to_end(services, request, *parsed, now);
  if (!session_id) return clearing_cookie(detail_response(401, oat::kNoSession), request);
  services.store.write([&](Transaction& tx) { tx.revoke_session(*session_id); });
  return clearing_cookie(http::Response::no_content(), request);
}

}  // namespace

std::string secret_fingerprint(std::string_view secret_hash) {
  return sha256_hex(secret_hash).substr(0, 32);
}

std::variant<Caller, http::Response> authenticate(const http::Request& request,
                                                  Services& services) {
  const Timestamp now = services.clock();
  const auto presented = presented_claims(request, services, now, 0);
  if (!presented) return detail_response(401, kBadBearer);
  const json& claims = *presented;
  Caller caller;
  bool valid = false;
  const std::string kind = text_claim(claims, "kind");
  services.store.read([&](Transaction& tx) {
    if (kind == "user" && claims.contains("uid") && claims["uid"].is_number_integer()) {
      caller.user = tx.find_user_by_id(claims["uid"].get<std::int64_t>());
      if (!caller.user) return;
      caller.subject = caller.user->username;
      if (claims.contains("sid") && claims["sid"].is_string()) {
        caller.session_id = claims["sid"].get<std::string>();
        const auto session = tx.find_session(*caller.session_id);
        if (!session || session->revoked || session->expires_at <= now) return;
      }
      valid = true;
    } else if (kind == "access_token" && claims.contains("oid") && claims.contains("tid") &&
               claims["oid"].is_number_integer() && claims["tid"].is_string()) {
      caller.is_access_token = true;
      caller.token = tx.find_token(claims["oid"].get<std::int64_t>(), claims["tid"].get<std::string>());
      // Deactivated, expired and deleted tokens lose their bearers at once; a rotation ends
      // the bearers of the replaced secret with its grace.
      if (!caller.token || oat::check_token_action(oat::derive_state(caller.token->is_active,
                                                                     caller.token->expires_at, now),
                                                   oat::TokenAction::Authenticate)) {
        return;
      }
      const auto secret = bearer_secret(claims, *caller.token, now);
      if (!secret) return;
      // A token limited to address blocks is so for its bearers too.
      if (!oat::address_allowed(caller.token->allowed_cidrs, request.remote_address)) return;
      caller.previous_secret = *secret == BearerSecret::Previous;
      caller.subject = text_claim(claims, "sub");
      valid = true;
    }
  });
  if (!valid) return detail_response(401, kBadBearer);
  return caller;
}

void add_auth_routes(http::Router& router, Services& services) {
  router.add("POST", "/v2/auth/token", [&services](const http::Request& r, const http::Params&) {
    return sign_in(services, r, /*legacy=*/false);
  });
  router.add("POST", "/v2/users/login", [&services](const http::Request& r, const http::Params&) {
    return sign_in(services, r, /*legacy=*/true);
  });
  router.add("POST", "/v2/auth/refresh", [&services](const http::Request& r, const http::Params&) {
    return refresh(services, r);
  });
  router.add("POST", "/v2/auth/logout", [&services](const http::Request& r, const http::Params&) {
    return logout(services, r);
  });
}

}  // namespace oatd::api
