#include "cabind/rules/compiler.hpp"

#include <gtest/gtest.h>

#include <string_view>

#include "test_vehicle.hpp"

namespace cabind::rules {
namespace {

using testing::kDoorOpen;
using testing::kGear;
using testing::kOutsideTemp;
using testing::kSpeed;

class RulesCompiler : public ::testing::Test {
 protected:
  CompiledExpression compile(std::string_view text, ValueType expected) {
    auto compiled = compile_expression(text, {"rules.yaml", 3, 10}, names, expected, diagnostics);
    EXPECT_TRUE(compiled.has_value()) << text << "\n" << diagnostics.to_string();
    return compiled ? *compiled : CompiledExpression{};
  }
  double number(std::string_view text) {
    const Evaluation result = compile(text, ValueType::number).evaluate(state.context());
    EXPECT_TRUE(result.known) << text;
    return result.value;
  }
  bool condition(std::string_view text) {
    const Evaluation result = compile(text, ValueType::boolean).evaluate(state.context());
    EXPECT_TRUE(result.known) << text;
    return result.holds();
  }

  SymbolTable names = testing::test_names();
  testing::TestState state;
  diag::Diagnostics diagnostics;
};

TEST_F(RulesCompiler, ReadsNumberLiterals) {
  EXPECT_EQ(number("21.5"), 21.5);
  EXPECT_EQ(number("-3"), -3.0);
  EXPECT_EQ(number("1e3"), 1000.0);
  EXPECT_EQ(number("2.5E-1"), 0.25);
  EXPECT_EQ(number("007"), 7.0);
}

TEST_F(RulesCompiler, MultiplicationBindsTighterThanAddition) {
  EXPECT_EQ(number("2 + 3 * 4"), 14.0);
  EXPECT_EQ(number("(2 + 3) * 4"), 20.0);
  EXPECT_EQ(number("10 - 6 / 2"), 7.0);
  EXPECT_EQ(number("10 - 7 % 4"), 7.0);
}

TEST_F(RulesCompiler, ArithmeticIsLeftAssociative) {
  EXPECT_EQ(number("10 - 4 - 3"), 3.0);
  EXPECT_EQ(number("64 / 4 / 2"), 8.0);
  EXPECT_EQ(number("17 % 10 % 4"), 3.0);
}

TEST_F(RulesCompiler, UnaryMinusBindsTighterThanMultiplication) {
  EXPECT_EQ(number("-2 * 3"), -6.0);
  EXPECT_EQ(number("- -2"), 2.0);
  EXPECT_EQ(number("2 - -2"), 4.0);
  EXPECT_EQ(number("-(2 + 3)"), -5.0);
}

TEST_F(RulesCompiler, AndBindsTighterThanOr) {
  EXPECT_TRUE(condition("true or true and false"));
  EXPECT_FALSE(condition("(true or true) and false"));
  EXPECT_TRUE(condition("false and false or true"));
}

TEST_F(RulesCompiler, NotBindsLooserThanComparisonAndTighterThanAnd) {
  EXPECT_TRUE(condition("not 1 == 2"));
  EXPECT_FALSE(condition("not true and true"));
  EXPECT_TRUE(condition("not false or false"));
  EXPECT_TRUE(condition("not not true"));
}

TEST_F(RulesCompiler, ComparisonsBindLooserThanArithmetic) {
  EXPECT_TRUE(condition("1 + 2 == 3"));
  EXPECT_TRUE(condition("2 * 3 > 5 and 1 < 2"));
}

TEST_F(RulesCompiler, ComparesNumbers) {
  EXPECT_TRUE(condition("1 == 1"));
  EXPECT_FALSE(condition("1 != 1"));
  EXPECT_TRUE(condition("1 < 2"));
  EXPECT_FALSE(condition("2 < 2"));
  EXPECT_TRUE(condition("2 <= 2"));
  EXPECT_TRUE(condition("3 > 2"));
  EXPECT_FALSE(condition("2 > 2"));
  EXPECT_TRUE(condition("2 >= 2"));
}

TEST_F(RulesCompiler, ComparesBools) {
  EXPECT_TRUE(condition("true == true"));
  EXPECT_TRUE(condition("true != false"));
  state.signal_values[kDoorOpen] = 1;
  EXPECT_TRUE(condition("Door.Open == true"));
  EXPECT_TRUE(condition("Door.Open"));
}

TEST_F(RulesCompiler, ComputesArithmetic) {
  EXPECT_EQ(number("7 + 2"), 9.0);
  EXPECT_EQ(number("7 - 2"), 5.0);
  EXPECT_EQ(number("7 * 2"), 14.0);
  EXPECT_EQ(number("7 / 2"), 3.5);
  EXPECT_EQ(number("7 % 2"), 1.0);
  EXPECT_EQ(number("-7 % 2"), -1.0);
  EXPECT_EQ(number("7.5 % 2"), 1.5);
}

TEST_F(RulesCompiler, CallsFunctions) {
  EXPECT_EQ(number("min(3, 1, 2)"), 1.0);
  EXPECT_EQ(number("max(3, 1, 2)"), 3.0);
  EXPECT_EQ(number("min(4, 5)"), 4.0);
  EXPECT_EQ(number("clamp(35, 16, 30)"), 30.0);
  EXPECT_EQ(number("clamp(10, 16, 30)"), 16.0);
  EXPECT_EQ(number("clamp(21.5, 16, 30)"), 21.5);
  EXPECT_EQ(number("abs(-4.5)"), 4.5);
  EXPECT_EQ(number("abs(4.5)"), 4.5);
  EXPECT_EQ(number("max(min(1, 2), abs(-3)) + 1"), 4.0);
}

TEST_F(RulesCompiler, ReadsSignalsAndProfileFields) {
  state.signal_values[kOutsideTemp] = -4;
  EXPECT_EQ(number("Vehicle.Exterior.AirTemperature"), -4.0);
  EXPECT_EQ(number("profile.climate.temperature + 1"), 22.5);
  EXPECT_EQ(number("clamp(profile.climate.temperature + Vehicle.Exterior.AirTemperature, 16, 30)"),
            17.5);
}

TEST_F(RulesCompiler, ComparesAnEnumSignalWithItsValueNames) {
  state.signal_values[kGear] = 3;
  EXPECT_TRUE(condition("Gear == 'D'"));
  EXPECT_TRUE(condition("Gear == \"D\""));
  EXPECT_TRUE(condition("'D' == Gear"));
  EXPECT_TRUE(condition("Gear != 'P'"));
  EXPECT_TRUE(condition("'P' != Gear"));
  EXPECT_TRUE(condition("Gear == 3"));
  EXPECT_TRUE(condition("profile.climate.mode == 'auto'"));
}

TEST_F(RulesCompiler, CompilesAnEnumNameToItsNumberNotAString) {
  const auto compiled = compile("Gear == 'N'", ValueType::boolean);
  ASSERT_EQ(compiled.constants().size(), 1U);
  EXPECT_EQ(compiled.constants()[0], 2.0);
}

TEST_F(RulesCompiler, TestsMembershipInAList) {
  state.signal_values[kGear] = 2;
  EXPECT_TRUE(condition("Gear in ['P', 'N']"));
  EXPECT_FALSE(condition("Gear in ['R', 'D']"));
  EXPECT_TRUE(condition("Gear in [2]"));
  EXPECT_TRUE(condition("Vehicle.Speed in [-1, 0, 1]"));
  EXPECT_TRUE(condition("true in [true]"));
  EXPECT_FALSE(condition("true in [false]"));
  EXPECT_TRUE(condition("not Gear in ['D']"));
}

TEST_F(RulesCompiler, KnowsHourAndWeekday) {
  state.hour = 7;
  state.weekday = 6;
  EXPECT_TRUE(condition("hour < 9 and weekday in ['sat', 'sun']"));
  EXPECT_TRUE(condition("weekday == 'sat'"));
  EXPECT_EQ(number("hour"), 7.0);
  EXPECT_EQ(number("weekday"), 6.0);
}

TEST_F(RulesCompiler, AcceptsLineBreaksAndTabsAsSpace) {
  EXPECT_TRUE(condition("Vehicle.Speed == 0\n  and\tGear == 'P'"));
}

TEST_F(RulesCompiler, ListsEachInputOnceInOrderOfFirstUse) {
  const auto compiled = compile(
      "Gear == 'P' and Vehicle.Speed < 3 and Gear != 'R' and hour > 6 and "
      "profile.climate.temperature > 0",
      ValueType::boolean);
  ASSERT_EQ(compiled.inputs().size(), 4U);
  EXPECT_EQ(compiled.inputs()[0].name, "Gear");
  EXPECT_EQ(compiled.inputs()[1].name, "Vehicle.Speed");
  EXPECT_EQ(compiled.inputs()[2].kind, InputKind::hour);
  EXPECT_EQ(compiled.inputs()[3].kind, InputKind::profile_field);
  EXPECT_EQ(
      std::vector<std::uint32_t>(compiled.signal_slots().begin(), compiled.signal_slots().end()),
      (std::vector<std::uint32_t>{kSpeed, kGear}));
  EXPECT_EQ(compiled.profile_slots().size(), 1U);
  EXPECT_TRUE(compiled.reads_clock());
}

TEST_F(RulesCompiler, ExpressionWithoutClockDoesNotReadIt) {
  EXPECT_FALSE(compile("Vehicle.Speed > 1", ValueType::boolean).reads_clock());
  EXPECT_TRUE(compile("1 + 2", ValueType::number).signal_slots().empty());
}

TEST_F(RulesCompiler, KeepsTextAndResultType) {
  const auto compiled = compile("Vehicle.Speed * 2", ValueType::number);
  EXPECT_EQ(compiled.text(), "Vehicle.Speed * 2");
  EXPECT_EQ(compiled.result_type(), ValueType::number);
  EXPECT_TRUE(diagnostics.empty());
}

TEST_F(RulesCompiler, AcceptsDeepButBoundedNesting) {
  std::string text;
  for (int i = 0; i < 30; ++i)
    text += "(";
  text += "1";
  for (int i = 0; i < 30; ++i)
    text += " + 1)";
  EXPECT_EQ(number(text), 31.0);
}

}  // namespace
}  // namespace cabind::rules
