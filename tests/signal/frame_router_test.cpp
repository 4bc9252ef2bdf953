#include "cabind/signal/frame_router.hpp"

#include <gtest/gtest.h>

#include <array>

#include "cabind/can/candump_log.hpp"
#include "cabind/dbc/parser.hpp"

namespace cabind::signal {
namespace {

using std::chrono::milliseconds;

dbc::Database demo_database() {
  auto result = dbc::parse_file(CABIND_SOURCE_DIR "/config/demo/demo_body.dbc");
  EXPECT_TRUE(result.ok()) << result.diagnostics.to_string();
  return std::move(*result.database);
}

can::Frame frame(const char* text, milliseconds time) {
  auto parsed = can::parse_frame_text(text, nullptr);
  EXPECT_TRUE(parsed) << text;
  parsed->set_time(time);
  return *parsed;
}

class FrameRouterTest : public ::testing::Test {
 protected:
  FrameRouterTest()
      : codec_(demo_database()),
        speed_(*codec_.find_signal("BodyInfo", "VehicleSpeed")),
        gear_(*codec_.find_signal("BodyInfo", "Gear")),
        fob_(*codec_.find_signal("Keyfob_Status", "FobId")),
        table_({milliseconds(200), milliseconds(200), milliseconds(1000)}),
        bindings_{Binding{0, speed_}, Binding{2, fob_}, Binding{1, gear_}},
        router_(codec_, bindings_) {}

  dbc::Codec codec_;
  dbc::SignalRef speed_;
  dbc::SignalRef gear_;
  dbc::SignalRef fob_;
  SignalTable table_;
  std::array<Binding, 3> bindings_;
  FrameRouter router_;
  std::array<std::uint32_t, 8> changed_{};
};

TEST_F(FrameRouterTest, DecodesOnlyTheBoundSignalsOfTheFramesMessage) {
  // 0x150 BodyInfo: speed 0x1388 = 5000 x 0.01 = 50 km/h (Motorola), gear 3 (D).
  ASSERT_EQ(router_.route(frame("150#13880300", milliseconds(5)), table_, changed_), 2U);
  EXPECT_DOUBLE_EQ(table_.value(0), 50.0);
  EXPECT_DOUBLE_EQ(table_.value(1), 3.0);
  EXPECT_EQ(table_.validity(2), kMissing) << "the fob slot belongs to another message";
  EXPECT_EQ(table_.receive_time(0), milliseconds(5));
}

TEST_F(FrameRouterTest, ReportsOnlyChangedSlots) {
  router_.route(frame("150#13880300", milliseconds(5)), table_, changed_);
  ASSERT_EQ(router_.route(frame("150#00000300", milliseconds(25)), table_, changed_), 1U);
  EXPECT_EQ(changed_[0], 0U);
  EXPECT_EQ(router_.route(frame("150#00000300", milliseconds(45)), table_, changed_), 0U);
}

TEST_F(FrameRouterTest, UnknownIdsAndRemoteFramesChangeNothing) {
  EXPECT_EQ(router_.route(frame("7FF#0102", milliseconds(1)), table_, changed_), 0U);
  EXPECT_EQ(router_.route(frame("150#R", milliseconds(1)), table_, changed_), 0U);
  EXPECT_FALSE(router_.routes(frame("7FF#01", milliseconds(1))));
  EXPECT_TRUE(router_.routes(frame("120#03", milliseconds(1))));
  EXPECT_FALSE(router_.routes(frame("201#00", milliseconds(1)))) << "known message, no binding";
}

TEST_F(FrameRouterTest, AFrameShorterThanItsDbcLengthInvalidatesEverySignalOfTheMessage) {
  router_.route(frame("150#13880300", milliseconds(5)), table_, changed_);
  // BodyInfo is 4 bytes; the speed's bits are all in these 2, but the frame is malformed.
  ASSERT_EQ(router_.route(frame("150#1388", milliseconds(25)), table_, changed_), 2U);
  EXPECT_EQ(table_.validity(0), kInvalid);
  EXPECT_EQ(table_.validity(1), kInvalid);
  EXPECT_DOUBLE_EQ(table_.value(0), 50.0) << "the last good value is kept, only invalid";
  EXPECT_EQ(router_.malformed_frames(), 1U);
  ASSERT_EQ(router_.route(frame("150#13880300", milliseconds(45)), table_, changed_), 2U);
  EXPECT_TRUE(table_.is_valid(0));
  EXPECT_TRUE(table_.is_valid(1));
}

TEST_F(FrameRouterTest, ALongerFrameThanItsDbcLengthIsNotMalformed) {
  ASSERT_EQ(router_.route(frame("150#1388030000000000", milliseconds(5)), table_, changed_), 2U);
  EXPECT_TRUE(table_.is_valid(0));
  EXPECT_EQ(router_.malformed_frames(), 0U);
}

TEST_F(FrameRouterTest, ChangedOutputIsBoundedByItsSpan) {
  std::array<std::uint32_t, 1> one{};
  EXPECT_EQ(router_.route(frame("150#13880300", milliseconds(5)), table_, one), 1U);
  EXPECT_TRUE(table_.is_valid(1)) << "the table is updated even when the report is full";
}

}  // namespace
}  // namespace cabind::signal

