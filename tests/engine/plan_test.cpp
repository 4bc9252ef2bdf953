// The compiled plan: roles instead of names, several seats, the driver's lifecycle, and the
// checks compile() makes (each at its file:line:column).
#include "cabind/engine/plan.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cabind/config/loader.hpp"
#include "engine_harness.hpp"

namespace cabind::engine::testing {
namespace {

namespace fs = std::filesystem;

const std::string kTwoSeats = CABIND_SOURCE_DIR "/tests/engine/data/two_seats/vehicle.yaml";
constexpr const char* kDriverSwitchPressed = "211#200000";  // DriverSeat_Status ManualSwitch 1
constexpr const char* kIgnitionOff = "140#00";
constexpr const char* kDriverDoorOpen = "130#01";

TEST(EnginePlan, TwoSeatsAreRecalledIndependently) {
  Harness h(kTwoSeats);
  h.periodic(kParked);
  h.frame(1.0, fob(5));  // Bob: slot 2, position 180 mm
  ASSERT_NE(h.engine->driver(), nullptr);
  // RecallSlot 2 and PositionTarget 1800 (0.1 mm, Motorola bytes 1..2) in one frame.
  EXPECT_EQ(h.sent("210"), (std::vector<std::string>{"210#020708"})) << h.audit();
  // Bob has no A/C in his profile: the passenger seat gets passenger_seat's slot 4.
  EXPECT_EQ(h.sent("212"), (std::vector<std::string>{"212#04"})) << h.audit();
}

TEST(EnginePlan, AProfileBooleanDecidesARuleAsABoolean) {
  Harness h(kTwoSeats);
  h.periodic(kParked);
  h.frame(1.0, fob(3));  // Alice: climate.ac true -> ac_lovers (priority 5) wins slot 5
  EXPECT_EQ(h.sent("212"), (std::vector<std::string>{"212#05"})) << h.audit();
  EXPECT_TRUE(h.audit_has("overridden rule=passenger_seat output=Passenger.Recall value=4"))
      << h.audit();
}

TEST(EnginePlan, AManualSwitchCancelsOnlyItsOwnSeat) {
  Harness h(kTwoSeats);
  h.periodic(kMoving);
  h.run_to(0.5);
  h.frame(1.0, fob(5));
  EXPECT_TRUE(h.sent("210").empty());
  EXPECT_TRUE(h.sent("212").empty());
  h.frame(1.5, kDriverSwitchPressed);
  EXPECT_EQ(h.audit_count("cancelled"), 2U) << "the driver's recall and position\n" << h.audit();
  h.periodic(kParked);
  h.run_to(3.0);
  EXPECT_TRUE(h.sent("210").empty()) << h.audit();
  EXPECT_EQ(h.sent("212"), (std::vector<std::string>{"212#04"})) << h.audit();
}

TEST(EnginePlan, TheDriverLeavesOnceTheLeaveConditionHeldForItsTime) {
  Harness h(kTwoSeats);
  h.periodic(kParked);
  h.frame(1.0, fob(5));
  ASSERT_NE(h.engine->driver(), nullptr);
  h.periodic(kIgnitionOff);
  h.periodic(kDriverDoorOpen);
  h.run_to(1.95);
  EXPECT_NE(h.engine->driver(), nullptr) << "the condition has not held for 1 s yet";
  h.run_to(2.5);
  EXPECT_EQ(h.engine->driver(), nullptr) << h.audit();
  EXPECT_EQ(h.audit_count("left output=bob"), 1U) << h.audit();
  EXPECT_TRUE(h.audit_has("fired rule=easy_exit")) << h.audit();
  EXPECT_EQ(h.sent("210").back(), "210#080708") << "easy exit: slot 8, position unchanged";
  h.run_to(5.0);
  EXPECT_EQ(h.audit_count("left output="), 1U) << "nobody left twice\n" << h.audit();
}

TEST(EnginePlan, AnInterruptedLeaveConditionStartsItsTimeAgain) {
  Harness h(kTwoSeats);
  h.periodic(kParked);
  h.frame(1.0, fob(5));
  h.periodic(kIgnitionOff);
  h.periodic(kDriverDoorOpen);
  h.run_to(1.8);
  h.periodic("130#00");  // door shut again: she only reached for something
  h.run_to(2.0);
  h.periodic(kDriverDoorOpen);
  h.run_to(2.9);
  EXPECT_NE(h.engine->driver(), nullptr) << h.audit();
  h.run_to(3.5);
  EXPECT_EQ(h.engine->driver(), nullptr) << h.audit();
}

TEST(EnginePlan, ADriverSelectedWhileTheLeaveConditionHoldsLeavesAfterItsTime) {
  Harness h(kTwoSeats);
  h.periodic(kParked);
  h.periodic(kIgnitionOff);
  h.periodic(kDriverDoorOpen);
  h.run_to(1.0);
  h.frame(1.05, fob(5));  // identified with the door already open and the ignition off
  ASSERT_NE(h.engine->driver(), nullptr);
  h.run_to(1.95);
  EXPECT_NE(h.engine->driver(), nullptr) << "1 s counts from the selection";
  h.run_to(2.2);
  EXPECT_EQ(h.engine->driver(), nullptr) << h.audit();
}

TEST(EnginePlan, OnePlanRunsSeveralEnginesEachWithItsOwnState) {
  Harness h(kTwoSeats);
  can::MemoryBus second_bus{"vcan0"};
  RecordingSink second_sink;
  MemoryPreferenceStore second_preferences;
  Engine second(*h.plan, second_bus, second_sink, second_preferences);
  h.periodic(kParked);
  h.frame(1.0, fob(5));
  EXPECT_EQ(second.driver(), nullptr) << "the plan holds no run-time state";
  EXPECT_EQ(&h.engine->plan(), h.plan.get());
  EXPECT_EQ(h.engine->slot("Vehicle.Speed"), h.plan->slot("Vehicle.Speed"));
}

// A copy of the two-seat fixture with `from` replaced by `to` in one of its files, compiled.
struct Compiled {
  std::string diagnostics;
  bool ok = false;
};

struct Edit {
  std::string file;
  std::string from;
  std::string to;
};

Compiled compile_variant(const std::vector<Edit>& edits) {
  const fs::path source = fs::path(CABIND_SOURCE_DIR) / "tests/engine/data/two_seats";
  const fs::path dir =
      fs::temp_directory_path() /
      ("cabind-plan-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
       ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& entry : fs::directory_iterator(source)) {
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    std::string content = text.str();
    const std::string profiles = "../../../../config/demo/profiles/";
    if (const auto at = content.find(profiles); at != std::string::npos) {
      content.replace(at, profiles.size(),
                      std::string(CABIND_SOURCE_DIR) + "/config/demo/profiles/");
    }
    for (const Edit& edit : edits) {
      if (entry.path().filename() != edit.file) continue;
      const auto at = content.find(edit.from);
      EXPECT_NE(at, std::string::npos) << edit.from;
      if (at != std::string::npos) content.replace(at, edit.from.size(), edit.to);
    }
    std::ofstream(dir / entry.path().filename()) << content;
  }
  Compiled result;
  auto loaded = config::load(dir / "vehicle.yaml");
  result.diagnostics = loaded.diagnostics.to_string();
  if (!loaded.ok()) return result;
  diag::Diagnostics diagnostics;
  result.ok = compile(*loaded.config, diagnostics) != nullptr;
  result.diagnostics += diagnostics.to_string();
  fs::remove_all(dir);
  return result;
}

Compiled compile_variant(const std::string& file, const std::string& from, const std::string& to) {
  return compile_variant({{file, from, to}});
}

TEST(EnginePlan, TheFixtureCompilesWithoutWarnings) {
  const Compiled c = compile_variant("rules.yaml", "easy_exit", "easy_exit");
  EXPECT_TRUE(c.ok) << c.diagnostics;
  EXPECT_EQ(c.diagnostics, "");
}

TEST(EnginePlan, TwoRecallOutputsOfOneSeatAreRefusedAtTheSecondRole) {
  const Compiled c = compile_variant("vehicle.yaml",
                                     "role: { kind: seat_memory_recall, seat: Row1.PassengerSide }",
                                     "role: { kind: seat_memory_recall, seat: Row1.DriverSide }");
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.diagnostics.find("vehicle.yaml:28:11: error: output 'Passenger.Recall' has role "
                               "seat_memory_recall of seat Row1.DriverSide, which output "
                               "'Driver.Recall' already has"),
            std::string::npos)
      << c.diagnostics;
}

TEST(EnginePlan, ARecallOfASeatWithoutARecallOutputIsRefusedAtTheSeat) {
  const Compiled c = compile_variant("rules.yaml", "{ seat: Row1.PassengerSide, slot: 4 }",
                                     "{ seat: Row2.Middle, slot: 4 }");
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.diagnostics.find("rules.yaml:11:30: error: recall_seat: no output has role "
                               "seat_memory_recall of seat 'Row2.Middle'"),
            std::string::npos)
      << c.diagnostics;
}

