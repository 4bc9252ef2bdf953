#include "cabind/diag/diagnostic.hpp"

#include <gtest/gtest.h>

namespace cabind::diag {
namespace {

TEST(Diagnostic, RendersFileLineColumnSeverityAndMessage) {
  Diagnostic d{Severity::error, {"vehicle.yaml", 12, 5}, "unknown key 'fann'"};
  EXPECT_EQ(d.to_string(), "vehicle.yaml:12:5: error: unknown key 'fann'");
}

TEST(Diagnostic, LeavesOutUnknownLineAndColumn) {
  Diagnostic d{Severity::warning, {"a.dbc", 0, 0}, "empty file"};
  EXPECT_EQ(d.to_string(), "a.dbc: warning: empty file");
}

TEST(Diagnostics, CountsOnlyErrorsAsFailures) {
  Diagnostics all;
  all.warning({"a", 1, 1}, "w");
  EXPECT_FALSE(all.has_errors());
  all.error({"a", 2, 1}, "e");
  EXPECT_TRUE(all.has_errors());
  EXPECT_EQ(all.error_count(), 1U);
  EXPECT_EQ(all.to_string(), "a:1:1: warning: w\na:2:1: error: e\n");
}

}  // namespace
}  // namespace cabind::diag
