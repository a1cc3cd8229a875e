// How a request's body is framed, and the refusals of a framing that cannot be trusted: the
// server's rules (server.cpp's Connection), in a header of their own so that the fuzz target
// reading whole requests (tests/fuzz/server_fuzz.cpp) applies the very same ones.
#pragma once

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http.hpp>

namespace oatd::http {

// The words of the refusals of a request's framing: what Beast's parser refuses
// (framing_read_refusal) and what framing_refusal adds.
inline constexpr std::string_view kContentLengthRefused =
    "The request's Content-Length must be one number, sent once, and never with a "
    "Transfer-Encoding.";
inline constexpr std::string_view kTransferEncodingRefused =
    "The request's Transfer-Encoding must end with chunked, once, and never come with a "
    "Content-Length.";
inline constexpr std::string_view kChunksRefused =
    "The request's chunked body is malformed: each chunk is its size in hex, CRLF, its data "
    "and CRLF.";

// Why a request's framing cannot be trusted (RFC 9112 §6.1, §6.3), or nothing. A
// Transfer-Encoding whose final coding is not "chunked" leaves the body's length unknown: 400.
// A coding other than "chunked" (gzip, or one nobody knows) is not implemented here: 501.
// HTTP/1.0 has no transfer codings at all: 400. A Content-Length given twice, even with the
// same value ("5, 5", or two fields), which Beast accepts: 400, since a proxy in front may have
// read another length out of it. (Two different values, and a Content-Length with a
// Transfer-Encoding, Beast refuses itself.) Either way the connection is closed, so what
// follows is never read as another request.
struct FramingRefusal {
  int status;
  std::string message;
};

template <class Fields>
inline std::optional<FramingRefusal> framing_refusal(const boost::beast::http::request_header<Fields>& msg) {
  std::size_t lengths = 0;
  for (const auto& field : msg) {
    if (field.name() != boost::beast::http::field::content_length) continue;
    lengths += 1 + static_cast<std::size_t>(std::count(field.value().begin(), field.value().end(), ','));
  }
  if (lengths > 1) return FramingRefusal{400, std::string(kContentLengthRefused)};

  std::vector<std::string> codings;
  bool present = false;
  for (const auto& field : msg) {
    if (field.name() != boost::beast::http::field::transfer_encoding) continue;
    present = true;
    std::string_view rest(field.value().data(), field.value().size());
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      item = item.substr(0, item.find(';'));  // a coding's parameters
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      if (item.empty()) continue;  // empty list elements are allowed and ignored
      std::string coding(item);
      for (char& c : coding) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      codings.push_back(std::move(coding));
    }
  }
  if (!present) return std::nullopt;
  if (msg.version() < 11) {
    return FramingRefusal{400, "Transfer-Encoding is not allowed in an HTTP/1.0 request."};
  }
  if (codings.empty() || codings.back() != "chunked" ||
      std::count(codings.begin(), codings.end(), "chunked") != 1) {
    return FramingRefusal{400, "The request's Transfer-Encoding must end with chunked, once."};
  }
  for (const std::string& coding : codings) {
    if (coding != "chunked") {
      return FramingRefusal{501, "The transfer coding \"" + coding + "\" is not implemented; "
                                 "send the body with chunked alone or a Content-Length."};
    }
  }
  return std::nullopt;
}

// The refusal (400) of what Beast's parser refuses in a request's framing: two different
// Content-Lengths, one that is not a number, one with a Transfer-Encoding (either order),
// chunked twice; a chunk's size that is not hex or does not fit 64 bits, garbage in its
// extension, data not followed by CRLF, or, once the header is read (HEADER_DONE), a size line
// or trailer longer than the read buffer may hold. Nothing for another error.
inline std::optional<FramingRefusal> framing_read_refusal(boost::beast::error_code ec, bool header_done) {
  namespace bhttp = boost::beast::http;
  if (ec == bhttp::error::bad_content_length) return FramingRefusal{400, std::string(kContentLengthRefused)};
  if (ec == bhttp::error::bad_transfer_encoding) {
    return FramingRefusal{400, std::string(kTransferEncodingRefused)};
  }
  if (ec == bhttp::error::bad_chunk || ec == bhttp::error::bad_chunk_extension ||
      (ec == bhttp::error::buffer_overflow && header_done)) {
    return FramingRefusal{400, std::string(kChunksRefused)};
  }
  return std::nullopt;
}

}  // namespace oatd::http
