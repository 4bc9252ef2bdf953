#pragma once
// IntegrityCheck: the counter and checksum checks of one message, with its state.
//
// Per frame (accept()), in this order:
//  1. Checksum: the byte holding the checksum signal must equal checksum(algorithm) over
//     bytes 0..size-1 of the payload without that byte, where size is the message's DBC
//     size (CAN FD padding beyond it is not covered). A payload shorter than the DBC size
//     fails. A frame failing its checksum is treated as lost: its counter is not read.
//  2. Counter: with the previous accepted counter p and this one c, both `length` bits,
//     d = (c - p) mod 2^length must be in 1..1+max_counter_skips. d = 0 (repeated) or a
//     larger jump fails. The first frame after start has no p and passes. A frame with a
//     good checksum always becomes the new p, so the counter resynchronises after a jump.
//  3. Hysteresis: after any failure the message stays failed until `recovery_frames`
//     consecutive frames pass both checks; accept() returns false until then.
//
// Hot path: accept() never allocates and never throws. Not thread-safe (one owner).

#include <cstdint>
#include <optional>
#include <span>

#include "cabind/dbc/codec.hpp"
#include "cabind/signal/checksum.hpp"

namespace cabind::signal {

struct IntegritySpec {
  std::uint16_t message = 0;               // codec message index
  std::optional<dbc::SignalRef> counter;   // unsigned, 1..8 bits
  std::optional<dbc::SignalRef> checksum;  // 8 bits, byte-aligned
  ChecksumAlgorithm algorithm = ChecksumAlgorithm::xor8;
  std::uint8_t max_counter_skips = 0;  // < 2^counter_length - 1
  std::uint8_t recovery_frames = 2;    // >= 1
};

class IntegrityCheck {
 public:
  // Throws std::invalid_argument (load time) if the spec does not fit the codec: a counter
  // longer than 8 bits, a checksum that is not one whole byte, skips that leave no counter
  // value to detect, recovery_frames of 0.
  IntegrityCheck(const dbc::Codec& codec, const IntegritySpec& spec);

  [[nodiscard]] std::uint16_t message() const noexcept { return message_; }

  // Checks one frame of the message; true when its signals may be used.
  bool accept(const dbc::Codec& codec, std::span<const std::uint8_t> payload) noexcept;

  [[nodiscard]] std::uint64_t checksum_failures() const noexcept { return checksum_failures_; }
  [[nodiscard]] std::uint64_t counter_failures() const noexcept { return counter_failures_; }

 private:
  enum class Result : std::uint8_t { good, checksum_failed, counter_failed };
  Result check(const dbc::Codec& codec, std::span<const std::uint8_t> payload) noexcept;

  std::uint16_t message_ = 0;
  std::uint8_t size_ = 0;  // DBC size of the message, bytes
  std::optional<dbc::SignalRef> counter_;
  std::uint8_t counter_mask_ = 0;
  bool has_checksum_ = false;
  std::uint8_t checksum_byte_ = 0;
  ChecksumAlgorithm algorithm_ = ChecksumAlgorithm::xor8;
  std::uint8_t max_counter_skips_ = 0;
  std::uint8_t recovery_frames_ = 2;

  std::optional<std::uint8_t> previous_counter_;
  bool failed_ = false;
  std::uint8_t good_streak_ = 0;
  std::uint64_t checksum_failures_ = 0;
  std::uint64_t counter_failures_ = 0;
};

}  // namespace cabind::signal
