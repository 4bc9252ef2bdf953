#pragma once
// One-byte frame checksums, as DBC-described ECUs commonly send them.
//
// Every function covers `payload` in byte order 0, 1, ... and skips the byte at index
// `skip` (the checksum byte itself; pass payload.size() to skip nothing). Worked example,
// payload 12 34 56 00 with the checksum at byte 3:
//   xor8            0x12 ^ 0x34 ^ 0x56           = 0x70
//   sum8            0x12 + 0x34 + 0x56 (mod 256) = 0x9C
//   crc8_sae_j1850  poly 0x1D, init 0xFF, final XOR 0xFF, MSB first over 12 34 56
//
// Hot path: constexpr, noexcept, no allocation.

#include <cstddef>
#include <cstdint>
#include <span>

namespace cabind::signal {

enum class ChecksumAlgorithm : std::uint8_t { xor8, sum8, crc8_sae_j1850 };

[[nodiscard]] constexpr std::uint8_t checksum_xor8(std::span<const std::uint8_t> payload,
                                                   std::size_t skip) noexcept {
  std::uint8_t result = 0;
  for (std::size_t i = 0; i < payload.size(); ++i) {
    if (i != skip) result = static_cast<std::uint8_t>(result ^ payload[i]);
  }
  return result;
}

[[nodiscard]] constexpr std::uint8_t checksum_sum8(std::span<const std::uint8_t> payload,
                                                   std::size_t skip) noexcept {
  std::uint8_t result = 0;
  for (std::size_t i = 0; i < payload.size(); ++i) {
    if (i != skip) result = static_cast<std::uint8_t>(result + payload[i]);
  }
  return result;
}

// CRC-8/SAE-J1850: width 8, poly 0x1D, init 0xFF, refin/refout false, xorout 0xFF
// (check value over "123456789": 0x4B). Bitwise: eight shifts per byte are cheaper than a
// 256-byte table in cache for frames of at most 64 bytes.
[[nodiscard]] constexpr std::uint8_t checksum_crc8_sae_j1850(std::span<const std::uint8_t> payload,
                                                             std::size_t skip) noexcept {
  std::uint8_t crc = 0xFF;
  for (std::size_t i = 0; i < payload.size(); ++i) {
    if (i == skip) continue;
    crc = static_cast<std::uint8_t>(crc ^ payload[i]);
    for (int bit = 0; bit < 8; ++bit) {
      const unsigned shifted = static_cast<unsigned>(crc) << 1U;
      crc = static_cast<std::uint8_t>((crc & 0x80U) != 0 ? shifted ^ 0x1DU : shifted);
    }
  }
  return static_cast<std::uint8_t>(crc ^ 0xFFU);
}

[[nodiscard]] constexpr std::uint8_t checksum(ChecksumAlgorithm algorithm,
                                              std::span<const std::uint8_t> payload,
                                              std::size_t skip) noexcept {
  switch (algorithm) {
    case ChecksumAlgorithm::xor8:
      return checksum_xor8(payload, skip);
    case ChecksumAlgorithm::sum8:
      return checksum_sum8(payload, skip);
    case ChecksumAlgorithm::crc8_sae_j1850:
      return checksum_crc8_sae_j1850(payload, skip);
  }
  return 0;
}

}  // namespace cabind::signal
