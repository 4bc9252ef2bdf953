#include "cabind/signal/integrity_check.hpp"

#include <stdexcept>
#include <string>

namespace cabind::signal {

IntegrityCheck::IntegrityCheck(const dbc::Codec& codec, const IntegritySpec& spec)
    : message_(spec.message),
      size_(codec.message(spec.message).size),
      counter_(spec.counter),
      algorithm_(spec.algorithm),
      max_counter_skips_(spec.max_counter_skips),
      recovery_frames_(spec.recovery_frames) {
  const std::string name(codec.message(spec.message).name);
  if (recovery_frames_ == 0) {
    throw std::invalid_argument("integrity of " + name + ": recovery_frames must be at least 1");
  }
  if (counter_) {
    const dbc::Signal& counter = codec.signal(*counter_);
    if (counter_->message != spec.message || counter.length > 8 || counter.is_float() ||
        counter.is_signed()) {
      throw std::invalid_argument("integrity of " + name + ": counter " +
                                  std::string(counter.name) +
                                  " is not an unsigned signal of at most 8 bits");
    }
    const unsigned modulus = 1U << counter.length;
    if (max_counter_skips_ + 2U > modulus) {
      throw std::invalid_argument("integrity of " + name + ": max_counter_skips too large for " +
                                  std::string(counter.name));
    }
    counter_mask_ = static_cast<std::uint8_t>(modulus - 1U);
  }
  if (spec.checksum) {
    const dbc::Signal& checksum = codec.signal(*spec.checksum);
    const unsigned lsb = checksum.byte_order == dbc::ByteOrder::little_endian ? 0U : 7U;
    if (spec.checksum->message != spec.message || checksum.length != 8 ||
        checksum.start_bit % 8U != lsb || checksum.start_bit / 8U >= size_) {
      throw std::invalid_argument("integrity of " + name + ": checksum " +
                                  std::string(checksum.name) +
                                  " is not one whole byte of the message");
    }
    has_checksum_ = true;
    checksum_byte_ = static_cast<std::uint8_t>(checksum.start_bit / 8U);
  }
}

IntegrityCheck::Result IntegrityCheck::check(const dbc::Codec& codec,
                                             std::span<const std::uint8_t> payload) noexcept {
  if (has_checksum_) {
    if (payload.size() < size_) return Result::checksum_failed;
    const auto covered = payload.first(size_);
    if (covered[checksum_byte_] != checksum(algorithm_, covered, checksum_byte_)) {
      return Result::checksum_failed;
    }
  }
  if (!counter_) return Result::good;
  const dbc::Decoded decoded = codec.decode(*counter_, payload);
  if (!decoded.ok()) return Result::counter_failed;
  const auto counter = static_cast<std::uint8_t>(decoded.raw & counter_mask_);
  const auto previous = previous_counter_;
  previous_counter_ = counter;
  if (!previous) return Result::good;
  const auto advance = static_cast<std::uint8_t>((counter - *previous) & counter_mask_);
  const bool good = advance >= 1U && advance <= 1U + max_counter_skips_;
  return good ? Result::good : Result::counter_failed;
}

bool IntegrityCheck::accept(const dbc::Codec& codec,
                            std::span<const std::uint8_t> payload) noexcept {
  const Result result = check(codec, payload);
  if (result != Result::good) {
    if (result == Result::checksum_failed) {
      ++checksum_failures_;
    } else {
      ++counter_failures_;
    }
    failed_ = true;
    good_streak_ = 0;
    return false;
  }
  if (!failed_) return true;
  if (++good_streak_ < recovery_frames_) return false;
  failed_ = false;
  good_streak_ = 0;
  return true;
}

}  // namespace cabind::signal
