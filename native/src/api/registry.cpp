// [SECTION] The registry token service: GET /token and the OAuth2 POST /token of the
// distribution token-auth specification, and the endpoint for the registry's notifications.
//
// A CI job signs in with Basic `org-name : dckr_oat_...`; the answer is a JWT granting exactly
// what the token's resources allow of what was asked (core: oat::compute_grant). A partial or
// empty grant is still a 200; only bad credentials are a 401.
#include <algorithm>

#include "api/internal.h"
#include "api/usage.h"
#include "crypto/crypto.h"

namespace oatd::api {
namespace {

http::Response registry_error(int status, std::string_view code, std::string_view message) {
  http::Response response = json_response(status, oat::registry_error_json(code, message));
  if (status == 401) response.header("WWW-Authenticate", "Basic realm=\"oatd\"");
  return response;
}

struct BasicCredentials {
  std::string username, password;
};

// What the Authorization header of a registry sign-in holds: nothing (an anonymous pull), or
// Basic credentials, or something else (another scheme, not base64, no colon): `malformed`.
struct PresentedCredentials {
  bool malformed = false;
  std::optional<BasicCredentials> basic;
};

PresentedCredentials basic_credentials(const http::Request& request) {
  const auto header = request.header("authorization");
  if (!header) return {};
  const PresentedCredentials malformed{true, std::nullopt};
  if (header->size() < 6) return malformed;
  std::string scheme(header->substr(0, 6));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "basic ") return malformed;
  std::string_view encoded = header->substr(6);
  while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
  while (!encoded.empty() && encoded.back() == ' ') encoded.remove_suffix(1);
  const auto decoded = base64_decode(encoded);
  if (!decoded) return malformed;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return malformed;
  return {false, BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)}};
}

// The refusal of credentials that are wrong or cannot be read: never an anonymous token, which
// `docker login` would report as success.
http::Response bad_credentials() {
  return registry_error(401, "UNAUTHORIZED", oat::kRegistryBadCredentials);
}

// "10.0.0.7:51234" or "[::1]:51234" -> the address without the port.
std::string without_port(std::string_view addr) {
  if (!addr.empty() && addr.front() == '[') {
    const auto end = addr.find(']');
    return std::string(end == std::string_view::npos ? addr : addr.substr(1, end - 1));
  }
  const auto colon = addr.rfind(':');
  if (colon != std::string_view::npos && addr.find(':') == colon) {
    return std::string(addr.substr(0, colon));
  }
  return std::string(addr);
}

struct Signin {
  std::optional<Organization> org;  // nullopt: anonymous
  std::vector<oat::Access> grant;
  // When the credentials themselves expire (an OIDC exchange's access token, Unix seconds): the
  // registry token ends then too, never after.
  std::optional<long long> credentials_expire;
};

// The registry token's lifetime for a sign-in at `iat`: the configured one, cut short to when
// the credentials expire.
long long token_lifetime(const RegistryOptions& options, const Signin& signin, long long iat) {
  const long long lifetime = options.token_lifetime.count();
  if (!signin.credentials_expire) return lifetime;
  return std::max(0LL, std::min(lifetime, *signin.credentials_expire - iat));
}

// The JSON of a granted token, written directly: these fixed shapes are on every pull
// and push, where building nlohmann::json trees for them cost more than the rest of the
// formatting. The bytes are those nlohmann::json::dump writes for the same objects (keys in
// sorted order, no spaces, invalid UTF-8 replaced), so the JWT and the answers do not change.

// Appends `text` as a JSON string literal.
void append_json_string(std::string& out, std::string_view text) {
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x80 && c != '"' && c != '\\';
  });
  if (plain) {
    out += '"';
    out += text;
    out += '"';
  } else {  // escapes, and anything that is not UTF-8: the one escaper's rules exactly
    out += oat::json_text(text);
  }
}

