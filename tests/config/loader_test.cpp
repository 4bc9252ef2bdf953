// The shipped demo configuration loads without any diagnostic and says what the product
// demo relies on (Alice, Bob, Carla and a guest; cycle times from the DBC).
#include "cabind/config/loader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <variant>

namespace cabind::config {
namespace {

const std::string kDemo = std::string(CABIND_SOURCE_DIR) + "/config/demo/vehicle.yaml";

TEST(DemoConfig, LoadsWithoutDiagnostics) {
  const auto result = load(kDemo);
  ASSERT_TRUE(result.ok()) << result.diagnostics.to_string();
  EXPECT_TRUE(result.diagnostics.empty()) << result.diagnostics.to_string();
  const Config& config = *result.config;
  ASSERT_EQ(config.buses.size(), 2U);
  EXPECT_EQ(config.buses[0].name, "body");
  EXPECT_EQ(config.buses[0].interface, "vcan0");
  EXPECT_FALSE(config.buses[0].database.messages.empty());
  EXPECT_EQ(config.buses[1].name, "infotainment");
  EXPECT_EQ(config.buses[1].interface, "vcan1");
  EXPECT_NE(config.buses[1].database.find_message("Identity_Token"), nullptr);
  EXPECT_EQ(config.stale_factor, 10U);
  EXPECT_EQ(config.profiles.size(), 4U);
  EXPECT_GE(config.rules.size(), 5U);
}

TEST(DemoConfig, IdentifiesTheDemoDrivers) {
  const auto result = load(kDemo);
  ASSERT_TRUE(result.ok()) << result.diagnostics.to_string();
  const auto& profiles = result.config->profiles;
  using profile::IdentifierKind;
  EXPECT_EQ(profiles.find(IdentifierKind::key_fob, 3)->id, "alice");
  EXPECT_EQ(profiles.find(IdentifierKind::seat_memory_button, 1)->id, "alice");
  EXPECT_EQ(profiles.find(IdentifierKind::key_fob, 5)->id, "bob");
  EXPECT_EQ(profiles.find(IdentifierKind::seat_memory_button, 2)->id, "bob");
  EXPECT_EQ(profiles.find(IdentifierKind::phone, std::string_view("c4a1a001"))->id, "carla");
  EXPECT_EQ(profiles.guest()->id, "guest");
}

TEST(DemoConfig, CyclicOutputsTakeTheirPeriodFromTheDbc) {
  const auto result = load(kDemo);
  ASSERT_TRUE(result.ok()) << result.diagnostics.to_string();
  const Output* temperature =
      result.config->find_output("Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature");
  ASSERT_NE(temperature, nullptr);
  EXPECT_EQ(temperature->send, SendMode::cyclic);
  EXPECT_EQ(temperature->cycle, std::chrono::milliseconds(100));
  EXPECT_TRUE(temperature->learn);
  ASSERT_TRUE(temperature->feedback);
  EXPECT_EQ(temperature->feedback->message, "HVAC_Status");
  const Output* recall =
      result.config->find_output("Vehicle.Cabin.Seat.Row1.DriverSide.MemoryRecall");
  ASSERT_NE(recall, nullptr);
  EXPECT_EQ(recall->interlock, "seat_motion");
  EXPECT_EQ(recall->send, SendMode::on_change);
}

TEST(DemoConfig, ExpressionsKeepTheirSourceLocation) {
  const auto result = load(kDemo);
  ASSERT_TRUE(result.ok()) << result.diagnostics.to_string();
  const Interlock* seat = result.config->find_interlock("seat_motion");
  ASSERT_NE(seat, nullptr);
  EXPECT_EQ(seat->condition.text.substr(0, 13), "Vehicle.Speed");
  EXPECT_EQ(seat->condition.where.column, 17U);  // after `  seat_motion: "`
  const auto rule = std::find_if(result.config->rules.begin(), result.config->rules.end(),
                                 [](const Rule& r) { return r.name == "cold_morning"; });
  ASSERT_NE(rule, result.config->rules.end());
  const Rule& cold = *rule;
  EXPECT_EQ(cold.priority, 10);
  ASSERT_TRUE(cold.when);
  EXPECT_TRUE(std::holds_alternative<DriverIdentified>(cold.on));
  const auto& set = std::get<SetOutput>(cold.actions.at(0));
  EXPECT_EQ(set.value.text, "max(profile.climate.temperature, 23)");
}

namespace cabind::config {
namespace {

TEST(Load, ReportsErrorsOfEveryFileInOneRun) {
  const auto result =
      load(std::string(CABIND_SOURCE_DIR) + "/tests/config/multi-error/vehicle.yaml");
  EXPECT_FALSE(result.ok());
  const std::string text = result.diagnostics.to_string();
  EXPECT_EQ(result.diagnostics.error_count(), 3U) << text;
  EXPECT_NE(text.find("multi-error/vehicle.yaml:2:30: error: 'no' is a YAML 1.1 boolean"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("multi-error/profiles/guest.yaml:4:25: error: value 50 is out of range"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("multi-error/rules.yaml:3:18: error: expected a duration"), std::string::npos)
      << text;
}

// Profile errors do not stop what does not need the profiles: the DBC cross-checks and
// the rules' signal references are reported in the same run, each with its suggestion;
// the favourite lookup, which needs the profiles, is said once not to have run.
TEST(Load, ProfileErrorsDoNotHideDbcOrRuleErrors) {
  const auto result =
      load(std::string(CABIND_SOURCE_DIR) + "/tests/config/multi-error-profiles/vehicle.yaml");
  EXPECT_FALSE(result.ok());
  const std::string text = result.diagnostics.to_string();
  EXPECT_EQ(result.diagnostics.error_count(), 4U) << text;
  for (const char* expected : {
           "multi-error-profiles/profiles/guest.yaml:4:25: error: value 50 is out of range",
           "multi-error-profiles/profiles/alice.yaml:3:17: error: value 11 is out of range",
           "multi-error-profiles/vehicle.yaml:6:18: error: message 'BodyInfo' has no signal "
           "'VehicleSped' (did you mean 'VehicleSpeed'?)",
           "multi-error-profiles/rules.yaml:3:19: error: rule 'r1': 'Vehicle.Sped' is not one of "
           "signals (did you mean 'Vehicle.Speed'?)",
           "multi-error-profiles/vehicle.yaml:7:11: warning: the favourites rules navigate to are "
           "not checked: the profiles have errors",
       }) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
}

// An error in vehicle.yaml no longer skips the DBC cross-checks, nor an error in one rule
// the others: load() reports the eight mistakes outside expressions (--check compiles the
// rest, see CheckCommand.OneRunReportsEveryIndependentErrorOfEveryFile) and hands back the
// part without errors, where the rule using the misspelt DBC reference is left out.
TEST(Load, VehicleErrorsDoNotHideDbcErrorsNorOneRuleTheOthers) {
  const auto result =
      load(std::string(CABIND_SOURCE_DIR) + "/tests/config/multi-error-all/vehicle.yaml");
  EXPECT_FALSE(result.ok());
  const std::string text = result.diagnostics.to_string();
  EXPECT_EQ(result.diagnostics.error_count(), 8U) << text;
  for (const char* expected : {
           "multi-error-all/chassis.dbc:11:37: error: expected ','",
           "multi-error-all/vehicle.yaml:4:40: error: DBC file ",
           "multi-error-all/vehicle.yaml:7:17: error: message 'BodyInfo' has no signal 'Geer'",
           "multi-error-all/rules.yaml:15:14: error: rule 'fan_by_speed': 'hvac.fann'",
       }) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
  ASSERT_TRUE(result.usable_part);
  const Config& part = *result.usable_part;
  ASSERT_EQ(part.signals.size(), 1U);  // Vehicle.Gear, Door and Yaw have errors
  EXPECT_EQ(part.signals[0].name, "Vehicle.Speed");
  std::vector<std::string> rules;
  for (const Rule& rule : part.rules)
    rules.push_back(rule.name);
  EXPECT_EQ(rules, (std::vector<std::string>{"fan_when_moving", "fan_by_speed", "fan_at_start"}));
}

TEST(ReadConfigFile, ReadsSmallFilesWholeAndStopsOneBytePastTheLimit) {
  const auto dir = std::filesystem::path(::testing::TempDir());
  const auto small = dir / "cabind-small.yaml";
  const auto big = dir / "cabind-big.yaml";
  std::ofstream(small) << "id: alice\n";
  std::ofstream(big) << std::string(3 * 100 * 1024, 'x');  // 300 KiB, over a 100 KiB limit
  diag::Diagnostics diagnostics;
  EXPECT_EQ(read_config_file(small, diagnostics), "id: alice\n");
  const auto text = read_config_file(big, diagnostics, 100 * 1024);
  ASSERT_TRUE(text);
  EXPECT_EQ(text->size(), 100U * 1024U + 1U);
  EXPECT_FALSE(diagnostics.has_errors());
  EXPECT_FALSE(read_config_file(dir / "cabind-missing.yaml", diagnostics));
  EXPECT_TRUE(diagnostics.has_errors());
  std::filesystem::remove(small);
  std::filesystem::remove(big);
}

}  // namespace
}  // namespace cabind::config

// Profiles that came from the cloud (sync::ProfileCache's files) overlay the configured ones.
class ProfileOverlay : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("cabind-overlay-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name) << "# cabind shadow version 3\n" << text << "\n";
  }
  std::filesystem::path dir_;
};

TEST_F(ProfileOverlay, ASyncedProfileReplacesTheConfiguredOneAndAddsNewDrivers) {
  write("alice.yaml",
        R"({"id": "alice", "name": "Alice", "identify": {"key_fob": [3]},
            "climate": {"temperature": 25.0}})");
  write("dave.yaml", R"({"id": "dave", "name": "Dave", "identify": {"key_fob": [77]}})");
  const auto result = load(kDemo, {dir_});
  ASSERT_TRUE(result.ok()) << result.diagnostics.to_string();
  EXPECT_TRUE(result.diagnostics.empty()) << result.diagnostics.to_string();
  const auto& profiles = result.config->profiles;
  EXPECT_EQ(profiles.size(), 5U);
  EXPECT_EQ(profiles.find_by_id("alice")->climate.driver.temperature_c, 25.0);
  EXPECT_EQ(profiles.find(profile::IdentifierKind::key_fob, 77)->id, "dave");
}

TEST_F(ProfileOverlay, ASyncedFileThatNoLongerParsesIsLeftOutWithAWarning) {
  write("alice.yaml", R"({"id": "alice", "name": "Alice", "climate": {"temperature": "hot"}})");
  const auto result = load(kDemo, {dir_});
  ASSERT_TRUE(result.ok()) << result.diagnostics.to_string();
  EXPECT_FALSE(result.diagnostics.empty());
  EXPECT_NE(result.diagnostics.to_string().find("synced profile left out"), std::string::npos);
  EXPECT_EQ(result.config->profiles.find_by_id("alice")->climate.driver.temperature_c, 21.5);
}

TEST_F(ProfileOverlay, ASyncedSetThatClaimsAnotherDriversFobFallsBackToTheConfiguredOnes) {
  write("dave.yaml", R"({"id": "dave", "name": "Dave", "identify": {"key_fob": [3]}})");
  const auto result = load(kDemo, {dir_});
  ASSERT_TRUE(result.ok()) << result.diagnostics.to_string();
  EXPECT_NE(result.diagnostics.to_string().find("synced profiles left out"), std::string::npos);
  EXPECT_EQ(result.config->profiles.size(), 4U);
  EXPECT_EQ(result.config->profiles.find(profile::IdentifierKind::key_fob, 3)->id, "alice");
}

}  // namespace
}  // namespace cabind::config
