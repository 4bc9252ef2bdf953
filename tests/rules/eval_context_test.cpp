#include "cabind/rules/eval_context.hpp"

#include <gtest/gtest.h>

namespace cabind::rules {
namespace {

TEST(RulesFreshness, MapsValidityCodesAndTreatsUnknownCodesAsInvalid) {
  EXPECT_EQ(freshness_from_code(0), Freshness::valid);
  EXPECT_EQ(freshness_from_code(1), Freshness::missing);
  EXPECT_EQ(freshness_from_code(2), Freshness::stale);
  EXPECT_EQ(freshness_from_code(3), Freshness::invalid);
  EXPECT_EQ(freshness_from_code(255), Freshness::invalid);
}

TEST(RulesEvalContext, DefaultsToNoClockAndNoInputs) {
  const EvalContext context;
  EXPECT_LT(context.hour, 0);
  EXPECT_LT(context.weekday, 0);
  EXPECT_TRUE(context.signals.value.empty());
  EXPECT_TRUE(context.profile.validity.empty());
}

}  // namespace
}  // namespace cabind::rules
