#include "cabind/signal/secoc_profile.hpp"

#include <algorithm>
#include <array>

namespace cabind::signal {
namespace {

// The `bytes` low-order bytes of `value`, most significant first.
void put_big_endian(std::uint64_t value, std::size_t bytes, std::uint8_t* out) noexcept {
  for (std::size_t i = 0; i < bytes; ++i)
    out[i] = static_cast<std::uint8_t>(value >> (8U * (bytes - 1U - i)));
}

}  // namespace

std::size_t secoc_mac_input(const SecocParams& params, std::span<const std::uint8_t> authentic,
                            std::uint64_t freshness,
                            std::span<std::uint8_t, max_secoc_mac_input> out) noexcept {
  if (authentic.size() > max_secoc_mac_input - 10U) return 0;
  put_big_endian(params.data_id, 2, out.data());
  std::copy(authentic.begin(), authentic.end(), out.begin() + 2);
  put_big_endian(freshness, 8, out.data() + 2 + authentic.size());
  return 2U + authentic.size() + 8U;
}

bool secure_payload(Cmac& cmac, const SecocParams& params, std::span<const std::uint8_t> authentic,
                    std::uint64_t freshness, std::span<std::uint8_t> out) noexcept {
  if (out.size() != authentic.size() + secoc_trailer_size(params)) return false;
  std::array<std::uint8_t, max_secoc_mac_input> input{};
  const std::size_t length = secoc_mac_input(params, authentic, freshness, input);
  Cmac::Tag tag{};
  if (length == 0 || !cmac.compute(std::span(input).first(length), tag)) return false;
  std::copy(authentic.begin(), authentic.end(), out.begin());
  const std::size_t fv_bytes = params.freshness_bits / 8U;
  put_big_endian(freshness, fv_bytes, out.data() + authentic.size());
  std::copy_n(tag.begin(), params.mac_bits / 8U,
              out.begin() + static_cast<std::ptrdiff_t>(authentic.size() + fv_bytes));
  return true;
}

}  // namespace cabind::signal
