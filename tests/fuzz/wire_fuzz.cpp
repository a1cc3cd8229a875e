// libFuzzer target: the readers of the management API's answers (oat/wire.h, oat/api.h), what the
// console and any client built on the core read from a server. The first byte chooses the reader,
// the rest is the answer's body:
//   'p'  a page of tokens, 'L' a page of the audit log: parse_page_json, then every item
//   's'  a sign-in answer: parse_sign_in_answer
//   'd'  a usage series: parse_usage_json
//   'e'  an error answer of any shape: parse_error_response
//   't'  a token object: parse_token_json; 'n' a create's answer: take_created_token
//   'U'  the user, 'O' an organization, 'R' a repository, 'A' an audit event, 'a' an audit
//        event's data, 'P' a token policy, 'r' a token's resources
// Anything may be refused; nothing may crash, throw, hang or read out of bounds. What a reader
// accepts, written back by the core's writer and read again, is written the same.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "oat/oat.h"

#include "property.h"

namespace {

using nlohmann::json;

using oat_fuzz::fail;
using oat_fuzz::accepted;

// Read, write, read again, write again: both writes are the same text.
template <class Read, class Write>
void round_trip(const json& value, Read read, Write write, const char* what) {
  const auto first = read(value);
  if (!accepted(first)) return;
  const json written = write(*first);
  const auto second = read(written);
  if (!second.ok()) {
    std::fprintf(stderr, "wire_fuzz: %s written as %s\n", what, oat::json_text(written).c_str());
    fail("what the core wrote does not read back");
  }
  if (oat::json_text(write(*second)) != oat::json_text(written)) {
    std::fprintf(stderr, "wire_fuzz: %s written as %s\n", what, oat::json_text(written).c_str());
    fail("what the core wrote reads back as something else");
  }
}

const auto kToken = [](const oat::AccessToken& t) { return oat::token_json(t, true); };

void page(std::string_view body, std::string_view key) {
  const auto parsed = oat::parse_page_json(body, key);
  if (!accepted(parsed)) return;
  if (!parsed->items.is_array()) fail("a page whose items are not a list");
  for (const json& item : parsed->items) {
    if (key == oat::kLogsKey) {
      round_trip(item, oat::parse_audit_event_json, oat::audit_event_json, "an audit event");
    } else {
      round_trip(item, oat::parse_token_json, kToken, "a token");
    }
  }
}

void sign_in_answer(std::string_view body) {
  const auto parsed = oat::parse_sign_in_answer(body);
  if (!accepted(parsed)) return;
  (void)oat::json_text(oat::sign_in_answer_json(*parsed));
}

void usage(std::string_view body) {
  const auto parsed = oat::parse_usage_json(body);
  if (!accepted(parsed)) return;
  const auto again = oat::parse_usage_json(oat::json_text(oat::usage_json(*parsed)));
  if (!again || *again != *parsed) fail("a usage series that does not read back as itself");
}

void created(std::string_view body) {
  json value = oat::parse_json_text(body);
  if (value.is_discarded()) return;
  const auto taken = oat::take_created_token(value);
  if (!accepted(taken)) return;
  if (taken->secret.empty()) fail("a created token without its secret");
  if (value["token"] != "") fail("the secret left in the answer");
}

void json_value(std::string_view body, char kind) {
  const json value = oat::parse_json_text(body);
  if (value.is_discarded()) return;
  switch (kind) {
    case 't': round_trip(value, oat::parse_token_json, kToken, "a token"); break;
    case 'U': round_trip(value, oat::parse_user_json, oat::user_json, "a user"); break;
    case 'O': round_trip(value, oat::parse_organization_json, oat::organization_json, "an organization"); break;
    case 'R': round_trip(value, oat::parse_repository_json, oat::repository_json, "a repository"); break;
    case 'A': round_trip(value, oat::parse_audit_event_json, oat::audit_event_json, "an audit event"); break;
    case 'P': round_trip(value, oat::parse_token_policy_json, oat::token_policy_json, "a token policy"); break;
    case 'r': round_trip(value, oat::parse_resources_json, oat::resources_json, "resources"); break;
    case 'a': {
      const json written = oat::audit_data_json(oat::parse_audit_data(value));
      if (oat::json_text(oat::audit_data_json(oat::parse_audit_data(written))) != oat::json_text(written)) {
        fail("audit data that reads back as something else");
      }
      break;
    }
    default: break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  switch (bytes[0]) {
    case 'p': page(data, oat::kResultsKey); break;
    case 'L': page(data, oat::kLogsKey); break;
    case 's': sign_in_answer(data); break;
    case 'd': usage(data); break;
    case 'e': {
      const oat::Errors errors = oat::parse_error_response(data, "fallback");
      if (errors.empty()) fail("an error answer read as no error");
      break;
    }
    case 'n': created(data); break;
    default: json_value(data, static_cast<char>(bytes[0])); break;
  }
  return 0;
}
