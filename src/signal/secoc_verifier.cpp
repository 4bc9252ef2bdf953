#include "cabind/signal/secoc_verifier.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace cabind::signal {
namespace {

bool valid_params(const SecocParams& params) {
  return params.mac_bits % 8U == 0 && params.mac_bits >= 24 && params.mac_bits <= 128 &&
         params.freshness_bits % 8U == 0 && params.freshness_bits >= 8 &&
         params.freshness_bits <= 32;
}

std::uint64_t read_big_endian(std::span<const std::uint8_t> bytes) noexcept {
  std::uint64_t value = 0;
  for (const std::uint8_t byte : bytes)
    value = (value << 8U) | byte;
  return value;
}

}  // namespace

SecocVerifier::SecocVerifier(const dbc::Codec& codec, const SecocSpec& spec)
    : message_(spec.message),
      params_(spec.params),
      size_(codec.message(spec.message).size),
      cmac_(spec.key),
      freshness_(spec.params.freshness_bits, spec.last_counter) {
  const std::string name(codec.message(spec.message).name);
  if (!valid_params(params_)) {
    throw std::invalid_argument("secoc of " + name +
                                ": mac_bits must be 24..128 and freshness_bits 8..32, "
                                "multiples of 8");
  }
  if (size_ <= secoc_trailer_size(params_)) {
    throw std::invalid_argument("secoc of " + name + ": its " + std::to_string(size_) +
                                " bytes leave no authentic payload before the " +
                                std::to_string(secoc_trailer_size(params_)) +
                                "-byte freshness value and MAC");
  }
  authentic_size_ = size_ - secoc_trailer_size(params_);
}

bool SecocVerifier::matches(std::span<const std::uint8_t> authentic, std::uint64_t freshness,
                            std::span<const std::uint8_t> mac) noexcept {
  std::array<std::uint8_t, max_secoc_mac_input> input{};
  const std::size_t length = secoc_mac_input(params_, authentic, freshness, input);
  Cmac::Tag tag{};
  if (length == 0 || !cmac_.compute(std::span(input).first(length), tag)) return false;
  return equal_in_constant_time(std::span(tag).first(mac.size()), mac);
}

SecocVerdict SecocVerifier::verify(std::span<const std::uint8_t> payload) noexcept {
  if (payload.size() < size_) {
    ++failures_;
    return SecocVerdict::too_short;
  }
  const auto secured = payload.first(size_);
  const auto authentic = secured.first(authentic_size_);
  const std::size_t fv_bytes = params_.freshness_bits / 8U;
  const std::uint64_t truncated = read_big_endian(secured.subspan(authentic_size_, fv_bytes));
  const auto mac = secured.subspan(authentic_size_ + fv_bytes);
  bool exhausted = false;
  for (unsigned window = 0; window <= secoc_resync_windows; ++window) {
    const auto freshness = freshness_.candidate(truncated, window);
    if (!freshness) {
      exhausted = window == 0;
      break;
    }
    if (matches(authentic, *freshness, mac)) {
      freshness_.accept(*freshness);
      if (window > 0) ++resyncs_;
      return SecocVerdict::authentic;
    }
  }
  ++failures_;
  return exhausted ? SecocVerdict::counter_exhausted : SecocVerdict::mac_failed;
}

}  // namespace cabind::signal
