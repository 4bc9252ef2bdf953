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

TEST_F(FrameRouterTest, ShortPayloadMarksTheMissingSignalsInvalid) {
  router_.route(frame("150#13880300", milliseconds(5)), table_, changed_);
  ASSERT_EQ(router_.route(frame("150#1388", milliseconds(25)), table_, changed_), 1U);
  EXPECT_EQ(changed_[0], 1U);
  EXPECT_EQ(table_.validity(1), kInvalid);
  EXPECT_TRUE(table_.is_valid(0));
}

TEST_F(FrameRouterTest, ChangedOutputIsBoundedByItsSpan) {
  std::array<std::uint32_t, 1> one{};
  EXPECT_EQ(router_.route(frame("150#13880300", milliseconds(5)), table_, one), 1U);
  EXPECT_TRUE(table_.is_valid(1)) << "the table is updated even when the report is full";
}

}  // namespace
}  // namespace cabind::signal
