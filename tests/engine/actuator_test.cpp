#include "cabind/engine/actuator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

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
  void record(const AuditEvent& event) noexcept override {
    kinds.push_back(event.kind);
    lines.push_back(format_audit(event));
  }
  [[nodiscard]] long count(AuditKind kind) const {
    return std::count(kinds.begin(), kinds.end(), kind);
  }
  std::vector<AuditKind> kinds;
  std::vector<std::string> lines;
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
    specs_ = {driver_setpoint, fan, recall, backrest};
    rebuild();
  }
  // A fresh actuator from specs_ (after a test changed them).
  void rebuild() {
    actuator_ = std::make_unique<Actuator>(codec_, bus_, sink_, specs_, interlocks_);
  }
  void service_until(int from_ms, int to_ms) {
    for (int t = from_ms; t <= to_ms; t += 10)
      actuator_->service(context(), milliseconds(t));
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
  std::vector<OutputSpec> specs_;
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

TEST_F(ActuatorTest, RefusedSendKeepsTheCommandUnsentAndSendsItWhenTheBusIsBack) {
  bus_.set_state(can::BusState::down);
  actuator_->command(0, 20.0, "r", context(), milliseconds(0));
  actuator_->flush(context(), milliseconds(0));
  EXPECT_TRUE(sent().empty());
  EXPECT_EQ(actuator_->phase(0), Phase::unsent);
  EXPECT_EQ(sink_.count(AuditKind::sent), 0);
  ASSERT_EQ(sink_.count(AuditKind::unsent), 1);
  EXPECT_EQ(sink_.lines.back(),
            "0.000 unsent rule=r output=driver value=20: the bus refused the frame");

  bus_.set_state(can::BusState::up);
  actuator_->on_bus_up(context(), milliseconds(30));
  EXPECT_EQ(sent(), (std::vector<std::string>{"200#282C0300"}));
  EXPECT_EQ(actuator_->phase(0), Phase::awaiting);
  EXPECT_EQ(sink_.lines.back(), "0.030 sent rule=r output=driver value=20 attempt=1");
  EXPECT_EQ(sink_.count(AuditKind::unsent), 1) << "reported once per command";
}

TEST_F(ActuatorTest, UnsentCommandIsRetriedAtABoundedRateFromService) {
  bus_.set_state(can::BusState::down);
  actuator_->command(3, 10.0, "r", context(), milliseconds(0));
  actuator_->flush(context(), milliseconds(0));
  service_until(10, 990);
  // The first try and one retry each 100 ms (kUnsentRetry): at 100, 200, ... 900 ms.
  EXPECT_EQ(bus_.counters().tx_dropped, 10U);
  EXPECT_EQ(sink_.count(AuditKind::unsent), 1);
  bus_.set_state(can::BusState::up);
  service_until(1000, 1000);
  EXPECT_EQ(sent(), (std::vector<std::string>{"210#000000000014"}));
  EXPECT_EQ(actuator_->phase(3), Phase::confirmed);
}

TEST_F(ActuatorTest, OutputWithoutFeedbackIsNotConfirmedWhenItsFrameIsDropped) {
  bus_.answer_sends_with(can::SendStatus::dropped);
  actuator_->command(3, 10.0, "r", context(), milliseconds(0));
  actuator_->flush(context(), milliseconds(0));
  EXPECT_EQ(actuator_->phase(3), Phase::unsent);
  EXPECT_EQ(sink_.count(AuditKind::sent), 0);
  EXPECT_EQ(sink_.count(AuditKind::confirmed), 0);
}

TEST_F(ActuatorTest, QueuedFrameIsReportedSentAndSaysItWasQueued) {
  bus_.answer_sends_with(can::SendStatus::queued);
  actuator_->command(3, 10.0, "r", context(), milliseconds(0));
  actuator_->flush(context(), milliseconds(0));
  EXPECT_EQ(actuator_->phase(3), Phase::confirmed);
  EXPECT_EQ(sink_.lines.back(),
            "0.000 sent rule=r output=backrest value=10 attempt=1: queued by the bus");
}

TEST_F(ActuatorTest, UnsentCommandRidesInAFrameSentForAnotherOutputOfItsMessage) {
  bus_.set_state(can::BusState::down);
  actuator_->command(3, 10.0, "r", context(), milliseconds(0));
  actuator_->flush(context(), milliseconds(0));
  bus_.set_state(can::BusState::up);
  actuator_->command(2, 1.0, "r", context(), milliseconds(20));  // parked: allowed
  actuator_->flush(context(), milliseconds(20));
  EXPECT_EQ(sent(), (std::vector<std::string>{"210#010000000014"}));
  EXPECT_EQ(actuator_->phase(3), Phase::confirmed);
  EXPECT_EQ(sink_.count(AuditKind::sent), 2);
}

TEST_F(ActuatorTest, ValueTheCodecCannotEncodeIsReportedAndNothingIsSent) {
  actuator_->command(3, std::numeric_limits<double>::quiet_NaN(), "r", context(), milliseconds(0));
  actuator_->flush(context(), milliseconds(0));
  EXPECT_TRUE(sent().empty());
  EXPECT_EQ(actuator_->phase(3), Phase::failed);
  EXPECT_EQ(sink_.count(AuditKind::sent), 0);
  ASSERT_EQ(sink_.count(AuditKind::failed), 1);
  EXPECT_NE(sink_.lines.back().find("not encodable: not a finite number"), std::string::npos)
      << sink_.lines.back();
}

TEST_F(ActuatorTest, ConfirmTimeoutAndAttemptsComeFromTheSpec) {
  specs_[0].confirm_timeout = milliseconds(1000);
  specs_[0].max_attempts = 2;
  rebuild();
  actuator_->command(0, 20.0, "r", context(), milliseconds(0));
  actuator_->flush(context(), milliseconds(0));
  service_until(10, 5000);
  ASSERT_EQ(bus_.sent().size(), 2U);
  EXPECT_EQ(bus_.sent()[1].time(), milliseconds(1000));
  EXPECT_EQ(actuator_->phase(0), Phase::failed);
  EXPECT_EQ(sink_.lines.back(),
            "3.000 failed rule=r output=driver value=20 attempt=2: feedback never confirmed")
      << "1000 ms, then 2000 ms";
}

TEST_F(ActuatorTest, MinIntervalComesFromTheSpec) {
  specs_[3].min_interval = milliseconds(200);
  rebuild();
  actuator_->command(3, 10.0, "r", context(), milliseconds(0));
  actuator_->flush(context(), milliseconds(0));
  actuator_->command(3, 11.0, "r", context(), milliseconds(60));
  actuator_->flush(context(), milliseconds(60));
  service_until(70, 190);
  EXPECT_EQ(sent().size(), 1U);
  service_until(200, 200);
  ASSERT_EQ(sent().size(), 2U);
  EXPECT_EQ(bus_.sent()[1].time(), milliseconds(200));
}

TEST_F(ActuatorTest, ToleranceComesFromTheSpec) {
  specs_[0].tolerance = 1.0;
  rebuild();
  actuator_->command(0, 20.0, "r", context(), milliseconds(0));
  actuator_->flush(context(), milliseconds(0));
  EXPECT_FALSE(actuator_->on_feedback(0, 21.5, milliseconds(10)).confirmed);
  EXPECT_TRUE(actuator_->on_feedback(0, 21.0, milliseconds(20)).confirmed);
}

TEST_F(ActuatorTest, FeedbackMovingTowardTheCommandPostponesTheRetry) {
  actuator_->command(0, 20.0, "r", context(), milliseconds(0));
  actuator_->flush(context(), milliseconds(0));
  // A slow actuator: the feedback walks from 16 to 20 degC in 0.5 degC steps every 200 ms,
  // 1.7 s in all, where a feedback standing still would be resent at 300 and 900 ms.
  double feedback = 16.0;
  for (int t = 100; t <= 1500; t += 200) {
    actuator_->on_feedback(0, feedback, milliseconds(t));
    actuator_->service(context(), milliseconds(t));
    actuator_->service(context(), milliseconds(t + 100));
    feedback += 0.5;
  }
  EXPECT_EQ(bus_.sent().size(), 1U) << "not resent while it moves";
  EXPECT_EQ(actuator_->phase(0), Phase::awaiting);
  EXPECT_TRUE(actuator_->on_feedback(0, 20.0, milliseconds(1700)).confirmed);
}

TEST_F(ActuatorTest, FeedbackThatStopsShortIsRetriedAfterTheTimeout) {
  actuator_->command(0, 20.0, "r", context(), milliseconds(0));
  actuator_->flush(context(), milliseconds(0));
  actuator_->on_feedback(0, 16.0, milliseconds(50));    // baseline, not progress
  actuator_->on_feedback(0, 16.25, milliseconds(100));  // within the tolerance: not progress
  service_until(110, 300);
  ASSERT_EQ(bus_.sent().size(), 2U);
  EXPECT_EQ(bus_.sent()[1].time(), milliseconds(300));
}

TEST_F(ActuatorTest, BlockedCommandExpiresAfterItsHold) {
  specs_[2].hold = milliseconds(1000);
  rebuild();
  values_[0] = 0.0;  // not parked
  actuator_->command(2, 3.0, "r", context(), milliseconds(0));
  service_until(10, 990);
  EXPECT_EQ(actuator_->phase(2), Phase::blocked);
  service_until(1000, 1000);
  EXPECT_EQ(actuator_->phase(2), Phase::idle);
  ASSERT_EQ(sink_.count(AuditKind::expired), 1);
  EXPECT_EQ(sink_.lines.back(),
            "1.000 expired rule=r output=recall value=3: not sent within the output's hold");
  values_[0] = 1.0;  // parked much later: the old recall does not fire
  service_until(1010, 2000);
  EXPECT_TRUE(sent().empty());
  EXPECT_EQ(actuator_->due_count(), 0U);
}

TEST_F(ActuatorTest, BlockedCommandWithoutHoldWaitsForItsInterlock) {
  values_[0] = 0.0;
  actuator_->command(2, 3.0, "r", context(), milliseconds(0));
  service_until(10, 60'000);
  EXPECT_EQ(actuator_->phase(2), Phase::blocked);
  values_[0] = 1.0;
  service_until(60'010, 60'010);
  EXPECT_EQ(sent(), (std::vector<std::string>{"210#030000000000"}));
}

TEST_F(ActuatorTest, UnsentCommandExpiresAfterItsHold) {
  specs_[3].hold = milliseconds(500);
  rebuild();
  bus_.set_state(can::BusState::down);
  actuator_->command(3, 10.0, "r", context(), milliseconds(0));
  actuator_->flush(context(), milliseconds(0));
  service_until(10, 500);
  EXPECT_EQ(actuator_->phase(3), Phase::idle);
  EXPECT_EQ(sink_.count(AuditKind::expired), 1);
  bus_.set_state(can::BusState::up);
  actuator_->on_bus_up(context(), milliseconds(600));
  EXPECT_TRUE(sent().empty());
}

TEST_F(ActuatorTest, ServiceVisitsOnlyOutputsWithSomethingDueAndActiveCycles) {
  EXPECT_EQ(actuator_->due_count(), 0U);
  EXPECT_EQ(actuator_->cyclic_count(), 0U);
  actuator_->command(1, 5.0, "r", context(), milliseconds(0));   // cyclic, no feedback
  actuator_->command(0, 20.0, "r", context(), milliseconds(0));  // awaits feedback
  actuator_->flush(context(), milliseconds(0));
  EXPECT_EQ(actuator_->cyclic_count(), 1U) << "HVAC_Request repeats";
  EXPECT_EQ(actuator_->due_count(), 1U) << "the setpoint awaits its feedback";
  EXPECT_TRUE(actuator_->on_feedback(0, 20.0, milliseconds(50)).confirmed);
  service_until(60, 200);
  EXPECT_EQ(actuator_->due_count(), 0U) << "confirmed: nothing due";
  EXPECT_EQ(actuator_->cyclic_count(), 1U);
  EXPECT_EQ(sent().size(), 3U) << "at 0, 100 and 200 ms";
}

TEST(ActuatorPhase, EveryPhaseHasAName) {
  EXPECT_EQ(to_string(Phase::unsent), "unsent");
  EXPECT_EQ(to_string(Phase::sending), "sending");
  EXPECT_EQ(to_string(Phase::failed), "failed");
  EXPECT_EQ(to_string(AuditKind::unsent), "unsent");
  EXPECT_EQ(to_string(AuditKind::expired), "expired");
}

}  // namespace
}  // namespace cabind::engine
