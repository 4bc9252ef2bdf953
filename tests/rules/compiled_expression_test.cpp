#include "cabind/rules/compiled_expression.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string_view>

#include "test_vehicle.hpp"

namespace cabind::rules {
namespace {

using testing::kDoorOpen;
using testing::kGear;
using testing::kSpeed;

constexpr std::uint8_t kValid = 0;
constexpr std::uint8_t kMissing = 1;
constexpr std::uint8_t kStale = 2;
constexpr std::uint8_t kInvalid = 3;

class RulesEvaluation : public ::testing::Test {
 protected:
  CompiledExpression compile(std::string_view text, ValueType expected = ValueType::boolean) {
    diag::Diagnostics diagnostics;
    auto compiled = compile_expression(text, {"rules.yaml", 1, 1}, names, expected, diagnostics);
    EXPECT_TRUE(compiled.has_value()) << diagnostics.to_string();
    return compiled ? *compiled : CompiledExpression{};
  }
  Evaluation run(std::string_view text, ValueType expected = ValueType::boolean) {
    return compile(text, expected).evaluate(state.context());
  }
  // The three-valued result of `text` as "true", "false" or "unknown".
  std::string_view truth(std::string_view text) {
    switch (run(text).truth()) {
      case Truth::true_value:
        return "true";
      case Truth::false_value:
        return "false";
      case Truth::unknown:
        return "unknown";
    }
    return "?";
  }

