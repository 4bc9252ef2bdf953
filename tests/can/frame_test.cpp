#include "cabind/can/frame.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace cabind::can {
namespace {

std::vector<std::uint8_t> bytes(std::size_t n) {
  std::vector<std::uint8_t> b(n);
  for (std::size_t i = 0; i < n; ++i)
    b[i] = static_cast<std::uint8_t>(i);
  return b;
}

TEST(Frame, ClassicFrameKeepsIdAndPayload) {
  const std::array<std::uint8_t, 4> data{0xDE, 0xAD, 0xBE, 0xEF};
  const auto frame = Frame::classic(0x123, data);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->id(), 0x123U);
  EXPECT_FALSE(frame->extended());
  EXPECT_FALSE(frame->is_fd());
  EXPECT_EQ(frame->size(), 4U);
  EXPECT_EQ(frame->data()[3], 0xEF);
}

TEST(Frame, StandardIdAbove0x7FFIsRejected) {
  FrameError why{};
  EXPECT_FALSE(Frame::make({.id = 0x800}, &why));
  EXPECT_EQ(why, FrameError::id_out_of_range);
  EXPECT_TRUE(Frame::make({.id = 0x7FF}));
}

TEST(Frame, ExtendedIdUpTo29Bits) {
  EXPECT_TRUE(Frame::classic(0x1FFFFFFF, {}, true));
  EXPECT_FALSE(Frame::classic(0x20000000, {}, true));
}

TEST(Frame, ClassicFrameOverEightBytesIsRejected) {
  const auto nine = bytes(9);
  FrameError why{};
  EXPECT_FALSE(Frame::make({.len = 9, .data = nine}, &why));
  EXPECT_EQ(why, FrameError::classic_too_long);
}

TEST(Frame, FdAcceptsOnlyValidLengths) {
  for (std::size_t len = 0; len <= 64; ++len) {
    const auto data = bytes(len);
    const bool valid = len <= 8 || len == 12 || len == 16 || len == 20 || len == 24 || len == 32 ||
                       len == 48 || len == 64;
    EXPECT_EQ(Frame::fd(0x100, data).has_value(), valid) << "length " << len;
  }
  EXPECT_FALSE(Frame::fd(0x100, bytes(65)));
}

TEST(Frame, FdHasNoRemoteFrames) {
  FrameError why{};
  EXPECT_FALSE(Frame::make({.id = 1, .kind = Kind::remote, .format = Format::fd}, &why));
  EXPECT_EQ(why, FrameError::fd_remote);
}

TEST(Frame, RemoteFrameCarriesLengthButNoBytes) {
  const auto frame = Frame::make({.id = 0x123, .kind = Kind::remote, .len = 7});
  ASSERT_TRUE(frame);
  EXPECT_TRUE(frame->is_remote());
  EXPECT_EQ(frame->size(), 7U);
  EXPECT_TRUE(frame->data().empty());
  const auto one = bytes(1);
  FrameError why{};
  EXPECT_FALSE(Frame::make({.kind = Kind::remote, .len = 1, .data = one}, &why));
  EXPECT_EQ(why, FrameError::remote_with_payload);
}

TEST(Frame, ErrorFramesAreClassicAndToldApartFromData) {
  const auto payload = bytes(8);
  const auto error = Frame::make({.id = 0x80, .kind = Kind::error, .len = 8, .data = payload});
  ASSERT_TRUE(error);
  EXPECT_TRUE(error->is_error());
  EXPECT_FALSE(error->is_remote());
  FrameError why{};
  EXPECT_FALSE(Frame::make({.kind = Kind::error, .format = Format::fd}, &why));
  EXPECT_EQ(why, FrameError::error_frame_fd);
}

TEST(Frame, FdFlagsOnClassicFrameAreRejected) {
  FrameError why{};
  EXPECT_FALSE(Frame::make({.fd_flags = fd_bit_rate_switch}, &why));
  EXPECT_EQ(why, FrameError::fd_flags_on_classic);
}

TEST(Frame, EqualityIgnoresTimeButNotFormatOrIdKind) {
  const std::array<std::uint8_t, 2> data{1, 2};
  auto a = *Frame::classic(0x10, data);
  auto b = a;
  b.set_time(std::chrono::seconds(5));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, *Frame::classic(0x10, data, true));
  EXPECT_NE(a, *Frame::fd(0x10, data));
}

TEST(Frame, EveryErrorHasAnExplanation) {
  EXPECT_EQ(to_string(FrameError::fd_length_invalid),
            "CAN FD length is not one of 0-8, 12, 16, 20, 24, 32, 48, 64");
}

}  // namespace
}  // namespace cabind::can
