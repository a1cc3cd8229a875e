// Client addresses: IPv4 and IPv6 addresses and CIDR blocks, a token's address allow-list, and
// which address a request comes from when it passed through trusted proxies.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "oat/error.h"

namespace oat {

// An IPv4 or IPv6 address. An IPv4-mapped IPv6 address (::ffff:192.0.2.1) is its IPv4 address:
// a dual-stack listener reports IPv4 clients that way.
struct IpAddress {
  bool v4 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4: the first 4

  bool operator==(const IpAddress&) const = default;
};
std::optional<IpAddress> parse_ip_address(std::string_view text);
// "192.0.2.1", "2001:db8::1" (RFC 5952's shortest form).
std::string format_ip_address(const IpAddress& address);

// A block of addresses: "192.0.2.0/24", "2001:db8::/32"; an address alone is a block of one.
struct Cidr {
  IpAddress network;
  int prefix = 0;  // 0..32 or 0..128

  bool operator==(const Cidr&) const = default;
};
// `field` names the value in an error ("allowed_cidrs[2]", "--trusted-proxy"). A block with
// bits set beyond its prefix (192.0.2.7/24) is refused, naming the block that was meant.
Result<Cidr> parse_cidr(std::string_view text, std::string_view field);
// The canonical text: "192.0.2.0/24", "2001:db8::/32".
std::string format_cidr(const Cidr& cidr);
bool cidr_contains(const Cidr& cidr, const IpAddress& address);

// A token's "allowed_cidrs": at most kMaxAllowedCidrs blocks, IPv4 or IPv6, none twice; empty
// means from anywhere. Read from a request's JSON value; the blocks come back canonical.
inline constexpr std::size_t kMaxAllowedCidrs = 20;
Result<std::vector<std::string>> parse_allowed_cidrs(const nlohmann::json& value);
// Whether a client at `address` may sign in with a token of this allow-list. An empty list
// allows every address; otherwise an address that does not parse is refused.
bool address_allowed(const std::vector<std::string>& allowed_cidrs, std::string_view address);

// The client's address of a request that came over a connection from `peer`, with the
// X-Forwarded-For header `forwarded_for` (absent: nullopt). Only a peer within `trusted`
// proxies is believed: then the header is read from the right, skipping addresses that are
// themselves trusted proxies, and the first other address is the client's (the leftmost one
// when every address is a trusted proxy). Entries left of it are never read (a client may send
// any header of its own); one that does not parse where the client's should be makes the last
// trusted hop the client. A header from an untrusted peer is ignored: the peer is the client.
std::string client_address(std::string_view peer, std::optional<std::string_view> forwarded_for,
                           const std::vector<Cidr>& trusted);

}  // namespace oat
