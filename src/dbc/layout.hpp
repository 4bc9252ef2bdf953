#pragma once
// Where a signal's bits sit in a frame (internal to the dbc module), shared by the
// parser's semantic checks and the codec's compiler so both agree on one definition.
//
// Bits are numbered physically: bit b of byte B is position 8*B + b (bit 0 = least
// significant bit of the byte). Intel signals occupy start_bit .. start_bit+length-1 with
// the least significant bit at start_bit. Motorola ("@0") signals have their most
// significant bit at start_bit and continue towards less significant bits in the same
// byte, then into bit 7 of the next byte (the DBC "sawtooth" numbering):
//   start 7, length 16 -> bits 7..0 of byte 0 (MSB first), then bits 7..0 of byte 1.

#include <bitset>
#include <cstdint>

#include "cabind/dbc/database.hpp"

namespace cabind::dbc::detail {

inline constexpr std::uint32_t max_frame_bits = 64 * 8;

struct BitLayout {
  std::uint32_t lsb_position = 0;  // physical position of the least significant bit
  std::uint32_t end_position = 0;  // one past the highest physical position touched
  bool fits = true;                // false: some bit lies beyond a 64-byte frame
  std::bitset<max_frame_bits> bits;
};

[[nodiscard]] inline BitLayout layout_of(const Signal& signal) noexcept {
  BitLayout layout;
  std::uint32_t pos = signal.start_bit;
  for (std::uint32_t i = 0; i < signal.length; ++i) {
    if (pos >= max_frame_bits) {
      layout.fits = false;
      return layout;
    }
    layout.bits.set(pos);
    if (pos + 1 > layout.end_position) layout.end_position = pos + 1;
    if (i + 1 == signal.length) break;
    if (signal.byte_order == ByteOrder::little_endian) {
      ++pos;
    } else if (pos % 8 == 0) {
      pos += 15;
    } else {
      --pos;
    }
  }
  layout.lsb_position = signal.byte_order == ByteOrder::little_endian ? signal.start_bit : pos;
  return layout;
}

}  // namespace cabind::dbc::detail
