#pragma once
// The inputs an expression reads when it is evaluated. Views only: the caller owns the
// arrays and keeps them alive and unchanged during an evaluate() call.
//
// Validity codes (one byte per slot, shared with the signal table):
//   0 valid, 1 missing (never received / field not set), 2 stale (timed out),
//   3 and above invalid (counter, checksum or range check failed).
// A slot outside the spans counts as missing, so an empty `profile` means "no driver".

#include <cstdint>
#include <span>

namespace cabind::rules {

enum class Freshness : std::uint8_t { valid = 0, missing = 1, stale = 2, invalid = 3 };

[[nodiscard]] constexpr Freshness freshness_from_code(std::uint8_t code) noexcept {
  return code <= 3 ? static_cast<Freshness>(code) : Freshness::invalid;
}

// Dense value + validity arrays indexed by a compiled slot id. `value.size()` and
// `validity.size()` should match; a slot beyond either counts as missing.
struct SlotValues {
  std::span<const double> value;
  std::span<const std::uint8_t> validity;
};

struct EvalContext {
  SlotValues signals;
  SlotValues profile;  // the active driver's profile fields; empty when none is active
  // Local time from the injected clock. Negative means "not known" (e.g. no time sync
  // yet); an expression reading it then evaluates to unknown.
  int hour = -1;     // 0..23
  int weekday = -1;  // ISO 8601: 1 = Monday .. 7 = Sunday
};

}  // namespace cabind::rules
