#include "oat/lifecycle.h"

#include <algorithm>

#include "names.h"

namespace oat {

Status validate_expires_at(Timestamp expires_at, Timestamp now) {
  if (expires_at <= now) {
    return Error{ErrorCode::ExpiryInPast, "expires_at",
                 "The expiration date must be in the future."};
  }
  if (expires_at - now > kMaxCustomExpiry) {
    return Error{ErrorCode::ExpiryTooFar, "expires_at",
                 "The expiration date can be at most one year from now."};
  }
  return std::nullopt;
}

Result<std::optional<Timestamp>> resolve_expiry(const ExpiryChoice& choice, Timestamp now) {
  switch (choice.preset) {
    case ExpiryPreset::Never:
      return std::optional<Timestamp>{};
    case ExpiryPreset::Days30:
      return std::optional<Timestamp>{now + std::chrono::days{30}};
    case ExpiryPreset::Days90:
      return std::optional<Timestamp>{now + std::chrono::days{90}};
    case ExpiryPreset::Custom:
      if (!choice.custom) {
        return Error{ErrorCode::InvalidTime, "expires_at",
                     "Choose a date and time for the custom expiration."};
      }
      if (auto error = validate_expires_at(*choice.custom, now)) return *error;
      return std::optional<Timestamp>{*choice.custom};
  }
  return std::optional<Timestamp>{};
}

std::string_view token_state_name(TokenState state) {
  switch (state) {
    case TokenState::Active: return "active";
    case TokenState::Inactive: return "inactive";
    case TokenState::Expired: return "expired";
  }
  return "active";
}

std::optional<TokenState> parse_token_state(std::string_view name) {
  return parse_name(name, {TokenState::Active, TokenState::Inactive, TokenState::Expired},
                    token_state_name);
}

TokenState derive_state(bool is_active, std::optional<Timestamp> expires_at, Timestamp now) {
  if (expires_at && *expires_at <= now) return TokenState::Expired;
  return is_active ? TokenState::Active : TokenState::Inactive;
}

void note_last_address(std::vector<std::string>& addresses, std::string_view address) {
  if (!address.empty()) {
    std::erase(addresses, address);
    addresses.insert(addresses.begin(), std::string(address));
  }
  if (addresses.size() > kMaxLastUsedAddresses) addresses.resize(kMaxLastUsedAddresses);
}

Status check_token_action(TokenState state, TokenAction action) {
  switch (state) {
    case TokenState::Active:
      return std::nullopt;
    case TokenState::Inactive:
      if (action == TokenAction::Authenticate) {
        return Error{ErrorCode::TokenInactive, "", "This access token is deactivated."};
      }
      return std::nullopt;
    case TokenState::Expired:
      if (action == TokenAction::View || action == TokenAction::Delete) return std::nullopt;
      if (action == TokenAction::Authenticate) {
        return Error{ErrorCode::TokenExpired, "", "This access token has expired."};
      }
      if (action == TokenAction::Rotate) {
        return Error{ErrorCode::ActionNotAllowedInState, "",
                     "This access token has expired, so it cannot be rotated; create a new one."};
      }
      return Error{ErrorCode::ActionNotAllowedInState, "",
                   "This access token has expired; it can only be deleted."};
  }
  return std::nullopt;
}

}  // namespace oat
