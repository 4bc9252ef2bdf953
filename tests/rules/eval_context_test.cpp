#include "cabind/rules/eval_context.hpp"

#include <gtest/gtest.h>

#include "cabind/rules/symbol.hpp"

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

TEST(RulesValueType, HasAReadableName) {
  EXPECT_EQ(to_string(ValueType::number), "number");
  EXPECT_EQ(to_string(ValueType::boolean), "bool");
  EXPECT_EQ(to_string(ValueType::string), "string");
}

}  // namespace
}  // namespace cabind::rules
