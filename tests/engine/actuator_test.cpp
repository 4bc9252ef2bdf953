#include "cabind/engine/actuator.hpp"

#include <gtest/gtest.h>

#include "cabind/can/candump_log.hpp"
#include "cabind/can/memory_bus.hpp"
#include "cabind/dbc/parser.hpp"
#include "cabind/rules/compiler.hpp"
#include "cabind/rules/symbol_table.hpp"

namespace cabind::engine {
namespace {

using std::chrono::milliseconds;

class NullSink final : public AuditSink {
 public:
  void record(const AuditEvent& event) noexcept override { kinds.push_back(event.kind); }
  std::vector<AuditKind> kinds;
};

dbc::Database demo_database() {
  auto result = dbc::parse_file(CABIND_SOURCE_DIR "/config/demo/demo_body.dbc");
  EXPECT_TRUE(result.ok()) << result.diagnostics.to_string();
  return std::move(*result.database);
}

class ActuatorTest : public ::testing::Test {
 protected:
  ActuatorTest() : codec_(demo_database()) {
    rules::SymbolTable names;
    names.add_signal("Parked", 0);
    diag::Diagnostics diagnostics;
    interlocks_.push_back(
        {"parked", *rules::compile_expression("Parked == 1", {"test", 1, 1}, names,
                                              rules::ValueType::boolean, diagnostics)});
    OutputSpec driver_setpoint;
    driver_setpoint.name = "driver";
    driver_setpoint.ref = *codec_.find_signal("HVAC_Request", "DriverSetpoint");
    driver_setpoint.feedback_slot = 1;
    driver_setpoint.tolerance = 0.25;
    OutputSpec fan;
    fan.name = "fan";
    fan.ref = *codec_.find_signal("HVAC_Request", "FanLevel");
    fan.cyclic = true;
    fan.cycle = milliseconds(100);
    OutputSpec recall;
    recall.name = "recall";
    recall.ref = *codec_.find_signal("Seat_Command", "RecallSlot");
    recall.interlock = 0;
    OutputSpec backrest;
    backrest.name = "backrest";
    backrest.ref = *codec_.find_signal("Seat_Command", "BackrestTarget");
    actuator_ = std::make_unique<Actuator>(
        codec_, bus_, sink_, std::vector<OutputSpec>{driver_setpoint, fan, recall, backrest},
        interlocks_);
  }
  [[nodiscard]] rules::EvalContext context() const { return {{values_, validity_}, {}, -1, -1}; }
  [[nodiscard]] std::vector<std::string> sent() const {
    std::vector<std::string> out;
    for (const auto& frame : bus_.sent())
      out.push_back(can::format_frame_text(frame));
    return out;
  }

