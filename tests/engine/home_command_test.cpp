// Engine::command: a command from home takes the rule path (range clamp, interlock at the
// send) and is never kept waiting behind an interlock.
#include <cmath>
#include <limits>

#include "engine_harness.hpp"

namespace cabind::engine::testing {
namespace {

constexpr const char* kRecall = "Vehicle.Cabin.Seat.Row1.DriverSide.MemoryRecall";
constexpr const char* kDriverTemperature = "Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature";

TEST(EngineHomeCommand, ASeatRecallWhileMovingIsBlockedByTheInterlockAndDropped) {
  Harness h;
  h.periodic(kParked);
  h.frame(1.0, fob(3));
  h.frame(1.3, fob(3));
  ASSERT_NE(h.engine->driver(), nullptr);
  h.periodic(kMoving);
  h.run_to(2.0);
  const std::size_t recalls = h.sent("210").size();
  const CommandResult result = h.engine->command(kRecall, 2, at(2.0));
  EXPECT_EQ(result.outcome, CommandOutcome::blocked);
  EXPECT_EQ(result.reason, "seat_motion");
  EXPECT_TRUE(h.audit_has(std::string("blocked rule=command from home output=") + kRecall))
      << h.audit();
  EXPECT_TRUE(h.audit_has(std::string("cancelled rule=command from home output=") + kRecall))
      << h.audit();
  h.periodic(kParked);  // stopped again: the refused command must not run now
  h.run_to(4.0);
  EXPECT_EQ(h.sent("210").size(), recalls) << h.audit();
}

TEST(EngineHomeCommand, ASeatRecallWhileParkedIsSent) {
  Harness h;
  h.periodic(kParked);
  h.run_to(1.0);
  const CommandResult result = h.engine->command(kRecall, 2, at(1.0));
  EXPECT_EQ(result.outcome, CommandOutcome::accepted);
  EXPECT_EQ(h.sent("210").size(), 1U) << h.audit();
  EXPECT_EQ(h.sent("210").back().substr(0, 6), "210#02");
}

TEST(EngineHomeCommand, AValueOutsideTheRangeIsClampedAndSaysSo) {
  Harness h;
  h.run_to(1.0);
  const CommandResult result = h.engine->command(kDriverTemperature, 40, at(1.0));
  EXPECT_EQ(result.outcome, CommandOutcome::accepted);
  EXPECT_EQ(result.value, 30.0);
  EXPECT_EQ(result.reason, "clamped to the output's range");
  EXPECT_TRUE(h.audit_has("clamped rule=command from home")) << h.audit();
}

TEST(EngineHomeCommand, AnUnknownOutputOrANonFiniteValueChangesNothing) {
  Harness h;
  h.run_to(1.0);
  const std::size_t lines = h.sink.lines.size();
  EXPECT_EQ(h.engine->command("Vehicle.Cabin.Sunroof", 1, at(1.0)).outcome,
            CommandOutcome::unknown_output);
  EXPECT_EQ(h.engine->command(kDriverTemperature, std::numeric_limits<double>::quiet_NaN(), at(1.0))
                .outcome,
            CommandOutcome::invalid_value);
  EXPECT_EQ(h.sink.lines.size(), lines);
  EXPECT_TRUE(h.sent().empty());
}

TEST(EngineHomeCommand, ARulesPublishActionIsAnEventWithItsFieldsRenderedAtLoadTime) {
  Harness h(CABIND_SOURCE_DIR "/tests/home/data/vehicle.yaml");
  h.periodic(kParked);
  h.frame(1.0, fob(173));
  h.frame(1.3, fob(173));
  EXPECT_TRUE(h.audit_has(
      R"(published rule=tell_home output=p-7f3a: arrived_home {"lights":"on","level":80,"welcome":true})"))
      << h.audit();
}

}  // namespace
}  // namespace cabind::engine::testing
