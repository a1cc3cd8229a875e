#include "oat/network.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace oat {
namespace {

constexpr std::array<std::uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int width(const IpAddress& a) { return a.v4 ? 32 : 128; }

// Clears the bits of `a` beyond the first `prefix`.
IpAddress masked(IpAddress a, int prefix) {
  for (int bit = prefix; bit < width(a); ++bit) {
    a.bytes[static_cast<std::size_t>(bit / 8)] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  }
  return a;
}

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

}  // namespace

std::optional<IpAddress> parse_ip_address(std::string_view text) {
  if (text.empty() || text.size() > 45 || text.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  const std::string s(text);
  IpAddress a;
  if (s.find(':') == std::string::npos) {
    // inet_pton takes only the dotted-quad form with four decimal parts, as wanted here.
    if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
    a.v4 = true;
    return a;
  }
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
  if (std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), a.bytes.begin())) {
    IpAddress v4;
    v4.v4 = true;
    std::copy(a.bytes.begin() + 12, a.bytes.end(), v4.bytes.begin());
    return v4;
  }
  return a;
}

std::string format_ip_address(const IpAddress& address) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(address.v4 ? AF_INET : AF_INET6, address.bytes.data(), text, sizeof text);
  return text;
}

Result<Cidr> parse_cidr(std::string_view text, std::string_view field) {
  const std::string name(field);
  const auto slash = text.find('/');
  const auto address = parse_ip_address(text.substr(0, slash));
  if (!address) {
    return Error{ErrorCode::InvalidAddress, name,
                 "\"" + std::string(text.substr(0, 64)) +
                     "\" is not an IPv4 or IPv6 address or block, such as \"192.0.2.0/24\" or "
                     "\"2001:db8::/32\"."};
  }
  Cidr cidr{*address, width(*address)};
  if (slash != std::string_view::npos) {
    const std::string_view bits = text.substr(slash + 1);
    int prefix = -1;
    const auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
    if (bits.empty() || ec != std::errc() || end != bits.data() + bits.size() || prefix < 0 ||
        prefix > width(*address) || (bits.size() > 1 && bits[0] == '0')) {
      return Error{ErrorCode::InvalidAddress, name,
                   "The prefix length of \"" + std::string(text.substr(0, 64)) +
                       "\" must be a whole number from 0 to " +
                       std::to_string(width(*address)) + "."};
    }
    cidr.prefix = prefix;
  }
  if (masked(cidr.network, cidr.prefix) != cidr.network) {
    const Cidr meant{masked(cidr.network, cidr.prefix), cidr.prefix};
    return Error{ErrorCode::InvalidAddress, name,
                 "\"" + std::string(text) + "\" has bits set beyond its prefix; did you mean \"" +
                     format_cidr(meant) + "\"?"};
  }
  return cidr;
}

std::string format_cidr(const Cidr& cidr) {
  return format_ip_address(cidr.network) + "/" + std::to_string(cidr.prefix);
}

bool cidr_contains(const Cidr& cidr, const IpAddress& address) {
  return address.v4 == cidr.network.v4 && masked(address, cidr.prefix) == cidr.network;
}

Result<std::vector<std::string>> parse_allowed_cidrs(const nlohmann::json& value) {
  const std::string field = "allowed_cidrs";
  if (value.is_null()) return std::vector<std::string>();
  if (!value.is_array()) {
    return Error{ErrorCode::WrongType, field,
                 "\"allowed_cidrs\" must be a list of address blocks such as \"192.0.2.0/24\"."};
  }
  if (value.size() > kMaxAllowedCidrs) {
    return Error{ErrorCode::TooManyAddresses, field,
                 "A token can allow at most " + std::to_string(kMaxAllowedCidrs) +
                     " address blocks."};
  }
  Errors errors;
  std::vector<std::string> blocks;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string item = field + "[" + std::to_string(i) + "]";
    if (!value[i].is_string()) {
      errors.push_back({ErrorCode::WrongType, item, "\"" + item + "\" must be a string."});
      continue;
    }
    auto cidr = parse_cidr(trimmed(value[i].get_ref<const std::string&>()), item);
    if (!cidr) {
      errors.insert(errors.end(), cidr.errors().begin(), cidr.errors().end());
      continue;
    }
    std::string text = format_cidr(*cidr);
    if (std::find(blocks.begin(), blocks.end(), text) != blocks.end()) {
      errors.push_back({ErrorCode::InvalidAddress, item, "\"" + text + "\" is listed twice."});
      continue;
    }
    blocks.push_back(std::move(text));
  }
  if (!errors.empty()) return errors;
  return blocks;
}

bool address_allowed(const std::vector<std::string>& allowed_cidrs, std::string_view address) {
  if (allowed_cidrs.empty()) return true;
  const auto client = parse_ip_address(address);
  if (!client) return false;
  return std::any_of(allowed_cidrs.begin(), allowed_cidrs.end(), [&](const std::string& text) {
    const auto cidr = parse_cidr(text, "");
    return cidr && cidr_contains(*cidr, *client);
  });
}

std::string client_address(std::string_view peer, std::optional<std::string_view> forwarded_for,
                           const std::vector<Cidr>& trusted) {
  auto is_trusted = [&](const IpAddress& a) {
    return std::any_of(trusted.begin(), trusted.end(),
                       [&](const Cidr& c) { return cidr_contains(c, a); });
  };
  const auto from = parse_ip_address(peer);
  if (!from) return std::string(peer);
  if (!forwarded_for || !is_trusted(*from)) return format_ip_address(*from);
  // From the right: each address was appended by the hop after it, so the trusted proxies' own
  // entries come last, and the first other address is the client's. What lies further left is
  // the client's say and never read. An entry that does not parse where the client's should be
  // stops the walk: the last trusted hop is then the client (it is who connected).
  IpAddress client = *from;
  std::string_view rest = *forwarded_for;
  while (true) {
    const auto comma = rest.rfind(',');
    const auto hop = parse_ip_address(trimmed(comma == std::string_view::npos ? rest : rest.substr(comma + 1)));
    if (!hop) break;
    client = *hop;
    if (!is_trusted(*hop) || comma == std::string_view::npos) break;
    rest = rest.substr(0, comma);
  }
  return format_ip_address(client);
}

}  // namespace oat
