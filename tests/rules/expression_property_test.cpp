// Property test: random expressions, printed with only the parentheses precedence needs,
// compiled and evaluated against random signal states, must agree with a direct
// tree-walking reference evaluator on the value, on known/unknown and on the reason.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "test_vehicle.hpp"

namespace cabind::rules {
namespace {

// Precedence levels as the language defines them; 8 = an operand that never needs parens.
constexpr int kOr = 1;
constexpr int kAnd = 2;
constexpr int kNot = 3;
constexpr int kCompare = 4;
constexpr int kAdditive = 5;
constexpr int kMultiplicative = 6;
constexpr int kUnary = 7;
constexpr int kOperand = 8;

enum class Kind {
  literal,
  boolean,
  signal,
  profile,
  hour,
  weekday_is,
  gear_is,
  negate,
  absolute,
  logical_not,
  binary,
  logical_and,
  logical_or,
  in_list,
  min,
  max,
  clamp
};

struct Tree {
  Kind kind = Kind::literal;
  double number = 0.0;
  std::string name;  // signal/profile name, operator, or enum name
  std::uint32_t slot = 0;
  std::vector<double> list;  // for in_list
  std::vector<std::unique_ptr<Tree>> children;
};

// Reference result: a value or an unknown with its explanation.
struct Ref {
  bool known = true;
  double value = 0.0;
  std::string why;
};

Ref known(double value) {
  return {true, value, {}};
}
Ref unknown(std::string why) {
  return {false, 0.0, std::move(why)};
}

std::string number_text(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

class Generator {
 public:
  explicit Generator(std::uint32_t seed) : random_(seed) {}

  std::unique_ptr<Tree> boolean(int depth) {
    auto tree = std::make_unique<Tree>();
    const int choice = depth <= 0 ? pick(0, 3) : pick(0, 10);
    switch (choice) {
      case 0:
        tree->kind = Kind::boolean;
        tree->number = pick(0, 1);
        break;
      case 1:
        tree->kind = Kind::signal;
        tree->name = "Door.Open";
        tree->slot = testing::kDoorOpen;
        break;
      case 2: {
        static constexpr const char* kGears[] = {"P", "R", "N", "D"};
        tree->kind = Kind::gear_is;
        tree->name = kGears[pick(0, 3)];
        tree->number = pick(0, 1);  // 1: ==, 0: !=
        break;
      }
      case 3: {
        static constexpr const char* kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
        const int day = pick(0, 6);
        tree->kind = Kind::weekday_is;
        tree->name = kDays[day];
        tree->number = day + 1;  // ISO 8601: mon = 1
        break;
      }
      case 4:
      case 5: {
        static constexpr const char* kCompares[] = {"==", "!=", "<", "<=", ">", ">="};
        tree->kind = Kind::binary;
        tree->name = kCompares[pick(0, 5)];
        tree->children.push_back(number(depth - 1));
        tree->children.push_back(number(depth - 1));
        break;
      }
      case 6:
        tree->kind = Kind::logical_and;
        tree->children.push_back(boolean(depth - 1));
        tree->children.push_back(boolean(depth - 1));
        break;
      case 7:
        tree->kind = Kind::logical_or;
        tree->children.push_back(boolean(depth - 1));
        tree->children.push_back(boolean(depth - 1));
        break;
      case 8:
        tree->kind = Kind::logical_not;
        tree->children.push_back(boolean(depth - 1));
        break;
      case 9: {
        tree->kind = Kind::in_list;
        tree->children.push_back(number(depth - 1));
        const int count = pick(1, 3);
        for (int i = 0; i < count; ++i)
          tree->list.push_back(literal_value());
        break;
      }
      default:
        tree->kind = Kind::binary;
        tree->name = pick(0, 1) ? "==" : "!=";
        tree->children.push_back(boolean(depth - 1));
        tree->children.push_back(boolean(depth - 1));
        break;
    }
    return tree;
  }

  std::unique_ptr<Tree> number(int depth) {
    auto tree = std::make_unique<Tree>();
    const int choice = depth <= 0 ? pick(0, 3) : pick(0, 10);
    switch (choice) {
      case 0:
        tree->kind = Kind::literal;
        tree->number = literal_value();
        break;
      case 1: {
        static constexpr const char* kSignals[] = {"Vehicle.Speed", "Gear",
                                                   "Vehicle.Exterior.AirTemperature", "Fan"};
        static constexpr std::uint32_t kSlots[] = {testing::kSpeed, testing::kGear,
                                                   testing::kOutsideTemp, testing::kFan};
        const int which = pick(0, 3);
        tree->kind = Kind::signal;
        tree->name = kSignals[which];
        tree->slot = kSlots[which];
        break;
      }
      case 2:
        tree->kind = Kind::profile;
        tree->name = "profile.climate.temperature";
        tree->slot = testing::kTemperature;
        break;
      case 3:
        tree->kind = Kind::hour;
        break;
      case 4:
      case 5:
      case 6: {
        static constexpr const char* kOps[] = {"+", "-", "*", "/", "%"};
        tree->kind = Kind::binary;
        tree->name = kOps[pick(0, 4)];
        tree->children.push_back(number(depth - 1));
        tree->children.push_back(number(depth - 1));
        break;
      }
      case 7:
        tree->kind = pick(0, 1) ? Kind::negate : Kind::absolute;
        tree->children.push_back(number(depth - 1));
        break;
      case 8:
      case 9: {
        tree->kind = pick(0, 1) ? Kind::min : Kind::max;
        const int count = pick(2, 4);
        for (int i = 0; i < count; ++i)
          tree->children.push_back(number(depth - 1));
        break;
      }
      default:
        tree->kind = Kind::clamp;
        for (int i = 0; i < 3; ++i)
          tree->children.push_back(number(depth - 1));
        break;
    }
    return tree;
  }

  int pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }

  double literal_value() { return pick(0, 40) / 2.0; }

  void randomize(testing::TestState& state) {
    for (std::size_t i = 0; i < state.signal_values.size(); ++i) {
      state.signal_values[i] = pick(-8, 8) / 2.0;
      state.signal_validity[i] = static_cast<std::uint8_t>(pick(0, 9) < 7 ? 0 : pick(1, 4));
    }
    state.signal_values[testing::kGear] = pick(0, 3);
    state.signal_values[testing::kDoorOpen] = pick(0, 1);
    state.profile_values[testing::kTemperature] = pick(30, 50) / 2.0;
    state.profile_validity[testing::kTemperature] = static_cast<std::uint8_t>(pick(0, 5) == 0);
    state.hour = pick(-1, 23);
    state.weekday = pick(-1, 7);
  }

 private:
  std::mt19937 random_;
};

int precedence(const Tree& tree) {
  switch (tree.kind) {
    case Kind::logical_or:
      return kOr;
    case Kind::logical_and:
      return kAnd;
    case Kind::logical_not:
      return kNot;
    case Kind::gear_is:
    case Kind::weekday_is:
    case Kind::in_list:
      return kCompare;
    case Kind::negate:
      return kUnary;
    case Kind::binary:
      if (tree.name == "+" || tree.name == "-") return kAdditive;
      if (tree.name == "*" || tree.name == "/" || tree.name == "%") return kMultiplicative;
      return kCompare;
    default:
      return kOperand;
  }
}

// Prints `tree`, parenthesised only where a child binds less tightly than `needed`.
std::string print(const Tree& tree, int needed = kOr) {
  std::string text;
  const auto child = [&](std::size_t i, int at_least) {
    return print(*tree.children[i], at_least);
  };
  switch (tree.kind) {
    case Kind::literal:
      text = number_text(tree.number);
      break;
    case Kind::boolean:
      text = tree.number != 0 ? "true" : "false";
      break;
    case Kind::signal:
    case Kind::profile:
      text = tree.name;
      break;
    case Kind::hour:
      text = "hour";
      break;
    case Kind::weekday_is:
      text = "weekday == '" + tree.name + "'";
      break;
    case Kind::gear_is:
      text = std::string("Gear ") + (tree.number != 0 ? "==" : "!=") + " '" + tree.name + "'";
      break;
    case Kind::negate:
      text = "-" + child(0, kUnary);
      break;
    case Kind::absolute:
      text = "abs(" + child(0, kOr) + ")";
      break;
    case Kind::logical_not:
      text = "not " + child(0, kNot);
      break;
    case Kind::logical_and:
      text = child(0, kAnd) + " and " + child(1, kAnd + 1);
      break;
    case Kind::logical_or:
      text = child(0, kOr) + " or " + child(1, kOr + 1);
      break;
    case Kind::in_list: {
      text = child(0, kAdditive) + " in [";
      for (std::size_t i = 0; i < tree.list.size(); ++i) {
        text += (i ? ", " : "") + number_text(tree.list[i]);
      }
      text += "]";
      break;
    }
    case Kind::binary: {
      const int own = precedence(tree);
      const int left = own == kCompare ? kAdditive : own;
      text =
          child(0, left) + " " + tree.name + " " + child(1, own == kCompare ? kAdditive : own + 1);
      break;
    }
    case Kind::min:
    case Kind::max:
    case Kind::clamp: {
      text = tree.kind == Kind::min ? "min(" : tree.kind == Kind::max ? "max(" : "clamp(";
      for (std::size_t i = 0; i < tree.children.size(); ++i)
        text += (i ? ", " : "") + child(i, kOr);
      text += ")";
      break;
    }
  }
  return precedence(tree) < needed ? "(" + text + ")" : text;
}

std::string freshness_text(std::uint8_t code) {
  switch (code) {
    case 1:
      return "missing";
    case 2:
      return "stale";
    default:
      return "invalid";
  }
}

Ref arithmetic(double value) {
  return std::isfinite(value) ? known(value) : unknown("division by zero or non-finite result");
}

Ref reference(const Tree& tree, const testing::TestState& state) {
  const auto child = [&](std::size_t i) { return reference(*tree.children[i], state); };
  switch (tree.kind) {
    case Kind::literal:
    case Kind::boolean:
      return known(tree.number);
    case Kind::signal: {
      const std::uint8_t code = state.signal_validity[tree.slot];
      if (code != 0) return unknown(tree.name + " " + freshness_text(code));
      return known(state.signal_values[tree.slot]);
    }
    case Kind::profile: {
      const std::uint8_t code = state.profile_validity[tree.slot];
      if (code != 0) return unknown(tree.name + " " + freshness_text(code));
      return known(state.profile_values[tree.slot]);
    }
    case Kind::hour:
      return state.hour < 0 ? unknown("hour unknown (no clock)") : known(state.hour);
    case Kind::weekday_is:
      if (state.weekday < 0) return unknown("weekday unknown (no clock)");
      return known(state.weekday == tree.number ? 1 : 0);
    case Kind::gear_is: {
      const std::uint8_t code = state.signal_validity[testing::kGear];
      if (code != 0) return unknown("Gear " + freshness_text(code));
      const auto wanted = static_cast<double>(std::string("PRND").find(tree.name[0]));
      const bool equal = state.signal_values[testing::kGear] == wanted;
      return known(equal == (tree.number != 0) ? 1 : 0);
    }
    case Kind::negate: {
      Ref value = child(0);
      if (value.known) value.value = -value.value;
      return value;
    }
    case Kind::absolute: {
      Ref value = child(0);
      if (value.known) value.value = std::fabs(value.value);
      return value;
    }
    case Kind::logical_not: {
      Ref value = child(0);
      if (value.known) value.value = value.value == 0 ? 1 : 0;
      return value;
    }
    case Kind::logical_and:
    case Kind::logical_or: {
      const Ref a = child(0);
      const Ref b = child(1);
      const double decisive = tree.kind == Kind::logical_and ? 0.0 : 1.0;
      if ((a.known && a.value == decisive) || (b.known && b.value == decisive))
        return known(decisive);
      if (!a.known) return a;
      if (!b.known) return b;
      return known(1.0 - decisive);
    }
    case Kind::in_list: {
      const Ref value = child(0);
      if (!value.known) return value;
      const bool found =
          std::find(tree.list.begin(), tree.list.end(), value.value) != tree.list.end();
      return known(found ? 1 : 0);
    }
    case Kind::min:
    case Kind::max: {
      Ref result = child(0);
      for (std::size_t i = 1; i < tree.children.size() && result.known; ++i) {
        const Ref next = child(i);
        if (!next.known) {
          result = next;
        } else if (tree.kind == Kind::min ? next.value < result.value : next.value > result.value) {
          result.value = next.value;
        }
      }
      return result;
    }
    case Kind::clamp: {
      const Ref value = child(0);
      const Ref low = child(1);
      const Ref high = child(2);
      if (!value.known) return value;
      if (!low.known) return low;
      if (!high.known) return high;
      return known(std::min(std::max(value.value, low.value), high.value));
    }
    case Kind::binary: {
      const Ref a = child(0);
      const Ref b = child(1);
      if (!a.known) return a;
      if (!b.known) return b;
      const std::string& op = tree.name;
      if (op == "+") return arithmetic(a.value + b.value);
      if (op == "-") return arithmetic(a.value - b.value);
      if (op == "*") return arithmetic(a.value * b.value);
      if (op == "/") return b.value == 0 ? arithmetic(NAN) : arithmetic(a.value / b.value);
      if (op == "%")
        return b.value == 0 ? arithmetic(NAN) : arithmetic(std::fmod(a.value, b.value));
      if (op == "==") return known(a.value == b.value);
      if (op == "!=") return known(a.value != b.value);
      if (op == "<") return known(a.value < b.value);
      if (op == "<=") return known(a.value <= b.value);
      if (op == ">") return known(a.value > b.value);
      return known(a.value >= b.value);
    }
  }
  return unknown("unreachable");
}

TEST(RulesProperty, CompiledEvaluationAgreesWithAReferenceEvaluator) {
  const SymbolTable names = testing::test_names();
  Generator generate(20261124);
  testing::TestState state;
  int compared = 0;
  int unknown_results = 0;
  for (int round = 0; round < 20000; ++round) {
    const bool want_number = generate.pick(0, 3) == 0;
    const auto tree = want_number ? generate.number(4) : generate.boolean(4);
    const std::string text = print(*tree);
    diag::Diagnostics diagnostics;
    const auto compiled =
        compile_expression(text, {"random", 1, 1}, names,
                           want_number ? ValueType::number : ValueType::boolean, diagnostics);
    ASSERT_TRUE(compiled.has_value()) << text << "\n" << diagnostics.to_string();
    for (int trial = 0; trial < 5; ++trial) {
      generate.randomize(state);
      const Ref expected = reference(*tree, state);
      const Evaluation actual = compiled->evaluate(state.context());
      ASSERT_EQ(actual.known, expected.known) << text;
      if (expected.known) {
        ASSERT_EQ(actual.value, expected.value) << text;
      } else {
        ASSERT_EQ(compiled->explain(actual), expected.why) << text;
        ++unknown_results;
      }
      ++compared;
    }
  }
  EXPECT_EQ(compared, 100000);
  // The generator must exercise both sides of three-valued logic.
  EXPECT_GT(unknown_results, 10000);
  EXPECT_LT(unknown_results, 90000);
}

TEST(RulesProperty, SeatInterlockHoldsOnlyWhenAllItsInputsAreValidAndSafe) {
  const SymbolTable names = testing::test_names();
  diag::Diagnostics diagnostics;
  const auto interlock =
      compile_expression("Vehicle.Speed == 0 and Gear == 'P' and not Door.Open",
                         {"vehicle.yaml", 1, 1}, names, ValueType::boolean, diagnostics);
  ASSERT_TRUE(interlock.has_value()) << diagnostics.to_string();
  Generator generate(7);
  testing::TestState state;
  int held = 0;
  for (int step = 0; step < 100000; ++step) {
    generate.randomize(state);
    if (!interlock->evaluate(state.context()).holds()) continue;
    ++held;
    ASSERT_EQ(state.signal_validity[testing::kSpeed], 0) << "step " << step;
    ASSERT_EQ(state.signal_validity[testing::kGear], 0) << "step " << step;
    ASSERT_EQ(state.signal_validity[testing::kDoorOpen], 0) << "step " << step;
    ASSERT_EQ(state.signal_values[testing::kSpeed], 0.0) << "step " << step;
    ASSERT_EQ(state.signal_values[testing::kGear], 0.0) << "step " << step;
    ASSERT_EQ(state.signal_values[testing::kDoorOpen], 0.0) << "step " << step;
  }
  EXPECT_GT(held, 100);  // the safe state does occur, so the check above is not vacuous
}

TEST(RulesProperty, ArbitraryTokenSoupIsRejectedOrCompiledNeverCrashes) {
  static constexpr const char* kPieces[] = {"Vehicle.Speed",
                                            "Gear",
                                            "Door.Open",
                                            "hour",
                                            "weekday",
                                            "profile.climate.mode",
                                            "min",
                                            "clamp",
                                            "abs",
                                            "(",
                                            ")",
                                            "[",
                                            "]",
                                            ",",
                                            "'P'",
                                            "'x'",
                                            "\"sun\"",
                                            "1",
                                            "2.5",
                                            "1e3",
                                            "-",
                                            "+",
                                            "*",
                                            "/",
                                            "%",
                                            "==",
                                            "!=",
                                            "<",
                                            ">=",
                                            "and",
                                            "or",
                                            "not",
                                            "in",
                                            "true",
                                            "false",
                                            "'",
                                            "=",
                                            "!",
                                            "#",
                                            ".",
                                            "\n",
                                            " "};
  const SymbolTable names = testing::test_names();
  std::mt19937 random(99);
  std::uniform_int_distribution<std::size_t> piece(0, std::size(kPieces) - 1);
  std::uniform_int_distribution<int> length(0, 12);
  int compiled = 0;
  testing::TestState state;
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    for (int i = length(random); i > 0; --i)
      text += std::string(kPieces[piece(random)]) + " ";
    diag::Diagnostics diagnostics;
    const auto expression =
        compile_expression(text, {"soup", 1, 1}, names, ValueType::boolean, diagnostics);
    ASSERT_EQ(expression.has_value(), !diagnostics.has_errors()) << text;
    if (expression) {
      ++compiled;
      (void)expression->evaluate(state.context());
    } else {
      for (const auto& finding : diagnostics.all())
        ASSERT_GE(finding.where.column, 1U) << text;
    }
  }
  EXPECT_GT(compiled, 0);
}

}  // namespace
}  // namespace cabind::rules