TEST(EnginePlan, AnUnnamedRecallWithSeveralSeatsIsAmbiguous) {
  const Compiled c = compile_variant("rules.yaml", "{ seat: Row1.PassengerSide, slot: 4 }", "4");
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.diagnostics.find("rules.yaml:11:22: error: recall_seat: several seats have a memory "
                               "recall output"),
            std::string::npos)
      << c.diagnostics;
}

TEST(EnginePlan, ABecameTrueConditionThatReadsNoSignalIsRefused) {
  const Compiled c =
      compile_variant("rules.yaml", "on: driver_left", "on: { became_true: \"hour >= 7\" }");
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.diagnostics.find("rules.yaml:19:25: error: rule 'easy_exit': a became_true "
                               "condition must read at least one signal"),
            std::string::npos)
      << c.diagnostics;
}

TEST(EnginePlan, NavigationWithoutDestinationRolesIsRefused) {
  const Compiled c =
      compile_variant("rules.yaml", "- recall_seat: { seat: Row1.DriverSide, slot: 8 }",
                      "- navigate: { favourite: home }");
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.diagnostics.find("error: rule 'easy_exit' navigates, but no output has role "
                               "destination_latitude and destination_longitude"),
            std::string::npos)
      << c.diagnostics;
}

TEST(EnginePlan, ACommandSignalNoOutputWritesIsAWarningThatNamesItsStartValue) {
  const Compiled c = compile_variant({{"vehicle.yaml", R"(  Driver.Position:
    signal: DriverSeat_Command.PositionTarget
    range: [0, 300]
    interlock: seat_motion
    role: { kind: seat_position, seat: Row1.DriverSide, axis: position }
)",
                                       ""},
                                      {"rules.yaml", R"(      - set: Driver.Position
        value: "profile.seat.position"
)",
                                       ""}});
  EXPECT_TRUE(c.ok) << c.diagnostics;
  EXPECT_NE(c.diagnostics.find("vehicle.yaml:15:13: warning: message 'DriverSeat_Command' carries "
                               "signal 'PositionTarget', which no output writes: every command "
                               "frame sends it at raw 0 (0 mm)"),
            std::string::npos)
      << c.diagnostics;
}

}  // namespace
}  // namespace cabind::engine::testing

