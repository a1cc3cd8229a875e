// Client addresses: parsing addresses and blocks, a token's allow-list, and the address of a
// client behind trusted proxies.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "oat/network.h"
#include "test_support.h"

namespace {

using nlohmann::json;
using oat::ErrorCode;
using oat_test::refused;

oat::Cidr cidr(std::string_view text) {
  auto c = oat::parse_cidr(text, "block");
  EXPECT_TRUE(c.ok()) << text;
  return c.ok() ? *c : oat::Cidr{};
}

TEST(IpAddress, ParsesIpv4AndIpv6AndWritesTheShortestForm) {
  EXPECT_EQ(oat::format_ip_address(*oat::parse_ip_address("192.0.2.1")), "192.0.2.1");
  EXPECT_EQ(oat::format_ip_address(*oat::parse_ip_address("2001:0DB8:0:0:0:0:0:1")), "2001:db8::1");
  EXPECT_TRUE(oat::parse_ip_address("192.0.2.1")->v4);
  EXPECT_FALSE(oat::parse_ip_address("::1")->v4);
}

TEST(IpAddress, AnIpv4MappedIpv6AddressIsItsIpv4Address) {
  const auto a = oat::parse_ip_address("::ffff:192.0.2.1");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->v4);
  EXPECT_EQ(*a, *oat::parse_ip_address("192.0.2.1"));
}

TEST(IpAddress, RefusesWhatIsNotAnAddress) {
  using namespace std::string_view_literals;
  for (std::string_view text : {""sv, "192.0.2"sv, "192.0.2.256"sv, "192.0.2.1 "sv, "1.2.3.4.5"sv,
                                "::g"sv, "example.com"sv, "192.0.2.1/24"sv, "1.2.3.4\0"sv}) {
    EXPECT_FALSE(oat::parse_ip_address(text)) << text;
  }
}

TEST(Cidr, ParsesBlocksAndAddressesAsBlocksOfOne) {
  EXPECT_EQ(oat::format_cidr(cidr("192.0.2.0/24")), "192.0.2.0/24");
  EXPECT_EQ(oat::format_cidr(cidr("2001:db8::/32")), "2001:db8::/32");
  EXPECT_EQ(oat::format_cidr(cidr("192.0.2.7")), "192.0.2.7/32");
  EXPECT_EQ(oat::format_cidr(cidr("2001:db8::1")), "2001:db8::1/128");
  EXPECT_EQ(oat::format_cidr(cidr("0.0.0.0/0")), "0.0.0.0/0");
}

TEST(Cidr, RefusesBadPrefixesAndHostBitsNamingTheMeantBlock) {
  for (std::string_view text : {"192.0.2.0/33", "192.0.2.0/", "192.0.2.0/-1", "192.0.2.0/024",
                                "2001:db8::/129", "192.0.2.0/2x", "nonsense/8"}) {
    EXPECT_TRUE(refused(oat::parse_cidr(text, "f"), ErrorCode::InvalidAddress, "f")) << text;
  }
  auto host_bits = oat::parse_cidr("192.0.2.7/24", "allowed_cidrs[0]");
  ASSERT_FALSE(host_bits.ok());
  EXPECT_NE(host_bits.error().message.find("did you mean \"192.0.2.0/24\""), std::string::npos)
      << host_bits.error().message;
}

TEST(Cidr, ContainsExactlyTheAddressesOfItsPrefix) {
  const auto block = cidr("192.0.2.128/25");
  EXPECT_TRUE(oat::cidr_contains(block, *oat::parse_ip_address("192.0.2.128")));
  EXPECT_TRUE(oat::cidr_contains(block, *oat::parse_ip_address("192.0.2.255")));
  EXPECT_FALSE(oat::cidr_contains(block, *oat::parse_ip_address("192.0.2.127")));
  EXPECT_FALSE(oat::cidr_contains(block, *oat::parse_ip_address("::ffff:192.0.3.128")));
  const auto v6 = cidr("2001:db8::/32");
  EXPECT_TRUE(oat::cidr_contains(v6, *oat::parse_ip_address("2001:db8:ffff::1")));
  EXPECT_FALSE(oat::cidr_contains(v6, *oat::parse_ip_address("2001:db9::1")));
  // The families never mix: ::/0 holds no IPv4 address, 0.0.0.0/0 no IPv6 one.
  EXPECT_FALSE(oat::cidr_contains(cidr("::/0"), *oat::parse_ip_address("192.0.2.1")));
  EXPECT_FALSE(oat::cidr_contains(cidr("0.0.0.0/0"), *oat::parse_ip_address("2001:db8::1")));
}

