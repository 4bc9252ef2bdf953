#include "cabind/dbc/signal_bytes.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace cabind::dbc {
namespace {

Signal signal_at(std::uint16_t start_bit, std::uint16_t length, ByteOrder order) {
  Signal s;
  s.start_bit = start_bit;
  s.length = length;
  s.byte_order = order;
  return s;
}

TEST(SignalBytes, IntelSignalsReachTheByteOfTheirHighestBit) {
  EXPECT_EQ(bytes_spanned(signal_at(0, 8, ByteOrder::little_endian)), 1u);
  EXPECT_EQ(bytes_spanned(signal_at(1, 4, ByteOrder::little_endian)), 1u);
  EXPECT_EQ(bytes_spanned(signal_at(7, 2, ByteOrder::little_endian)), 2u);
  EXPECT_EQ(bytes_spanned(signal_at(8, 32, ByteOrder::little_endian)), 5u);
}

TEST(SignalBytes, MotorolaSignalsFollowTheSawtoothIntoLaterBytes) {
  EXPECT_EQ(bytes_spanned(signal_at(7, 8, ByteOrder::big_endian)), 1u);
  EXPECT_EQ(bytes_spanned(signal_at(15, 16, ByteOrder::big_endian)), 3u);  // bytes 1 and 2
  EXPECT_EQ(bytes_spanned(signal_at(0, 2, ByteOrder::big_endian)), 2u);    // bit 0, then bit 15
}

TEST(SignalBytes, ASignalBeyondA64ByteFrameSpansNothing) {
  EXPECT_EQ(bytes_spanned(signal_at(510, 8, ByteOrder::little_endian)), 0u);
}

}  // namespace
}  // namespace cabind::dbc
