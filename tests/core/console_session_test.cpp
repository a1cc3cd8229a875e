// The console's session cookie: which requests come from the console's own page, the cookie's
// attributes, and reading it back from a Cookie header.
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "oat/console_session.h"

namespace {

using std::nullopt;

TEST(ConsoleSession, OnlyTheConsoleHeaderWithTheApisOwnOriginIsTheConsolesPage) {
  EXPECT_TRUE(oat::from_console_page("1", "http://oat.example:8080", "oat.example:8080"));
  EXPECT_TRUE(oat::from_console_page("1", "https://OAT.example", "oat.example"));
  // Another site, another port, a path, the opaque origin, no scheme.
  EXPECT_FALSE(oat::from_console_page("1", "https://evil.example", "oat.example"));
  EXPECT_FALSE(oat::from_console_page("1", "http://oat.example:8081", "oat.example:8080"));
  EXPECT_FALSE(oat::from_console_page("1", "http://oat.example/x", "oat.example"));
  EXPECT_FALSE(oat::from_console_page("1", "null", "oat.example"));
  EXPECT_FALSE(oat::from_console_page("1", "oat.example", "oat.example"));
  EXPECT_FALSE(oat::from_console_page("1", "ftp://oat.example", "oat.example"));
  // Either header missing: a form post from anywhere, a request without an Origin.
  EXPECT_FALSE(oat::from_console_page(nullopt, "http://oat.example", "oat.example"));
  EXPECT_FALSE(oat::from_console_page("1", nullopt, "oat.example"));
  EXPECT_FALSE(oat::from_console_page("1", "http://oat.example", nullopt));
}

TEST(ConsoleSession, TheCookieIsHttpOnlyStrictLimitedToRefreshAndSecureOverTls) {
  EXPECT_EQ(oat::session_cookie("id.secret", 604800, false),
            "oat_session=id.secret; Max-Age=604800; Path=/v2/auth/refresh; HttpOnly; SameSite=Strict");
  EXPECT_EQ(oat::session_cookie("id.secret", 60, true),
            "oat_session=id.secret; Max-Age=60; Path=/v2/auth/refresh; HttpOnly; SameSite=Strict; Secure");
  EXPECT_EQ(oat::cleared_session_cookie(false),
            "oat_session=; Max-Age=0; Path=/v2/auth/refresh; HttpOnly; SameSite=Strict");
}

TEST(ConsoleSession, ReadsItsCookieAmongOthers) {
  EXPECT_EQ(oat::cookie_value("a=1; oat_session=id.secret; b=2", "oat_session"), "id.secret");
  EXPECT_EQ(oat::cookie_value("oat_session=x", "oat_session"), "x");
  EXPECT_EQ(oat::cookie_value("  oat_session = y ;", "oat_session"), "y");
  EXPECT_EQ(oat::cookie_value("xoat_session=1; oat_sessionx=2", "oat_session"), nullopt);
  EXPECT_EQ(oat::cookie_value("", "oat_session"), nullopt);
  EXPECT_EQ(oat::cookie_value("oat_session", "oat_session"), nullopt);
}

}  // namespace
