#include "admin/admin.h"

#include "crypto/crypto.h"

namespace oatd::admin {
namespace {

void check(const oat::Status& status) {
  if (status) throw AdminError(status->message);
}

User require_user(Transaction& tx, const std::string& name) {
  auto user = tx.find_user(name);
  if (!user) throw AdminError("There is no user \"" + name + "\".");
  return *user;
}

Organization require_org(Transaction& tx, const std::string& name) {
  auto org = tx.find_organization(name);
  if (!org) throw AdminError("There is no organization \"" + name + "\".");
  return *org;
}

}  // namespace

std::string add_user(Store& store, const std::string& name, const std::string& password,
                     Timestamp now) {
  check(oat::validate_account_name(name, "user"));
  check(oat::validate_password(password));
  const std::string hash = hash_password(password);
  store.write([&](Transaction& tx) {
    if (tx.find_user(name)) throw AdminError("User \"" + name + "\" already exists.");
    tx.add_user(name, hash, now);
  });
  return "Added user " + name + ".";
}

std::string add_company(Store& store, const std::string& name) {
  check(oat::validate_account_name(name, "company"));
  store.write([&](Transaction& tx) {
    if (tx.find_company(name)) throw AdminError("Company \"" + name + "\" already exists.");
    tx.add_company(name);
  });
  return "Added company " + name + ".";
}

std::string add_company_owner(Store& store, const std::string& company, const std::string& user) {
  store.write([&](Transaction& tx) {
    const auto c = tx.find_company(company);
    if (!c) throw AdminError("There is no company \"" + company + "\".");
    const User u = require_user(tx, user);
    if (tx.is_company_owner(c->id, u.id)) {
      throw AdminError(user + " already owns company " + company + ".");
    }
    tx.add_company_owner(c->id, u.id);
  });
  return "Made " + user + " an owner of company " + company + ".";
}

std::string add_organization(Store& store, const std::string& name, const std::string& plan_name,
                             const std::string& company) {
  check(oat::validate_account_name(name, "organization"));
  const auto plan = oat::parse_plan(plan_name);
  if (!plan) throw AdminError("Unknown plan \"" + plan_name + "\"; use team, business or free.");
  store.write([&](Transaction& tx) {
    if (tx.find_organization(name) || tx.find_user(name)) {
      throw AdminError("The name \"" + name + "\" is already taken.");
    }
    std::optional<std::int64_t> company_id;
    if (!company.empty()) {
      const auto c = tx.find_company(company);
      if (!c) throw AdminError("There is no company \"" + company + "\".");
      company_id = c->id;
    }
    tx.add_organization(name, *plan, company_id);
  });
  return "Added organization " + name + " on the " + std::string(oat::plan_display_name(*plan)) +
         " plan.";
}

std::string add_role(Store& store, const std::string& org, const std::string& raw_name,
                     const std::vector<std::string>& permissions) {
  const auto valid_name = oat::validate_custom_role_name(raw_name);
  if (!valid_name) throw AdminError(valid_name.error().message);
  const std::string& name = *valid_name;
  const auto manages = oat::parse_role_permissions(permissions);
  if (!manages) throw AdminError(manages.error().message);
  const bool manages_tokens = *manages;
  store.write([&](Transaction& tx) {
    const Organization o = require_org(tx, org);
    if (tx.find_custom_role(o.id, name)) {
      throw AdminError("Role \"" + name + "\" already exists in " + org + ".");
    }
    tx.add_custom_role({o.id, name, manages_tokens});
  });
  return "Added role " + name + " to " + org + (manages_tokens ? " (manages access tokens)." : ".");
}

std::string add_member(Store& store, const std::string& org, const std::string& user,
                       const std::string& role) {
  std::string stored = role;
  if (const auto builtin = oat::parse_builtin_org_role(role)) {
    stored = std::string(oat::org_role_name(*builtin));
  }
  store.write([&](Transaction& tx) {
    const Organization o = require_org(tx, org);
    const User u = require_user(tx, user);
    if (!oat::parse_builtin_org_role(role) && !tx.find_custom_role(o.id, role)) {
      throw AdminError("There is no role \"" + role + "\" in " + org +
                       "; use owner, editor, member or a role added with `role add`.");
    }
    tx.set_membership({o.id, u.id, stored});
  });
  return "Made " + user + " " + stored + " of " + org + ".";
}

std::string add_repository(Store& store, const std::string& path, bool is_public, Timestamp now) {
  const auto parsed = oat::parse_repo_path(path, "repository");
  if (!parsed || parsed->kind != oat::RepoPathKind::Repository) {
    throw AdminError("\"" + path + "\" is not a repository path; use ORGANIZATION/REPOSITORY.");
  }
  store.write([&](Transaction& tx) {
    const Organization o = require_org(tx, parsed->namespace_);
    if (tx.find_repository(o.id, parsed->name)) {
      throw AdminError("Repository " + path + " already exists.");
    }
    tx.add_repository({o.id, parsed->name, is_public, now});
  });
  return "Added " + std::string(is_public ? "public" : "private") + " repository " + path + ".";
}

bool create_demo(Store& store, const std::string& password, Timestamp now) {
  bool exists = false;
  store.read([&](Transaction& tx) { exists = tx.find_organization("acme").has_value(); });
  if (exists) return false;
  const std::string hash = hash_password(password);
  store.write([&](Transaction& tx) {
    const std::int64_t owner = tx.add_user("owner", hash, now);
    const std::int64_t org = tx.add_organization("acme", oat::Plan::Team, std::nullopt);
    tx.set_membership({org, owner, "owner"});
    for (const char* name : {"app", "web", "api", "worker"}) {
      tx.add_repository({org, name, false, now});
    }
    tx.add_repository({org, "docs", true, now});
  });
  return true;
}

std::string migrate_database(Store& from, Store& to,
                             const std::function<void(const std::string&)>& progress) {
  const auto& tables = copied_tables();
  std::vector<std::pair<std::string_view, std::size_t>> copied;
  from.read([&](Transaction& source) {
    to.write([&](Transaction& target) {
      // The target must be empty, checked in the transaction that fills it (a server already
      // started on it cannot slip a row in between).
      std::string held;
      for (const TableColumns& table : tables) {
        if (const std::size_t n = target.count_rows(table)) {
          held += (held.empty() ? "" : ", ") + std::to_string(n) + " " + std::string(table.name);
        }
      }
      if (!held.empty()) {
        throw AdminError("The target database is not empty (it holds " + held +
                         "); migrate-db copies into an empty database only, and changed nothing.");
      }
      copied.clear();  // the write may run again
      for (const TableColumns& table : tables) {
        std::size_t n = 0;
        source.each_row(table, [&](const RowValues& row) {
          target.insert_row(table, row);
          ++n;
        });
        target.finish_copy(table);
        const std::size_t expected = source.count_rows(table);
        const std::size_t landed = target.count_rows(table);
        if (n != expected || landed != expected) {
          throw AdminError("Copying " + std::string(table.name) + " went wrong: the source has " +
                           std::to_string(expected) + " rows, " + std::to_string(n) +
                           " were read and the target has " + std::to_string(landed) +
                           "; nothing was changed.");
        }
        copied.emplace_back(table.name, n);
        progress(std::string(table.name) + ": " + std::to_string(n) + " rows");
      }
    });
  });
  std::size_t total = 0;
  for (const auto& [name, n] : copied) total += n;
  std::string summary = "Copied " + std::to_string(total) + " rows in " +
                        std::to_string(copied.size()) + " tables:";
  for (const auto& [name, n] : copied) {
    if (name == "users" || name == "organizations" || name == "tokens" || name == "audit_events" ||
        name == "sessions" || name == "repositories") {
      summary += " " + std::to_string(n) + " " + std::string(name) + ",";
    }
  }
  summary.back() = '.';
  return summary + " Each table's count was checked on the target.";
}

}  // namespace oatd::admin