// The claims object (what registry_jwt signs).
std::string claims_json(const RegistryOptions& options, const Signin& signin, long long iat,
                        std::string_view jti) {
  std::string out;
  out.reserve(256);
  out += "{\"access\":[";
  for (std::size_t i = 0; i < signin.grant.size(); ++i) {
    const oat::Access& a = signin.grant[i];
    if (i) out += ',';
    out += "{\"actions\":[";
    for (std::size_t k = 0; k < a.actions.size(); ++k) {
      if (k) out += ',';
      append_json_string(out, a.actions[k]);
    }
    out += "],\"name\":";
    append_json_string(out, a.name);
    out += ",\"type\":";
    append_json_string(out, a.type);
    out += '}';
  }
  out += "],\"aud\":";
  append_json_string(out, options.service);
  out += ",\"exp\":";
  out += std::to_string(iat + token_lifetime(options, signin, iat));
  out += ",\"iat\":";
  out += std::to_string(iat);
  out += ",\"iss\":";
  append_json_string(out, options.issuer);
  out += ",\"jti\":";
  append_json_string(out, jti);
  out += ",\"nbf\":";
  out += std::to_string(iat);
  out += ",\"sub\":";
  append_json_string(out, signin.org ? std::string_view(signin.org->name) : std::string_view());
  out += '}';
  return out;
}

// The 200 answer of both GET and POST /token; `scope` only for POST (OAuth2).
http::Response token_answer(long long expires_in, const std::string& jwt, Timestamp now,
                            const std::string* scope) {
  std::string out;
  out.reserve(2 * jwt.size() + 128);
  out += "{\"access_token\":";
  append_json_string(out, jwt);
  out += ",\"expires_in\":";
  out += std::to_string(expires_in);
  out += ",\"issued_at\":";
  append_json_string(out, oat::format_rfc3339(now));
  if (scope) {
    out += ",\"scope\":";
    append_json_string(out, *scope);
  }
  out += ",\"token\":";
  append_json_string(out, jwt);
  out += '}';
  return http::Response::json(200, std::move(out));
}

std::string scope_text(const std::vector<oat::Access>& grant) {
  std::string text;
  for (const oat::Access& a : grant) {
    if (!text.empty()) text += ' ';
    text += a.type + ":" + a.name + ":";
    for (std::size_t i = 0; i < a.actions.size(); ++i) text += (i ? "," : "") + a.actions[i];
  }
  return text;
}

// Checks the credentials and computes the grant; the Response is the refusal.
std::variant<Signin, http::Response> sign_in(Services& services, const http::Request& request,
                                             const std::optional<BasicCredentials>& credentials,
                                             const std::vector<oat::Access>& requested,
                                             std::optional<std::string> account, Timestamp now) {
  // Asked by the core only when the resources hold "public repositories" (an anonymous pull
  // does): a read of its own each time, so that a token found in the sign-in cache needs none.
  const auto is_public = [&services](std::string_view repository) {
    const auto slash = repository.find('/');
    if (slash == std::string_view::npos) return false;
    http::wait_point();
    bool is = false;
    services.store.read([&](Transaction& tx) {
      const auto org = tx.find_organization(repository.substr(0, slash));
      if (!org) return;
      const auto repo = tx.find_repository(org->id, repository.substr(slash + 1));
      is = repo && repo->is_public;
    });
    return is;
  };

  if (!credentials) {
    // Anonymous: what anybody may do, pull public repositories.
    Signin anonymous;
    const std::vector<oat::Resource> everyone = {
        {oat::ResourceType::Repo, std::string(oat::kPublicRepositoriesPath), {oat::Scope::ImagePull}}};
    anonymous.grant = oat::compute_grant(requested, everyone, "", is_public);
    return anonymous;
  }

  const bool wrong_account = account && !account->empty() && *account != credentials->username;
  Signin signin;
  // An access token an OIDC exchange issued (a CI job's keyless sign-in): the rulesets'
  // resources, while its connection is unchanged.
  if (looks_like_exchanged_token(credentials->password)) {
    auto exchanged = wrong_account ? std::nullopt
                                   : sign_in_with_exchanged_token(services, credentials->username,
                                                                  credentials->password, now);
    services.counters.sign_in(exchanged ? "granted" : "exchanged_token_refused", "/token");
    if (!exchanged) return bad_credentials();
    signin.grant = oat::compute_grant(requested, exchanged->resources, exchanged->org.name, is_public);
    signin.org = std::move(exchanged->org);
    signin.credentials_expire = exchanged->expires_at;
    return signin;
  }
  const auto result = sign_in_with_token(
      services,
      {credentials->username, credentials->password, request.remote_address, now, "registry",
       wrong_account ? oat::audit::kReasonWrongAccount : ""},
      [&](const TokenSignIn& found) {
        signin.grant = oat::compute_grant(requested, found.token.resources, found.org.name, is_public);
        std::vector<std::string> repositories;
        for (const oat::Access& a : signin.grant) {
          if (a.type == "repository") repositories.push_back(a.name);
        }
        return repositories;
      });
  if (const auto* refusal = std::get_if<TokenSignInRefusal>(&result)) {
    if (refusal->policy) return registry_error(401, "UNAUTHORIZED", *refusal->policy);
    if (!refusal->rate_limited) return bad_credentials();
    http::Response limited = registry_error(
        429, "TOOMANYREQUESTS", oat::too_many_sign_ins_message(refusal->rate_limited->retry_after));
    add_rate_limit_headers(limited, *refusal->rate_limited, now);
    return limited;
  }
  signin.org = std::get<TokenSignIn>(result).org;
  return signin;
}

