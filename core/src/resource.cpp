#include "oat/resource.h"

#include <set>
#include <string>
#include <utility>

namespace oat {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_separator(char c) { return c == '.' || c == '_' || c == '-'; }

// A Docker namespace or repository name: lower-case letters and digits, with single . _ -
// between them ("my-app", "app.v2"); 1..255 characters.
bool is_valid_component(std::string_view s) {
  if (s.empty() || s.size() > 255) return false;
  if (!is_lower_alnum(s.front()) || !is_lower_alnum(s.back())) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (is_lower_alnum(s[i])) continue;
    if (!is_separator(s[i]) || is_separator(s[i - 1])) return false;
  }
  return true;
}

std::string indexed(std::size_t i, std::string_view what) {
  return "resources[" + std::to_string(i) + "]." + std::string(what);
}

}  // namespace

Result<RepoPath> parse_repo_path(std::string_view path, std::string_view field) {
  if (path == kPublicRepositoriesPath) return RepoPath{RepoPathKind::PublicRepositories, "", ""};
  const auto slash = path.find('/');
  const Error invalid{ErrorCode::InvalidRepositoryPath, std::string(field),
                      "\"" + std::string(path) +
                          "\" is not a repository path; use \"organization/repository\", "
                          "\"organization/*\" or \"*/*/public\"."};
  if (slash == std::string_view::npos || path.find('/', slash + 1) != std::string_view::npos) {
    return invalid;
  }
  const std::string_view ns = path.substr(0, slash);
  const std::string_view name = path.substr(slash + 1);
  if (!is_valid_component(ns)) return invalid;
  if (name == "*") return RepoPath{RepoPathKind::AllOfOrganization, std::string(ns), "*"};
  if (!is_valid_component(name)) return invalid;
  return RepoPath{RepoPathKind::Repository, std::string(ns), std::string(name)};
}

Status validate_account_name(std::string_view name, std::string_view field) {
  if (is_valid_component(name)) return std::nullopt;
  return Error{ErrorCode::InvalidName, std::string(field),
               "\"" + std::string(name) +
                   "\" is not a valid name: use lower-case letters and digits, optionally "
                   "joined by single '.', '_' or '-'."};
}

Status validate_repository_name(std::string_view name, std::string_view field) {
  return validate_account_name(name, field);
}

Status validate_password(std::string_view password) {
  if (count_characters(password) < kMinPasswordLength) {
    return Error{ErrorCode::InvalidPassword, "password",
                 "The password must be at least " + std::to_string(kMinPasswordLength) +
                     " characters long."};
  }
  if (password.size() > 1024) {
    return Error{ErrorCode::InvalidPassword, "password", "The password is too long."};
  }
  return std::nullopt;
}

