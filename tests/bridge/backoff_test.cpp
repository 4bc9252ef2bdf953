#include "cabind/bridge/backoff.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <set>

namespace cabind::bridge {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, CeilingDoublesFromTheMinimumUpToTheCap) {
  Backoff backoff(milliseconds{500}, milliseconds{5'000});
  std::vector<milliseconds> ceilings;
  for (int i = 0; i < 7; ++i) {
    ceilings.push_back(backoff.ceiling());
    (void)backoff.next(1.0);
  }
  EXPECT_EQ(ceilings,
            (std::vector<milliseconds>{milliseconds{500}, milliseconds{1'000}, milliseconds{2'000},
                                       milliseconds{4'000}, milliseconds{5'000},
                                       milliseconds{5'000}, milliseconds{5'000}}));
}

TEST(Backoff, DelayIsTheGivenFractionOfTheCeiling) {
  Backoff backoff(milliseconds{500}, milliseconds{60'000});
  EXPECT_EQ(backoff.next(0.5), milliseconds{250});
  EXPECT_EQ(backoff.next(0.5), milliseconds{500});
  EXPECT_EQ(backoff.next(1.0), milliseconds{2'000});
  EXPECT_EQ(backoff.next(0.0), milliseconds{0});
}

TEST(Backoff, OutOfRangeRandomNumbersAreClamped) {
  Backoff backoff(milliseconds{100}, milliseconds{1'000});
  EXPECT_EQ(backoff.next(7.0), milliseconds{100});
  EXPECT_EQ(backoff.next(-3.0), milliseconds{0});
  EXPECT_EQ(backoff.next(std::numeric_limits<double>::quiet_NaN()), milliseconds{0});
}

TEST(Backoff, ResetStartsAgainUnderTheMinimum) {
  Backoff backoff(milliseconds{100}, milliseconds{10'000});
  for (int i = 0; i < 5; ++i)
    (void)backoff.next(1.0);
  EXPECT_EQ(backoff.ceiling(), milliseconds{3'200});
  backoff.reset();
  EXPECT_EQ(backoff.ceiling(), milliseconds{100});
  EXPECT_EQ(backoff.next(1.0), milliseconds{100});
}

TEST(Backoff, ManyAttemptsNeverOverflowTheCap) {
  Backoff backoff(milliseconds{1}, milliseconds{60'000});
  for (int i = 0; i < 1'000; ++i)
    EXPECT_LE(backoff.next(1.0), milliseconds{60'000});
  EXPECT_EQ(backoff.ceiling(), milliseconds{60'000});
}

TEST(Backoff, AMaximumBelowTheMinimumIsRaisedToIt) {
  Backoff backoff(milliseconds{800}, milliseconds{10});
  EXPECT_EQ(backoff.ceiling(), milliseconds{800});
  EXPECT_EQ(backoff.next(1.0), milliseconds{800});
  EXPECT_EQ(backoff.ceiling(), milliseconds{800});
}

// Full jitter: with real random numbers every delay lies in [0, ceiling] and they spread
// over that range (a fleet does not reconnect in lockstep).
TEST(Backoff, RandomDelaysStayWithinBoundsAndSpread) {
  std::mt19937_64 random(42);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::set<milliseconds::rep> seen;
  milliseconds low{60'000};
  milliseconds high{0};
  for (int i = 0; i < 500; ++i) {
    Backoff backoff(milliseconds{500}, milliseconds{2'000});
    for (int attempt = 0; attempt < 4; ++attempt) {
      const milliseconds ceiling = backoff.ceiling();
      const milliseconds delay = backoff.next(unit(random));
      ASSERT_GE(delay, milliseconds{0});
      ASSERT_LE(delay, ceiling);
      if (attempt == 3) {
        seen.insert(delay.count());
        low = std::min(low, delay);
        high = std::max(high, delay);
      }
    }
  }
  EXPECT_GT(seen.size(), 300U);
  EXPECT_LT(low, milliseconds{200});
  EXPECT_GT(high, milliseconds{1'800});
}

}  // namespace
}  // namespace cabind::bridge
