// Evaluation must not allocate: this executable links cabind_alloc_counter, which
// replaces the global operator new and counts every allocation.

#include <gtest/gtest.h>

#include <string_view>

#include "alloc_counter.hpp"
#include "cabind/rules/compiled_expression.hpp"
#include "test_vehicle.hpp"

namespace cabind::rules {
namespace {

using test_support::allocations_during;

TEST(RulesAllocation, CountsAllocationsWhenThereAreSome) {
  EXPECT_GE(allocations_during([] {
              int* volatile memory = new int(1);  // volatile: the allocation cannot be elided
              delete memory;
            }),
            1U);
}

TEST(RulesAllocation, EvaluatesEveryOperatorAndFunctionWithoutAllocating) {
  const SymbolTable names = testing::test_names();
  diag::Diagnostics diagnostics;
  const auto expression = compile_expression(
      "(Vehicle.Speed == 0 and Gear in ['P', 'N'] or not Door.Open) and "
      "clamp(profile.climate.temperature + Vehicle.Exterior.AirTemperature * 2 - 1, 16, 30) / "
      "max(Fan, 1) % 7 >= min(abs(-3), -Fan) and Gear != 'D' and hour <= 9 and "
      "weekday in ['sat', 'sun'] and 1 < 2 and 2 > 1",
      {"rules.yaml", 1, 1}, names, ValueType::boolean, diagnostics);
  ASSERT_TRUE(expression.has_value()) << diagnostics.to_string();

  testing::TestState state;
  state.weekday = 6;
  state.hour = 8;
  const EvalContext context = state.context();
  Evaluation result;
  const std::size_t count = allocations_during([&] {
    for (int i = 0; i < 1000; ++i)
      result = expression->evaluate(context);
  });
  EXPECT_EQ(count, 0U);
  EXPECT_TRUE(result.holds());
}

TEST(RulesAllocation, AnUnknownResultDoesNotAllocateEither) {
  const SymbolTable names = testing::test_names();
  diag::Diagnostics diagnostics;
  const auto expression =
      compile_expression("Vehicle.Speed == 0 and Gear == 'P'", {"rules.yaml", 1, 1}, names,
                         ValueType::boolean, diagnostics);
  ASSERT_TRUE(expression.has_value());
  testing::TestState state;
  state.signal_validity[testing::kSpeed] = 2;
  const EvalContext context = state.context();
  Evaluation result;
  EXPECT_EQ(allocations_during([&] { result = expression->evaluate(context); }), 0U);
  EXPECT_EQ(result.reason, UnknownReason::stale);
}

TEST(RulesAllocation, TracingWhatDecidedAResultDoesNotAllocate) {
  const SymbolTable names = testing::test_names();
  diag::Diagnostics diagnostics;
  const auto expression =
      compile_expression("Vehicle.Speed == 0 and Gear == 'P' and (Door.Open or hour < 9)",
                         {"rules.yaml", 1, 1}, names, ValueType::boolean, diagnostics);
  ASSERT_TRUE(expression.has_value());
  testing::TestState state;
  state.signal_values[testing::kGear] = 3;
  const EvalContext context = state.context();
  Explanation explanation;
  EXPECT_EQ(allocations_during([&] { explanation = expression->trace(context); }), 0U);
  EXPECT_EQ(explanation.count, 1U);
  EXPECT_EQ(expression->describe(explanation), "Gear=D (needs == 'P')");
}

}  // namespace
}  // namespace cabind::rules
