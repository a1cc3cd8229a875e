// Reading an enumeration back from its name: the one way every parse_* of the core does it.
// Internal to core/src.
#pragma once

#include <initializer_list>
#include <optional>
#include <string_view>

namespace oat {

inline bool equals_ignoring_ascii_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

enum class Case { Exact, Ignored };

// The one of `values` whose name_of() is `text` (in any letter case when `letter_case` is
// Ignored), or nullopt.
template <class E>
std::optional<E> parse_name(std::string_view text, std::initializer_list<E> values,
                            std::string_view (*name_of)(E), Case letter_case = Case::Exact) {
  for (E value : values) {
    const std::string_view name = name_of(value);
    if (letter_case == Case::Exact ? name == text : equals_ignoring_ascii_case(name, text)) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace oat
