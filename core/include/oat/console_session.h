// The console's session cookie: how the console's page keeps its session across reloads and
// tabs without any script being able to read the credential.
//
// A sign-in from the console's own page (it sends kConsoleHeader, and its Origin is the API's
// own) that asks for a session gets the session's refresh credential as a cookie, not in the
// body: HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Secure
// when the request came over TLS, and Path limited to POST /v2/auth/refresh, the one endpoint
// that reads it. That endpoint accepts the cookie only with the same header and a matching
// Origin: a form or a script on another site can send neither (a custom header forces a CORS
// preflight, which oatd does not grant for credentials), so it cannot renew the session (CSRF).
// A console on another origin gets the refresh token in the body as before, kept in memory.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace oat {

inline constexpr std::string_view kConsoleHeader = "X-OAT-Console";
inline constexpr std::string_view kSessionCookieName = "oat_session";
inline constexpr std::string_view kSessionCookiePath = "/v2/auth/refresh";

// Whether a request comes from the console's own page, served by the same origin as the API:
// it carries kConsoleHeader (any value) and an Origin whose host[:port] is the Host header's
// (case-insensitive; the scheme is not compared, as a proxy may end TLS before oatd). A request
// without an Origin is not (browsers send one with every POST).
bool from_console_page(std::optional<std::string_view> console_header,
                       std::optional<std::string_view> origin, std::optional<std::string_view> host);

// The Set-Cookie value that holds `value` for `max_age_seconds`, and the one that clears it.
std::string session_cookie(std::string_view value, long long max_age_seconds, bool secure);
std::string cleared_session_cookie(bool secure);

// The value of cookie `name` in a Cookie header ("a=1; oat_session=x"), or nullopt.
std::optional<std::string> cookie_value(std::string_view cookie_header, std::string_view name);

// 403 to a request that carries the session cookie to POST /v2/auth/refresh but is not from the
// console's page (detail_error_json).
inline constexpr std::string_view kSessionCookieRefused =
    "A console session is renewed only from the console's own page (the X-OAT-Console header and "
    "a matching Origin).";

}  // namespace oat
