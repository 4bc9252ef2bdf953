#pragma once
// SignalTable: the current value of every mapped signal, in dense arrays indexed by a
// compiled slot id (0..size-1), with its receive time and validity.
//
// Validity uses the codes of rules::EvalContext (0 valid, 1 missing, 2 stale, 3 invalid),
// so the arrays are handed to the expression evaluator as they are, without copying.
// A slot is stale once `now - receive_time > timeout(slot)`; the timeout is
// stale_factor x the cycle time of the signal's message, 0 = never stale (event-driven
// messages). Time comes from the caller (no wall clock): `expire(now)` marks stale slots.
//
// Hot path: update() and expire() never allocate and never throw.
// Not thread-safe: one owner (the engine) reads and writes it.

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "cabind/can/frame.hpp"
#include "cabind/rules/eval_context.hpp"

namespace cabind::signal {

using Timestamp = can::Timestamp;

inline constexpr std::uint8_t kValid = 0;
inline constexpr std::uint8_t kMissing = 1;
inline constexpr std::uint8_t kStale = 2;
inline constexpr std::uint8_t kInvalid = 3;

class SignalTable {
 public:
  // `timeouts[i]` is the staleness timeout of slot i (zero: never stale).
  explicit SignalTable(std::vector<std::chrono::nanoseconds> timeouts);

  [[nodiscard]] std::size_t size() const noexcept { return values_.size(); }

  // Stores a freshly received value. Returns true when the value or the validity changed
  // (a repeated identical value refreshes the receive time only).
  bool update(std::uint32_t slot, double value, Timestamp now) noexcept;
  // Marks a slot invalid (e.g. a multiplexed signal absent, a failed check). Returns true
  // when the validity changed.
  bool invalidate(std::uint32_t slot, Timestamp now) noexcept;
  // Marks a slot missing: its source has stopped presenting it (a multiplexed identity
  // signal its multiplexor no longer selects). Returns true when the validity changed.
  bool withdraw(std::uint32_t slot, Timestamp now) noexcept;
  // Marks every valid slot whose timeout has passed as stale and writes those slots to
  // `changed` (up to its size). Returns how many were written.
  std::size_t expire(Timestamp now, std::span<std::uint32_t> changed) noexcept;

  [[nodiscard]] double value(std::uint32_t slot) const noexcept { return values_[slot]; }
  [[nodiscard]] std::uint8_t validity(std::uint32_t slot) const noexcept { return validity_[slot]; }
  [[nodiscard]] bool is_valid(std::uint32_t slot) const noexcept {
    return validity_[slot] == kValid;
  }
  [[nodiscard]] Timestamp receive_time(std::uint32_t slot) const noexcept {
    return received_[slot];
  }
  [[nodiscard]] std::chrono::nanoseconds timeout(std::uint32_t slot) const noexcept {
    return timeouts_[slot];
  }
  // The view the expression evaluator reads. Valid until the table is destroyed.
  [[nodiscard]] rules::SlotValues view() const noexcept { return {values_, validity_}; }

 private:
  std::vector<double> values_;
  std::vector<std::uint8_t> validity_;
  std::vector<Timestamp> received_;
  std::vector<std::chrono::nanoseconds> timeouts_;
  // No valid slot can be stale before this time: expire() is O(1) until then. update()
  // only ever moves it earlier; a full scan sets it to the earliest deadline left.
  Timestamp next_expiry_ = Timestamp::max();
};

}  // namespace cabind::signal
