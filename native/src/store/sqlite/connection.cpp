#include "store/sqlite/connection.h"

#include <algorithm>
#include <cerrno>
#include <limits>

namespace oatd::sqlite {

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::int64_t to_sql_count(std::size_t n) {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(std::min(n, kMax));
}

Kind kind_of(sqlite3* db, int extended_code) {
  if ((extended_code & 0xff) == SQLITE_FULL) return Kind::StorageFull;
  if ((extended_code & 0xff) == SQLITE_BUSY) return Kind::Busy;
  if ((extended_code & 0xff) == SQLITE_IOERR) {
    const int error = sqlite3_system_errno(db);
    if (error == ENOSPC || error == EFBIG || error == EDQUOT) return Kind::StorageFull;
  }
  switch (extended_code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Kind::Conflict;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Kind::NotFound;
    default:
      return Kind::Failure;
  }
}

}  // namespace oatd::sqlite
