// Every error message of the expression compiler, with its exact file:line:column.
// The expression text starts at rules.yaml line 3, column 10, so a token at offset k
// of a one-line expression is reported at column 10 + k.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "cabind/rules/compiler.hpp"
#include "test_vehicle.hpp"

namespace cabind::rules {
namespace {

class RulesErrors : public ::testing::Test {
 protected:
  // All diagnostics of compiling `text`, rendered; the compile must fail.
  std::string errors(std::string_view text, ValueType expected = ValueType::boolean) {
    diag::Diagnostics diagnostics;
    const auto compiled =
        compile_expression(text, {"rules.yaml", 3, 10}, names, expected, diagnostics);
    EXPECT_FALSE(compiled.has_value()) << text;
    EXPECT_EQ(diagnostics.error_count(), diagnostics.all().size()) << text;
    return diagnostics.to_string();
  }

  SymbolTable names = testing::test_names();
};

TEST_F(RulesErrors, RejectsMalformedTokens) {
  EXPECT_EQ(errors(""), "rules.yaml:3:10: error: empty expression\n");
  EXPECT_EQ(errors("   "), "rules.yaml:3:13: error: empty expression\n");
  EXPECT_EQ(errors("Vehicle.Speed # 3"), "rules.yaml:3:24: error: unexpected character '#'\n");
  EXPECT_EQ(errors("Gear == 'P"),
            "rules.yaml:3:18: error: unterminated string (missing closing ')\n");
  EXPECT_EQ(errors("Gear == \"P"),
            "rules.yaml:3:18: error: unterminated string (missing closing \")\n");
  EXPECT_EQ(errors("1e"), "rules.yaml:3:10: error: malformed number '1e'\n");
  EXPECT_EQ(errors("1.x"), "rules.yaml:3:10: error: malformed number '1.x'\n");
  EXPECT_EQ(errors("10min"), "rules.yaml:3:10: error: malformed number '10min'\n");
  EXPECT_EQ(errors("2."), "rules.yaml:3:10: error: malformed number '2.'\n");
  EXPECT_EQ(errors("Vehicle."),
            "rules.yaml:3:17: error: a name must not end with '.': 'Vehicle.'\n");
  EXPECT_EQ(errors("a = 1"),
            "rules.yaml:3:12: error: '=' is not an operator; use '==' to compare\n");
  EXPECT_EQ(errors("a && b"), "rules.yaml:3:12: error: '&' is not an operator; use 'and'\n");
  EXPECT_EQ(errors("a || b"), "rules.yaml:3:12: error: '|' is not an operator; use 'or'\n");
  EXPECT_EQ(errors("!a"), "rules.yaml:3:10: error: '!' is not an operator; use 'not'\n");
  EXPECT_EQ(errors("1e999"), "rules.yaml:3:10: error: number '1e999' is out of range\n");
}

TEST_F(RulesErrors, RejectsMalformedSyntax) {
  EXPECT_EQ(errors("Vehicle.Speed =="),
            "rules.yaml:3:26: error: expected a value, found end of expression\n");
  EXPECT_EQ(errors("(1 + 2"),
            "rules.yaml:3:16: error: expected ')' to close the '(', found end of expression\n");
  EXPECT_EQ(errors("1 2"),
            "rules.yaml:3:12: error: unexpected number 2 after the end of the expression\n");
  EXPECT_EQ(
      errors("min(1 2)"),
      "rules.yaml:3:16: error: expected ',' or ')' in the arguments of min(), found number 2\n");
  EXPECT_EQ(errors("Gear in 'P'"),
            "rules.yaml:3:18: error: 'in' needs a list such as ['P', 'N'], found string 'P'\n");
  EXPECT_EQ(errors("Gear in []"), "rules.yaml:3:19: error: the list after 'in' is empty\n");
  EXPECT_EQ(errors("Gear in [Vehicle.Speed]"),
            "rules.yaml:3:19: error: list elements must be literals (numbers, strings, true or "
            "false), found name 'Vehicle.Speed'\n");
  EXPECT_EQ(errors("Gear in ['P' 'N']"),
            "rules.yaml:3:23: error: expected ',' or ']' in the list, found string 'N'\n");
  EXPECT_EQ(errors("1 < 2 < 3"),
            "rules.yaml:3:16: error: comparisons cannot be chained: '<' follows a comparison; "
            "combine them with 'and'\n");
  EXPECT_EQ(errors("1 == 2 in [1]"),
            "rules.yaml:3:17: error: comparisons cannot be chained: 'in' follows a comparison; "
            "combine them with 'and'\n");
  EXPECT_EQ(errors(")"), "rules.yaml:3:10: error: expected a value, found ')'\n");
}

TEST_F(RulesErrors, RejectsUnknownNamesWithASuggestion) {
  EXPECT_EQ(
      errors("Vehicle.Sped > 0"),
      "rules.yaml:3:10: error: unknown name 'Vehicle.Sped' (did you mean 'Vehicle.Speed'?)\n");
  EXPECT_EQ(
      errors("vehicle.speed > 0"),
      "rules.yaml:3:10: error: unknown name 'vehicle.speed' (did you mean 'Vehicle.Speed'?)\n");
  EXPECT_EQ(errors("Frobnicate > 0"), "rules.yaml:3:10: error: unknown name 'Frobnicate'\n");
  EXPECT_EQ(errors("hours > 6"),
            "rules.yaml:3:10: error: unknown name 'hours' (did you mean 'hour'?)\n");
}

TEST_F(RulesErrors, RejectsStringsThatAreNotEnumNames) {
  EXPECT_EQ(errors("Gear == 'X'"),
            "rules.yaml:3:18: error: unknown value 'X' for 'Gear' (valid: 'P', 'R', 'N', 'D')\n");
  EXPECT_EQ(errors("Vehicle.Speed == 'P'"),
            "rules.yaml:3:27: error: 'Vehicle.Speed' has no named values, so it cannot be compared "
            "with the string 'P'\n");
  EXPECT_EQ(errors("'P' == 'P'"),
            "rules.yaml:3:14: error: '==' cannot compare two strings; compare an enum-typed value "
            "with a string\n");
  EXPECT_EQ(errors("Gear < 'P'"),
            "rules.yaml:3:17: error: operator '<' cannot take the string 'P'; enum values support "
            "only ==, != and in\n");
  EXPECT_EQ(errors("'P' + 1"),
            "rules.yaml:3:10: error: operator '+' cannot take the string 'P'; enum values support "
            "only ==, != and in\n");
  EXPECT_EQ(errors("'P'"),
            "rules.yaml:3:10: error: the string 'P' can only be compared with an enum-typed value "
            "(==, != or in)\n");
  EXPECT_EQ(errors("Gear in ['X', 'N']"),
            "rules.yaml:3:19: error: unknown value 'X' for 'Gear' (valid: 'P', 'R', 'N', 'D')\n");
  EXPECT_EQ(errors("Vehicle.Speed in ['P']"),
            "rules.yaml:3:28: error: 'Vehicle.Speed' has no named values, so it cannot be compared "
            "with the string 'P'\n");
  EXPECT_EQ(
      errors("Door.Open in [1]"),
      "rules.yaml:3:24: error: list element 1 is a number, but the value before 'in' is a bool\n");
  EXPECT_EQ(errors("Vehicle.Speed in [true]"),
            "rules.yaml:3:28: error: list element true is a bool, but the value before 'in' is a "
            "number\n");
}

TEST_F(RulesErrors, RejectsOperandsOfTheWrongType) {
  EXPECT_EQ(
      errors("1 + true"),
      "rules.yaml:3:12: error: operator '+' needs numbers, but its right operand is a bool\n");
  EXPECT_EQ(errors("true + 1"),
            "rules.yaml:3:15: error: operator '+' needs numbers, but its left operand is a bool\n");
  EXPECT_EQ(errors("true < 1"),
            "rules.yaml:3:15: error: operator '<' needs numbers, but its left operand is a bool\n");
  EXPECT_EQ(
      errors("1 and true"),
      "rules.yaml:3:12: error: 'and' needs conditions (bools), but its left operand is a number\n");
  EXPECT_EQ(
      errors("true or 1"),
      "rules.yaml:3:15: error: 'or' needs conditions (bools), but its right operand is a number\n");
  EXPECT_EQ(
      errors("not 1"),
      "rules.yaml:3:10: error: 'not' needs a condition (bool), but its operand is a number\n");
  EXPECT_EQ(errors("-true"),
            "rules.yaml:3:10: error: unary '-' needs a number, but its operand is a bool\n");
  EXPECT_EQ(errors("1 == true"),
            "rules.yaml:3:12: error: '==' cannot compare a number with a bool\n");
}

TEST_F(RulesErrors, RejectsWrongFunctionCalls) {
  EXPECT_EQ(errors("min(1)"), "rules.yaml:3:10: error: min() needs at least 2 arguments, got 1\n");
  EXPECT_EQ(errors("max()"), "rules.yaml:3:10: error: max() needs at least 2 arguments, got 0\n");
  EXPECT_EQ(errors("clamp(1, 2)"),
            "rules.yaml:3:10: error: clamp() needs 3 arguments (value, low, high), got 2\n");
  EXPECT_EQ(errors("abs(1, 2)"), "rules.yaml:3:10: error: abs() needs 1 argument, got 2\n");
  EXPECT_EQ(errors("mn(1, 2)"),
            "rules.yaml:3:10: error: unknown function 'mn' (did you mean 'min'?); functions are "
            "min, max, clamp and abs\n");
  EXPECT_EQ(
      errors("sqrt(4)"),
      "rules.yaml:3:10: error: unknown function 'sqrt'; functions are min, max, clamp and abs\n");
  EXPECT_EQ(errors("hour(1)"), "rules.yaml:3:10: error: 'hour' is a value, not a function\n");
  EXPECT_EQ(errors("Vehicle.Speed(1)"),
            "rules.yaml:3:10: error: 'Vehicle.Speed' is a value, not a function\n");
  EXPECT_EQ(errors("min(1, true)"),
            "rules.yaml:3:17: error: argument 2 of min() must be a number, but it is a bool\n");
  EXPECT_EQ(
      errors("clamp(true, 1, false)"),
      "rules.yaml:3:16: error: argument 1 of clamp() must be a number, but it is a "
      "bool\nrules.yaml:3:25: error: argument 3 of clamp() must be a number, but it is a bool\n");
}

TEST_F(RulesErrors, RejectsAResultOfTheWrongType) {
  EXPECT_EQ(
      errors("Vehicle.Speed + 1"),
      "rules.yaml:3:10: error: the expression must be a condition (bool), but it is a number\n");
  EXPECT_EQ(errors("1 + 2 == 3", ValueType::number),
            "rules.yaml:3:10: error: the expression must be a number, but it is a bool\n");
}

TEST_F(RulesErrors, ReportsEveryErrorOfOneExpression) {
  EXPECT_EQ(errors("1 and 2"),
            "rules.yaml:3:12: error: 'and' needs conditions (bools), but its left operand is a "
            "number\n"
            "rules.yaml:3:12: error: 'and' needs conditions (bools), but its right operand is a "
            "number\n");
  EXPECT_EQ(
      errors("true * false > 0"),
      "rules.yaml:3:15: error: operator '*' needs numbers, but its left operand is a bool\n"
      "rules.yaml:3:15: error: operator '*' needs numbers, but its right operand is a bool\n");
  EXPECT_EQ(errors("Vehicle.Sped > 0 and Gear == 'X' or Frobnicate"),
            "rules.yaml:3:10: error: unknown name 'Vehicle.Sped' (did you mean "
            "'Vehicle.Speed'?)\nrules.yaml:3:39: error: unknown value 'X' for 'Gear' (valid: 'P', "
            "'R', 'N', 'D')\nrules.yaml:3:46: error: unknown name 'Frobnicate'\n");
  EXPECT_EQ(errors("Vehicle.Speed > 0 and\n  Gear == 'X'"),
            "rules.yaml:4:11: error: unknown value 'X' for 'Gear' (valid: 'P', 'R', 'N', 'D')\n");
  EXPECT_EQ(errors("(min(1,2)) + 'Q'"),
            "rules.yaml:3:23: error: operator '+' cannot take the string 'Q'; enum values support "
            "only ==, != and in\n");
  EXPECT_EQ(errors("weekday == 'saturday'"),
            "rules.yaml:3:21: error: unknown value 'saturday' for 'weekday' (valid: 'mon', 'tue', "
            "'wed', 'thu', 'fri', 'sat', 'sun')\n");
}
TEST_F(RulesErrors, CountsLinesAndColumnsOfABlockScalarFromEachLineStart) {
  EXPECT_EQ(errors("Gear == 'P'\nand\nFrob > 1"), "rules.yaml:5:1: error: unknown name 'Frob'\n");
}

TEST_F(RulesErrors, RejectsExcessiveNesting) {
  std::string text;
  for (int i = 0; i < 70; ++i)
    text += "(";
  text += "true";
  for (int i = 0; i < 70; ++i)
    text += ")";
  EXPECT_EQ(errors(text),
            "rules.yaml:3:74: error: expression is nested too deeply (more than 64 levels)\n");
}

TEST_F(RulesErrors, RejectsAnExpressionThatNeedsTooDeepAStack) {
  std::string text = "min(1";
  for (int i = 0; i < 70; ++i)
    text += ", 1";
  text += ") > 0";
  EXPECT_EQ(errors(text),
            "rules.yaml:3:10: error: the expression needs 71 evaluation stack slots, more than the "
            "limit of 64; split it\n");
}

TEST_F(RulesErrors, LeavesOutAnUnknownFileLine) {
  diag::Diagnostics diagnostics;
  EXPECT_FALSE(compile_expression("Frob", {}, names, ValueType::boolean, diagnostics));
  EXPECT_EQ(diagnostics.to_string(), "<input>: error: unknown name 'Frob'\n");
}

}  // namespace
}  // namespace cabind::rules
