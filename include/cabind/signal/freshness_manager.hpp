#pragma once
// FreshnessManager: the receiver's freshness value (FV) of one SecOC message.
//
// The sender counts every frame it secures with a 64-bit counter, the full FV, and sends
// only its `truncated_bits` least significant bits. The receiver rebuilds the full value
// from the last one it accepted (AUTOSAR SecOC's freshness value manager, counter mode):
//
//   candidate(t, 0) = the least value > last accepted whose low bits are t
//   candidate(t, k) = candidate(t, 0) + k * 2^truncated_bits      (resynchronisation)
//
// so every candidate is newer than the last accepted one: a replayed or old frame is
// rebuilt into a value its sender never used and fails its MAC. With 8 bits, last = 0x1FE:
//   t = 0xFF -> 0x1FF;   t = 0x00 -> 0x200 (the truncated counter wrapped);   t = 0xFE -> 0x2FE
// When the sender got further ahead than one window (2^truncated_bits frames the receiver
// missed, for instance while it was off), candidate 0 is wrong; the verifier then tries the
// next `resync_windows` windows before it gives up (secoc_verifier.hpp).
//
// Before anything was accepted (no counter stored: a new key, a new store) the last
// accepted value counts as -1: candidate(t, 0) = t.
//
// Pure logic: no allocation, no exception, no I/O. Not thread-safe (one owner).

#include <cstdint>
#include <optional>

namespace cabind::signal {

class FreshnessManager {
 public:
  // truncated_bits: 1..32. last_accepted: the durable counter (empty: none yet).
  FreshnessManager(unsigned truncated_bits, std::optional<std::uint64_t> last_accepted) noexcept;

  // The full FV frame `truncated` (its low bits are used) stands for at resynchronisation
  // step `window`, or empty when that would pass 2^64 - 1 (the counter is exhausted).
  [[nodiscard]] std::optional<std::uint64_t> candidate(std::uint64_t truncated,
                                                       unsigned window) const noexcept;
  // Records an authentic frame's full FV; it must be newer than last_accepted().
  void accept(std::uint64_t full) noexcept { last_ = full; }
  [[nodiscard]] std::optional<std::uint64_t> last_accepted() const noexcept { return last_; }
  [[nodiscard]] unsigned truncated_bits() const noexcept { return bits_; }

 private:
  unsigned bits_;
  std::optional<std::uint64_t> last_;
};

}  // namespace cabind::signal
