// The evaluator: a switch over flat postfix code with a fixed-size stack of three-valued
// cells. Nothing here allocates or throws.

#include "cabind/rules/compiled_expression.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <string_view>
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

// The interpreter and its helpers are forced inline: with two instantiations of the
// interpreter (plain and traced) GCC would otherwise call them, about 25 % more
// instructions per evaluation.

// Kleene conjunction: false wins over unknown, unknown wins over true.
[[gnu::always_inline]] inline Cell logical_and(const Cell& left, const Cell& right) {
  if ((left.known && left.value == 0.0) || (right.known && right.value == 0.0)) return truth(false);
  if (const Cell* unknown = first_unknown(left, right)) return *unknown;
  return truth(true);
}

// Kleene disjunction: true wins over unknown, unknown wins over false.
[[gnu::always_inline]] inline Cell logical_or(const Cell& left, const Cell& right) {
  if ((left.known && left.value != 0.0) || (right.known && right.value != 0.0)) return truth(true);
  if (const Cell* unknown = first_unknown(left, right)) return *unknown;
  return truth(false);
}

[[gnu::always_inline]] inline Cell binary(OpCode op, const Cell& left, const Cell& right) {
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

// Records nothing: evaluate() compiles to the plain interpreter.
struct NoTracer {
  static constexpr bool kTraces = false;
  void leaf(std::size_t /*at*/, std::uint32_t /*instruction*/) noexcept {}
  void reduce(std::size_t /*first*/, std::uint32_t /*instruction*/) noexcept {}
  void binary(std::size_t /*left*/, std::uint32_t /*instruction*/, OpCode /*op*/,
              const Cell& /*left*/, const Cell& /*right*/) noexcept {}
};

// Instruction range [first, last] of a subexpression; `last` is the instruction closing it.
struct CodeRange {
  std::uint32_t first;
  std::uint32_t last;
};

// Beside each stack cell: where its subexpression starts and which subexpression decided
// its value (see Explanation for the rule).
class DecisionTracer {
 public:
  static constexpr bool kTraces = true;
  void leaf(std::size_t at, std::uint32_t instruction) noexcept {
    cells_[at] = {instruction, {instruction, instruction}};
  }
  // Cells [first, top) became one value at `first`, decided by the whole subexpression.
  void reduce(std::size_t first, std::uint32_t instruction) noexcept {
    cells_[first].decider = {cells_[first].begin, instruction};
  }
  void binary(std::size_t at, std::uint32_t instruction, OpCode op, const Cell& left,
              const Cell& right) noexcept {
    const TraceCell l = cells_[at];
    const TraceCell r = cells_[at + 1];
    CodeRange decider{l.begin, instruction};
    const bool left_false = left.known && left.value == 0.0;
    const bool right_false = right.known && right.value == 0.0;
    const bool left_true = left.known && left.value != 0.0;
    const bool right_true = right.known && right.value != 0.0;
    if (op == OpCode::logical_and) {
      if (left_false) {
        decider = l.decider;
      } else if (right_false) {
        decider = r.decider;
      } else if (!left.known || !right.known) {
        decider = !left.known ? l.decider : r.decider;
      }
    } else if (op == OpCode::logical_or && !left_true && !right_true &&
               (!left.known || !right.known)) {
      decider = !left.known ? l.decider : r.decider;
    }
    cells_[at] = {l.begin, decider};
  }
  [[nodiscard]] CodeRange root() const noexcept { return cells_[0].decider; }

 private:
  struct TraceCell {
    std::uint32_t begin;
    CodeRange decider;
  };
  std::array<TraceCell, CompiledExpression::kMaxStackDepth> cells_;  // NOLINT: see Cell
};

bool is_load(OpCode op) {
  return op == OpCode::load_signal || op == OpCode::load_profile || op == OpCode::load_hour ||
         op == OpCode::load_weekday;
}

// The interpreter. `Tracer` sees every step (DecisionTracer) or nothing (NoTracer, for
// evaluate(): its empty calls compile away).
template <typename Tracer>
[[gnu::always_inline]] inline Evaluation interpret(std::span<const Instruction> code,
                                                   std::span<const double> constants,
                                                   const EvalContext& context,
                                                   Tracer& tracer) noexcept {
  // A default-constructed expression has no code: there is nothing it could establish.
  if (code.empty()) return {false, 0.0, UnknownReason::missing, kNoInput};
  std::array<Cell, CompiledExpression::kMaxStackDepth> stack;  // NOLINT: uninitialised, see Cell
  std::size_t top = 0;                                         // number of cells in use
  for (const Instruction& in : code) {
    const auto i = static_cast<std::uint32_t>(&in - code.data());  // used by tracers only
    switch (in.op) {
      case OpCode::push_constant:
        tracer.leaf(top, i);
        stack[top++] = known_value(constants[in.arg]);
        break;
      case OpCode::load_signal:
        tracer.leaf(top, i);
        stack[top++] = load(context.signals, in.arg, in.input);
        break;
      case OpCode::load_profile:
        tracer.leaf(top, i);
        stack[top++] = load(context.profile, in.arg, in.input);
        break;
      case OpCode::load_hour:
        tracer.leaf(top, i);
        stack[top++] = load_clock(context.hour, in.input);
        break;
      case OpCode::load_weekday:
        tracer.leaf(top, i);
        stack[top++] = load_clock(context.weekday, in.input);
        break;
      case OpCode::negate: {
        Cell& cell = stack[top - 1];
        if (cell.known) cell.value = -cell.value;
        tracer.reduce(top - 1, i);
        break;
      }
      case OpCode::logical_not: {
        Cell& cell = stack[top - 1];
        if (cell.known) cell.value = cell.value == 0.0 ? 1.0 : 0.0;
        tracer.reduce(top - 1, i);
        break;
      }
      case OpCode::absolute: {
        Cell& cell = stack[top - 1];
        if (cell.known) cell.value = std::fabs(cell.value);
        tracer.reduce(top - 1, i);
        break;
      }
      case OpCode::in_list: {
        Cell& cell = stack[top - 1];
        tracer.reduce(top - 1, i);
        if (!cell.known) break;
        bool found = false;
        for (std::uint32_t k = 0; k < in.count; ++k)
          found = found || constants[in.arg + k] == cell.value;
        cell = truth(found);
        break;
      }
      case OpCode::min:
      case OpCode::max: {
        const std::size_t first = top - in.count;
        Cell result = stack[first];
        for (std::size_t k = first + 1; k < top && result.known; ++k) {
          const Cell& next = stack[k];
          if (!next.known) {
            result = next;
          } else if (in.op == OpCode::min ? next.value < result.value : next.value > result.value) {
            result.value = next.value;
          }
        }
        top = first;
        tracer.reduce(top, i);
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
        tracer.reduce(top, i);
        stack[top++] = result;
        break;
      }
      default: {
        const Cell right = stack[--top];
        if constexpr (Tracer::kTraces) {
          const Cell left = stack[top - 1];
          stack[top - 1] = binary(in.op, left, right);
          tracer.binary(top - 1, i, in.op, left, right);
        } else {
          stack[top - 1] = binary(in.op, stack[top - 1], right);
        }
        break;
      }
    }
  }
  const Cell& result = stack[0];
  return {result.known, result.known ? result.value : 0.0, result.reason, result.input};
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
                                       std::string text, std::vector<TextSpan> spans)
    : code_(std::move(code)),
      constants_(std::move(constants)),
      inputs_(std::move(inputs)),
      spans_(std::move(spans)),
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
  NoTracer tracer;
  return interpret(code_, constants_, context, tracer);
}

