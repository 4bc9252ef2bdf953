#pragma once
// A type-checked rule expression in flat postfix form, ready to evaluate on the hot path.
//
//   "Vehicle.Speed == 0 and Gear == 'P'"
//     -> load_signal s0; const 0; eq; load_signal s1; const 0 ('P'); eq; and
//
// evaluate() allocates nothing, throws nothing, compares no strings and makes no virtual
// call. It uses three-valued (Kleene) logic: a missing, stale or invalid input makes the
// result unknown unless the rest of the expression decides it anyway
// (`false and <unknown>` is false, `true or <unknown>` is true). A caller treats an
// unknown condition as false / unsafe; Evaluation::holds() does exactly that.
//
// Immutable after compile; evaluate() and trace() may run concurrently on different contexts.

#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "cabind/rules/eval_context.hpp"
#include "cabind/rules/symbol.hpp"

namespace cabind::rules {

// Why a result is unknown. `none` when it is known.
enum class UnknownReason : std::uint8_t {
  none,
  missing,     // input never received, or profile field not set / no active driver
  stale,       // input timed out
  invalid,     // input failed its counter/checksum/range check
  no_clock,    // hour or weekday read while the local time is not known
  arithmetic,  // division or modulo by zero, or a result that is not a finite number
};

[[nodiscard]] std::string_view to_string(UnknownReason reason) noexcept;

enum class Truth : std::uint8_t { false_value, true_value, unknown };

inline constexpr std::uint16_t kNoInput = std::numeric_limits<std::uint16_t>::max();

struct Evaluation {
  bool known = false;
  double value = 0.0;  // a number, or 0 / 1 for a bool
  UnknownReason reason = UnknownReason::none;
  // Which input made the result unknown: an index into CompiledExpression::inputs(),
  // or kNoInput (e.g. for a division by zero).
  std::uint16_t input = kNoInput;

  // A condition that is unknown does not hold: the safe reading for interlocks.
  [[nodiscard]] bool holds() const noexcept { return known && value != 0.0; }
  [[nodiscard]] Truth truth() const noexcept {
    if (!known) return Truth::unknown;
    return value != 0.0 ? Truth::true_value : Truth::false_value;
  }
};

enum class InputKind : std::uint8_t { signal, profile_field, hour, weekday };

// A distinct value the expression reads, in order of first appearance in the text.
// type, unit and value_names only serve audit lines ("Gear=P", "Vehicle.Speed=50 km/h").
struct Input {
  InputKind kind = InputKind::signal;
  std::uint32_t slot = 0;  // for signal and profile_field
  std::string name;        // as written, e.g. "Vehicle.Speed"
  ValueType type = ValueType::number;
  std::string unit;                     // e.g. "km/h"; empty when none
  std::vector<NamedValue> value_names;  // e.g. {"P", 0}: printed instead of the number
};

// Where in the expression text the subexpression closed by an instruction lies.
struct TextSpan {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;  // one past the last character
};

// One input as the deciding subexpression read it, captured at evaluation time.
struct Operand {
  std::uint16_t input = kNoInput;              // index into CompiledExpression::inputs()
  UnknownReason reason = UnknownReason::none;  // none: `value` is what was read
  double value = 0.0;
};

// What decided a result, captured by CompiledExpression::trace() without allocating, so a
// sink can explain the decision after the inputs have changed. The deciding subexpression
// of a false `and` is its first false conjunct (recursively); of anything else (a
// comparison, `not`, a false `or`, an arithmetic operand) it is that subexpression itself.
// Plain data: copy it freely; describe it only with the expression that traced it
// (`decider` and `Operand::input` index into that expression).
struct Explanation {
  static constexpr std::size_t kMaxOperands = 4;

