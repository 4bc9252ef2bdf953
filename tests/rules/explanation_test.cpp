// What an audit line says about a false or unknown condition: the operand that decided it
// and its value, captured when the condition was evaluated.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>

#include "cabind/rules/compiled_expression.hpp"
#include "test_vehicle.hpp"

namespace cabind::rules {
namespace {

using testing::kDoorOpen;
using testing::kFan;
using testing::kGear;
using testing::kSpeed;

constexpr double kDrive = 3;  // Gear 'D'

class RulesExplanation : public ::testing::Test {
 protected:
  // The reason an audit line gives for `text` in the current state.
  std::string reason(std::string_view text) {
    diag::Diagnostics diagnostics;
    auto compiled =
        compile_expression(text, {"rules.yaml", 1, 1}, names, ValueType::boolean, diagnostics);
    EXPECT_TRUE(compiled.has_value()) << diagnostics.to_string();
    if (!compiled) return {};
    return compiled->describe(compiled->trace(state.context()));
  }

  SymbolTable names = testing::test_names();
  testing::TestState state;
};

constexpr std::string_view kParked = "Vehicle.Speed == 0 and Gear == 'P'";

TEST_F(RulesExplanation, NamesTheFirstFalseConjunctWithItsValueAndUnit) {
  state.signal_values[kSpeed] = 50;
  state.signal_values[kGear] = kDrive;
  EXPECT_EQ(reason(kParked), "Vehicle.Speed=50 km/h (needs == 0)");
}

TEST_F(RulesExplanation, PrintsAValueTableNameInsteadOfTheNumber) {
  state.signal_values[kGear] = kDrive;
  EXPECT_EQ(reason(kParked), "Gear=D (needs == 'P')");
}

TEST_F(RulesExplanation, AnUnknownResultNamesTheUnknownInputAndWhy) {
  state.signal_validity[kSpeed] = 2;
  EXPECT_EQ(reason(kParked), "Vehicle.Speed stale");
  state.signal_validity[kSpeed] = 0;
  state.signal_validity[kGear] = 1;
  EXPECT_EQ(reason(kParked), "Gear missing");
  state.signal_validity[kGear] = 3;
  EXPECT_EQ(reason(kParked), "Gear invalid");
}

TEST_F(RulesExplanation, AFalseConjunctDecidesEvenBesideAnUnknownOne) {
  state.signal_validity[kSpeed] = 2;
  state.signal_values[kGear] = kDrive;
  EXPECT_EQ(reason(kParked), "Gear=D (needs == 'P')");
}

TEST_F(RulesExplanation, NamesTheClockValue) {
  state.hour = 7;
  EXPECT_EQ(reason("hour >= 8 and hour < 20"), "hour=7 (needs >= 8)");
  state.weekday = 3;
  EXPECT_EQ(reason("weekday in ['sat', 'sun']"), "weekday=wed (needs in ['sat', 'sun'])");
  state.hour = -1;
  EXPECT_EQ(reason("hour >= 8"), "hour unknown (no clock)");
}

TEST_F(RulesExplanation, DescendsIntoNestedConjunctionsAndParentheses) {
  state.signal_values[kSpeed] = 2;
  EXPECT_EQ(reason("Vehicle.Speed < 5 and (Door.Open and Gear == 'P')"), "Door.Open=false");
  state.signal_values[kSpeed] = 7;
  EXPECT_EQ(reason("(Vehicle.Speed < 5) and Door.Open"), "Vehicle.Speed=7 km/h (needs < 5)");
}

TEST_F(RulesExplanation, AFalseDisjunctionListsEveryInputItRead) {
  state.signal_values[kFan] = 1;
  EXPECT_EQ(reason("Gear == 'P' and (Door.Open or Fan > 2)"),
            "Door.Open=false, Fan=1 (needs Door.Open or Fan > 2)");
}

TEST_F(RulesExplanation, QuotesTheWholeSubexpressionWhenItIsNotAPlainComparison) {
  state.signal_values[kDoorOpen] = 1;
  EXPECT_EQ(reason("not Door.Open"), "Door.Open=true (needs not Door.Open)");
  state.signal_values[kSpeed] = 3;
  state.signal_values[kFan] = 9;
  EXPECT_EQ(reason("Vehicle.Speed + 1 > Fan"),
            "Vehicle.Speed=3 km/h, Fan=9 (needs Vehicle.Speed + 1 > Fan)");
  EXPECT_EQ(reason("Fan < 9 - Vehicle.Speed"),
            "Fan=9, Vehicle.Speed=3 km/h (needs Fan < 9 - Vehicle.Speed)");
}

TEST_F(RulesExplanation, AConstantConditionSaysWhatItNeeds) {
  EXPECT_EQ(reason("1 > 2"), "needs 1 > 2");
}

TEST_F(RulesExplanation, ListsAtMostFourInputs) {
  state.signal_values[kGear] = kDrive;
  EXPECT_EQ(reason("Vehicle.Speed + Gear + Vehicle.Exterior.AirTemperature + Fan + "
                   "profile.climate.seat_heat > 100"),
            "Vehicle.Speed=0 km/h, Gear=D, Vehicle.Exterior.AirTemperature=0, Fan=0, ... (needs "
            "Vehicle.Speed + Gear + Vehicle.Exterior.AirTemperature + Fan + "
            "profile.climate.seat_heat > 100)");
}

TEST_F(RulesExplanation, KeepsTheValuesOfTheMomentItWasTraced) {
  diag::Diagnostics diagnostics;
  const auto compiled =
      compile_expression(kParked, {"rules.yaml", 1, 1}, names, ValueType::boolean, diagnostics);
  ASSERT_TRUE(compiled);
  state.signal_values[kSpeed] = 50;
  const Explanation traced = compiled->trace(state.context());
  state.signal_values[kSpeed] = 0;  // the car stopped before the sink formatted the event
  state.signal_values[kGear] = kDrive;
  EXPECT_EQ(compiled->describe(traced), "Vehicle.Speed=50 km/h (needs == 0)");
  EXPECT_FALSE(traced.result.holds());
}

TEST_F(RulesExplanation, WithoutATraceQuotesTheWholeExpression) {
  diag::Diagnostics diagnostics;
  const auto compiled =
      compile_expression(kParked, {"rules.yaml", 1, 1}, names, ValueType::boolean, diagnostics);
  ASSERT_TRUE(compiled);
  state.signal_values[kSpeed] = 50;
  Explanation untraced;
  untraced.result = compiled->evaluate(state.context());
  EXPECT_EQ(compiled->describe(untraced), "false: '" + std::string(kParked) + "'");
  state.signal_values[kSpeed] = 0;
  EXPECT_EQ(reason(kParked), "'" + std::string(kParked) + "'");  // it holds
}

TEST_F(RulesExplanation, TraceAgreesWithEvaluate) {
  for (const double speed : {0.0, 50.0}) {
    for (const int validity : {0, 1, 2, 3}) {
      state.signal_values[kSpeed] = speed;
      state.signal_validity[kSpeed] = static_cast<std::uint8_t>(validity);
      diag::Diagnostics diagnostics;
      const auto compiled =
          compile_expression("Vehicle.Speed == 0 or Gear != 'P' and Fan > 1", {"rules.yaml", 1, 1},
                             names, ValueType::boolean, diagnostics);
      ASSERT_TRUE(compiled);
      const Evaluation plain = compiled->evaluate(state.context());
      const Evaluation traced = compiled->trace(state.context()).result;
      EXPECT_EQ(plain.known, traced.known);
      EXPECT_EQ(plain.value, traced.value);
      EXPECT_EQ(plain.reason, traced.reason);
      EXPECT_EQ(plain.input, traced.input);
    }
  }
}

TEST(RulesExplanationProfile, AProfileBoolIsABoolInConditionsAndInAuditLines) {
  SymbolTable names;
  names.add_profile_field("profile.climate.ac", 0, ValueType::boolean);
  names.add_signal("Vehicle.Exterior.AirTemperature", 0, ValueType::number, {}, "degC");
  diag::Diagnostics diagnostics;
  const auto compiled =
      compile_expression("profile.climate.ac and Vehicle.Exterior.AirTemperature > 25",
                         {"rules.yaml", 1, 1}, names, ValueType::boolean, diagnostics);
  ASSERT_TRUE(compiled) << diagnostics.to_string();
  const std::array<double, 1> signals{30};
  const std::array<std::uint8_t, 1> valid{0};
  std::array<double, 1> ac{0};
  const EvalContext context{{signals, valid}, {ac, valid}, 12, 3};
  EXPECT_EQ(compiled->describe(compiled->trace(context)), "profile.climate.ac=false");
  ac[0] = 1;
  EXPECT_TRUE(compiled->evaluate(context).holds());
}

}  // namespace
}  // namespace cabind::rules
