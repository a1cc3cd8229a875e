// `oatd admin`: the commands that set up users, companies, organizations, roles, members and
// repositories. Each checks its arguments with the core's rules and changes nothing when it
// refuses.
#pragma once

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

// Creates the demo organization "acme" (Team plan, a few repositories) and its owner "owner"
// with `password`, unless it exists. Returns false when the demo was already there.
bool create_demo(Store& store, const std::string& password, Timestamp now);

}  // namespace oatd::admin