  Evaluation result;
  bool traced = false;        // false: default-constructed, nothing was captured
  bool truncated = false;     // the subexpression reads more than kMaxOperands inputs
  std::uint8_t count = 0;     // operands[0, count) are in use, in order of first read
  std::uint32_t decider = 0;  // index of the instruction closing the deciding subexpression
  std::array<Operand, kMaxOperands> operands{};
};

enum class OpCode : std::uint8_t {
  push_constant,  // arg: index into constants
  load_signal,    // arg: signal slot; input: index into inputs
  load_profile,   // arg: profile slot; input: index into inputs
  load_hour,      // input: index into inputs
  load_weekday,   // input: index into inputs
  negate,
  logical_not,
  add,
  subtract,
  multiply,
  divide,
  modulo,
  equal,
  not_equal,
  less,
  less_equal,
  greater,
  greater_equal,
  logical_and,
  logical_or,
  in_list,  // arg: first constant; count: number of constants
  min,      // count: number of operands
  max,      // count: number of operands
  clamp,    // x lo hi
  absolute,
};

struct Instruction {
  OpCode op = OpCode::push_constant;
  std::uint8_t reserved = 0;
  std::uint16_t input = kNoInput;
  std::uint16_t count = 0;
  std::uint32_t arg = 0;
};

static_assert(sizeof(Instruction) == 12, "keep instructions compact: 5 per cache line");

class CompiledExpression {
 public:
  // The evaluation stack lives in evaluate()'s frame; the compiler rejects an expression
  // that would need more.
  static constexpr std::size_t kMaxStackDepth = 64;

  CompiledExpression() = default;
  // `spans` (one per instruction) may be empty; audit lines then quote the whole text.
  CompiledExpression(std::vector<Instruction> code, std::vector<double> constants,
                     std::vector<Input> inputs, ValueType result_type, std::string text,
                     std::vector<TextSpan> spans = {});

  [[nodiscard]] Evaluation evaluate(const EvalContext& context) const noexcept;

  // evaluate() plus what decided the result: the deciding subexpression and the values of
  // the inputs it read. For recording an audit event on the frame path: no allocation, no
  // exception; costs about 2.4 evaluations, so call it only when recording.
  [[nodiscard]] Explanation trace(const EvalContext& context) const noexcept;

  [[nodiscard]] ValueType result_type() const noexcept { return result_type_; }
  [[nodiscard]] const std::string& text() const noexcept { return text_; }
  [[nodiscard]] std::span<const Input> inputs() const noexcept { return inputs_; }
  // Sorted, distinct signal slots this expression reads: re-evaluate it when one changes.
  [[nodiscard]] std::span<const std::uint32_t> signal_slots() const noexcept {
    return signal_slots_;
  }
  // Sorted, distinct profile slots: re-evaluate it when the active driver changes.
  [[nodiscard]] std::span<const std::uint32_t> profile_slots() const noexcept {
    return profile_slots_;
  }
  // True when it reads hour or weekday: re-evaluate it when the local time changes.
  [[nodiscard]] bool reads_clock() const noexcept { return reads_clock_; }

  [[nodiscard]] std::span<const Instruction> code() const noexcept { return code_; }
  [[nodiscard]] std::span<const double> constants() const noexcept { return constants_; }

  // Why `result` is unknown, for the audit trail: "Vehicle.Speed stale",
  // "division by zero". Empty when it is known. Allocates; off the hot path.
  [[nodiscard]] std::string explain(const Evaluation& result) const;

  // An audit reason from a trace(), e.g. for "Vehicle.Speed == 0 and Gear == 'P'":
  //   "Vehicle.Speed=50 km/h (needs == 0)"   the first false conjunct and its input
  //   "Gear=D (needs == 'P')"                 a value name instead of the number
  //   "Vehicle.Speed stale"                   unknown: the input and why (as explain())
  // A subexpression reading several inputs lists them all before the text it needs:
  //   "Fan=0, Vehicle.Speed=3 (needs Fan > Vehicle.Speed)".
  // Without a trace (traced == false) it quotes the whole text: "false: '<text>'".
  // Allocates; off the hot path.
  [[nodiscard]] std::string describe(const Explanation& explanation) const;

 private:
  [[nodiscard]] std::string describe_operand(const Operand& operand) const;

  std::vector<Instruction> code_;
  std::vector<double> constants_;
  std::vector<Input> inputs_;
  std::vector<TextSpan> spans_;  // parallel to code_, or empty
  std::vector<std::uint32_t> signal_slots_;
  std::vector<std::uint32_t> profile_slots_;
  ValueType result_type_ = ValueType::boolean;
  bool reads_clock_ = false;
  std::string text_;
};

}  // namespace cabind::rules
