// The parser on the real DBC files in ../shared/data beside the checkout; registered only
// where that directory exists (tests/dbc/CMakeLists.txt), so a bare clone passes without it.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "cabind/dbc/parser.hpp"

namespace cabind::dbc {
namespace {

std::string errors_of(const ParseResult& r) {
  return r.diagnostics.to_string();
}

class RealDbcFile : public testing::TestWithParam<const char*> {};

TEST_P(RealDbcFile, ParsesWithoutErrors) {
  const std::filesystem::path path =
      std::filesystem::path(CABIND_SHARED_DATA_DIR) / "dbc" / GetParam();
  ASSERT_TRUE(std::filesystem::exists(path))
      << path << " missing: the real DBC files live in shared/ beside the checkout";
  const ParseResult r = parse_file(path);
  ASSERT_TRUE(r.ok()) << errors_of(r);
  EXPECT_EQ(r.diagnostics.error_count(), 0U);
  EXPECT_GE(r.database->messages.size(), 100U);
}

INSTANTIATE_TEST_SUITE_P(SharedData, RealDbcFile,
                         testing::Values("ford_cgea1_2_bodycan_2011.dbc", "psa_aee2010_r3.dbc"));

TEST(DbcParser, FordFileHasItsSignals) {
  const std::filesystem::path path =
      std::filesystem::path(CABIND_SHARED_DATA_DIR) / "dbc/ford_cgea1_2_bodycan_2011.dbc";
  ASSERT_TRUE(std::filesystem::exists(path))
      << path << " missing: the real DBC files live in shared/ beside the checkout";
  const ParseResult r = parse_file(path);
  ASSERT_TRUE(r.ok());
  std::size_t signals = 0;
  for (const Message& m : r.database->messages)
    signals += m.signals.size();
  EXPECT_EQ(r.database->messages.size(), 102U);
  EXPECT_EQ(signals, 829U);
}

}  // namespace
}  // namespace cabind::dbc
