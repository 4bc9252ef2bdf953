// Type checker and code generator: one pass over the syntax tree that checks every node,
// collects every error and emits postfix code.

#include "cabind/rules/compiler.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "spelling.hpp"
#include "syntax_tree.hpp"

namespace cabind::rules {
namespace {

using detail::Node;
using detail::NodeKind;
using detail::TokenKind;

// ISO 8601 weekday numbers, as EvalContext::weekday carries them.
constexpr std::array<EnumName, 7> kWeekdays{
    {{"mon", 1}, {"tue", 2}, {"wed", 3}, {"thu", 4}, {"fri", 5}, {"sat", 6}, {"sun", 7}}};

constexpr std::array<std::string_view, 4> kFunctions{"min", "max", "clamp", "abs"};

// Where the character at `offset` of an expression is, given where its first character is.
diag::Location location_at(const diag::Location& where, std::string_view text,
                           std::uint32_t offset) {
  diag::Location at = where;
  const std::string_view before = text.substr(0, std::min<std::size_t>(offset, text.size()));
  const std::size_t newlines =
      static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  if (newlines == 0) {
    at.column = where.column + offset;
  } else {
    at.line = where.line + static_cast<std::uint32_t>(newlines);
    at.column = static_cast<std::uint32_t>(before.size() - before.rfind('\n'));
  }
  return at;
}

std::string type_name(ValueType type) {
  return type == ValueType::boolean  ? "a bool"
         : type == ValueType::number ? "a number"
                                     : "a string";
}

std::string quoted_names(std::span<const EnumName> names) {
  std::string text;
  for (const auto& entry : names) {
    if (!text.empty()) text += ", ";
    text += '\'';
    text += entry.name;
    text += '\'';
  }
  return text;
}

// The checked type of a subexpression. `failed` means an error was already reported
// inside it; callers then stay silent to avoid a cascade of follow-up errors.
struct Typed {
  ValueType type = ValueType::number;
  bool failed = false;
  std::span<const EnumName> enum_names;  // non-empty: an enum-typed value
  std::string_view label;                // the name, when the value is a plain name
};

class Compiler {
 public:
  Compiler(std::string_view text, const diag::Location& where, const SymbolResolver& names,
           diag::Diagnostics& diagnostics)
      : text_(text), where_(where), names_(names), diagnostics_(diagnostics) {}

  std::optional<CompiledExpression> run(ValueType expected) {
    auto parsed = detail::parse(text_);
    if (parsed.error) {
      error(parsed.error->offset, std::move(parsed.error->message));
      return std::nullopt;
    }
    const Typed result = emit(*parsed.root);
    if (!result.failed && result.type != expected) {
      if (expected == ValueType::boolean) {
        error(0, "the expression must be a condition (bool), but it is " + type_name(result.type));
      } else {
        error(0, "the expression must be " + type_name(expected) + ", but it is " +
                     type_name(result.type));
      }
    }
    if (max_depth_ > CompiledExpression::kMaxStackDepth) {
      error(0, "the expression needs " + std::to_string(max_depth_) +
                   " evaluation stack slots, more than the limit of " +
                   std::to_string(CompiledExpression::kMaxStackDepth) + "; split it");
    }
    if (failed_) return std::nullopt;
    return CompiledExpression(std::move(code_), std::move(constants_), std::move(inputs_),
                              result.type, std::string(text_), std::move(spans_));
  }

 private:
  void error(std::uint32_t offset, std::string message) {
    failed_ = true;
    diagnostics_.error(location_at(where_, text_, offset), std::move(message));
  }

  Typed fail() {
    Typed typed;
    typed.failed = true;
    return typed;
  }

  void instruction(OpCode op, std::uint32_t arg = 0, std::uint16_t input = kNoInput,
                   std::uint16_t count = 0) {
    code_.push_back({op, 0, input, count, arg});
    spans_.push_back(span_);
  }
  void push_slots(std::size_t n) {
    depth_ += n;
    max_depth_ = std::max(max_depth_, depth_);
  }
  void pop_slots(std::size_t n) { depth_ -= n; }

  std::uint32_t constant(double value) {
    constants_.push_back(value);
    return static_cast<std::uint32_t>(constants_.size() - 1);
  }

  void push_constant(double value) {
    instruction(OpCode::push_constant, constant(value));
    push_slots(1);
  }

