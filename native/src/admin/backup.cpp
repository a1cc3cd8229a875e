// oatd admin backup and restore: a SQLite database copied while the server keeps writing, as
// one self-contained file with its SHA-256 beside it; and that file put back as a new
// database (SQLite, or PostgreSQL through migrate_database).
//
// The copy is SQLite's online backup API in one step: one read transaction, so the copy is the
// database as of one moment, and in WAL mode writers are never blocked by it.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "admin/admin.h"
#include "crypto/crypto.h"
#include "crypto/keys.h"
#include "store/migrations.h"
#include "store/sql/row.h"

namespace oatd::admin {
namespace {

namespace fs = std::filesystem;
using sql::in_quotes;

constexpr std::string_view kNothingWritten = " Nothing was written.";
constexpr std::string_view kNothingRestored = " Nothing was restored.";

// A SQLite connection that closes itself.
struct Db {
  sqlite3* handle = nullptr;
  Db() = default;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db() { sqlite3_close_v2(handle); }
};

void open_db(Db& db, const std::string& name, int flags) {
  const int rc = sqlite3_open_v2(name.c_str(), &db.handle, flags | SQLITE_OPEN_URI, nullptr);
  if (rc != SQLITE_OK) {
    throw AdminError("cannot open " + in_quotes(name) + ": " +
                     (db.handle ? sqlite3_errmsg(db.handle) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(db.handle, 5000);
  sqlite3_extended_result_codes(db.handle, 1);
}

// The first column of the first row of `sql`, as text; `rc` gets SQLite's result code.
std::string scalar(sqlite3* db, const std::string& sql, int* rc = nullptr) {
  sqlite3_stmt* stmt = nullptr;
  int code = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
  std::string value;
  if (code == SQLITE_OK) {
    code = sqlite3_step(stmt);
    if (code == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(stmt, 0);
      value = text ? reinterpret_cast<const char*>(text) : "";
      code = SQLITE_OK;
    } else if (code == SQLITE_DONE) {
      code = SQLITE_OK;
    }
  }
  sqlite3_finalize(stmt);
  if (rc) *rc = code;
  if (!rc && code != SQLITE_OK) throw AdminError(std::string("SQLite: ") + sqlite3_errmsg(db));
  return value;
}

std::string sha256_of_file(const std::string& path) {
  if (auto digest = sha256_file_hex(path)) return *digest;
  throw AdminError("cannot read " + in_quotes(path));
}

// Makes a file's content and its name durable: the file's own fsync, then its folder's.
void sync_file_and_folder(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) {
    const std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    throw AdminError("cannot write " + in_quotes(path) + " to disk: " + why);
  }
  ::close(fd);
  const std::string folder = fs::absolute(path).parent_path().string();
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

// Gives `from` the name `to` unless `to` exists (then AdminError): link, then unlink.
void rename_no_replace(const std::string& from, const std::string& to, std::string_view nothing) {
  if (::link(from.c_str(), to.c_str()) != 0) {
    const std::string why = errno == EEXIST ? "it exists already" : std::strerror(errno);
    ::unlink(from.c_str());
    throw AdminError("cannot create " + in_quotes(to) + ": " + why + "." + std::string(nothing));
  }
  ::unlink(from.c_str());
}

std::string size_text(std::uintmax_t bytes) {
  char text[32];
  if (bytes < 1024 * 1024) {
    std::snprintf(text, sizeof text, "%.1f KiB", static_cast<double>(bytes) / 1024);
  } else {
    std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1024 * 1024));
  }
  return text;
}

// "3 organizations" or "1 organization".
std::string counted(const std::string& count, const std::string& noun) {
  return count + " " + noun + (count == "1" ? "" : "s");
}

// "schema version 2, 3 organizations, 812 access tokens" of an open oatd database.
std::string contents(sqlite3* db) {
  return "schema version " + scalar(db, "PRAGMA user_version") + ", " +
         counted(scalar(db, "SELECT COUNT(*) FROM organizations"), "organization") + ", " +
         counted(scalar(db, "SELECT COUNT(*) FROM tokens"), "access token");
}

// Why `db` (open) cannot be taken as an oatd database of this build, or "". `name` is what
// the sentence calls it.
std::string schema_problem(sqlite3* db, const std::string& name, std::string_view doing) {
  const int version = std::stoi(scalar(db, "PRAGMA user_version"));
  const int latest = store::latest_schema_version(store::Dialect::SQLite);
  if (version > latest) {
    return name + " comes from a newer oatd (schema version " + std::to_string(version) +
           "; this oatd knows up to " + std::to_string(latest) + "): " + std::string(doing) +
           " it with that oatd or a newer one.";
  }
  if (version == 0) return name + " is not an oatd database (it has no oatd schema version).";
  return "";
}

// The checksum file's digest: the first word of its first line ("HEX  NAME", as sha256sum).
std::string recorded_sha256(const std::string& path) {
  std::ifstream in(path);
  std::string digest;
  in >> digest;
  return digest;
}

}  // namespace

std::string backup_database(const std::string& database, const std::string& out,
                            const std::function<void(const std::string&)>& progress) {
  if (is_postgres_uri(database)) {
    throw AdminError("oatd admin backup copies SQLite databases; back up PostgreSQL with pg_dump "
                     "(docs/operations.md, \"Backups\")." + std::string(kNothingWritten));
  }
  std::error_code ec;
  if (!fs::is_regular_file(database, ec)) {
    throw AdminError("there is no database file " + in_quotes(database) + "." +
                     std::string(kNothingWritten));
  }
  const std::string checksum_file = out + ".sha256";
  for (const std::string& file : {out, checksum_file}) {
    if (fs::exists(fs::symlink_status(file, ec))) {
      throw AdminError(in_quotes(file) + " exists already: back up into a new file." +
                       std::string(kNothingWritten));
    }
  }

  Db source;
  open_db(source, database, SQLITE_OPEN_READWRITE);
  if (std::string problem = schema_problem(source.handle, in_quotes(database), "back up");
      !problem.empty()) {
    throw AdminError(problem + std::string(kNothingWritten));
  }

  const std::string partial = out + ".partial";
  ::unlink(partial.c_str());
  {
    Db target;
    open_db(target, partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    sqlite3_backup* backup = sqlite3_backup_init(target.handle, "main", source.handle, "main");
    if (!backup) {
      const std::string why = sqlite3_errmsg(target.handle);
      ::unlink(partial.c_str());
      throw AdminError("cannot start the backup: " + why + "." + std::string(kNothingWritten));
    }
    progress("copying " + in_quotes(database) + " (" +
             size_text(fs::file_size(database, ec)) + ", and what its write-ahead log adds)");
    // All pages in one step, so in one read transaction: the copy is one moment of the
    // database, and a writer meanwhile neither waits nor restarts the copy. A lock held by
    // another process (a checkpoint) only delays the start.
    int rc = SQLITE_OK;
    for (int attempt = 0; attempt < 200; ++attempt) {
      rc = sqlite3_backup_step(backup, -1);
      if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const int pages = sqlite3_backup_pagecount(backup);
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) {
      const std::string why = sqlite3_errstr(rc);
      ::unlink(partial.c_str());
      throw AdminError("the backup stopped: " + why + "." + std::string(kNothingWritten));
    }
    // One self-contained file: the source's WAL mode would make the copy want -wal and -shm
    // files beside it.
    scalar(target.handle, "PRAGMA journal_mode = DELETE");
    const std::string check = scalar(target.handle, "PRAGMA integrity_check");
    if (check != "ok") {
      ::unlink(partial.c_str());
      throw AdminError("the copy failed its integrity check (" + check + ")." +
                       std::string(kNothingWritten));
    }
    progress("copied " + std::to_string(pages) + " pages; " + contents(target.handle));
  }
  ::chmod(partial.c_str(), 0600);  // it holds what the database holds
  sync_file_and_folder(partial);
  const std::string digest = sha256_of_file(partial);
  rename_no_replace(partial, out, kNothingWritten);

  // sha256sum's format; written whole or not at all, never over another file.
  if (!keys::write_new_key_file(checksum_file, digest + "  " + fs::path(out).filename().string() + "\n")) {
    throw AdminError(in_quotes(checksum_file) + " appeared meanwhile; the backup is " + in_quotes(out) +
                     " (its SHA-256 is " + digest + ").");
  }

  Db done;
  open_db(done, "file:" + out + "?mode=ro", SQLITE_OPEN_READONLY);
  std::string summary = "Backed up " + in_quotes(database) + " to " + in_quotes(out) + " (" +
                        size_text(fs::file_size(out, ec)) + "; " + contents(done.handle) +
                        ").\nSHA-256 " + digest + " (in " + in_quotes(checksum_file) + ").";
  const fs::path key = fs::path(database).parent_path() / "oatd-signing-key.pem";
  if (fs::exists(key, ec)) {
    summary += "\nThe signing key " + in_quotes(key.string()) +
               " is not in the backup: keep a copy of it apart (it changes only when you rotate it).";
  }
  return summary;
}

std::string restore_database(const std::string& backup, const std::string& target,
                             const std::function<void(const std::string&)>& progress) {
  std::error_code ec;
  if (!fs::is_regular_file(backup, ec)) {
    throw AdminError("there is no backup file " + in_quotes(backup) + "." +
                     std::string(kNothingRestored));
  }
  const std::string checksum_file = backup + ".sha256";
  if (fs::exists(checksum_file, ec)) {
    const std::string expected = recorded_sha256(checksum_file);
    if (expected != sha256_of_file(backup)) {
      throw AdminError(in_quotes(backup) + " does not match its checksum in " +
                       in_quotes(checksum_file) + ": the file is damaged or was changed." +
                       std::string(kNothingRestored));
    }
    progress("the checksum in " + in_quotes(checksum_file) + " matches");
  } else {
    progress("no checksum file beside it (" + in_quotes(checksum_file) +
             "); checking the database itself");
  }

  {
    Db copy;
    open_db(copy, "file:" + backup + "?mode=ro&immutable=1", SQLITE_OPEN_READONLY);
    int rc = SQLITE_OK;
    const std::string check = scalar(copy.handle, "PRAGMA integrity_check", &rc);
    if (rc == SQLITE_NOTADB) {
      throw AdminError(in_quotes(backup) + " is not an oatd backup: it is not a SQLite database." +
                       std::string(kNothingRestored));
    }
    if (rc != SQLITE_OK || check != "ok") {
      throw AdminError(in_quotes(backup) + " is damaged (integrity check: " +
                       (rc != SQLITE_OK ? std::string(sqlite3_errmsg(copy.handle)) : check) + ")." +
                       std::string(kNothingRestored));
    }
    if (std::string problem = schema_problem(copy.handle, in_quotes(backup), "restore");
        !problem.empty()) {
      throw AdminError(problem + std::string(kNothingRestored));
    }
    progress("the backup is whole: " + contents(copy.handle));
  }

  if (is_postgres_uri(target)) {
    // Through a private copy (opening a store brings an older schema up to date, and the
    // backup itself stays as it was), then the same copy as migrate-db.
    const fs::path scratch = fs::temp_directory_path() /
                             ("oatd-restore-" + std::to_string(::getpid()) + ".db");
    fs::copy_file(backup, scratch, fs::copy_options::overwrite_existing);
    struct Remove {
      fs::path path;
      ~Remove() {
        std::error_code ignored;
        for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix, ignored);
      }
    } remove{scratch};
    auto from = open_store(scratch.string(), 1);
    auto to = open_store(target, 1);
    return migrate_database(*from, *to, progress) + "\nRestored " + in_quotes(backup) + " into " +
           in_quotes(redacted_database(target)) + ".";
  }

  for (const char* suffix : {"", "-wal", "-shm"}) {
    if (fs::exists(fs::symlink_status(target + suffix, ec))) {
      throw AdminError(in_quotes(target + suffix) +
                       " exists already: restore into a new database file (move the old one aside "
                       "first)." + std::string(kNothingRestored));
    }
  }
  const fs::path folder = fs::absolute(target).parent_path();
  if (!fs::is_directory(folder, ec)) {
    throw AdminError("there is no folder " + in_quotes(folder.string()) + " for " + in_quotes(target) +
                     "." + std::string(kNothingRestored));
  }
  const std::string partial = target + ".partial";
  ::unlink(partial.c_str());
  if (!fs::copy_file(backup, partial, ec)) {
    throw AdminError("cannot write " + in_quotes(partial) + ": " + ec.message() + "." +
                     std::string(kNothingRestored));
  }
  ::chmod(partial.c_str(), 0600);
  sync_file_and_folder(partial);
  rename_no_replace(partial, target, kNothingRestored);
  // Opening it as the server would brings an older schema up to date now, not at the start.
  open_store(target, 1);
  Db restored;
  open_db(restored, target, SQLITE_OPEN_READONLY);
  return "Restored " + in_quotes(backup) + " into " + in_quotes(target) + " (" +
         contents(restored.handle) + ").";
}

}  // namespace oatd::admin
