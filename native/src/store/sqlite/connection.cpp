#include "store/sqlite/connection.h"

#include <algorithm>
#include <cerrno>
#include <limits>

namespace oatd::sqlite {

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
