// Shared helpers for the core unit tests: readable failure output for errors, predicates over
// Errors and refusals, checks of named vocabularies, and the "acme" organization the tests are
// set in.
#pragma once

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
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
// An error with `code` at `field`: that field exactly or, when `field` ends in '*', any field
// starting with what precedes the '*' ("*" alone: any field at all). For tables of refusals.
inline bool has_error_at(const oat::Errors& errors, oat::ErrorCode code, std::string_view field) {
  if (!field.ends_with('*')) return has_error(errors, code, field);
  return has_error_under(errors, code, field.substr(0, field.size() - 1));
}

// ---- Refusals --------------------------------------------------------------------------------

// The check behind refused(): the first error of a refusal.
inline ::testing::AssertionResult refused_error(const oat::Error& e, oat::ErrorCode code,
                                                std::optional<std::string_view> field) {
  if (e.code != code || (field && e.field != *field) || e.message.empty()) {
    return ::testing::AssertionFailure()
           << "refused with " << ::testing::PrintToString(e) << ", expected "
           << oat::error_code_name(code) << (field ? " at \"" + std::string(*field) + "\"" : "")
           << " with a message";
  }
  return ::testing::AssertionSuccess();
}
// A rule refused: the Result failed (or the Status holds an error), and its first error has
// `code`, a message and, when given, `field`.
template <class T>
::testing::AssertionResult refused(const oat::Result<T>& result, oat::ErrorCode code,
                                   std::optional<std::string_view> field = std::nullopt) {
  if (result.ok()) return ::testing::AssertionFailure() << "accepted, expected a refusal";
  return refused_error(result.error(), code, field);
}
inline ::testing::AssertionResult refused(const oat::Status& status, oat::ErrorCode code,
                                          std::optional<std::string_view> field = std::nullopt) {
  if (!status) return ::testing::AssertionFailure() << "allowed, expected a refusal";
  return refused_error(*status, code, field);
}

// ---- Tables of cases ------------------------------------------------------------------------

// Names each instance of a parameterized test after its row's `name`.
struct RowName {
  template <class Row>
  std::string operator()(const ::testing::TestParamInfo<Row>& info) const {
    return std::string(info.param.name);
  }
};

// ---- Vocabularies: enums whose values each have a name ---------------------------------------

template <class E>
struct Word {
  E value;
  std::string_view name;
};

// `name_of` names every word's value as the word says.
template <class E, class NameOf>
::testing::AssertionResult names_are(const std::vector<Word<E>>& words, NameOf name_of) {
  ::testing::AssertionResult result = ::testing::AssertionSuccess();
  for (const auto& word : words) {
    if (std::string_view(name_of(word.value)) == word.name) continue;
    if (result) result = ::testing::AssertionFailure();
    result << "\n  the value of \"" << word.name << "\" is named \"" << name_of(word.value)
           << "\"";
  }
  return result;
}

// `parse` reads every word's name as the word's value.
template <class E, class Parse>
::testing::AssertionResult parses_as(const std::vector<Word<E>>& words, Parse parse) {
  ::testing::AssertionResult result = ::testing::AssertionSuccess();
  for (const auto& word : words) {
    const std::optional<E> parsed = parse(word.name);
    if (parsed == word.value) continue;
    if (result) result = ::testing::AssertionFailure();
    result << "\n  \"" << word.name << "\" parses as ";
    if (!parsed) {
      result << "nothing";
    } else if constexpr (std::is_enum_v<E>) {
      result << "value " << static_cast<long long>(*parsed);
    } else {
      result << ::testing::PrintToString(*parsed);
    }
  }
  return result;
}

// `parse` reads none of `names`.
template <class Parse>
::testing::AssertionResult parses_none(Parse parse, std::initializer_list<std::string_view> names) {
  ::testing::AssertionResult result = ::testing::AssertionSuccess();
  for (std::string_view name : names) {
    if (!parse(name).has_value()) continue;
    if (result) result = ::testing::AssertionFailure();
    result << "\n  \"" << name << "\" parses";
  }
  return result;
}

// No two of `items` have the same key(item).
template <class Items, class Key>
::testing::AssertionResult all_distinct(const Items& items, Key key) {
  std::set<std::decay_t<decltype(key(*std::begin(items)))>> seen;
  ::testing::AssertionResult result = ::testing::AssertionSuccess();
  for (const auto& item : items) {
    if (seen.insert(key(item)).second) continue;
    if (result) result = ::testing::AssertionFailure();
    result << "\n  " << ::testing::PrintToString(key(item)) << " comes twice";
  }
  return result;
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
