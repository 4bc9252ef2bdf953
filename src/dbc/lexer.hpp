#pragma once
// DBC tokenizer (internal to the dbc module). Turns DBC text into identifiers,
// numbers, strings and punctuation, each with its 1-based line and column.
//   `BO_ 1050 Climate: 8 ECU` -> identifier "BO_", number "1050", identifier "Climate",
//                                 ':' , number "8", identifier "ECU"
// A '-' or '+' directly followed by a digit or '.' starts a number ("-3276.8"); otherwise
// it is punctuation (the sign in "@0-"). Strings may span lines; `\"` and `\\` are escapes.

#include <cstdint>
#include <string>
#include <string_view>

namespace cabind::dbc::detail {

enum class TokenKind : std::uint8_t { identifier, number, string, punct, invalid, end };

struct Token {
  TokenKind kind = TokenKind::end;
  std::string_view text;  // as in the source; for strings without the quotes
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  bool unterminated = false;  // a string that reached the end of the text
  bool escaped = false;       // a string with an escape or a CR: see string_value()
};

// A string token's value: its text with `\"` and `\\` resolved and line ends read as '\n'.
// Only strings that need it are copied twice: the lexer returns views, never copies.
[[nodiscard]] std::string string_value(const Token& token);

class Lexer {
 public:
  explicit Lexer(std::string_view text) noexcept;

  // The next token; TokenKind::end at the end of the text, forever.
  [[nodiscard]] Token next();

  // How many of the lines ahead, from the next one on, start with `keyword` and a blank
  // (however indented), up to the first line that does not: a hint for reserve().
  [[nodiscard]] std::size_t count_lines_starting_with(std::string_view keyword) const noexcept;

  // Where the text not yet read starts: right after the last token returned by next().
  [[nodiscard]] std::uint32_t line() const noexcept { return line_; }
  [[nodiscard]] std::uint32_t column() const noexcept { return column_; }

 private:
  void skip_space_and_comments() noexcept;
  void scan_number() noexcept;
  Token string_token(Token& token);
  [[nodiscard]] std::size_t line_end(std::size_t i) const noexcept;
  void advance() noexcept;
  void advance_within_line(std::size_t count) noexcept;  // over bytes known not to end a line
  // Up to the closing quote (or the end); true if the body needs string_value()'s rewriting.
  bool skip_string_body() noexcept;
  // Over bytes that satisfy is_part (never a line end), without advance()'s bookkeeping.
  template <typename IsPart>
  void skip_within_line(IsPart is_part) noexcept;
  [[nodiscard]] char peek(std::size_t ahead = 0) const noexcept;

  std::string_view text_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1;
  std::uint32_t column_ = 1;
  bool has_cr_ = false;  // any CR in the text: else a line ends only at LF
};

}  // namespace cabind::dbc::detail
