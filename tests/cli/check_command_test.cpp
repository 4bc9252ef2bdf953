#include "cabind/cli/check_command.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <sstream>
#include <string>

namespace cabind::cli {
namespace {

const std::string kSource = CABIND_SOURCE_DIR;

struct Run {
  int status;
  std::string out;
  std::string err;
};

template <std::size_t N>
Run check(const std::array<std::string, N>& args) {
  std::ostringstream out;
  std::ostringstream err;
  const int status = run_check(args, out, err);
  return {status, out.str(), err.str()};
}

TEST(CheckCommand, ValidConfigPrintsOneSummaryLineAndExitsZero) {
  const auto run = check(
      std::array<std::string, 3>{"--check", "--config", kSource + "/config/demo/vehicle.yaml"});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_TRUE(run.err.empty()) << run.err;
  EXPECT_NE(run.out.find(": ok: 2 buses, 13 signals, 12 outputs, 1 interlock, 4 identity sources, "
                         "4 profiles, 8 rules\n"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(run.out.find('\n'), run.out.size() - 1);
}

TEST(CheckCommand, InvalidConfigPrintsEveryErrorAndExitsTwo) {
  const std::string bad = kSource + "/tests/config/bad/094-profiles-duplicate-id/vehicle.yaml";
  const auto run = check(std::array<std::string, 2>{"--check", "--config=" + bad});
  EXPECT_EQ(run.status, 2);
  EXPECT_TRUE(run.out.empty());
  EXPECT_NE(run.err.find("profiles/b.yaml:1:5: error: profile id 'same' is also used by"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("1 error, configuration refused"), std::string::npos) << run.err;
}

TEST(CheckCommand, MissingFileIsAnErrorNotACrash) {
  const auto run = check(std::array<std::string, 3>{"--check", "--config", "/nonexistent.yaml"});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("/nonexistent.yaml: error: cannot open file"), std::string::npos)
      << run.err;
}

TEST(CheckCommand, UsageErrorsExitTwo) {
  EXPECT_EQ(check(std::array<std::string, 1>{"--check"}).status, 2);
  EXPECT_EQ(check(std::array<std::string, 2>{"--check", "--config"}).status, 2);
  const auto run = check(std::array<std::string, 3>{"--check", "--bogus", "x"});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("unexpected argument '--bogus'"), std::string::npos);
}

}  // namespace
}  // namespace cabind::cli

namespace cabind::cli {
namespace {

TEST(CheckCommand, ExpressionErrorsAreRefusedLikeTheDaemonWould) {
  const std::string bad = kSource + "/tests/config/bad-expression/vehicle.yaml";
  const auto run = check(std::array<std::string, 3>{"--check", "--config", bad});
  EXPECT_EQ(run.status, 2);
  EXPECT_TRUE(run.out.empty());
  EXPECT_NE(run.err.find("bad-expression/vehicle.yaml:13:"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("configuration refused"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace cabind::cli

namespace cabind::cli {
namespace {

TEST(CheckCommand, WarningsArePrintedWithTheirPositionAndCountedInTheSummary) {
  const std::string dir = kSource + "/tests/cli/data/quirky-dbc";
  const auto run = check(std::array<std::string, 3>{"--check", "--config", dir + "/vehicle.yaml"});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.err.find(dir + "/quirk.dbc:1:5: warning: id 103596083 (0x62CC033) is above 0x7FF"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(dir + "/quirk.dbc:3:39: warning: missing ';' at the end of CM_"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.out.find(", 2 warnings\n"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace cabind::cli

namespace cabind::cli {
namespace {

// Ten independent mistakes in five files (vehicle.yaml, a DBC, a profile, rules.yaml and the
// rules' expressions): one --check reports every one at its position, each once, and counts
// them in the summary. What depends on a mistake is not reported again: the signal on the
// bus whose DBC does not load, and the rule using the signal whose DBC reference is wrong
// (a warning says it was not compiled).
TEST(CheckCommand, OneRunReportsEveryIndependentErrorOfEveryFile) {
  const std::string dir = kSource + "/tests/config/multi-error-all";
  const auto run = check(std::array<std::string, 3>{"--check", "--config", dir + "/vehicle.yaml"});
  EXPECT_EQ(run.status, 2);
  EXPECT_TRUE(run.out.empty());
  const std::string at = dir + "/";
  for (const std::string& expected : {
           at + "vehicle.yaml:8:17: error: expected a string, found '42'",
           at + "profiles/guest.yaml:4:25: error: value 50 is out of range [10, 35]",
           at + "rules.yaml:24:18: error: expected a duration",
           at + "chassis.dbc:11:37: error: expected ',', found '0'",
           at + "vehicle.yaml:4:40: error: DBC file " + at + "chassis.dbc does not load",
           at + "vehicle.yaml:7:17: error: message 'BodyInfo' has no signal 'Geer' (did you "
                "mean 'Gear'?)",
           at + "rules.yaml:3:19: error: rule 'fan_when_moving': 'Vehicle.Sped' is not one of "
                "signals (did you mean 'Vehicle.Speed'?)",
           at + "rules.yaml:15:14: error: rule 'fan_by_speed': 'hvac.fann' is not one of "
                "outputs (did you mean 'hvac.fan'?)",
           at + "rules.yaml:13:25: error: unknown name 'Vehicle.Speeed' (did you mean "
                "'Vehicle.Speed'?)",
           at + "rules.yaml:22:17: error: clamp() needs 3 arguments (value, low, high), got 2",
           at + "rules.yaml:7:5: warning: rule 'fan_on_gear' is not compiled: it uses "
                "'Vehicle.Gear', which has errors",
           at + "vehicle.yaml: 10 errors, configuration refused, 1 warning\n",
       }) {
    EXPECT_NE(run.err.find(expected), std::string::npos) << expected << "\n" << run.err;
  }
  // Each mistake once: 10 errors, 1 warning, the summary; nothing about Vehicle.Yaw, whose
  // bus's DBC does not load, nor a second report of hvac.fann by the compiler.
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 12) << run.err;
  EXPECT_EQ(run.err.find("Yaw"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace cabind::cli
