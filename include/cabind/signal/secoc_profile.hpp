#pragma once
// The secured frame of AUTOSAR SecOC, profile 1 by default ("24Bit-CMAC-8Bit-FV"):
//
//   frame (the message's DBC size)  = authentic payload ‖ truncated FV ‖ truncated MAC
//   MAC input                       = Data ID (16 bits) ‖ authentic payload ‖ full FV (64 bits)
//   MAC                             = AES-128-CMAC(key, MAC input), its first mac_bits bits
//   truncated FV                    = the full FV's freshness_bits least significant bits
//
// All fields big-endian (network order), as the SecOC specification lays them out. Example:
// Keyfob_Status of 6 bytes, profile 1, Data ID 0x0101, full FV 0x105: the authentic payload
// is the first 2 bytes, then 0x05, then the first 3 bytes of the CMAC of
// 01 01 | <2 bytes> | 00 00 00 00 00 00 01 05.
//
// Pure functions, no allocation, no exception.

#include <cstddef>
#include <cstdint>
#include <span>

#include "cabind/signal/cmac.hpp"

namespace cabind::signal {

struct SecocParams {
  std::uint16_t data_id = 0;
  std::uint8_t mac_bits = 24;       // 24..128, a multiple of 8
  std::uint8_t freshness_bits = 8;  // 8..32, a multiple of 8
};

// Bytes the truncated FV and MAC take at the end of the frame.
[[nodiscard]] constexpr std::size_t secoc_trailer_size(const SecocParams& params) noexcept {
  return (static_cast<std::size_t>(params.freshness_bits) + params.mac_bits) / 8U;
}

// The largest MAC input: a 2-byte Data ID, a 64-byte CAN FD payload, an 8-byte FV.
inline constexpr std::size_t max_secoc_mac_input = 2 + 64 + 8;

// Writes the MAC input into `out` and returns its length; 0 when `authentic` is longer
// than 64 bytes.
std::size_t secoc_mac_input(const SecocParams& params, std::span<const std::uint8_t> authentic,
                            std::uint64_t freshness,
                            std::span<std::uint8_t, max_secoc_mac_input> out) noexcept;

// Writes the secured frame (authentic ‖ truncated FV ‖ truncated MAC) into `out`, which must
// hold exactly authentic.size() + secoc_trailer_size(params) bytes; false otherwise or when
// the MAC cannot be computed. The sender's side: `cabind secoc sign` and tests.
bool secure_payload(Cmac& cmac, const SecocParams& params, std::span<const std::uint8_t> authentic,
                    std::uint64_t freshness, std::span<std::uint8_t> out) noexcept;

}  // namespace cabind::signal