namespace cabind::signal {
namespace {

// Identity_Token (0x230, 5 bytes, no cycle time): TokenType M selects PhoneToken (m1) or
// FaceIdToken (m2). The phone slot is a presence binding, the face-ID slot an ordinary one.
class PresenceRoutingTest : public ::testing::Test {
 protected:
  PresenceRoutingTest()
      : codec_(demo_database()),
        table_({milliseconds(0), milliseconds(0)}),
        bindings_{Binding{0, *codec_.find_signal("Identity_Token", "PhoneToken"), true},
                  Binding{1, *codec_.find_signal("Identity_Token", "FaceIdToken"), false}},
        router_(codec_, bindings_) {}

  Routed route(const char* text, milliseconds time) {
    return router_.route(frame(text, time), table_, changed_, presented_);
  }

  dbc::Codec codec_;
  SignalTable table_;
  std::array<Binding, 2> bindings_;
  FrameRouter router_;
  std::array<std::uint32_t, 8> changed_{};
  std::array<std::uint32_t, 8> presented_{};
};

TEST_F(PresenceRoutingTest, APresenceSlotIsReportedPresentedOnEveryFrameNotOnlyOnChanges) {
  Routed routed = route("230#0101A0A1C4", milliseconds(0));
  ASSERT_EQ(routed.changed, 1U);
  ASSERT_EQ(routed.presented, 1U);
  EXPECT_EQ(presented_[0], 0U);
  EXPECT_DOUBLE_EQ(table_.value(0), static_cast<double>(0xC4A1A001U));
  routed = route("230#0101A0A1C4", milliseconds(100));
  EXPECT_EQ(routed.changed, 0U) << "same value";
  ASSERT_EQ(routed.presented, 1U) << "but presented again, at 100 ms";
  EXPECT_EQ(presented_[0], 0U);
  EXPECT_EQ(table_.receive_time(0), milliseconds(100));
}

TEST_F(PresenceRoutingTest, AMultiplexedTokenNotSelectedIsWithdrawnOnlyForPresenceBindings) {
  route("230#0101A0A1C4", milliseconds(0));  // the phone token
  // The multiplexor moves on to the face-ID token: the phone token is no longer presented.
  const Routed moved = route("230#02EFBEADDE", milliseconds(10));
  ASSERT_EQ(moved.changed, 2U);
  EXPECT_EQ(changed_[0], 0U) << "the phone slot, withdrawn";
  EXPECT_EQ(changed_[1], 1U) << "the face-ID slot, decoded";
  EXPECT_EQ(moved.presented, 0U) << "the face-ID binding is not a presence binding";
  EXPECT_EQ(table_.validity(0), kMissing);
  EXPECT_DOUBLE_EQ(table_.value(1), static_cast<double>(0xDEADBEEFU));
  // Back to the phone: the ordinary face-ID slot keeps its value (today's behaviour).
  const Routed back = route("230#0101A0A1C4", milliseconds(20));
  ASSERT_EQ(back.changed, 1U);
  EXPECT_EQ(changed_[0], 0U);
  EXPECT_EQ(back.presented, 1U);
  EXPECT_TRUE(table_.is_valid(1));
  EXPECT_DOUBLE_EQ(table_.value(1), static_cast<double>(0xDEADBEEFU));
  EXPECT_EQ(route("230#01", milliseconds(30)).changed, 2U)
      << "a 1-byte frame of a 5-byte message is malformed: both slots invalid";
  EXPECT_EQ(table_.validity(0), kInvalid);
  EXPECT_EQ(table_.validity(1), kInvalid);
}

TEST_F(PresenceRoutingTest, TheOldRouteReportsNoPresentations) {
  EXPECT_EQ(router_.route(frame("230#0101A0A1C4", milliseconds(0)), table_, changed_), 1U);
  EXPECT_EQ(router_.route(frame("230#0101A0A1C4", milliseconds(5)), table_, changed_), 0U);
}

}  // namespace
}  // namespace cabind::signal
