#include "cabind/signal/signal_table.hpp"

#include <gtest/gtest.h>

#include <array>

namespace cabind::signal {
namespace {

using std::chrono::milliseconds;

TEST(SignalTable, StartsMissingAndBecomesValidOnUpdate) {
  SignalTable table({milliseconds(200), milliseconds(0)});
  EXPECT_EQ(table.validity(0), kMissing);
  EXPECT_TRUE(table.update(0, 12.5, milliseconds(10)));
  EXPECT_TRUE(table.is_valid(0));
  EXPECT_EQ(table.value(0), 12.5);
  EXPECT_EQ(table.receive_time(0), milliseconds(10));
}

TEST(SignalTable, RepeatedValueRefreshesTimeButIsNoChange) {
  SignalTable table({milliseconds(200)});
  table.update(0, 1.0, milliseconds(0));
  EXPECT_FALSE(table.update(0, 1.0, milliseconds(100)));
  EXPECT_EQ(table.receive_time(0), milliseconds(100));
  EXPECT_TRUE(table.update(0, 2.0, milliseconds(150)));
}

TEST(SignalTable, BecomesStaleAfterItsTimeoutOnly) {
  SignalTable table({milliseconds(200), milliseconds(0)});
  table.update(0, 1.0, milliseconds(0));
  table.update(1, 1.0, milliseconds(0));
  std::array<std::uint32_t, 4> changed{};
  EXPECT_EQ(table.expire(milliseconds(200), changed), 0U) << "exactly at the timeout is fresh";
  ASSERT_EQ(table.expire(milliseconds(201), changed), 1U);
  EXPECT_EQ(changed[0], 0U);
  EXPECT_EQ(table.validity(0), kStale);
  EXPECT_TRUE(table.is_valid(1)) << "timeout 0: event-driven, never stale";
  EXPECT_EQ(table.expire(milliseconds(500), changed), 0U) << "reported once";
  EXPECT_TRUE(table.update(0, 1.0, milliseconds(600))) << "fresh again is a change";
}

TEST(SignalTable, InvalidateIsAChangeOnce) {
  SignalTable table({milliseconds(200)});
  table.update(0, 1.0, milliseconds(0));
  EXPECT_TRUE(table.invalidate(0, milliseconds(10)));
  EXPECT_FALSE(table.invalidate(0, milliseconds(20)));
  EXPECT_EQ(table.validity(0), kInvalid);
}

TEST(SignalTable, WithdrawMarksMissingOnceAndAFreshValueIsAChange) {
  SignalTable table({milliseconds(200)});
  table.update(0, 7.0, milliseconds(0));
  EXPECT_TRUE(table.withdraw(0, milliseconds(10)));
  EXPECT_FALSE(table.withdraw(0, milliseconds(20)));
  EXPECT_EQ(table.validity(0), kMissing);
  std::array<std::uint32_t, 4> changed{};
  EXPECT_EQ(table.expire(milliseconds(1000), changed), 0U) << "a missing slot does not go stale";
  EXPECT_TRUE(table.update(0, 7.0, milliseconds(1100))) << "the same value presented again";
}

TEST(SignalTable, ViewFeedsTheEvaluator) {
  SignalTable table({milliseconds(0), milliseconds(0)});
  table.update(1, 3.0, milliseconds(0));
  const rules::SlotValues view = table.view();
  ASSERT_EQ(view.value.size(), 2U);
  EXPECT_EQ(view.value[1], 3.0);
  EXPECT_EQ(rules::freshness_from_code(view.validity[0]), rules::Freshness::missing);
}

}  // namespace
}  // namespace cabind::signal