TEST(AllowedCidrs, AreCanonicalAndCheckedEachWithItsIndex) {
  auto ok = oat::parse_allowed_cidrs(json{" 192.0.2.0/24", "2001:DB8::/32", "198.51.100.7"});
  ASSERT_TRUE(ok.ok()) << ::testing::PrintToString(ok.errors());
  EXPECT_EQ(*ok, (std::vector<std::string>{"192.0.2.0/24", "2001:db8::/32", "198.51.100.7/32"}));
  EXPECT_TRUE(oat::parse_allowed_cidrs(json::array())->empty());
  EXPECT_TRUE(oat::parse_allowed_cidrs(json())->empty());

  auto bad = oat::parse_allowed_cidrs(json{"192.0.2.0/24", "10.0.0.0/99", 7, "192.0.2.0/24"});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(oat_test::has_error(bad.errors(), ErrorCode::InvalidAddress, "allowed_cidrs[1]"));
  EXPECT_TRUE(oat_test::has_error(bad.errors(), ErrorCode::WrongType, "allowed_cidrs[2]"));
  EXPECT_TRUE(oat_test::has_error(bad.errors(), ErrorCode::InvalidAddress, "allowed_cidrs[3]"));
  EXPECT_TRUE(refused(oat::parse_allowed_cidrs(json("192.0.2.0/24")), ErrorCode::WrongType,
                      "allowed_cidrs"));
}

TEST(AllowedCidrs, AtMostTwenty) {
  json many = json::array();
  for (int i = 0; i < 21; ++i) many.push_back("10.0." + std::to_string(i) + ".0/24");
  EXPECT_TRUE(refused(oat::parse_allowed_cidrs(many), ErrorCode::TooManyAddresses, "allowed_cidrs"));
  many.erase(many.end() - 1);
  EXPECT_TRUE(oat::parse_allowed_cidrs(many).ok());
}

TEST(AllowedCidrs, AnEmptyListAllowsEveryAddressAndAListOnlyItsBlocks) {
  EXPECT_TRUE(oat::address_allowed({}, "203.0.113.9"));
  EXPECT_TRUE(oat::address_allowed({}, "not an address"));
  const std::vector<std::string> list = {"192.0.2.0/24", "2001:db8::/32"};
  EXPECT_TRUE(oat::address_allowed(list, "192.0.2.44"));
  EXPECT_TRUE(oat::address_allowed(list, "::ffff:192.0.2.44"));
  EXPECT_TRUE(oat::address_allowed(list, "2001:db8::5"));
  EXPECT_FALSE(oat::address_allowed(list, "192.0.3.1"));
  EXPECT_FALSE(oat::address_allowed(list, "127.0.0.1"));
  EXPECT_FALSE(oat::address_allowed(list, ""));
}

TEST(ClientAddress, IsThePeerUnlessThePeerIsATrustedProxy) {
  const std::vector<oat::Cidr> trusted = {cidr("10.0.0.0/8")};
  EXPECT_EQ(oat::client_address("203.0.113.5", "198.51.100.1", trusted), "203.0.113.5");
  EXPECT_EQ(oat::client_address("203.0.113.5", std::nullopt, trusted), "203.0.113.5");
  EXPECT_EQ(oat::client_address("10.0.0.2", "198.51.100.1", trusted), "198.51.100.1");
  EXPECT_EQ(oat::client_address("10.0.0.2", std::nullopt, trusted), "10.0.0.2");
  EXPECT_EQ(oat::client_address("10.0.0.2", "198.51.100.1", {}), "10.0.0.2");
  EXPECT_EQ(oat::client_address("::ffff:10.0.0.2", "198.51.100.1", trusted), "198.51.100.1");
}

TEST(ClientAddress, ReadsTheHeaderFromTheRightSkippingTrustedProxiesOnly) {
  const std::vector<oat::Cidr> trusted = {cidr("10.0.0.0/8")};
  // A client may send any X-Forwarded-For of its own; the proxy appends the address it saw.
  EXPECT_EQ(oat::client_address("10.0.0.2", "1.2.3.4, 198.51.100.1, 10.0.0.9", trusted),
            "198.51.100.1");
  EXPECT_EQ(oat::client_address("10.0.0.2", "10.0.0.7,10.0.0.9", trusted), "10.0.0.7");
  EXPECT_EQ(oat::client_address("10.0.0.2", " 2001:db8::1 ", trusted), "2001:db8::1");
  // What a client puts left of its own address is never read, whatever it is.
  EXPECT_EQ(oat::client_address("10.0.0.2", "junk, 198.51.100.1", trusted), "198.51.100.1");
  EXPECT_EQ(oat::client_address("10.0.0.2", "10.9.9.9:80, 198.51.100.1", trusted), "198.51.100.1");
  // Where the client's address should be, an entry that does not parse leaves the last trusted
  // hop as the client.
  EXPECT_EQ(oat::client_address("10.0.0.2", "198.51.100.1, junk", trusted), "10.0.0.2");
  EXPECT_EQ(oat::client_address("10.0.0.2", "junk, 10.0.0.7", trusted), "10.0.0.7");
  EXPECT_EQ(oat::client_address("10.0.0.2", "", trusted), "10.0.0.2");
}

}  // namespace
