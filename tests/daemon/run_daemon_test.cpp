#include "cabind/daemon/run_daemon.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cabind/cli/number_argument.hpp"
#include "cabind/daemon/service.hpp"

namespace cabind::daemon {
namespace {

ServiceOptions parsed(const std::vector<std::string>& args) {
  ServiceOptions options;
  parse_arguments(args, options);
  return options;
}

std::string error_of(const std::vector<std::string>& args) {
  try {
    (void)parsed(args);
  } catch (const cli::ArgumentError& e) {
    return e.what();
  }
  return "no error";
}

TEST(DaemonArguments, NumbersAndPathsAreTaken) {
  const ServiceOptions options = parsed({"--config", "v.yaml", "--allow-uid", "1000", "--allow-gid",
                                         "20", "--tick", "25", "--state-dir", "/var/lib/cabind"});
  EXPECT_EQ(options.config_file, "v.yaml");
  EXPECT_EQ(options.access.uids, (std::vector<uid_t>{1000}));
  EXPECT_EQ(options.access.gids, (std::vector<gid_t>{20}));
  EXPECT_EQ(options.tick, std::chrono::milliseconds(25));
  EXPECT_EQ(options.state_dir, "/var/lib/cabind");
}

TEST(DaemonArguments, BadNumbersAreClearErrors) {
  EXPECT_EQ(error_of({"--config", "v.yaml", "--tick", "x"}),
            "--tick: expected a positive integer in milliseconds, got 'x'");
  EXPECT_EQ(error_of({"--config", "v.yaml", "--tick", "0"}),
            "--tick: expected a positive integer in milliseconds, got '0'");
  EXPECT_EQ(error_of({"--config", "v.yaml", "--allow-uid", "-1"}),
            "--allow-uid: expected a numeric user id, got '-1'");
  EXPECT_EQ(error_of({"--config", "v.yaml", "--allow-gid", "staff"}),
            "--allow-gid: expected a numeric group id, got 'staff'");
}

TEST(DaemonArguments, MissingValuesAndUnknownWordsAreNamed) {
  EXPECT_EQ(error_of({"--config", "v.yaml", "--tick"}), "--tick: expects a value");
  EXPECT_EQ(error_of({"--config", "v.yaml", "--verbose"}), "unexpected argument '--verbose'");
  EXPECT_EQ(error_of({"--tick", "10"}), "--config FILE is required");
}

}  // namespace
}  // namespace cabind::daemon
