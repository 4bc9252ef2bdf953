#include "lexer.hpp"

#include <array>
#include <cstring>

namespace cabind::dbc::detail {
namespace {

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
// What a token starting with this byte can be: the lexer's first question about each token.
enum class CharClass : std::uint8_t { other, name, digit, sign, dot, quote, punct };
constexpr auto char_classes = [] {
  std::array<CharClass, 256> table{};
  for (int c = 0; c < 256; ++c) {
    CharClass& entry = table[static_cast<std::size_t>(c)];
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_') {
      entry = CharClass::name;
    } else if (c >= '0' && c <= '9') {
      entry = CharClass::digit;
    } else if (c == '-' || c == '+') {
      entry = CharClass::sign;
    } else if (c == '.') {
      entry = CharClass::dot;
    } else if (c == '"') {
      entry = CharClass::quote;
    } else if (c == ':' || c == ';' || c == '|' || c == '@' || c == '(' || c == ')' || c == '[' ||
               c == ']' || c == ',') {
      entry = CharClass::punct;
    }
  }
  return table;
}();
CharClass char_class(char c) noexcept {
  return char_classes[static_cast<unsigned char>(c)];
}
// A blank or the '/' of a comment: what skip_space_and_comments() may move over.
constexpr auto skip_starts = [] {
  std::array<bool, 256> table{};
  for (const char c : {' ', '\t', '\r', '\n', '\f', '\v', '/'}) {
    table[static_cast<unsigned char>(c)] = true;
  }
  return table;
}();
bool may_skip(char c) noexcept {
  return skip_starts[static_cast<unsigned char>(c)];
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

Lexer::Lexer(std::string_view text) noexcept
    : text_(text),
      has_cr_(!text.empty() && std::memchr(text.data(), '\r', text.size()) != nullptr) {}

// The end of the line that `i` is on (or `i` itself when it is a line end).
std::size_t Lexer::line_end(std::size_t i) const noexcept {
  if (i >= text_.size()) return text_.size();
  if (!has_cr_) {  // the common case: memchr runs a word or more at a time
    const void* found = std::memchr(text_.data() + i, '\n', text_.size() - i);
    return found != nullptr ? static_cast<std::size_t>(static_cast<const char*>(found) - text_.data())
                            : text_.size();
  }
  while (i < text_.size() && text_[i] != '\n' && text_[i] != '\r')
    ++i;
  return i;
}

std::size_t Lexer::count_lines_starting_with(std::string_view keyword) const noexcept {
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
    const char c = text_[pos_];
    if (c == ' ' || c == '\t') {
      advance_within_line(1);
    } else if (c == '\n') {
      ++pos_;
      ++line_;
      column_ = 1;
    } else if (is_space(c)) {
      advance();
    } else if (c == '/' && peek(1) == '/') {  // some tools write line comments
      advance_within_line(line_end(pos_) - pos_);
    } else {
      return;
    }
  }
}

Token Lexer::next() {
  // Half the tokens follow another directly ("0|8@1+"): no call for them.
  if (pos_ < text_.size() && may_skip(text_[pos_])) skip_space_and_comments();
  Token token;
  token.line = line_;
  token.column = column_;
  const std::size_t start = pos_;
  if (pos_ >= text_.size()) {
    token.kind = TokenKind::end;
    return token;
  }
  switch (char_class(text_[pos_])) {
    case CharClass::name:
      skip_within_line([](char d) { return is_ident_char(d); });
      token.kind = TokenKind::identifier;
      break;
    case CharClass::digit:
      scan_number();
      token.kind = TokenKind::number;
      break;
    case CharClass::sign:  // "-3276.8" and "+.5" are numbers, the '-' of "@0-" is not
    case CharClass::dot:
      if (is_digit(peek(1)) || (peek() != '.' && peek(1) == '.' && is_digit(peek(2)))) {
        scan_number();
        token.kind = TokenKind::number;
      } else {
        advance_within_line(1);
        token.kind = char_class(text_[start]) == CharClass::sign ? TokenKind::punct
                                                                 : TokenKind::invalid;
      }
      break;
    case CharClass::quote:
      return string_token(token);
    case CharClass::punct:  // none of them ends a line
      advance_within_line(1);
      token.kind = TokenKind::punct;
      break;
    case CharClass::other:
      advance();
      token.kind = TokenKind::invalid;
      break;
  }
  token.text = std::string_view(text_.data() + start, pos_ - start);
  return token;
}

// Digits, a fraction, an exponent, after an optional sign; on a local index, numbers being
// a third of all tokens.
void Lexer::scan_number() noexcept {
  const std::size_t size = text_.size();
  std::size_t i = pos_;
  if (text_[i] == '-' || text_[i] == '+') ++i;
  while (i < size && (is_digit(text_[i]) || text_[i] == '.'))
    ++i;
  if (i < size && (text_[i] == 'e' || text_[i] == 'E')) {
    std::size_t exponent = i + 1;
    if (exponent < size && (text_[exponent] == '-' || text_[exponent] == '+')) ++exponent;
    if (exponent < size && is_digit(text_[exponent])) {
      i = exponent;
      while (i < size && is_digit(text_[i]))
        ++i;
    }
  }
  // "0x1F" and "12abc" are not DBC numbers: swallow the rest so the error names it whole.
  while (i < size && is_ident_char(text_[i]))
    ++i;
  advance_within_line(i - pos_);
}

Token Lexer::string_token(Token& token) {
  advance();  // opening quote
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
}

}  // namespace cabind::dbc::detail