  // Index of the input named `name`, added on first use. The type, unit and value names
  // are kept for audit lines only.
  std::uint16_t input(InputKind kind, std::uint32_t slot, std::string_view name,
                      ValueType type = ValueType::number, std::span<const EnumName> names = {},
                      std::string_view unit = {}) {
    for (std::size_t i = 0; i < inputs_.size(); ++i) {
      if (inputs_[i].name == name) return static_cast<std::uint16_t>(i);
    }
    if (inputs_.size() >= kNoInput) {
      error(0, "the expression reads more than " + std::to_string(kNoInput) + " distinct values");
      return kNoInput;
    }
    std::vector<NamedValue> value_names;
    value_names.reserve(names.size());
    for (const EnumName& entry : names)
      value_names.push_back({std::string(entry.name), entry.value});
    inputs_.push_back(
        {kind, slot, std::string(name), type, std::string(unit), std::move(value_names)});
    return static_cast<std::uint16_t>(inputs_.size() - 1);
  }

  // Every subexpression leaves exactly one value on the evaluation stack; restoring that
  // here keeps the depth count right even where an error stopped code generation early.
  Typed emit(const Node& node) {
    const std::size_t before = depth_;
    const TextSpan outer = span_;
    span_ = {node.offset, node.end};  // the instructions this node emits quote its text
    const Typed typed = emit_node(node);
    span_ = outer;
    depth_ = before;
    push_slots(1);
    return typed;
  }

  Typed emit_node(const Node& node) {
    switch (node.kind) {
      case NodeKind::number:
        push_constant(node.number);
        return {ValueType::number, false, {}, {}};
      case NodeKind::boolean:
        push_constant(node.number);
        return {ValueType::boolean, false, {}, {}};
      case NodeKind::string:
        error(node.offset, "the string '" + std::string(node.text) +
                               "' can only be compared with an enum-typed value (==, != or in)");
        return fail();
      case NodeKind::name:
        return emit_name(node);
      case NodeKind::unary:
        return emit_unary(node);
      case NodeKind::binary:
        return emit_binary(node);
      case NodeKind::in_list:
        return emit_in(node);
      case NodeKind::call:
        return emit_call(node);
    }
    return fail();
  }

  Typed emit_name(const Node& node) {
    const std::string_view name = node.text;
    if (name == "hour") {
      instruction(OpCode::load_hour, 0, input(InputKind::hour, 0, name));
      push_slots(1);
      return {ValueType::number, false, {}, name};
    }
    if (name == "weekday") {
      instruction(OpCode::load_weekday, 0,
                  input(InputKind::weekday, 0, name, ValueType::number, kWeekdays));
      push_slots(1);
      return {ValueType::number, false, kWeekdays, name};
    }
    const auto symbol = names_.resolve(name);
    if (!symbol) {
      std::vector<std::string> candidates = names_.known_names();
      candidates.emplace_back("hour");
      candidates.emplace_back("weekday");
      std::string message = "unknown name '" + std::string(name) + "'";
      if (auto guess = detail::closest_name(name, candidates)) {
        message += " (did you mean '" + *guess + "'?)";
      }
      error(node.offset, std::move(message));
      return fail();
    }
    const ValueType type =
        symbol->type == ValueType::boolean ? ValueType::boolean : ValueType::number;
    const bool is_signal = symbol->kind == SymbolKind::signal;
    const std::uint16_t index = input(is_signal ? InputKind::signal : InputKind::profile_field,
                                      symbol->slot, name, type, symbol->enum_names, symbol->unit);
    instruction(is_signal ? OpCode::load_signal : OpCode::load_profile, symbol->slot, index);
    push_slots(1);
    return {type, false, symbol->enum_names, name};
  }

  Typed emit_unary(const Node& node) {
    const Typed operand = emit(*node.children[0]);
    const bool is_not = node.op == TokenKind::kw_not;
    const ValueType needed = is_not ? ValueType::boolean : ValueType::number;
    if (!operand.failed && operand.type != needed) {
      error(node.op_offset,
            is_not ? "'not' needs a condition (bool), but its operand is " + type_name(operand.type)
                   : "unary '-' needs a number, but its operand is " + type_name(operand.type));
      return fail();
    }
    instruction(is_not ? OpCode::logical_not : OpCode::negate);
    if (operand.failed) return fail();
    return {needed, false, {}, {}};
  }

