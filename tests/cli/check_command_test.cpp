#include "cabind/cli/check_command.hpp"

#include <gtest/gtest.h>

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
