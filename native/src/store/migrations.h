// The schema of oatd, as an ordered list of migrations for each database it runs on. Each step
// is applied once; SQLite records the last one applied in PRAGMA user_version, PostgreSQL in
// the table oatd_schema. Steps are append-only: never edit a released step, add a new one.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace oatd::store {

struct Migration {
  int version;               // 1, 2, 3 ... (equals its position in the list, counting from 1)
  std::string_view name;     // what the step does, for messages
  std::string_view sql;      // DDL only: no values from outside, run as one script
};

enum class Dialect { SQLite, PostgreSQL };

// Every migration of `dialect`, oldest first.
std::span<const Migration> migrations(Dialect dialect);

// The schema version this build brings a database of `dialect` to (its last migration's).
int latest_schema_version(Dialect dialect);

// Why a database whose schema is newer than this build's cannot be opened, in one sentence.
std::string newer_schema_message(std::string_view database, int version, Dialect dialect);

// Why a database with tables but no oatd schema version is not opened (it belongs to another
// application, and migrating it would mix oatd's tables into it), in one sentence.
std::string foreign_database_message(std::string_view database);

}  // namespace oatd::store