  static OpCode binary_opcode(TokenKind kind) {
    switch (kind) {
      case TokenKind::plus:
        return OpCode::add;
      case TokenKind::minus:
        return OpCode::subtract;
      case TokenKind::star:
        return OpCode::multiply;
      case TokenKind::slash:
        return OpCode::divide;
      case TokenKind::percent:
        return OpCode::modulo;
      case TokenKind::equal:
        return OpCode::equal;
      case TokenKind::not_equal:
        return OpCode::not_equal;
      case TokenKind::less:
        return OpCode::less;
      case TokenKind::less_equal:
        return OpCode::less_equal;
      case TokenKind::greater:
        return OpCode::greater;
      case TokenKind::greater_equal:
        return OpCode::greater_equal;
      case TokenKind::kw_and:
        return OpCode::logical_and;
      default:
        return OpCode::logical_or;
    }
  }

  Typed emit_binary(const Node& node) {
    const OpCode op = binary_opcode(node.op);
    const Node& left_node = *node.children[0];
    const Node& right_node = *node.children[1];
    const bool left_string = left_node.kind == NodeKind::string;
    const bool right_string = right_node.kind == NodeKind::string;
    if (left_string || right_string) return emit_string_comparison(node, op);

    const Typed left = emit(left_node);
    const Typed right = emit(right_node);
    pop_slots(1);
    instruction(op);
    const bool failed = left.failed || right.failed;
    const std::string op_text = "'" + std::string(node.text) + "'";

    if (op == OpCode::equal || op == OpCode::not_equal) {
      if (failed) return fail();
      if (left.type != right.type) {
        error(node.op_offset, op_text + " cannot compare " + type_name(left.type) + " with " +
                                  type_name(right.type));
        return fail();
      }
      return {ValueType::boolean, false, {}, {}};
    }
    const bool logical = op == OpCode::logical_and || op == OpCode::logical_or;
    const bool ordering = op == OpCode::less || op == OpCode::less_equal || op == OpCode::greater ||
                          op == OpCode::greater_equal;
    const ValueType needed = logical ? ValueType::boolean : ValueType::number;
    const std::string requirement =
        logical ? op_text + " needs conditions (bools)" : "operator " + op_text + " needs numbers";
    // Each wrong operand is its own error, so `1 and 2` reports both.
    bool wrong = false;
    if (!left.failed && left.type != needed) {
      error(node.op_offset, requirement + ", but its left operand is " + type_name(left.type));
      wrong = true;
    }
    if (!right.failed && right.type != needed) {
      error(node.op_offset, requirement + ", but its right operand is " + type_name(right.type));
      wrong = true;
    }
    if (failed || wrong) return fail();
    return {logical || ordering ? ValueType::boolean : ValueType::number, false, {}, {}};
  }

  // `Gear == 'P'`, `'P' != Gear`: the string becomes the number of that enum name. The
  // other operand is emitted first; == and != are symmetric, so the order does not matter.
  Typed emit_string_comparison(const Node& node, OpCode op) {
    const Node& left_node = *node.children[0];
    const Node& right_node = *node.children[1];
    const bool left_string = left_node.kind == NodeKind::string;
    const Node& string_node = left_string ? left_node : right_node;
    const Node& other_node = left_string ? right_node : left_node;
    if (op != OpCode::equal && op != OpCode::not_equal) {
      if (other_node.kind != NodeKind::string) emit(other_node);  // for its own errors
      error(string_node.offset, "operator '" + std::string(node.text) +
                                    "' cannot take the string '" + std::string(string_node.text) +
                                    "'; enum values support only ==, != and in");
      return fail();
    }
    if (other_node.kind == NodeKind::string) {
      error(node.op_offset, "'" + std::string(node.text) +
                                "' cannot compare two strings; compare an enum-typed value "
                                "with a string");
      return fail();
    }
    const Typed other = emit(other_node);
    if (other.failed) return fail();
    const auto value = enum_value(other, string_node);
    if (!value) return fail();
    push_constant(*value);
    pop_slots(1);
    instruction(op);
    return {ValueType::boolean, false, {}, {}};
  }

  // The number an enum name stands for in the context of `subject`, or an error.
  std::optional<double> enum_value(const Typed& subject, const Node& string_node) {
    const std::string_view wanted = string_node.text;
    const std::string label =
        subject.label.empty() ? std::string("this value") : "'" + std::string(subject.label) + "'";
    if (subject.enum_names.empty()) {
      error(string_node.offset, label +
                                    " has no named values, so it cannot be compared with the "
                                    "string '" +
                                    std::string(wanted) + "'");
      return std::nullopt;
    }
    for (const auto& entry : subject.enum_names) {
      if (entry.name == wanted) return entry.value;
    }
    error(string_node.offset, "unknown value '" + std::string(wanted) + "' for " + label +
                                  " (valid: " + quoted_names(subject.enum_names) + ")");
    return std::nullopt;
  }