Errors validate_resources(const std::vector<Resource>& resources, std::string_view org,
                          const RepositoryExists& exists) {
  Errors errors;
  if (resources.empty()) {
    errors.push_back({ErrorCode::ResourcesRequired, "resources",
                      "Choose at least one repository or organization resource."});
    return errors;
  }
  std::size_t repo_entries = 0;
  std::set<std::pair<ResourceType, std::string>> seen;
  for (std::size_t i = 0; i < resources.size(); ++i) {
    const Resource& r = resources[i];
    const std::string path_field = indexed(i, "path");
    const std::string scopes_field = indexed(i, "scopes");
    if (r.type == ResourceType::Repo) ++repo_entries;

    if (!seen.emplace(r.type, r.path).second) {
      errors.push_back({ErrorCode::DuplicateResource, path_field,
                        "\"" + r.path + "\" is listed more than once."});
      continue;
    }

    if (r.scopes.empty()) {
      errors.push_back({ErrorCode::ScopesRequired, scopes_field,
                        "Choose at least one scope for \"" + r.path + "\"."});
    }
    for (Scope s : r.scopes) {
      if (scope_resource_type(s) != r.type) {
        errors.push_back({ErrorCode::ScopeWrongType, scopes_field,
                          std::string(scope_name(s)) +
                              (r.type == ResourceType::Repo
                                   ? " is an organization scope; it cannot be given on a "
                                     "repository."
                                   : " is a repository scope; it cannot be given on an "
                                     "organization.")});
      }
    }

    if (r.type == ResourceType::Org) {
      if (r.path != org) {
        errors.push_back({ErrorCode::OrgPathMismatch, path_field,
                          "An organization resource must name this organization (\"" +
                              std::string(org) + "\")."});
      }
      continue;
    }

    auto parsed = parse_repo_path(r.path, path_field);
    if (!parsed) {
      errors.push_back(parsed.error());
      continue;
    }
    switch (parsed->kind) {
      case RepoPathKind::PublicRepositories:
        for (Scope s : r.scopes) {
          if (s != Scope::ImagePull && scope_resource_type(s) == ResourceType::Repo) {
            errors.push_back({ErrorCode::PublicPullOnly, scopes_field,
                              "Public repositories can only be given scope-image-pull."});
            break;
          }
        }
        break;
      case RepoPathKind::AllOfOrganization:
      case RepoPathKind::Repository:
        if (parsed->namespace_ != org) {
          errors.push_back({ErrorCode::ForeignNamespace, path_field,
                            "\"" + r.path + "\" is outside this organization; use paths under \"" +
                                std::string(org) + "/\"."});
        } else if (parsed->kind == RepoPathKind::Repository &&
                   !(exists && exists(parsed->name))) {
          errors.push_back({ErrorCode::RepositoryNotFound, path_field,
                            "Repository \"" + r.path + "\" does not exist."});
        }
        break;
    }
  }
  if (repo_entries > kMaxRepositoryResources) {
    errors.push_back({ErrorCode::TooManyRepositories, "resources",
                      "A token can list at most " + std::to_string(kMaxRepositoryResources) +
                          " repositories; this one lists " + std::to_string(repo_entries) + "."});
  }
  return errors;
}

std::size_t count_characters(std::string_view text) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size(); ++n) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t length =
        c >= 0xF8 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    std::size_t k = 1;
    while (k < length && i + k < text.size() &&
           (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80) {
      ++k;
    }
    // A complete sequence is one character; a cut-short or stray byte counts on its own.
    i += k == length ? length : 1;
  }
  return n;
}

std::string_view trim_space(std::string_view text) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool has_control_character(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool c0 = c < 0x20 || c == 0x7F;
    const bool c1 = c == 0xC2 && i + 1 < text.size() &&
                    static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(text[i + 1]) <= 0x9F;
    if (c0 || c1) return true;
  }
  return false;
}

bool is_text(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    char32_t code = 0, least = 0;
    if ((c & 0xE0) == 0xC0) {
      length = 2, code = c & 0x1F, least = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3, code = c & 0x0F, least = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4, code = c & 0x07, least = 0x10000;
    } else {
      return false;
    }
    if (i + length > s.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if (code < least || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}


Result<std::string> validate_label(std::string_view label) {
  label = trim_space(label);
  if (label.empty()) {
    return Error{ErrorCode::LabelRequired, "label", "Enter a label."};
  }
  if (has_control_character(label)) {
    return Error{ErrorCode::LabelControlCharacter, "label",
                 "The label cannot contain control characters such as tabs or line breaks."};
  }
  if (count_characters(label) > kMaxLabelLength) {
    return Error{ErrorCode::LabelTooLong, "label",
                 "The label can be at most " + std::to_string(kMaxLabelLength) +
                     " characters long."};
  }
  return std::string(label);
}

Status validate_description(std::string_view description) {
  // Line breaks and tabs are welcome in a description; NUL is no text (and no database keeps
  // it as such).
  if (description.find('\0') != std::string_view::npos) {
    return Error{ErrorCode::DescriptionNulCharacter, "description",
                 "The description cannot contain a NUL character."};
  }
  if (count_characters(description) > kMaxDescriptionLength) {
    return Error{ErrorCode::DescriptionTooLong, "description",
                 "The description can be at most " + std::to_string(kMaxDescriptionLength) +
                     " characters long."};
  }
  return std::nullopt;
}

}  // namespace oat