Explanation CompiledExpression::trace(const EvalContext& context) const noexcept {
  Explanation explanation;
  DecisionTracer tracer;
  explanation.result = interpret(code_, constants_, context, tracer);
  if (code_.empty()) return explanation;
  explanation.traced = true;
  const CodeRange decider = tracer.root();
  explanation.decider = decider.last;
  for (std::uint32_t i = decider.first; i <= decider.last; ++i) {
    const Instruction& in = code_[i];
    if (!is_load(in.op) || in.input == kNoInput) continue;
    const auto begin = explanation.operands.begin();
    const auto end = begin + explanation.count;
    if (std::any_of(begin, end, [&](const Operand& o) { return o.input == in.input; })) continue;
    if (explanation.count == Explanation::kMaxOperands) {
      explanation.truncated = true;
      break;
    }
    const Cell cell = in.op == OpCode::load_signal    ? load(context.signals, in.arg, in.input)
                      : in.op == OpCode::load_profile ? load(context.profile, in.arg, in.input)
                      : in.op == OpCode::load_hour    ? load_clock(context.hour, in.input)
                                                      : load_clock(context.weekday, in.input);
    explanation.operands[explanation.count++] = {in.input, cell.reason, cell.value};
  }
  return explanation;
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

namespace {

bool is_name_character(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.';
}

// "Vehicle.Speed == 0" read by Vehicle.Speed alone -> "== 0": what the value needed.
// Only a comparison or `in` directly after the name is shortened; anything else (an
// arithmetic operand, a function) keeps the whole text.
std::string_view requirement_after(std::string_view clause, std::string_view name) {
  if (clause.substr(0, name.size()) != name) return clause;
  if (clause.size() > name.size() && is_name_character(clause[name.size()])) return clause;
  std::string_view rest = clause.substr(name.size());
  while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front())) != 0)
    rest.remove_prefix(1);
  constexpr std::array<std::string_view, 7> kComparisons{"==",  "!=",  "<",   ">",
                                                         "in ", "in[", "in\t"};
  for (const std::string_view op : kComparisons) {
    if (rest.substr(0, op.size()) == op) return rest;
  }
  return rest.empty() ? rest : clause;
}

