#include "lexer.hpp"

#include <charconv>
#include <system_error>

namespace cabind::rules::detail {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || is_digit(c);
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

TokenKind keyword_or_name(std::string_view word) {
  if (word == "and") return TokenKind::kw_and;
  if (word == "or") return TokenKind::kw_or;
  if (word == "not") return TokenKind::kw_not;
  if (word == "in") return TokenKind::kw_in;
  if (word == "true") return TokenKind::kw_true;
  if (word == "false") return TokenKind::kw_false;
  return TokenKind::name;
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  LexResult run() {
    LexResult result;
    while (true) {
      while (pos_ < text_.size() && is_space(text_[pos_]))
        ++pos_;
      if (pos_ >= text_.size()) break;
      auto token = next();
      if (!token) {
        result.error = std::move(error_);
        return result;
      }
      token->end = offset(pos_);  // next() leaves pos_ just past the token
      result.tokens.push_back(*token);
    }
    result.tokens.push_back({TokenKind::end, offset(pos_), {}, 0.0, offset(pos_)});
    return result;
  }

 private:
  static std::uint32_t offset(std::size_t pos) { return static_cast<std::uint32_t>(pos); }

  std::optional<Token> fail(std::size_t at, std::string message) {
    error_ = LexError{offset(at), std::move(message)};
    return std::nullopt;
  }

  Token make(TokenKind kind, std::size_t start, std::size_t length) {
    pos_ = start + length;
    return {kind, offset(start), text_.substr(start, length), 0.0, offset(pos_)};
  }

  std::optional<Token> next() {
    const std::size_t start = pos_;
    const char c = text_[pos_];
    const char following = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
    if (is_digit(c)) return number(start);
    if (is_name_start(c)) return name(start);
    if (c == '\'' || c == '"') return string(start, c);
    switch (c) {
      case '(':
        return make(TokenKind::left_paren, start, 1);
      case ')':
        return make(TokenKind::right_paren, start, 1);
      case '[':
        return make(TokenKind::left_bracket, start, 1);
      case ']':
        return make(TokenKind::right_bracket, start, 1);
      case ',':
        return make(TokenKind::comma, start, 1);
      case '+':
        return make(TokenKind::plus, start, 1);
      case '-':
        return make(TokenKind::minus, start, 1);
      case '*':
        return make(TokenKind::star, start, 1);
      case '/':
        return make(TokenKind::slash, start, 1);
      case '%':
        return make(TokenKind::percent, start, 1);
      case '<':
        return following == '=' ? make(TokenKind::less_equal, start, 2)
                                : make(TokenKind::less, start, 1);
      case '>':
        return following == '=' ? make(TokenKind::greater_equal, start, 2)
                                : make(TokenKind::greater, start, 1);
      case '=':
        if (following == '=') return make(TokenKind::equal, start, 2);
        return fail(start, "'=' is not an operator; use '==' to compare");
      case '!':
        if (following == '=') return make(TokenKind::not_equal, start, 2);
        return fail(start, "'!' is not an operator; use 'not'");
      case '&':
        return fail(start, "'&' is not an operator; use 'and'");
      case '|':
        return fail(start, "'|' is not an operator; use 'or'");
      default:
        break;
    }
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return fail(start, "unexpected character (byte " +
                             std::to_string(static_cast<unsigned char>(c)) + ")");
    }
    return fail(start, std::string("unexpected character '") + c + "'");
  }

  // digits [ '.' digits ] [ ('e'|'E') ['+'|'-'] digits ]
  std::optional<Token> number(std::size_t start) {
    std::size_t end = start;
    while (end < text_.size() && is_digit(text_[end]))
      ++end;
    bool malformed = false;
    if (end < text_.size() && text_[end] == '.') {
      ++end;
      if (end >= text_.size() || !is_digit(text_[end])) malformed = true;
      while (end < text_.size() && is_digit(text_[end]))
        ++end;
    }
    if (end < text_.size() && (text_[end] == 'e' || text_[end] == 'E')) {
      ++end;
      if (end < text_.size() && (text_[end] == '+' || text_[end] == '-')) ++end;
      if (end >= text_.size() || !is_digit(text_[end])) malformed = true;
      while (end < text_.size() && is_digit(text_[end]))
        ++end;
    }
    // "10min", "3x": a number glued to a name is a typo, not two tokens.
    while (end < text_.size() && (is_name_char(text_[end]) || text_[end] == '.')) {
      malformed = true;
      ++end;
    }
    const std::string_view written = text_.substr(start, end - start);
    if (malformed) return fail(start, "malformed number '" + std::string(written) + "'");
    double value = 0.0;
    const auto [ptr, ec] = std::from_chars(written.data(), written.data() + written.size(), value);
    if (ec != std::errc() || ptr != written.data() + written.size()) {
      return fail(start, "number '" + std::string(written) + "' is out of range");
    }
    Token token = make(TokenKind::number, start, end - start);
    token.number = value;
    return token;
  }

  // identifier ( '.' identifier )*
  std::optional<Token> name(std::size_t start) {
    std::size_t end = start;
    while (true) {
      while (end < text_.size() && is_name_char(text_[end]))
        ++end;
      if (end < text_.size() && text_[end] == '.') {
        if (end + 1 >= text_.size() || !is_name_start(text_[end + 1])) {
          return fail(end, "a name must not end with '.': '" +
                               std::string(text_.substr(start, end + 1 - start)) + "'");
        }
        ++end;
        continue;
      }
      break;
    }
    const std::string_view word = text_.substr(start, end - start);
    return make(keyword_or_name(word), start, end - start);
  }

  // A quote, any characters but that quote and a line break, the same quote. No escapes:
  // enum names in DBC value tables never need them.
  std::optional<Token> string(std::size_t start, char quote) {
    std::size_t end = start + 1;
    while (end < text_.size() && text_[end] != quote && text_[end] != '\n')
      ++end;
    if (end >= text_.size() || text_[end] != quote) {
      return fail(start, std::string("unterminated string (missing closing ") + quote + ")");
    }
    pos_ = end + 1;
    return Token{TokenKind::string, offset(start), text_.substr(start + 1, end - start - 1), 0.0,
                 offset(end + 1)};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::optional<LexError> error_;
};

}  // namespace

LexResult tokenize(std::string_view text) {
  return Lexer(text).run();
}

std::string describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::end:
      return "end of expression";
    case TokenKind::string:
      return "string '" + std::string(token.text) + "'";
    case TokenKind::number:
      return "number " + std::string(token.text);
    case TokenKind::name:
      return "name '" + std::string(token.text) + "'";
    default:
      return "'" + std::string(token.text) + "'";
  }
}

}  // namespace cabind::rules::detail
