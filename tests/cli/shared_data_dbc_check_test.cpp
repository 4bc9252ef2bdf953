// `cabind dbc-check` on a real DBC file in ../shared/data beside the checkout; registered
// only where that directory exists (tests/cli/CMakeLists.txt).
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "cabind/cli/dbc_commands.hpp"

namespace cabind::cli {
namespace {

TEST(DbcCheckRealFile, FordSummary) {
  const std::string path = CABIND_SHARED_DATA_DIR "/dbc/ford_cgea1_2_bodycan_2011.dbc";
  ASSERT_TRUE(std::filesystem::exists(path))
      << path << " missing: the real DBC files live in shared/ beside the checkout";
  std::ostringstream out;
  std::ostringstream err;
  const std::vector<std::string> args{path};
  EXPECT_EQ(run_dbc_check(args, out, err), 0) << err.str();
  EXPECT_EQ(out.str(), path + ": 102 messages, 829 signals\n");
}

}  // namespace
}  // namespace cabind::cli
