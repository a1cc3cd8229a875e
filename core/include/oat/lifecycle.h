// Expiry and the states a token moves through, and what each state allows.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oat/error.h"
#include "oat/time.h"

namespace oat {

// ---- Expiry -------------------------------------------------------------------------------
// Chosen once, at creation; never changed afterwards.

enum class ExpiryPreset { Days30, Days90, Custom, Never };

inline constexpr std::chrono::seconds kMaxCustomExpiry = std::chrono::days{365};

struct ExpiryChoice {
  ExpiryPreset preset = ExpiryPreset::Never;
  std::optional<Timestamp> custom;  // REQUIRED when preset == Custom
};

// The token's expires_at (nullopt: never expires) for a choice made at `now`.
// A custom time must be after `now` and at most one year (365 days) after it.
Result<std::optional<Timestamp>> resolve_expiry(const ExpiryChoice& choice, Timestamp now);

// Checks an expires_at given directly (as the API does): same rule as a custom choice.
Status validate_expires_at(Timestamp expires_at, Timestamp now);

// ---- States ---------------------------------------------------------------------------------

enum class TokenState { Active, Inactive, Expired };

// "active", "inactive", "expired"
std::string_view token_state_name(TokenState state);
std::optional<TokenState> parse_token_state(std::string_view name);

// Expired wins over inactive: an expired token can never be used again, whatever its flag.
// A token is expired from the instant expires_at is reached.
TokenState derive_state(bool is_active, std::optional<Timestamp> expires_at, Timestamp now);

// "Last used from": the last kMaxLastUsedAddresses distinct client addresses a token signed in
// from, most recent first. note_last_address puts `address` in front (moving it there if it
// was further back) and drops the oldest beyond the limit; an empty address changes nothing.
inline constexpr std::size_t kMaxLastUsedAddresses = 5;
void note_last_address(std::vector<std::string>& addresses, std::string_view address);

enum class TokenAction { View, Edit, Activate, Deactivate, Delete, Authenticate, Rotate };

// Active: everything. Inactive: view, edit, activate, deactivate (no-op), delete, rotate (it
// stays deactivated); never authenticate. Expired: view and delete only.
Status check_token_action(TokenState state, TokenAction action);

}  // namespace oat
