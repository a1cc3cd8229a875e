#include "oat/console_session.h"

#include <algorithm>
#include <cctype>

namespace oat {
namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string attributes(bool secure) {
  std::string out = "; Path=" + std::string(kSessionCookiePath) + "; HttpOnly; SameSite=Strict";
  if (secure) out += "; Secure";
  return out;
}

}  // namespace

bool from_console_page(std::optional<std::string_view> console_header,
                       std::optional<std::string_view> origin, std::optional<std::string_view> host) {
  if (!console_header || !origin || !host) return false;
  const std::string_view o = trim(*origin);
  const auto scheme_end = o.find("://");
  if (scheme_end == std::string_view::npos) return false;  // "null", or not an origin
  const std::string_view scheme = o.substr(0, scheme_end);
  if (!iequal(scheme, "http") && !iequal(scheme, "https")) return false;
  const std::string_view authority = o.substr(scheme_end + 3);
  const std::string_view h = trim(*host);
  return !authority.empty() && authority.find('/') == std::string_view::npos && iequal(authority, h);
}

std::string session_cookie(std::string_view value, long long max_age_seconds, bool secure) {
  return std::string(kSessionCookieName) + "=" + std::string(value) +
         "; Max-Age=" + std::to_string(std::max(0LL, max_age_seconds)) + attributes(secure);
}

std::string cleared_session_cookie(bool secure) {
  return std::string(kSessionCookieName) + "=; Max-Age=0" + attributes(secure);
}

std::optional<std::string> cookie_value(std::string_view cookie_header, std::string_view name) {
  while (!cookie_header.empty()) {
    const auto end = cookie_header.find(';');
    const std::string_view pair = trim(cookie_header.substr(0, end));
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && trim(pair.substr(0, eq)) == name) {
      return std::string(trim(pair.substr(eq + 1)));
    }
    if (end == std::string_view::npos) break;
    cookie_header.remove_prefix(end + 1);
  }
  return std::nullopt;
}

}  // namespace oat
