#include "lexer.hpp"

#include <array>

namespace cabind::dbc::detail {
namespace {

bool is_ident_start(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
// One table look-up per byte of a name: the lexer's most frequent question.
constexpr auto ident_chars = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[static_cast<std::size_t>(c)] =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || (c >= '0' && c <= '9');
  }
  return table;
}();
bool is_ident_char(char c) noexcept {
  return ident_chars[static_cast<unsigned char>(c)];
}
bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

}  // namespace

// The same walk as the lexer's over a string body, copying what it keeps.
std::string string_value(const Token& token) {
  const std::string_view body = token.text;
  if (!token.escaped) return std::string(body);
  std::string value;
  value.reserve(body.size());
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    const char after = i + 1 < body.size() ? body[i + 1] : '\0';
    if (c == '\\' && (after == '"' || after == '\\')) {
      value.push_back(after);
      ++i;
    } else if (c == '\r') {  // a string's line ends read as '\n' whatever the convention
      if (after != '\n') value.push_back('\n');
    } else {
      value.push_back(c);
    }
  }
  return value;
}

std::size_t Lexer::count_lines_starting_with(std::string_view keyword) const noexcept {
  const auto line_end = [this](std::size_t i) {
    while (i < text_.size() && text_[i] != '\n' && text_[i] != '\r')
      ++i;
    return i;
  };
  std::size_t count = 0;
  for (std::size_t i = line_end(pos_); i < text_.size(); i = line_end(i)) {
    while (i < text_.size() && is_space(text_[i]))
      ++i;
    if (text_.compare(i, keyword.size(), keyword) != 0 || i + keyword.size() >= text_.size() ||
        !is_space(text_[i + keyword.size()])) {
      break;
    }
    ++count;
    i += keyword.size();
  }
  return count;
}

char Lexer::peek(std::size_t ahead) const noexcept {
  return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
}

// LF, CRLF and a lone CR (old Mac tools) each end one line, so every convention numbers
// lines alike and "a token on a later line" means the same for all of them.
void Lexer::advance() noexcept {
  if (pos_ >= text_.size()) return;
  const bool line_end = text_[pos_] == '\n' || (text_[pos_] == '\r' && peek(1) != '\n');
  if (line_end) {
    ++line_;
    column_ = 1;
  } else {
    ++column_;
  }
  ++pos_;
}

void Lexer::advance_within_line(std::size_t count) noexcept {
  pos_ += count;
  column_ += static_cast<std::uint32_t>(count);
}

// Names and numbers never span a line: scanned without the line bookkeeping of advance().
// The string loop of advance() without a call per byte: comments are most of some files.
bool Lexer::skip_string_body() noexcept {
  bool escaped = false;
  std::size_t i = pos_;
  const std::size_t size = text_.size();
  while (i < size && text_[i] != '"') {
    const char c = text_[i];
    const char after = i + 1 < size ? text_[i + 1] : '\0';
    if (c == '\\' && (after == '"' || after == '\\')) {
      escaped = true;
      column_ += 2;
      i += 2;
      continue;
    }
    if (c == '\n' || (c == '\r' && after != '\n')) {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    escaped = escaped || c == '\r';
    ++i;
  }
  pos_ = i;
  return escaped;
}

template <typename IsPart>
void Lexer::skip_within_line(IsPart is_part) noexcept {
  std::size_t end = pos_;
  while (end < text_.size() && is_part(text_[end]))
    ++end;
  advance_within_line(end - pos_);
}

void Lexer::skip_space_and_comments() noexcept {
  while (pos_ < text_.size()) {
    const char c = peek();
    if (c == ' ' || c == '\t') {
      advance_within_line(1);
    } else if (c == '\n') {
      ++pos_;
      ++line_;
      column_ = 1;
    } else if (is_space(c)) {
      advance();
    } else if (peek() == '/' && peek(1) == '/') {  // some tools write line comments
      while (pos_ < text_.size() && peek() != '\n' && peek() != '\r')
        advance();
    } else {
      return;
    }
  }
}

Token Lexer::next() {
  skip_space_and_comments();
  Token token;
  token.line = line_;
  token.column = column_;
  const std::size_t start = pos_;
  if (pos_ >= text_.size()) {
    token.kind = TokenKind::end;
    return token;
  }
  const char c = peek();
  const bool signed_number =
      (c == '-' || c == '+') && (is_digit(peek(1)) || (peek(1) == '.' && is_digit(peek(2))));
  if (is_ident_start(c)) {
    skip_within_line([](char d) { return is_ident_char(d); });
    token.kind = TokenKind::identifier;
  } else if (is_digit(c) || signed_number || (c == '.' && is_digit(peek(1)))) {
    if (signed_number) advance_within_line(1);
    // Digits, a fraction, an exponent; a trailing letter is left for the parser to reject.
    skip_within_line([](char d) { return is_digit(d) || d == '.'; });
    if ((peek() == 'e' || peek() == 'E') &&
        (is_digit(peek(1)) || ((peek(1) == '-' || peek(1) == '+') && is_digit(peek(2))))) {
      advance_within_line(1);
      if (peek() == '-' || peek() == '+') advance_within_line(1);
      skip_within_line([](char d) { return is_digit(d); });
    }
    // "0x1F" and "12abc" are not DBC numbers: swallow the rest so the error names it whole.
    skip_within_line([](char d) { return is_ident_char(d); });
    token.kind = TokenKind::number;
  } else if (c == '"') {
    advance();
    const std::size_t body = pos_;
    token.escaped = skip_string_body();
    token.kind = TokenKind::string;
    token.text = std::string_view(text_.data() + body, pos_ - body);
    if (pos_ >= text_.size()) {
      token.unterminated = true;
    } else {
      advance();  // closing quote
    }
    return token;
  } else if (c == ':' || c == ';' || c == '|' || c == '@' || c == '+' || c == '-' || c == '(' ||
             c == ')' || c == '[' || c == ']' || c == ',') {
    advance();
    token.kind = TokenKind::punct;
  } else {
    advance();
    token.kind = TokenKind::invalid;
  }
  token.text = std::string_view(text_.data() + start, pos_ - start);
  return token;
}

}  // namespace cabind::dbc::detail
