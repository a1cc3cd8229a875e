// `oatd admin`: the commands that set up users, companies, organizations, roles, members and
// repositories. Each checks its arguments with the core's rules and changes nothing when it
// refuses.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/store.h"

namespace oatd::admin {

// A refusal, with the message to print.
class AdminError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Each returns the line to print on success, or throws AdminError (or StoreError).
std::string add_user(Store& store, const std::string& name, const std::string& password,
                     Timestamp now);
std::string add_company(Store& store, const std::string& name);
std::string add_company_owner(Store& store, const std::string& company, const std::string& user);
std::string add_organization(Store& store, const std::string& name, const std::string& plan,
                             const std::string& company);
std::string add_role(Store& store, const std::string& org, const std::string& name,
                     const std::vector<std::string>& permissions);
std::string add_member(Store& store, const std::string& org, const std::string& user,
                       const std::string& role);
std::string add_repository(Store& store, const std::string& path, bool is_public, Timestamp now);

// Copies everything `from` holds into `to`, which must hold nothing yet (AdminError
// otherwise, naming what it holds), in one transaction on each side: `to` keeps all of it or
// none. Checks that each table of `to` then counts as many rows as `from`'s. `progress` gets
// one line per table as it is copied. Returns the summary to print.
std::string migrate_database(Store& from, Store& to,
                             const std::function<void(const std::string&)>& progress);

// Copies the SQLite database `database` (a server may be writing to it meanwhile) into the new
// file `out` as of one moment, checks the copy's integrity, and writes its SHA-256 to
// `out`.sha256 (sha256sum's format). Refuses (AdminError, nothing written) a PostgreSQL URI, a
// missing or foreign or newer database, and an `out` or checksum file that exists. `progress`
// gets a line as it goes. Returns the summary to print.
std::string backup_database(const std::string& database, const std::string& out,
                            const std::function<void(const std::string&)>& progress);

// Puts a backup made by backup_database into `target`, a SQLite file that must not exist or
// an empty PostgreSQL database, and brings its schema up to date. Refuses (AdminError, nothing
// changed) a file that does not match its .sha256 (when there is one), is not a SQLite
// database, fails its integrity check, or comes from a newer oatd. Returns the summary.
std::string restore_database(const std::string& backup, const std::string& target,
                             const std::function<void(const std::string&)>& progress);

// Creates the demo organization "acme" (Team plan, a few repositories) and its owner "owner"
// with `password`, unless it exists. Returns false when the demo was already there.
bool create_demo(Store& store, const std::string& password, Timestamp now);

}  // namespace oatd::admin
