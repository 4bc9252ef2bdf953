// The evaluator: a switch over flat postfix code with a fixed-size stack of three-valued
// cells. Nothing here allocates or throws.

#include "cabind/rules/compiled_expression.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace cabind::rules {
namespace {

// Trivial on purpose: the evaluation stack is not initialised, only written before read.
struct Cell {
  double value;
  std::uint16_t input;
  UnknownReason reason;
  bool known;
};

Cell known_value(double value) {
  return {value, kNoInput, UnknownReason::none, true};
}

Cell unknown_value(UnknownReason reason, std::uint16_t input) {
  return {0.0, input, reason, false};
}

UnknownReason reason_for(Freshness freshness) {
  switch (freshness) {
    case Freshness::valid:
      return UnknownReason::none;
    case Freshness::missing:
      return UnknownReason::missing;
    case Freshness::stale:
      return UnknownReason::stale;
    case Freshness::invalid:
      return UnknownReason::invalid;
  }
  return UnknownReason::invalid;
}

// A value read from a slot array; out-of-range slots are missing, and a non-finite value
// (e.g. a NaN decoded from an IEEE float signal) counts as invalid.
Cell load(const SlotValues& slots, std::uint32_t slot, std::uint16_t input) {
  if (slot >= slots.value.size() || slot >= slots.validity.size()) {
    return unknown_value(UnknownReason::missing, input);
  }
  const auto freshness = freshness_from_code(slots.validity[slot]);
  if (freshness != Freshness::valid) return unknown_value(reason_for(freshness), input);
  const double value = slots.value[slot];
  if (!std::isfinite(value)) return unknown_value(UnknownReason::invalid, input);
  return known_value(value);
}

Cell load_clock(int value, std::uint16_t input) {
  if (value < 0) return unknown_value(UnknownReason::no_clock, input);
  return known_value(static_cast<double>(value));
}

// The first unknown of two operands (left first), or nullptr when both are known.
const Cell* first_unknown(const Cell& left, const Cell& right) {
  if (!left.known) return &left;
  if (!right.known) return &right;
  return nullptr;
}

Cell arithmetic(double result) {
  if (!std::isfinite(result)) return unknown_value(UnknownReason::arithmetic, kNoInput);
  return known_value(result);
}

Cell truth(bool value) {
  return known_value(value ? 1.0 : 0.0);
}

// Kleene conjunction: false wins over unknown, unknown wins over true.
Cell logical_and(const Cell& left, const Cell& right) {
  if ((left.known && left.value == 0.0) || (right.known && right.value == 0.0)) return truth(false);
  if (const Cell* unknown = first_unknown(left, right)) return *unknown;
  return truth(true);
}

// Kleene disjunction: true wins over unknown, unknown wins over false.
Cell logical_or(const Cell& left, const Cell& right) {
  if ((left.known && left.value != 0.0) || (right.known && right.value != 0.0)) return truth(true);
  if (const Cell* unknown = first_unknown(left, right)) return *unknown;
  return truth(false);
}

Cell binary(OpCode op, const Cell& left, const Cell& right) {
  if (op == OpCode::logical_and) return logical_and(left, right);
  if (op == OpCode::logical_or) return logical_or(left, right);
  if (const Cell* unknown = first_unknown(left, right)) return *unknown;
  const double a = left.value;
  const double b = right.value;
  switch (op) {
    case OpCode::add:
      return arithmetic(a + b);
    case OpCode::subtract:
      return arithmetic(a - b);
    case OpCode::multiply:
      return arithmetic(a * b);
    case OpCode::divide:
      return b == 0.0 ? unknown_value(UnknownReason::arithmetic, kNoInput) : arithmetic(a / b);
    case OpCode::modulo:
      return b == 0.0 ? unknown_value(UnknownReason::arithmetic, kNoInput)
                      : arithmetic(std::fmod(a, b));
    case OpCode::equal:
      return truth(a == b);
    case OpCode::not_equal:
      return truth(a != b);
    case OpCode::less:
      return truth(a < b);
    case OpCode::less_equal:
      return truth(a <= b);
    case OpCode::greater:
      return truth(a > b);
    case OpCode::greater_equal:
      return truth(a >= b);
    default:
      return unknown_value(UnknownReason::arithmetic, kNoInput);
  }
}

void sort_unique(std::vector<std::uint32_t>& slots) {
  std::sort(slots.begin(), slots.end());
  slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
}

}  // namespace