  SymbolTable names = testing::test_names();
  testing::TestState state;
};

constexpr std::string_view kSeatMotion = "Vehicle.Speed == 0 and Gear == 'P'";

TEST_F(RulesEvaluation, InterlockHoldsWhenParkedAndAllInputsAreValid) {
  EXPECT_TRUE(run(kSeatMotion).holds());
  state.signal_values[kSpeed] = 12;
  EXPECT_FALSE(run(kSeatMotion).holds());
  EXPECT_TRUE(run(kSeatMotion).known);
}

TEST_F(RulesEvaluation, InterlockWithAStaleInputIsUnknownAndNeverHolds) {
  state.signal_validity[kSpeed] = kStale;
  const auto expression = compile(kSeatMotion);
  const Evaluation result = expression.evaluate(state.context());
  EXPECT_FALSE(result.known);
  EXPECT_FALSE(result.holds());
  EXPECT_EQ(result.truth(), Truth::unknown);
  EXPECT_EQ(result.reason, UnknownReason::stale);
  EXPECT_EQ(expression.explain(result), "Vehicle.Speed stale");
}

TEST_F(RulesEvaluation, NamesTheMissingOrInvalidInput) {
  state.signal_validity[kGear] = kMissing;
  const auto expression = compile(kSeatMotion);
  EXPECT_EQ(expression.explain(expression.evaluate(state.context())), "Gear missing");
  state.signal_validity[kGear] = kInvalid;
  EXPECT_EQ(expression.explain(expression.evaluate(state.context())), "Gear invalid");
  state.signal_validity[kGear] = 200;  // any code above 3 is invalid
  EXPECT_EQ(expression.explain(expression.evaluate(state.context())), "Gear invalid");
}

TEST_F(RulesEvaluation, ExplainsNothingForAKnownResult) {
  const auto expression = compile(kSeatMotion);
  EXPECT_EQ(expression.explain(expression.evaluate(state.context())), "");
}

TEST_F(RulesEvaluation, ReportsTheLeftmostUnknownInput) {
  state.signal_validity[kSpeed] = kStale;
  state.signal_validity[kGear] = kMissing;
  const auto expression = compile(kSeatMotion);
  EXPECT_EQ(expression.explain(expression.evaluate(state.context())), "Vehicle.Speed stale");
}

TEST_F(RulesEvaluation, AndIsFalseWhenEitherSideIsFalseEvenIfTheOtherIsUnknown) {
  state.signal_validity[kDoorOpen] = kStale;  // Door.Open is unknown
  EXPECT_EQ(truth("false and Door.Open"), "false");
  EXPECT_EQ(truth("Door.Open and false"), "false");
  EXPECT_EQ(truth("true and Door.Open"), "unknown");
  EXPECT_EQ(truth("Door.Open and true"), "unknown");
  EXPECT_EQ(truth("Door.Open and Door.Open"), "unknown");
  EXPECT_EQ(truth("true and true"), "true");
}

TEST_F(RulesEvaluation, OrIsTrueWhenEitherSideIsTrueEvenIfTheOtherIsUnknown) {
  state.signal_validity[kDoorOpen] = kStale;
  EXPECT_EQ(truth("true or Door.Open"), "true");
  EXPECT_EQ(truth("Door.Open or true"), "true");
  EXPECT_EQ(truth("false or Door.Open"), "unknown");
  EXPECT_EQ(truth("Door.Open or false"), "unknown");
  EXPECT_EQ(truth("false or false"), "false");
}

TEST_F(RulesEvaluation, NotOfUnknownIsUnknown) {
  state.signal_validity[kDoorOpen] = kStale;
  EXPECT_EQ(truth("not Door.Open"), "unknown");
  // So negating an interlock never turns a stale input into "safe".
  EXPECT_EQ(truth("not (Vehicle.Speed > 0 or Door.Open)"), "unknown");
}

TEST_F(RulesEvaluation, ComparisonsArithmeticFunctionsAndInPropagateUnknown) {
  state.signal_validity[kSpeed] = kStale;
  EXPECT_EQ(truth("Vehicle.Speed == 0"), "unknown");
  EXPECT_EQ(truth("Vehicle.Speed + 1 > 0"), "unknown");
  EXPECT_EQ(truth("0 * Vehicle.Speed == 0"), "unknown");
  EXPECT_EQ(truth("max(Vehicle.Speed, 100) >= 100"), "unknown");
  EXPECT_EQ(truth("clamp(1, Vehicle.Speed, 3) == 1"), "unknown");
  EXPECT_EQ(truth("abs(Vehicle.Speed) < 1"), "unknown");
  EXPECT_EQ(truth("-Vehicle.Speed < 1"), "unknown");
  EXPECT_EQ(truth("Vehicle.Speed in [0, 1]"), "unknown");
}

TEST_F(RulesEvaluation, DivisionByZeroIsUnknownNotInfinite) {
  const auto expression = compile("1 / Vehicle.Speed > 0");
  const Evaluation result = expression.evaluate(state.context());
  EXPECT_FALSE(result.known);
  EXPECT_EQ(result.reason, UnknownReason::arithmetic);
  EXPECT_EQ(result.input, kNoInput);
  EXPECT_EQ(expression.explain(result), "division by zero or non-finite result");
  EXPECT_FALSE(run("5 % Vehicle.Speed == 0").known);
}

TEST_F(RulesEvaluation, OverflowIsUnknown) {
  EXPECT_FALSE(run("1e308 * 10", ValueType::number).known);
}

TEST_F(RulesEvaluation, ANonFiniteSignalValueIsInvalid) {
  state.signal_values[kSpeed] = std::numeric_limits<double>::quiet_NaN();
  const Evaluation result = run(kSeatMotion);
  EXPECT_FALSE(result.known);
  EXPECT_EQ(result.reason, UnknownReason::invalid);
}

TEST_F(RulesEvaluation, ASlotOutsideTheTableIsMissing) {
  const auto expression = compile("Fan > 1");  // slot 4
  EvalContext context = state.context();
  context.signals.value = context.signals.value.first(4);
  const Evaluation result = expression.evaluate(context);
  EXPECT_EQ(result.reason, UnknownReason::missing);
  EXPECT_EQ(expression.explain(result), "Fan missing");
}

TEST_F(RulesEvaluation, ProfileFieldsAreMissingWithoutAnActiveDriver) {
  const auto expression = compile("profile.climate.temperature > 20");
  EXPECT_TRUE(expression.evaluate(state.context()).holds());
  EvalContext no_driver = state.context();
  no_driver.profile = {};
  const Evaluation result = expression.evaluate(no_driver);
  EXPECT_FALSE(result.known);
  EXPECT_EQ(expression.explain(result), "profile.climate.temperature missing");
}

TEST_F(RulesEvaluation, HourAndWeekdayAreUnknownWithoutAClock) {
  state.hour = -1;
  const auto expression = compile("hour < 9");
  EXPECT_EQ(expression.explain(expression.evaluate(state.context())), "hour unknown (no clock)");
  state.hour = 8;
  state.weekday = -1;
  EXPECT_EQ(truth("weekday == 'mon'"), "unknown");
  EXPECT_EQ(truth("hour < 9 or weekday == 'mon'"), "true");
}

TEST_F(RulesEvaluation, ANumberResultCarriesItsValue) {
  const Evaluation result = run("clamp(profile.climate.temperature, 16, 30)", ValueType::number);
  EXPECT_TRUE(result.known);
  EXPECT_EQ(result.value, 21.5);
}

TEST_F(RulesEvaluation, ClampWithLowAboveHighGivesHigh) {
  EXPECT_EQ(run("clamp(20, 30, 16)", ValueType::number).value, 16.0);
}

TEST_F(RulesEvaluation, ADefaultConstructedExpressionIsUnknown) {
  const CompiledExpression empty;
  EXPECT_FALSE(empty.evaluate(state.context()).known);
  EXPECT_FALSE(empty.evaluate(state.context()).holds());
}

TEST(RulesUnknownReason, HasAReadableName) {
  EXPECT_EQ(to_string(UnknownReason::stale), "stale");
  EXPECT_EQ(to_string(UnknownReason::none), "known");
}

}  // namespace
}  // namespace cabind::rules