  Typed emit_in(const Node& node) {
    const Typed subject = emit(*node.children[0]);
    const std::size_t count = node.children.size() - 1;
    std::vector<double> values;
    bool failed = subject.failed;
    for (std::size_t i = 1; i < node.children.size(); ++i) {
      const Node& element = *node.children[i];
      if (subject.failed) break;
      if (element.kind == NodeKind::string) {
        const auto value = enum_value(subject, element);
        if (!value) {
          failed = true;
          continue;
        }
        values.push_back(*value);
        continue;
      }
      const ValueType element_type =
          element.kind == NodeKind::boolean ? ValueType::boolean : ValueType::number;
      if (element_type != subject.type) {
        error(element.offset, "list element " + std::string(element.text) + " is " +
                                  type_name(element_type) + ", but the value before 'in' is " +
                                  type_name(subject.type));
        failed = true;
        continue;
      }
      values.push_back(element.number);
    }
    if (failed) return fail();
    const auto first = static_cast<std::uint32_t>(constants_.size());
    constants_.insert(constants_.end(), values.begin(), values.end());
    instruction(OpCode::in_list, first, kNoInput, static_cast<std::uint16_t>(count));
    return {ValueType::boolean, false, {}, {}};
  }

  Typed emit_call(const Node& node) {
    const std::string_view name = node.text;
    const std::size_t count = node.children.size();
    std::vector<Typed> arguments;
    for (const auto& child : node.children)
      arguments.push_back(emit(*child));
    pop_slots(count);
    push_slots(1);

    OpCode op = OpCode::min;
    std::string arity_error;
    if (name == "min" || name == "max") {
      op = name == "min" ? OpCode::min : OpCode::max;
      if (count < 2) {
        arity_error =
            std::string(name) + "() needs at least 2 arguments, got " + std::to_string(count);
      }
    } else if (name == "clamp") {
      op = OpCode::clamp;
      if (count != 3)
        arity_error = "clamp() needs 3 arguments (value, low, high), got " + std::to_string(count);
    } else if (name == "abs") {
      op = OpCode::absolute;
      if (count != 1) arity_error = "abs() needs 1 argument, got " + std::to_string(count);
    } else {
      std::string message;
      if (name == "hour" || name == "weekday" || names_.resolve(name)) {
        message = "'" + std::string(name) + "' is a value, not a function";
      } else {
        const std::vector<std::string> functions(kFunctions.begin(), kFunctions.end());
        message = "unknown function '" + std::string(name) + "'";
        if (auto guess = detail::closest_name(name, functions)) {
          message += " (did you mean '" + *guess + "'?)";
        }
        message += "; functions are min, max, clamp and abs";
      }
      error(node.op_offset, std::move(message));
      return fail();
    }
    if (!arity_error.empty()) {
      error(node.op_offset, std::move(arity_error));
      return fail();
    }
    bool failed = false;
    for (std::size_t i = 0; i < count; ++i) {
      if (arguments[i].failed) {
        failed = true;
      } else if (arguments[i].type != ValueType::number) {
        error(node.children[i]->offset, "argument " + std::to_string(i + 1) + " of " +
                                            std::string(name) + "() must be a number, but it is " +
                                            type_name(arguments[i].type));
        failed = true;
      }
    }
    instruction(op, 0, kNoInput, static_cast<std::uint16_t>(count));
    if (failed) return fail();
    return {ValueType::number, false, {}, {}};
  }

  std::string_view text_;
  diag::Location where_;
  const SymbolResolver& names_;
  diag::Diagnostics& diagnostics_;
  std::vector<Instruction> code_;
  std::vector<double> constants_;
  std::vector<Input> inputs_;
  std::vector<TextSpan> spans_;  // one per instruction: the text of the node emitting it
  TextSpan span_;                // the node being emitted
  std::size_t depth_ = 0;
  std::size_t max_depth_ = 0;
  bool failed_ = false;
};

}  // namespace

std::optional<CompiledExpression> compile_expression(std::string_view text,
                                                     const diag::Location& where,
                                                     const SymbolResolver& names,
                                                     ValueType expected,
                                                     diag::Diagnostics& diagnostics) {
  return Compiler(text, where, names, diagnostics).run(expected);
}

}  // namespace cabind::rules
