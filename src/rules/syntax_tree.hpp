#pragma once
// The parsed form of an expression, before type checking. Internal to the rules module.
// Operator precedence, lowest first (all binary operators are left-associative, except
// comparisons, which do not chain):
//   or < and < not < comparisons and 'in' < + - < * / % < unary - < operands

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lexer.hpp"

namespace cabind::rules::detail {

enum class NodeKind : std::uint8_t { number, string, boolean, name, unary, binary, in_list, call };

struct Node {
  NodeKind kind = NodeKind::number;
  std::uint32_t offset = 0;     // first character of this node in the text
  std::uint32_t end = 0;        // one past its last character, closing ')' or ']' included
  std::uint32_t op_offset = 0;  // the operator (unary, binary, in) or the function name
  TokenKind op = TokenKind::end;
  double number = 0.0;    // number literal, boolean literal (0 / 1)
  std::string_view text;  // name, string contents, operator or function name as written
  // unary: [operand]; binary: [left, right]; call: arguments;
  // in_list: [subject, element...] where each element is a literal node.
  std::vector<std::unique_ptr<Node>> children;
};

struct SyntaxError {
  std::uint32_t offset = 0;
  std::string message;
};

struct ParseResult {
  std::unique_ptr<Node> root;  // null exactly when error is set
  std::optional<SyntaxError> error;
};

inline constexpr int kMaxNesting = 64;

[[nodiscard]] ParseResult parse(std::string_view text);

}  // namespace cabind::rules::detail