std::string_view to_string(UnknownReason reason) noexcept {
  switch (reason) {
    case UnknownReason::none:
      return "known";
    case UnknownReason::missing:
      return "missing";
    case UnknownReason::stale:
      return "stale";
    case UnknownReason::invalid:
      return "invalid";
    case UnknownReason::no_clock:
      return "unknown (no clock)";
    case UnknownReason::arithmetic:
      return "division by zero or non-finite result";
  }
  return "unknown";
}

CompiledExpression::CompiledExpression(std::vector<Instruction> code, std::vector<double> constants,
                                       std::vector<Input> inputs, ValueType result_type,
                                       std::string text)
    : code_(std::move(code)),
      constants_(std::move(constants)),
      inputs_(std::move(inputs)),
      result_type_(result_type),
      text_(std::move(text)) {
  for (const auto& input : inputs_) {
    switch (input.kind) {
      case InputKind::signal:
        signal_slots_.push_back(input.slot);
        break;
      case InputKind::profile_field:
        profile_slots_.push_back(input.slot);
        break;
      case InputKind::hour:
      case InputKind::weekday:
        reads_clock_ = true;
        break;
    }
  }
  sort_unique(signal_slots_);
  sort_unique(profile_slots_);
}

Evaluation CompiledExpression::evaluate(const EvalContext& context) const noexcept {
  // A default-constructed expression has no code: there is nothing it could establish.
  if (code_.empty()) return {false, 0.0, UnknownReason::missing, kNoInput};
  std::array<Cell, kMaxStackDepth> stack;  // NOLINT: uninitialised by design, see Cell
  std::size_t top = 0;                     // number of cells in use
  for (const Instruction& in : code_) {
    switch (in.op) {
      case OpCode::push_constant:
        stack[top++] = known_value(constants_[in.arg]);
        break;
      case OpCode::load_signal:
        stack[top++] = load(context.signals, in.arg, in.input);
        break;
      case OpCode::load_profile:
        stack[top++] = load(context.profile, in.arg, in.input);
        break;
      case OpCode::load_hour:
        stack[top++] = load_clock(context.hour, in.input);
        break;
      case OpCode::load_weekday:
        stack[top++] = load_clock(context.weekday, in.input);
        break;
      case OpCode::negate: {
        Cell& cell = stack[top - 1];
        if (cell.known) cell.value = -cell.value;
        break;
      }
      case OpCode::logical_not: {
        Cell& cell = stack[top - 1];
        if (cell.known) cell.value = cell.value == 0.0 ? 1.0 : 0.0;
        break;
      }
      case OpCode::absolute: {
        Cell& cell = stack[top - 1];
        if (cell.known) cell.value = std::fabs(cell.value);
        break;
      }
      case OpCode::in_list: {
        Cell& cell = stack[top - 1];
        if (!cell.known) break;
        bool found = false;
        for (std::uint32_t i = 0; i < in.count; ++i)
          found = found || constants_[in.arg + i] == cell.value;
        cell = truth(found);
        break;
      }
      case OpCode::min:
      case OpCode::max: {
        const std::size_t first = top - in.count;
        Cell result = stack[first];
        for (std::size_t i = first + 1; i < top && result.known; ++i) {
          const Cell& next = stack[i];
          if (!next.known) {
            result = next;
          } else if (in.op == OpCode::min ? next.value < result.value : next.value > result.value) {
            result.value = next.value;
          }
        }
        top = first;
        stack[top++] = result;
        break;
      }
      case OpCode::clamp: {
        const Cell& value = stack[top - 3];
        const Cell& low = stack[top - 2];
        const Cell& high = stack[top - 1];
        Cell result = !value.known ? value : !low.known ? low : high;
        if (value.known && low.known && high.known) {
          result = known_value(std::min(std::max(value.value, low.value), high.value));
        }
        top -= 3;
        stack[top++] = result;
        break;
      }
      default: {
        const Cell right = stack[--top];
        stack[top - 1] = binary(in.op, stack[top - 1], right);
        break;
      }
    }
  }
  const Cell& result = stack[0];
  return {result.known, result.known ? result.value : 0.0, result.reason, result.input};
}

std::string CompiledExpression::explain(const Evaluation& result) const {
  if (result.known) return {};
  std::string text;
  if (result.input < inputs_.size()) {
    text = inputs_[result.input].name;
    text += ' ';
  }
  text += to_string(result.reason);
  return text;
}

}  // namespace cabind::rules