// Claims: iss, sub (the organization; empty when anonymous), aud, exp, nbf, iat, jti, access.
std::string registry_jwt(const Services& services, const Signin& signin, Timestamp now) {
  return services.key.sign_jwt_json(
      claims_json(services.options.registry, signin, oat::to_unix(now), random_uuid()));
}

// A token for another service would be refused by that registry: say so now.
std::optional<http::Response> wrong_service(const Services& services,
                                            const std::optional<std::string>& service) {
  if (!service || service->empty() || *service == services.options.registry.service) {
    return std::nullopt;
  }
  return registry_error(400, "INVALID_REQUEST",
                        "This token service issues tokens for \"" +
                            services.options.registry.service + "\", not \"" + *service + "\".");
}

http::Response token_get(Services& services, const http::Request& request) {
  const Timestamp now = services.clock();
  if (auto refusal = wrong_service(services, request.query_value("service"))) return *refusal;
  auto requested = oat::parse_scope_params(request.query_values("scope"));
  if (!requested) return registry_error(400, "INVALID_REQUEST", requested.error().message);
  const PresentedCredentials presented = basic_credentials(request);
  if (presented.malformed) return bad_credentials();
  auto result = sign_in(services, request, presented.basic, *requested,
                        request.query_value("account"), now);
  if (auto* refusal = std::get_if<http::Response>(&result)) return *refusal;
  const std::string jwt = registry_jwt(services, std::get<Signin>(result), now);
  const Signin& signin = std::get<Signin>(result);
  return token_answer(token_lifetime(services.options.registry, signin, oat::to_unix(now)), jwt, now, nullptr);
}

// OAuth2 password grant (distribution's docs/spec/auth/oauth.md).
http::Response token_post(Services& services, const http::Request& request) {
  const Timestamp now = services.clock();
  const auto form = request.form();
  auto value = [&](const char* key) -> std::optional<std::string> {
    const auto it = form.find(key);
    if (it == form.end()) return std::nullopt;
    return it->second;
  };
  if (auto refusal = wrong_service(services, value("service"))) return *refusal;
  const std::string grant_type = value("grant_type").value_or("");
  if (grant_type != "password") {
    return json_response(400, {{"error", "unsupported_grant_type"},
                               {"error_description",
                                "Use grant_type=password with the organization's name and an "
                                "organization access token."}});
  }
  std::vector<std::string> scopes;
  for (auto [it, end] = form.equal_range("scope"); it != end; ++it) scopes.push_back(it->second);
  auto requested = oat::parse_scope_params(scopes);
  if (!requested) {
    return json_response(400, {{"error", "invalid_scope"}, {"error_description", requested.error().message}});
  }
  const auto username = value("username");
  const auto password = value("password");
  std::optional<BasicCredentials> credentials;
  if (username && password) credentials = BasicCredentials{*username, *password};
  if (!credentials) {
    const PresentedCredentials presented = basic_credentials(request);
    if (presented.malformed) return bad_credentials();
    credentials = presented.basic;
  }
  if (!credentials) {
    return json_response(400, {{"error", "invalid_request"},
                               {"error_description", "username and password are required."}});
  }
  auto result = sign_in(services, request, credentials, *requested, std::nullopt, now);
  if (auto* refusal = std::get_if<http::Response>(&result)) return *refusal;
  const Signin& signin = std::get<Signin>(result);
  const std::string jwt = registry_jwt(services, signin, now);
  const std::string scope = scope_text(signin.grant);
  return token_answer(token_lifetime(services.options.registry, signin, oat::to_unix(now)), jwt, now, &scope);
}

