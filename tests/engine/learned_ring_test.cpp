#include "cabind/engine/learned_ring.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace cabind::engine {
namespace {

std::vector<double> drained_values(LearnedRing& ring) {
  std::vector<double> values;
  ring.drain([&](const LearnedValue& v) { values.push_back(v.value); });
  return values;
}

TEST(EngineLearnedRing, DrainsInPushOrderAndEmpties) {
  LearnedRing ring(4);
  EXPECT_TRUE(ring.push({"alice", "Temp", 20.0, {}}));
  EXPECT_TRUE(ring.push({"bob", "Temp", 22.5, {}}));
  EXPECT_EQ(ring.size(), 2U);
  std::vector<std::string> who;
  const std::size_t n = ring.drain([&](const LearnedValue& v) {
    who.push_back(std::string(v.profile_id) + "=" + std::to_string(v.value).substr(0, 4));
  });
  EXPECT_EQ(n, 2U);
  EXPECT_EQ(who, (std::vector<std::string>{"alice=20.0", "bob=22.5"}));
  EXPECT_TRUE(ring.empty());
}

TEST(EngineLearnedRing, AFullRingRefusesTheNewestAndCountsIt) {
  LearnedRing ring(2);
  EXPECT_TRUE(ring.push({"a", "o", 1.0, {}}));
  EXPECT_TRUE(ring.push({"a", "o", 2.0, {}}));
  EXPECT_FALSE(ring.push({"a", "o", 3.0, {}}));
  EXPECT_EQ(ring.overflow(), 1U);
  EXPECT_EQ(drained_values(ring), (std::vector<double>{1.0, 2.0}));
}

TEST(EngineLearnedRing, WrapsAroundItsCapacity) {
  LearnedRing ring(3);
  for (int round = 0; round < 5; ++round) {
    const double base = 10.0 * round;
    ASSERT_TRUE(ring.push({"a", "o", base + 1, {}}));
    ASSERT_TRUE(ring.push({"a", "o", base + 2, {}}));
    EXPECT_EQ(drained_values(ring), (std::vector<double>{base + 1, base + 2})) << round;
  }
  EXPECT_EQ(ring.overflow(), 0U);
}

TEST(EngineLearnedRing, AThrowingVisitorLosesOnlyTheEntryItThrewOn) {
  LearnedRing ring(4);
  ring.push({"a", "o", 1.0, {}});
  ring.push({"a", "o", 2.0, {}});
  EXPECT_THROW(ring.drain([](const LearnedValue&) { throw std::runtime_error("disk full"); }),
               std::runtime_error);
  EXPECT_EQ(drained_values(ring), (std::vector<double>{2.0}));
}

TEST(EngineLearnedRing, ZeroCapacityStillHoldsOne) {
  LearnedRing ring(0);
  EXPECT_EQ(ring.capacity(), 1U);
  EXPECT_TRUE(ring.push({"a", "o", 1.0, {}}));
  EXPECT_FALSE(ring.push({"a", "o", 2.0, {}}));
}

}  // namespace
}  // namespace cabind::engine
