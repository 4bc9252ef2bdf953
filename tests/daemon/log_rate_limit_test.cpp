#include "cabind/daemon/log_rate_limit.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace cabind::daemon {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A flood: a decision every 100 µs for 10 s (100,000 of them) logs at most the limit per
// second, and each new window reports how many were suppressed in the one before.
TEST(LogRateLimit, AFloodLogsAtMostTheLimitPerSecondAndCountsTheRest) {
  LogRateLimit limit(50);
  const Clock::time_point start = Clock::now();
  std::uint64_t logged = 0;
  std::uint64_t reported_suppressed = 0;
  std::uint64_t logged_this_second = 0;
  std::int64_t second = 0;
  for (int i = 0; i < 100000; ++i) {
    const auto now = start + std::chrono::microseconds(100 * i);
    const auto slot = limit.take(now);
    const auto this_second = std::chrono::duration_cast<std::chrono::seconds>(now - start).count();
    if (this_second != second) {
      second = this_second;
      logged_this_second = 0;
    }
    if (slot.log) {
      ++logged;
      ++logged_this_second;
    }
    ASSERT_LE(logged_this_second, 50U) << "second " << second;
    reported_suppressed += slot.suppressed;
  }
  EXPECT_EQ(logged, 10U * 50U);
  EXPECT_EQ(limit.suppressed_total(), 100000U - logged);
  // Every window but the last has been reported by the first line of the next one.
  EXPECT_EQ(reported_suppressed, limit.suppressed_total() - (10000U - 50U));
}

TEST(LogRateLimit, RareLinesAreAllLoggedAndNothingIsReportedSuppressed) {
  LogRateLimit limit(50);
  const Clock::time_point start = Clock::now();
  for (int i = 0; i < 100; ++i) {
    const auto slot = limit.take(start + std::chrono::milliseconds(300 * i));
    EXPECT_TRUE(slot.log);
    EXPECT_EQ(slot.suppressed, 0U);
  }
  EXPECT_EQ(limit.suppressed_total(), 0U);
}

TEST(LogRateLimit, TheFirstLineAfterAQuietSpellReportsTheSuppressedOnes) {
  LogRateLimit limit(2);
  const Clock::time_point start = Clock::now();
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(limit.take(start + std::chrono::milliseconds(i)).log, i < 2);
  const auto later = limit.take(start + 1h);
  EXPECT_TRUE(later.log);
  EXPECT_EQ(later.suppressed, 3U);
}

}  // namespace
}  // namespace cabind::daemon