namespace cabind::engine::testing {
namespace {

// The plan looks names up again (a Config need not come from load()): each unknown one is
// refused with the closest known name.
TEST(EnginePlan, UnknownNamesAreRefusedWithTheClosestKnownName) {
  auto loaded = config::load(kTwoSeats);
  ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.to_string();
  config::Config c = *loaded.config;
  c.identity.sources.at(0).signal = "Identity.KeyFobb";
  c.outputs.at(0).signal.signal = "RecallSlott";
  c.outputs.at(1).interlock = "seat_motio";
  config::Rule rule;
  rule.name = "typos";
  rule.on = config::SignalChanged{"Vehicle.Sped", {"r.yaml", 1, 1}};
  rule.actions.emplace_back(config::SetOutput{"Driver.Positon", {"1", {}}, {"r.yaml", 2, 1}});
  c.rules.push_back(rule);
  diag::Diagnostics diagnostics;
  (void)compile(c, diagnostics);
  const std::string text = diagnostics.to_string();
  for (const char* expected : {
           "unknown DBC signal 'DriverSeat_Command.RecallSlott' (did you mean 'RecallSlot'?)",
           "unknown interlock 'seat_motio' (did you mean 'seat_motion'?)",
       }) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
  // Later stages run once the outputs and interlocks are right.
  c = *loaded.config;
  c.identity.sources.at(0).signal = "Identity.KeyFobb";
  c.rules.push_back(rule);
  diag::Diagnostics later;
  (void)compile(c, later);
  const std::string second = later.to_string();
  for (const char* expected : {
           "r.yaml:1:1: error: unknown signal 'Vehicle.Sped' (did you mean 'Vehicle.Speed'?)",
           "r.yaml:2:1: error: unknown output 'Driver.Positon' (did you mean 'Driver.Position'?)",
           "error: unknown identity signal 'Identity.KeyFobb' (did you mean 'Identity.KeyFob'?)",
       }) {
    EXPECT_NE(second.find(expected), std::string::npos) << expected << "\n" << second;
  }
}

}  // namespace
}  // namespace cabind::engine::testing