bool is_manifest(std::string_view media_type) {
  return media_type.find("manifest") != std::string_view::npos ||
         media_type.find("image.index") != std::string_view::npos;
}

// Registry notifications: a push into an organization's namespace registers the repository;
// pulls and pushes of manifests are counted for the token that signed in from that client.
http::Response events(Services& services, const http::Request& request) {
  const std::string& secret = services.options.registry.events_secret;
  const auto header = request.header("authorization");
  if (secret.empty() || !header || !constant_time_equal(*header, "Bearer " + secret)) {
    return detail_response(401, "Registry notifications need the shared secret.");
  }
  const json body = json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains("events") || !body["events"].is_array()) {
    return detail_response(400, "Expected a registry notification envelope {\"events\":[...]}.");
  }
  struct Seen {
    std::string action, repository, actor, address;
  };
  std::vector<Seen> seen;
  for (const json& e : body["events"]) {
    if (!e.is_object()) continue;
    auto text = [](const json& object, const char* key) {
      if (!object.is_object()) return std::string();
      const auto it = object.find(key);
      return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const json target = e.value("target", json::object());
    if (!is_manifest(text(target, "mediaType"))) continue;  // layers and configs: not a use
    seen.push_back({text(e, "action"), text(target, "repository"),
                    text(e.value("actor", json::object()), "name"),
                    without_port(text(e.value("request", json::object()), "addr"))});
  }
  const Timestamp now = services.clock();
  services.store.write([&](Transaction& tx) {
    for (const Seen& s : seen) {
      if (s.action != "push") continue;
      const auto path = oat::parse_repo_path(s.repository);
      if (!path || path->kind != oat::RepoPathKind::Repository) continue;
      const auto org = tx.find_organization(path->namespace_);
      if (org && !tx.find_repository(org->id, path->name)) {
        tx.add_repository({org->id, path->name, false, now});
      }
    }
  });
  for (const Seen& s : seen) {
    if (s.action != "pull" && s.action != "push") continue;
    if (s.actor.empty()) continue;  // an anonymous pull: no token to count it for
    // Counted for the token now, or once another server has written its grant: the answer
    // never waits (the registry gives up on a slow endpoint and sends the batch again).
    services.usage->count_event(s.actor, s.address, s.repository, s.action == "pull",
                                s.action == "push");
  }
  return http::Response::no_content();
}

}  // namespace
}  // namespace oatd::api

namespace oatd {

void add_registry_routes(http::Router& router, Services& services) {
  // Quick: a token kept in the sign-in cache is answered without waiting, on the thread that
  // read the request; the rest (a lookup, a failure's write) from its first wait_point() on a
  // handler thread. Nothing before a wait_point() on this path is done twice: the counts, the
  // usage and the writes come after the last one.
  router.add("GET", "/token", [&services](const http::Request& r, const http::Params&) {
    return api::token_get(services, r);
  }, http::Runs::quick);
  router.add("POST", "/token", [&services](const http::Request& r, const http::Params&) {
    return api::token_post(services, r);
  }, http::Runs::quick);
  router.add("POST", "/registry/events", [&services](const http::Request& r, const http::Params&) {
    return api::events(services, r);
  });
}

}  // namespace oatd