  dbc::Codec codec_;
  can::MemoryBus bus_;
  NullSink sink_;
  std::vector<Interlock> interlocks_;
  std::unique_ptr<Actuator> actuator_;
  std::array<double, 2> values_{1.0, 0.0};
  std::array<std::uint8_t, 2> validity_{0, 1};
};

TEST_F(ActuatorTest, KeepsStartValuesOfOtherSignalsInTheMessage) {
  actuator_->command(0, 20.0, "r", context(), milliseconds(0));
  actuator_->flush(context(), milliseconds(0));
  // DriverSetpoint 20 -> 40 = 0x28; PassengerSetpoint start 44 = 0x2C; FanLevel start 3.
  EXPECT_EQ(sent(), (std::vector<std::string>{"200#282C0300"}));
}

TEST_F(ActuatorTest, OutputsCommandedTogetherShareOneFrame) {
  actuator_->command(0, 20.0, "r", context(), milliseconds(0));
  actuator_->command(1, 7.0, "r", context(), milliseconds(0));
  actuator_->flush(context(), milliseconds(0));
  EXPECT_EQ(sent(), (std::vector<std::string>{"200#282C0700"}));
}

TEST_F(ActuatorTest, RateLimitDefersTheLatestValue) {
  actuator_->command(0, 20.0, "r", context(), milliseconds(0));
  actuator_->flush(context(), milliseconds(0));
  actuator_->command(0, 21.0, "r", context(), milliseconds(10));
  actuator_->command(0, 22.0, "r", context(), milliseconds(20));
  actuator_->flush(context(), milliseconds(20));
  EXPECT_EQ(sent().size(), 1U);
  EXPECT_EQ(actuator_->phase(0), Phase::deferred);
  actuator_->service(context(), milliseconds(49));
  EXPECT_EQ(sent().size(), 1U);
  actuator_->service(context(), milliseconds(50));
  ASSERT_EQ(sent().size(), 2U);
  EXPECT_EQ(sent()[1], "200#2C2C0300");  // 22 degC = 44 = 0x2C
}

TEST_F(ActuatorTest, CyclicOutputsRepeatAtTheirCycle) {
  actuator_->command(1, 5.0, "r", context(), milliseconds(0));
  actuator_->flush(context(), milliseconds(0));
  for (int t = 10; t <= 300; t += 10)
    actuator_->service(context(), milliseconds(t));
  EXPECT_EQ(sent().size(), 4U) << "at 0, 100, 200 and 300 ms";
}

TEST_F(ActuatorTest, InterlockedFieldIsNeutralisedInFramesSentForOthers) {
  actuator_->command(2, 1.0, "r", context(), milliseconds(0));
  actuator_->flush(context(), milliseconds(0));
  ASSERT_EQ(sent().back(), "210#010000000000");
  values_[0] = 0.0;  // no longer parked
  actuator_->command(3, 10.0, "r", context(), milliseconds(100));
  actuator_->flush(context(), milliseconds(100));
  // BackrestTarget 10 deg = 20 = 0x14 at byte 5; RecallSlot back to its start value 0.
  EXPECT_EQ(sent().back(), "210#000000000014");
}

TEST_F(ActuatorTest, BlockedCommandIsReportedOnceAndSentWhenTheInterlockHolds) {
  values_[0] = 0.0;
  actuator_->command(2, 3.0, "r", context(), milliseconds(0));
  actuator_->service(context(), milliseconds(10));
  actuator_->service(context(), milliseconds(20));
  EXPECT_TRUE(sent().empty());
  EXPECT_EQ(std::count(sink_.kinds.begin(), sink_.kinds.end(), AuditKind::blocked), 1);
  validity_[0] = 2;  // stale counts as not holding even with a good value
  values_[0] = 1.0;
  actuator_->service(context(), milliseconds(30));
  EXPECT_TRUE(sent().empty());
  validity_[0] = 0;
  actuator_->service(context(), milliseconds(40));
  EXPECT_EQ(sent(), (std::vector<std::string>{"210#030000000000"}));
}

TEST_F(ActuatorTest, FeedbackConfirmsOrRetriesWithBackoffThenFails) {
  actuator_->command(0, 20.0, "r", context(), milliseconds(0));
  actuator_->flush(context(), milliseconds(0));
  for (int t = 10; t <= 3000; t += 10)
    actuator_->service(context(), milliseconds(t));
  ASSERT_EQ(bus_.sent().size(), 3U);
  EXPECT_EQ(bus_.sent()[1].time(), milliseconds(300));
  EXPECT_EQ(bus_.sent()[2].time(), milliseconds(900)) << "300 ms, then 600 ms";
  EXPECT_EQ(actuator_->phase(0), Phase::failed);

  actuator_->command(0, 21.0, "r", context(), milliseconds(3100));
  actuator_->flush(context(), milliseconds(3100));
  EXPECT_FALSE(actuator_->on_feedback(0, 20.0, milliseconds(3150)).confirmed);
  EXPECT_TRUE(actuator_->on_feedback(0, 21.0, milliseconds(3160)).confirmed);
  EXPECT_TRUE(actuator_->on_feedback(0, 19.0, milliseconds(4000)).manual_change);
}

}  // namespace
}  // namespace cabind::engine
