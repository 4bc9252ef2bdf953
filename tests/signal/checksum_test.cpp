#include "cabind/signal/checksum.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>

namespace cabind::signal {
namespace {

// The worked example of the header and docs/engine.md: 12 34 56, checksum in byte 3.
constexpr std::array<std::uint8_t, 4> kExample{0x12, 0x34, 0x56, 0xEE};

TEST(SignalChecksum, Xor8OfTheWorkedExample) {
  // 0x12 ^ 0x34 = 0x26; 0x26 ^ 0x56 = 0x70. The checksum byte (0xEE) is not covered.
  EXPECT_EQ(checksum_xor8(kExample, 3), 0x70);
  EXPECT_EQ(checksum(ChecksumAlgorithm::xor8, kExample, 3), 0x70);
}

TEST(SignalChecksum, Sum8OfTheWorkedExampleWrapsModulo256) {
  // 0x12 + 0x34 + 0x56 = 0x9C; with the skipped byte moved to the front: 0xEE + 0x34 + 0x56
  // = 0x178 -> 0x78.
  EXPECT_EQ(checksum_sum8(kExample, 3), 0x9C);
  EXPECT_EQ(checksum_sum8(kExample, 0), 0x78);
  EXPECT_EQ(checksum(ChecksumAlgorithm::sum8, kExample, 3), 0x9C);
}

TEST(SignalChecksum, Crc8SaeJ1850MatchesItsPublishedCheckValues) {
  // The catalogue check value over ASCII "123456789" and the examples of the AUTOSAR CRC
  // library specification (CRC8, SAE J1850).
  constexpr std::array<std::uint8_t, 9> digits{'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  EXPECT_EQ(checksum_crc8_sae_j1850(digits, digits.size()), 0x4B);
  EXPECT_EQ(checksum_crc8_sae_j1850(std::array<std::uint8_t, 4>{0, 0, 0, 0}, 4), 0x59);
  EXPECT_EQ(checksum_crc8_sae_j1850(std::array<std::uint8_t, 3>{0xF2, 0x01, 0x83}, 3), 0x37);
  EXPECT_EQ(checksum_crc8_sae_j1850(std::array<std::uint8_t, 4>{0x0F, 0xAA, 0x00, 0x55}, 4), 0x79);
  EXPECT_EQ(checksum_crc8_sae_j1850(std::array<std::uint8_t, 4>{0xFF, 0xFF, 0xFF, 0xFF}, 4), 0x74);
  EXPECT_EQ(checksum_crc8_sae_j1850(kExample, 3), 0x96);
  EXPECT_EQ(checksum(ChecksumAlgorithm::crc8_sae_j1850, kExample, 3), 0x96);
}

TEST(SignalChecksum, SkippingTheChecksumByteAnywhereInThePayload) {
  constexpr std::array<std::uint8_t, 4> middle{0x12, 0xEE, 0x34, 0x56};
  EXPECT_EQ(checksum_xor8(middle, 1), 0x70);
  EXPECT_EQ(checksum_crc8_sae_j1850(middle, 1), 0x96);
}

static_assert(checksum_xor8(kExample, 3) == 0x70, "usable at compile time");

}  // namespace
}  // namespace cabind::signal