// "(Vehicle.Speed == 0)" -> "Vehicle.Speed == 0": only when the first '(' closes last.
std::string_view without_outer_parentheses(std::string_view clause) {
  while (clause.size() >= 2 && clause.front() == '(' && clause.back() == ')') {
    int depth = 0;
    char quote = '\0';
    std::size_t closes = 0;
    for (std::size_t k = 0; k < clause.size() && closes == 0; ++k) {
      const char c = clause[k];
      if (quote != '\0') {
        if (c == quote) quote = '\0';
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')' && --depth == 0) {
        closes = k;
      }
    }
    if (closes != clause.size() - 1) break;
    clause = clause.substr(1, clause.size() - 2);
  }
  return clause;
}

std::string number_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

}  // namespace

std::string CompiledExpression::describe_operand(const Operand& operand) const {
  if (operand.input >= inputs_.size()) return "?";
  const Input& input = inputs_[operand.input];
  std::string text = input.name;
  if (operand.reason != UnknownReason::none) {
    text += ' ';
    text += to_string(operand.reason);
    return text;
  }
  text += '=';
  if (input.type == ValueType::boolean) {
    text += operand.value != 0.0 ? "true" : "false";
    return text;
  }
  for (const NamedValue& named : input.value_names) {
    if (named.value == operand.value) return text + named.name;
  }
  text += number_text(operand.value);
  if (!input.unit.empty()) text += ' ' + input.unit;
  return text;
}

std::string CompiledExpression::describe(const Explanation& explanation) const {
  const Evaluation& result = explanation.result;
  if (!result.known) return explain(result);
  if (!explanation.traced || result_type_ != ValueType::boolean || result.holds() ||
      explanation.decider >= code_.size()) {
    return (result.holds() ? "'" : "false: '") + text_ + "'";
  }
  std::string text;
  for (std::size_t k = 0; k < explanation.count; ++k) {
    if (k > 0) text += ", ";
    text += describe_operand(explanation.operands[k]);
  }
  if (explanation.truncated) text += ", ...";
  std::string_view clause = text_;
  if (explanation.decider < spans_.size()) {
    const TextSpan span = spans_[explanation.decider];
    clause = clause.substr(span.begin, span.end - span.begin);
  }
  clause = without_outer_parentheses(clause);
  if (explanation.count == 1 && !explanation.truncated) {
    clause = requirement_after(clause, inputs_[explanation.operands[0].input].name);
  }
  if (clause.empty()) return text;  // a bare condition: its value says it all
  if (text.empty()) return "needs " + std::string(clause);
  return text + " (needs " + std::string(clause) + ")";
}

}  // namespace cabind::rules
