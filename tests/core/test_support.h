// Shared helpers for the core unit tests: readable failure output for errors, predicates over
// Errors, and the "acme" organization the tests are set in.
#pragma once

#include <algorithm>
#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "oat/error.h"
#include "oat/resource.h"
#include "oat/time.h"

namespace oat {

// gtest finds these by argument-dependent lookup, so failures print codes, not bytes.
inline void PrintTo(const Error& e, std::ostream* os) {
  *os << "{" << error_code_name(e.code) << ", field=\"" << e.field << "\", \"" << e.message
      << "\"}";
}
inline void PrintTo(const Errors& errors, std::ostream* os) {
  *os << "[";
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (i) *os << ", ";
    PrintTo(errors[i], os);
  }
  *os << "]";
}

}  // namespace oat

namespace oat_test {

// The organization the tests are set in: "acme", with repositories app, web, api and r0..r59.
inline constexpr std::string_view kOrg = "acme";

inline bool acme_has_repository(std::string_view name) {
  if (name == "app" || name == "web" || name == "api") return true;
  if (name.size() < 2 || name.size() > 3 || name[0] != 'r') return false;
  for (std::size_t i = 1; i < name.size(); ++i)
    if (name[i] < '0' || name[i] > '9') return false;
  if (name.size() == 3 && name[1] == '0') return false;  // "r05" is not a repository
  int n = std::stoi(std::string(name.substr(1)));
  return n >= 0 && n < 60;
}

inline oat::RepositoryExists acme_repositories() {
  return [](std::string_view name) { return acme_has_repository(name); };
}

// 2026-01-15T12:00:00Z, built without the parser under test.
inline oat::Timestamp fixed_now() { return oat::from_unix(1768478400); }

inline oat::Resource repo(std::string path, std::vector<oat::Scope> scopes) {
  return oat::Resource{oat::ResourceType::Repo, std::move(path), std::move(scopes)};
}
inline oat::Resource org_resource(std::string path, std::vector<oat::Scope> scopes) {
  return oat::Resource{oat::ResourceType::Org, std::move(path), std::move(scopes)};
}

inline bool has_code(const oat::Errors& errors, oat::ErrorCode code) {
  return std::any_of(errors.begin(), errors.end(),
                     [&](const oat::Error& e) { return e.code == code; });
}
inline bool has_error(const oat::Errors& errors, oat::ErrorCode code, std::string_view field) {
  return std::any_of(errors.begin(), errors.end(), [&](const oat::Error& e) {
    return e.code == code && e.field == field;
  });
}
// Field starts with `prefix` (for fields whose exact suffix the headers leave open).
inline bool has_error_under(const oat::Errors& errors, oat::ErrorCode code,
                            std::string_view prefix) {
  return std::any_of(errors.begin(), errors.end(), [&](const oat::Error& e) {
    return e.code == code && std::string_view(e.field).substr(0, prefix.size()) == prefix;
  });
}
inline const oat::Error* find_code(const oat::Errors& errors, oat::ErrorCode code) {
  for (const auto& e : errors)
    if (e.code == code) return &e;
  return nullptr;
}
inline bool all_messages_non_empty(const oat::Errors& errors) {
  return std::all_of(errors.begin(), errors.end(),
                     [](const oat::Error& e) { return !e.message.empty(); });
}
inline bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}
inline std::string repeat(std::string_view unit, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += unit;
  return out;
}

}  // namespace oat_test
