// The SQLite schema of oatd, as an ordered list of migrations. Each step is applied once, in its
// own transaction, and PRAGMA user_version records the last one applied. Steps are append-only:
// never edit a released step, add a new one.
#pragma once

#include <span>
#include <string_view>

namespace oatd::store {

struct Migration {
  int version;               // 1, 2, 3 ... (equals its position in the list, counting from 1)
  std::string_view name;     // what the step does, for messages
  std::string_view sql;      // DDL only: no values from outside, run as one script
};

// Every migration, oldest first.
std::span<const Migration> migrations();

// The schema version this build brings a database to (the last migration's version).
int latest_schema_version();

}  // namespace oatd::store
