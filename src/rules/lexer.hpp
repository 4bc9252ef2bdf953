#pragma once
// Splits an expression into tokens. Internal to the rules module.
//
//   "Gear in ['P', 'N']" -> name(Gear) in [ string(P) , string(N) ] end

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cabind::rules::detail {

enum class TokenKind : std::uint8_t {
  number,
  string,
  name,
  kw_and,
  kw_or,
  kw_not,
  kw_in,
  kw_true,
  kw_false,
  left_paren,
  right_paren,
  left_bracket,
  right_bracket,
  comma,
  equal,
  not_equal,
  less,
  less_equal,
  greater,
  greater_equal,
  plus,
  minus,
  star,
  slash,
  percent,
  end,
};

struct Token {
  TokenKind kind = TokenKind::end;
  std::uint32_t offset = 0;  // byte offset of the first character in the text
  std::string_view text;     // as written (for a string: without the quotes)
  double number = 0.0;       // for TokenKind::number
  std::uint32_t end = 0;     // one past the last character (a string's closing quote)
};

struct LexError {
  std::uint32_t offset = 0;
  std::string message;
};

struct LexResult {
  std::vector<Token> tokens;  // ends with TokenKind::end
  std::optional<LexError> error;
};

[[nodiscard]] LexResult tokenize(std::string_view text);

// "'=='", "end of expression", "name 'Gear'" - how an error message names a token.
[[nodiscard]] std::string describe(const Token& token);

}  // namespace cabind::rules::detail
