// What the store's SQL layer shares between its databases: a result row as the queries read it
// (each database's statement is one), and small helpers for messages and counts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/store.h"

namespace oatd::sql {

using Kind = StoreError::Kind;

// "\"text\"", for messages.
std::string in_quotes(std::string_view s);
// A count as SQL's integer (LIMIT and OFFSET), saturated.
std::int64_t to_sql_count(std::size_t n);

// The current row of a statement, by column index (from 0). Times are Unix seconds.
class Row {
 public:
  virtual bool is_null(int col) const = 0;
  virtual std::int64_t int64(int col) const = 0;
  virtual bool boolean(int col) const = 0;
  virtual std::string text(int col) const = 0;

  Timestamp time(int col) const { return oat::from_unix(int64(col)); }
  std::optional<Timestamp> optional_time(int col) const {
    if (is_null(col)) return std::nullopt;
    return time(col);
  }
  std::optional<std::int64_t> optional_int64(int col) const {
    if (is_null(col)) return std::nullopt;
    return int64(col);
  }

 protected:
  ~Row() = default;
};

}  // namespace oatd::sql
