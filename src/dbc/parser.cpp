#include "cabind/dbc/parser.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <variant>

#include "layout.hpp"
#include "lexer.hpp"
#include "overlap.hpp"
#include "signal_index.hpp"
#include "storage.hpp"

namespace cabind::dbc {
namespace {

using detail::Lexer;
using detail::Token;
using detail::TokenKind;

constexpr std::uint32_t extended_id_flag = 0x8000'0000U;
constexpr std::uint32_t max_extended_id = 0x1FFF'FFFFU;
constexpr std::uint32_t max_standard_id = 0x7FFU;
// Vector tools park signals that belong to no frame in this pseudo-message; it is not a frame.
constexpr std::string_view independent_signals_message = "VECTOR__INDEPENDENT_SIG_MSG";

// DBC sections that are valid but carry nothing cabind uses; skipped up to their ';'.
bool is_skipped_section(std::string_view keyword) noexcept {
  static constexpr std::string_view skipped[] = {
      "EV_",        "ENVVAR_DATA_",  "SGTYPE_",     "SGTYPE_VAL_",      "BA_DEF_SGTYPE_",
      "BA_SGTYPE_", "SIG_TYPE_REF_", "BA_DEF_REL_", "BA_REL_",          "BA_DEF_DEF_REL_",
      "BU_SG_REL_", "BU_EV_REL_",    "BU_BO_REL_",  "SIGTYPE_VALTYPE_", "CAT_DEF_",
      "CAT_",       "FILTER",        "NS_DESC_",    "EV_DATA_",         "BO_TX_BU_REL_"};
  return std::find(std::begin(skipped), std::end(skipped), keyword) != std::end(skipped);
}

// Every keyword that can start a statement: a node list or an NS_ body ends at one.
bool is_section_keyword(std::string_view keyword) noexcept {
  static constexpr std::string_view read[] = {
      "VERSION",      "NS_",       "BS_",         "BU_",        "BO_",  "SG_",
      "CM_",          "BA_DEF_",   "BA_DEF_DEF_", "BA_",        "VAL_", "VAL_TABLE_",
      "SIG_VALTYPE_", "BO_TX_BU_", "SIG_GROUP_",  "SG_MUL_VAL_"};
  return is_skipped_section(keyword) ||
         std::find(std::begin(read), std::end(read), keyword) != std::end(read);
}

std::string hex(std::uint32_t value) {
  std::ostringstream text;
  text << "0x" << std::uppercase << std::hex << value;
  return text.str();
}

// Thrown after the error has been recorded: abandons the statement, the parser resumes
// at the next line. Never escapes parse().
struct StatementError {};

struct AttributeDefinition {
  std::vector<std::string> enum_values;  // for ENUM attributes
};

// Strings are views of the text or of the storage's arena, as the Database's are.
using AttributeValue = std::variant<double, std::string_view>;

// A signal appended to its message before the parser knows it keeps it: removed again
// (a thrown StatementError included) unless keep() is called.
class TentativeSignal {
 public:
  explicit TentativeSignal(std::vector<Signal>* signals) noexcept : signals_(signals) {}
  TentativeSignal(const TentativeSignal&) = delete;
  TentativeSignal& operator=(const TentativeSignal&) = delete;
  ~TentativeSignal() {
    if (signals_ != nullptr) signals_->pop_back();
  }
  void keep() noexcept { signals_ = nullptr; }

 private:
  std::vector<Signal>* signals_;
};

// A signal written with a bare "m" (no value); what it means depends on its message.
struct BareMultiplexIndicator {
  std::size_t message = 0;
  std::size_t signal = 0;
  diag::Location where;
};

// One BA_ of a message or signal, applied once every message is read. A file of many
// messages has one a message or more: no string is copied (a Location would copy the
// file name).
struct PendingAttribute {
  std::string_view name;
  std::uint32_t raw_message_id = 0;
  std::string_view signal;  // empty: a message attribute
  AttributeValue value;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

class Parser {
 public:
  // The text moves into the storage that the Database's views point into.
  Parser(std::string text, std::string file, ParseOptions options)
      : storage_(std::make_shared<detail::DatabaseStorage>(std::move(text))),
        lexer_(storage_->text),
        file_(std::move(file)),
        options_(options) {
    database_.file = file_;
    current_ = lexer_.next();
  }

  ParseResult run() {
    while (current_.kind != TokenKind::end) {
      const std::uint32_t line = current_.line;
      const std::uint32_t column = current_.column;
      try {
        statement();
      } catch (const StatementError&) {
        // A statement that failed on its first token consumed nothing: step over that token.
        if (current_.line == line && current_.column == column) take();
        recover();
      }
    }
    if (messages_seen_ == 0) {
      diagnostics_.error({file_, 1, 1}, "no message (BO_) in the file: is it a DBC file?");
    }
    resolve_bare_multiplex_indicators();
    resolve_multiplexing();
    apply_attributes();
    check_semantics();
    ParseResult result;
    result.diagnostics = std::move(diagnostics_);
    if (!result.diagnostics.has_errors()) {
      database_.storage = std::move(storage_);
      result.database = std::move(database_);
    }
    return result;
  }

 private:
  // ---- tokens -------------------------------------------------------------------------

  Token take() {
    Token token = std::move(current_);
    // The lexer stops right after the token it returned last, which is this one.
    previous_line_ = lexer_.line();
    previous_end_column_ = lexer_.column();
    current_ = lexer_.next();
    return token;
  }

  // The token after current_, without consuming anything.
  [[nodiscard]] Token peek_next() const {
    Lexer ahead = lexer_;
    return ahead.next();
  }

  // A deviation that the tolerant default reads as the message says; an error when strict.
  void warn(diag::Location where, std::string message) {
    if (options_.strict) {
      diagnostics_.error(std::move(where), std::move(message));
    } else {
      diagnostics_.warning(std::move(where), std::move(message));
    }
  }

  [[nodiscard]] diag::Location end_of_previous() const {
    return {file_, previous_line_, previous_end_column_};
  }

  // The ';' ending a statement. Real files leave it out at the end of a line; then it is
  // assumed there, with a warning, as cantools and canmatrix read them.
  void expect_terminator(std::string_view statement) {
    if (at_punct(';')) {
      take();
      return;
    }
    if (current_.kind == TokenKind::end || current_.line > previous_line_) {
      warn(end_of_previous(), "missing ';' at the end of " + std::string(statement) +
                                  ": assumed at the end of the line");
      return;
    }
    fail(current_, "';'");
  }

  [[nodiscard]] diag::Location here(const Token& token) const {
    return {file_, token.line, token.column};
  }

  static std::string describe(const Token& token) {
    switch (token.kind) {
      case TokenKind::end:
        return "end of file";
      case TokenKind::string:
        return "string \"" + std::string(token.text.substr(0, 40)) + "\"";
      case TokenKind::invalid: {
        const auto byte = static_cast<unsigned char>(token.text.empty() ? '\0' : token.text[0]);
        if (byte < 0x20 || byte >= 0x7F) {
          std::ostringstream hex;
          hex << "byte 0x" << std::hex << static_cast<unsigned>(byte);
          return hex.str();
        }
        return "'" + std::string(token.text) + "'";
      }
      default:
        return "'" + std::string(token.text) + "'";
    }
  }

  // A statement cut short is reported where it ends, not at the next line's first token.
  [[noreturn]] void fail(const Token& token, std::string_view expected) {
    if (&token == &current_ && token.line > previous_line_) {
      diagnostics_.error(end_of_previous(),
                         "expected " + std::string(expected) + ", found end of line");
      throw StatementError{};
    }
    diagnostics_.error(here(token),
                       "expected " + std::string(expected) + ", found " + describe(token));
    throw StatementError{};
  }

  // Skips the rest of a broken statement: resume at the first token of a later line.
  void recover() {
    const std::uint32_t line = previous_line_;
    while (current_.kind != TokenKind::end && current_.line <= line)
      take();
  }

  bool at_punct(char c) const noexcept {
    return current_.kind == TokenKind::punct && current_.text.size() == 1 && current_.text[0] == c;
  }

  // A section keyword as the first token of a line: where a statement without its ';' ends.
  bool at_statement_start() const noexcept {
    return current_.kind == TokenKind::identifier && current_.line > previous_line_ &&
           is_section_keyword(current_.text);
  }

  void expect_punct(char c) {
    if (!at_punct(c)) fail(current_, std::string("'") + c + "'");
    take();
  }

  // Real files (PSA's among them) start some names with a digit ("0_CHECKSUM"), which
  // lexes as a malformed number; where a name is expected it is one.
  bool at_name() const noexcept {
    if (current_.kind == TokenKind::identifier) return true;
    if (current_.kind != TokenKind::number) return false;
    const std::string_view text = current_.text;
    const bool name_chars = std::all_of(text.begin(), text.end(), [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    });
    double number = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    return name_chars && (ec != std::errc{} || end != text.data() + text.size());
  }

  std::string expect_identifier(std::string_view what) { return std::string(expect_name(what)); }

  // A name as a view of the text, valid as long as the storage.
  std::string_view expect_name(std::string_view what) {
    if (!at_name()) fail(current_, what);
    return take().text;
  }

  // A string's value as a view of the text, or of the arena when it had escapes to resolve.
  std::string_view expect_string(std::string_view what) {
    if (current_.kind != TokenKind::string) fail(current_, what);
    if (current_.unterminated) {
      diagnostics_.error(here(current_), "unterminated string (missing closing '\"')");
      take();
      throw StatementError{};
    }
    const Token token = take();
    return token.escaped ? storage_->keep(detail::string_value(token)) : token.text;
  }

  double expect_number(std::string_view what) {
    if (current_.kind != TokenKind::number) fail(current_, what);
    std::string_view text = current_.text;
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    if (const auto exact = small_integer(text)) {
      take();
      return *exact;
    }
    double value = 0.0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
      fail(current_, std::string(what) + " (a finite decimal number)");
    }
    take();
    return value;
  }

  // Most factors, offsets and limits are short integers ("1", "0", "-40", "255"): read
  // exactly as an integer, which a double holds exactly below 2^53, without from_chars(double).
  static std::optional<double> small_integer(std::string_view text) noexcept {
    const bool negative = !text.empty() && text.front() == '-';
    const std::string_view digits = text.substr(negative ? 1 : 0);
    if (digits.empty() || digits.size() > 15) return std::nullopt;
    std::int64_t value = 0;
    for (const char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
    // "-0" stays the double -0.0 that from_chars reads.
    return negative ? -static_cast<double>(value) : static_cast<double>(value);
  }

  // A signal's [min|max]. Generated J1939 files write limits beyond a double's range
  // ("4.446E+481" for a 1600-bit field); they are read as the largest finite double.
  double expect_limit(std::string_view what) {
    if (current_.kind != TokenKind::number) fail(current_, what);
    std::string_view text = current_.text;
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    if (small_integer(text)) return expect_number(what);
    double value = 0.0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range && end == text.data() + text.size()) {
      const bool negative = text.front() == '-';
      const bool tiny = text.find_first_of("eE") != std::string_view::npos &&
                        text.find("-", text.find_first_of("eE")) != std::string_view::npos;
      value = tiny ? 0.0 : (negative ? -1.0 : 1.0) * std::numeric_limits<double>::max();
      warn(here(current_),
           std::string(what) + " " + std::string(current_.text) +
               " is beyond the range of a double: read as " +
               (tiny ? std::string("0")
                     : std::string(negative ? "-" : "") + "1.7976931348623157e308"));
      take();
      return value;
    }
    return expect_number(what);
  }

  std::uint64_t expect_unsigned(std::string_view what, std::uint64_t max) {
    if (current_.kind != TokenKind::number) fail(current_, what);
    const std::string_view text = current_.text;
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value > max) {
      fail(current_, std::string(what) + " (an integer from 0 to " + std::to_string(max) + ")");
    }
    take();
    return value;
  }

  std::int64_t expect_integer(std::string_view what) {
    if (current_.kind != TokenKind::number) fail(current_, what);
    std::string_view text = current_.text;
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
      fail(current_, std::string(what) + " (an integer)");
    take();
    return value;
  }

  std::uint32_t expect_message_id() {
    return static_cast<std::uint32_t>(
        expect_unsigned("a message id", std::numeric_limits<std::uint32_t>::max()));
  }

  // ---- statements ---------------------------------------------------------------------

  void statement() {
    if (current_.kind != TokenKind::identifier) {
      diagnostics_.error(here(current_),
                         "expected a DBC section keyword, found " + describe(current_));
      throw StatementError{};
    }
    const Token keyword = take();
    const std::string_view k = keyword.text;
    if (k == "VERSION") {
      database_.version = expect_string("the version string");
    } else if (k == "NS_") {
      expect_punct(':');
      skip_new_symbols();
    } else if (k == "BS_") {
      expect_punct(':');
      while (current_.kind != TokenKind::end && current_.line == keyword.line)
        take();  // the optional baud rate and BTR values
    } else if (k == "BU_") {
      expect_punct(':');
      nodes(keyword);
    } else if (k == "BO_") {
      message(keyword);
    } else if (k == "SG_") {
      signal(keyword);
    } else if (k == "CM_") {
      comment();
    } else if (k == "BA_DEF_") {
      attribute_definition();
    } else if (k == "BA_DEF_DEF_") {
      attribute_default();
    } else if (k == "BA_") {
      attribute();
    } else if (k == "VAL_") {
      value_descriptions();
    } else if (k == "VAL_TABLE_") {
      value_table();
    } else if (k == "SIG_VALTYPE_") {
      signal_value_type();
    } else if (k == "BO_TX_BU_") {
      message_transmitters();
    } else if (k == "SIG_GROUP_") {
      signal_group();
    } else if (k == "SG_MUL_VAL_") {
      multiplexer_values();
    } else if (is_skipped_section(k)) {
      skip_to_semicolon(k);
    } else {
      diagnostics_.error(here(keyword), "unknown section '" + std::string(k) + "'");
      throw StatementError{};
    }
  }

  // The NS_ body lists symbol names (CM_, BA_DEF_, ...), one or more a line, however
  // indented. It ends at the first token that starts a statement: one that is not a name,
  // or a name followed on its line by something else (`BS_:`, `BU_: A`, `BO_ 1 ...`).
  void skip_new_symbols() {
    while (current_.kind == TokenKind::identifier) {
      const Token after = peek_next();
      if (after.kind != TokenKind::end && after.kind != TokenKind::identifier &&
          after.line == current_.line) {
        return;
      }
      take();
    }
  }

  // BU_: A B C. Real files continue the list on the following lines; it then runs up to
  // the next section keyword.
  void nodes(const Token& keyword) {
    bool continued = false;
    while (at_name() && !is_section_keyword(current_.text)) {
      if (current_.line != keyword.line && !continued) {
        continued = true;
        warn(here(current_), "the BU_ node list continues on line " +
                                 std::to_string(current_.line) +
                                 ": read as part of the list up to the next section");
      }
      database_.nodes.emplace_back(take().text);
    }
  }

  // A skipped section runs to its ';'. A section keyword starting a later line ends it
  // too (the ';' was left out), so that a missing ';' cannot swallow the messages after it.
  void skip_to_semicolon(std::string_view statement) {
    while (current_.kind != TokenKind::end && !at_punct(';')) {
      if (at_statement_start()) break;
      take();
    }
    expect_terminator(statement);
  }

  // BO_ 1050 Climate_Control_Data: 8 ECU
  void message(const Token& keyword) {
    Message m;
    m.line = keyword.line;
    m.column = keyword.column;
    const Token id_token = current_;
    std::uint32_t raw_id = expect_message_id();
    m.name = expect_name("a message name");  // a view of the text: a stable map key
    expect_punct(':');
    m.size = static_cast<std::uint8_t>(expect_unsigned("a message size in bytes", 64));
    m.transmitter = expect_name("the transmitting node");
    ++messages_seen_;
    current_message_ = no_message;
    if (m.name == independent_signals_message) {
      skipping_signals_ = true;
      return;
    }
    skipping_signals_ = false;
    if ((raw_id & extended_id_flag) == 0 && raw_id > max_standard_id && raw_id <= max_extended_id) {
      warn(here(id_token), "id " + std::to_string(raw_id) + " (" + hex(raw_id) +
                               ") is above 0x7FF without the extended flag (bit 31): read as "
                               "a 29-bit extended id");
      raw_id |= extended_id_flag;
    }
    m.extended = (raw_id & extended_id_flag) != 0;
    m.id = raw_id & ~extended_id_flag;
    if (m.id > (m.extended ? max_extended_id : max_standard_id)) {
      diagnostics_.error(here(id_token), "message id " + std::to_string(m.id) +
                                             " out of range for " +
                                             (m.extended ? "an extended" : "a standard") + " id");
      skipping_signals_ = true;
      return;
    }
    if (const auto it = by_raw_id_.find(raw_id); it != by_raw_id_.end()) {
      diagnostics_.error(here(keyword), "duplicate message id " + std::to_string(m.id) +
                                            " (first defined at line " +
                                            std::to_string(database_.messages[it->second].line) +
                                            ")");
    }
    if (const auto it = by_name_.find(m.name); it != by_name_.end()) {
      diagnostics_.error(here(keyword), "duplicate message name '" + std::string(m.name) +
                                            "' (first defined at line " +
                                            std::to_string(database_.messages[it->second].line) +
                                            ")");
    }
    current_message_ = database_.messages.size();
    by_raw_id_.emplace(raw_id, current_message_);
    by_name_.emplace(m.name, current_message_);
    // Its SG_ lines follow it: room for all of them at once, so that no Signal is moved.
    // (current_ is the first of them, already read from the lexer).
    if (current_.kind == TokenKind::identifier && current_.text == "SG_") {
      m.signals.reserve(1 + lexer_.count_lines_starting_with("SG_"));
    }
    database_.messages.push_back(std::move(m));
  }

  // SG_ InCarTemp m3 : 7|8@0- (0.5,-40) [-40|87.5] "degC" HVAC,Cluster
  void signal(const Token& keyword) {
    // Built in place at the end of its message's signals (a Signal is not moved or copied);
    // taken out again if the line is broken or the signal refused.
    std::vector<Signal>* owner = skipping_signals_ || current_message_ == no_message
                                     ? nullptr
                                     : &database_.messages[current_message_].signals;
    Signal outside;  // a signal of no message: parsed for its errors, then dropped
    Signal& s = owner != nullptr ? owner->emplace_back() : outside;
    TentativeSignal tentative(owner);
    s.line = keyword.line;
    s.column = keyword.column;
    s.name = expect_name("a signal name");
    bool bare_multiplex_indicator = false;
    if (current_.kind == TokenKind::identifier) {
      bare_multiplex_indicator = multiplex_indicator(take(), s);
    }
    expect_punct(':');
    s.start_bit = static_cast<std::uint16_t>(expect_unsigned("the start bit", 65535));
    expect_punct('|');
    const Token length = current_;
    s.length = static_cast<std::uint16_t>(expect_unsigned("the length in bits", 65535));
    if (s.length == 0) {
      diagnostics_.error(here(length), "signal length must be 1 to 64 bits");
      throw StatementError{};
    }
    expect_punct('@');
    // "@1+" lexes as number "1" then '+'; "@0-" as number "0" then '-'.
    const std::uint64_t order = expect_unsigned("byte order 0 (Motorola) or 1 (Intel)", 1);
    s.byte_order = order == 1 ? ByteOrder::little_endian : ByteOrder::big_endian;
    if (at_punct('+')) {
      s.value_type = ValueType::unsigned_integer;
    } else if (at_punct('-')) {
      s.value_type = ValueType::signed_integer;
    } else {
      fail(current_, "'+' (unsigned) or '-' (signed)");
    }
    take();
    expect_punct('(');
    s.factor = expect_number("the factor");
    expect_punct(',');
    s.offset = expect_number("the offset");
    expect_punct(')');
    expect_punct('[');
    s.minimum = expect_limit("the minimum");
    expect_punct('|');
    s.maximum = expect_limit("the maximum");
    expect_punct(']');
    s.unit = expect_string("the unit string");
    // The receivers as one view, from the first name to the last of the line.
    const char* receivers_begin = nullptr;
    const char* receivers_end = nullptr;
    while (at_name() && current_.line == previous_line_) {
      const Token receiver = take();
      if (receivers_begin == nullptr) receivers_begin = receiver.text.data();
      receivers_end = receiver.text.data() + receiver.text.size();
      if (at_punct(',')) take();
    }
    if (receivers_begin != nullptr) {
      s.receivers =
          NameList({receivers_begin, static_cast<std::size_t>(receivers_end - receivers_begin)});
    }
    if (s.factor == 0.0) {
      diagnostics_.error(here(keyword), "signal '" + std::string(s.name) + "' has factor 0");
    }
    if (skipping_signals_) return;
    if (current_message_ == no_message) {
      diagnostics_.error(here(keyword),
                         "signal '" + std::string(s.name) + "' outside any BO_ message");
      return;
    }
    if (add_signal(s, keyword, length, bare_multiplex_indicator)) tentative.keep();
  }

  // Positions stay tokens until a diagnostic needs them: a Location copies the file name.
  // s is the last of its message's signals; false: it is refused.
  bool add_signal(Signal& s, const Token& keyword, const Token& length,
                  bool bare_multiplex_indicator) {
    Message& m = database_.messages[current_message_];
    const std::size_t index = m.signals.size() - 1;
    if (s.length > 64) {
      // J1939 files describe multi-frame strings as one long field; no frame decodes it.
      warn(here(length), "signal '" + std::string(s.name) + "' is " + std::to_string(s.length) +
                             " bits long; cabind decodes signals of 1 to 64 bits: signal ignored");
      return false;
    }
    // One hash of the name: the look-up's probe inserts it once the signal is kept.
    const auto message = static_cast<std::uint32_t>(current_message_);
    const detail::SignalIndex::Probe probe =
        signal_index_.find(database_.messages, message, s.name);
    if (probe.signal != detail::SignalIndex::none) {
      warn(here(keyword), "duplicate signal name '" + std::string(s.name) + "' in message '" +
                              std::string(m.name) + "' (first defined at line " +
                              std::to_string(m.signals[probe.signal].line) +
                              "): this one is ignored");
      return false;
    }
    const detail::BitLayout layout = detail::layout_of(s);
    if (!layout.fits) {
      warn(here(keyword), placement(s) + " lies beyond a 64-byte frame: signal ignored");
      return false;
    }
    if (layout.end_position > 8U * m.size) {
      warn(here(keyword), placement(s) + " lies outside its " + std::to_string(m.size) +
                              "-byte message '" + std::string(m.name) +
                              "': kept, but it never decodes from a frame of that size");
      s.outside_message = true;
    }
    if (bare_multiplex_indicator) {
      bare_indicators_.push_back({current_message_, index, here(keyword)});
    }
    signal_index_.insert(database_.messages, probe, message, static_cast<std::uint32_t>(index));
    return true;
  }

  static std::string placement(const Signal& s) {
    return "signal '" + std::string(s.name) + "' (start bit " + std::to_string(s.start_bit) + ", " +
           std::to_string(s.length) + " bits)";
  }

  // "M", "m12" or "m12M"; true for a bare "m" (tolerated, resolved once the message is read).
  bool multiplex_indicator(const Token& token, Signal& s) {
    const std::string_view text = token.text;
    if (text == "M") {
      s.mux_role = MuxRole::multiplexor;
      return false;
    }
    if (text == "m") return true;
    std::string_view digits = text.substr(text.empty() ? 0 : 1);
    const bool also_multiplexor = !digits.empty() && digits.back() == 'M';
    if (also_multiplexor) digits.remove_suffix(1);
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (text.empty() || text[0] != 'm' || digits.empty() || ec != std::errc{} ||
        end != digits.data() + digits.size()) {
      fail(token, "a multiplex indicator ('M', 'm<value>' or 'm<value>M') or ':'");
    }
    s.mux_role = also_multiplexor ? MuxRole::multiplexed_multiplexor : MuxRole::multiplexed;
    s.mux_ranges = single_range(value);
    return false;
  }

  // [value, value] in the arena; signals selected by the same value (they follow each
  // other in real files) share one.
  std::span<const MuxRange> single_range(std::uint64_t value) {
    if (last_single_range_.empty() || last_single_range_.front().low != value) {
      const MuxRange range{value, value};
      last_single_range_ = storage_->keep(std::span<const MuxRange>(&range, 1));
    }
    return last_single_range_;
  }

  // The signal's notes, created in the arena when it has none yet.
  SignalNotes& notes_of(Signal& s) {
    if (s.notes == nullptr) s.notes = storage_->make<SignalNotes>();
    // Created non-const in the arena by the line above: the parser may write it until the
    // Database is handed out.
    return const_cast<SignalNotes&>(*s.notes);
  }

  // References use the id as the BO_ line wrote it; an id read as extended (above 0x7FF
  // without the flag) is found under both spellings.
  [[nodiscard]] std::size_t find_message_index(std::uint32_t raw_id) const {
    auto it = by_raw_id_.find(raw_id);
    if (it == by_raw_id_.end() && raw_id > max_standard_id && raw_id <= max_extended_id) {
      it = by_raw_id_.find(raw_id | extended_id_flag);
    }
    return it == by_raw_id_.end() ? no_message : it->second;
  }

  Message* message_by_raw_id(std::uint32_t raw_id, const Token& at) {
    if (const std::size_t index = find_message_index(raw_id); index != no_message) {
      return &database_.messages[index];
    }
    if (raw_id != (extended_id_flag | 0x4000'0000U)) {  // the independent-signals pseudo-message
      warn(here(at), "reference to undefined message id " +
                         std::to_string(raw_id & ~extended_id_flag) + " ignored");
    }
    return nullptr;
  }

  Signal* find_signal_in(Message& m, std::string_view name) {
    const auto message = static_cast<std::uint32_t>(&m - database_.messages.data());
    const std::uint32_t index = signal_index_.find_signal(database_.messages, message, name);
    return index == detail::SignalIndex::none ? nullptr : &m.signals[index];
  }

  Signal* signal_of(Message* m, std::string_view name, const Token& at) {
    if (m == nullptr) return nullptr;
    if (Signal* s = find_signal_in(*m, name)) return s;
    warn(here(at), "reference to undefined signal '" + std::string(name) + "' in message '" +
                       std::string(m->name) + "' ignored");
    return nullptr;
  }

  // CM_ "db"; CM_ BU_ node "..."; CM_ BO_ id "..."; CM_ SG_ id name "..."; CM_ EV_ var "...";
  void comment() {
    if (current_.kind == TokenKind::string) {
      database_.comment = expect_string("the comment");
    } else {
      const Token at = current_;
      if (current_.kind == TokenKind::number) {
        const std::uint32_t raw_id = expect_message_id();
        warn(here(at), "comment for a bare message id " + std::string(at.text) +
                           ": read as CM_ BO_ " + std::string(at.text));
        Message* m = message_by_raw_id(raw_id, at);
        const std::string_view text = expect_string("the comment string");
        if (m != nullptr) m->comment = text;
        expect_terminator("CM_");
        return;
      }
      const std::string_view object = expect_name("BU_, BO_, SG_, EV_ or a comment string");
      if (object == "BO_") {
        Message* m = message_by_raw_id(expect_message_id(), at);
        const std::string_view text = expect_string("the comment string");
        if (m != nullptr) m->comment = text;
      } else if (object == "SG_") {
        Message* m = message_by_raw_id(expect_message_id(), at);
        const std::string_view name = expect_name("a signal name");
        const std::string_view text = expect_string("the comment string");
        if (Signal* s = signal_of(m, name, at)) notes_of(*s).comment = text;
      } else if (object == "BU_" || object == "EV_") {
        (void)expect_name("a name");
        (void)expect_string("the comment string");
      } else {
        diagnostics_.error(here(at),
                           "expected BU_, BO_, SG_ or EV_, found '" + std::string(object) + "'");
        throw StatementError{};
      }
    }
    expect_terminator("CM_");
  }

  // BA_DEF_ [BU_|BO_|SG_|EV_] "name" INT|HEX|FLOAT|STRING|ENUM ... ;
  void attribute_definition() {
    if (current_.kind == TokenKind::identifier) take();  // the object type
    const std::string name(expect_string("the attribute name"));
    const std::string_view type = expect_name("the attribute type");
    AttributeDefinition definition;
    if (type == "ENUM") {
      while (current_.kind == TokenKind::string) {
        definition.enum_values.push_back(detail::string_value(take()));
        if (at_punct(',')) take();
      }
      expect_terminator("BA_DEF_");
    } else if (type == "INT" || type == "HEX" || type == "FLOAT" || type == "STRING") {
      skip_to_semicolon("BA_DEF_");
    } else {
      diagnostics_.error(here(current_), "unknown attribute type '" + std::string(type) + "'");
      throw StatementError{};
    }
    attribute_definitions_[name] = std::move(definition);
  }

  AttributeValue attribute_value() {
    if (current_.kind == TokenKind::string) return expect_string("the attribute value");
    return expect_number("the attribute value");
  }

  // BA_DEF_DEF_ "GenMsgCycleTime" 0;
  void attribute_default() {
    const std::string name(expect_string("the attribute name"));
    attribute_defaults_[name] = attribute_value();
    expect_terminator("BA_DEF_DEF_");
  }

  // BA_ "GenMsgCycleTime" BO_ 1050 100;  BA_ "GenSigStartValue" SG_ 1050 InCarTemp 80;
  void attribute() {
    PendingAttribute pending;
    pending.line = current_.line;
    pending.column = current_.column;
    pending.name = expect_string("the attribute name");
    bool on_message_or_signal = false;
    if (current_.kind == TokenKind::identifier) {
      const std::string_view object = take().text;
      if (object == "BO_" || object == "SG_") {
        pending.raw_message_id = expect_message_id();
        if (object == "SG_") pending.signal = expect_name("a signal name");
        on_message_or_signal = true;
      } else if (object == "BU_" || object == "EV_") {
        (void)expect_name("a name");
      } else {
        diagnostics_.error(where_of(pending),
                           "expected BU_, BO_, SG_ or EV_, found '" + std::string(object) + "'");
        throw StatementError{};
      }
    }
    pending.value = attribute_value();
    expect_terminator("BA_");
    if (on_message_or_signal) attributes_.push_back(std::move(pending));
  }

  // The list, in a buffer reused by the next call (no allocation per VAL_ line).
  std::span<const ValueDescription> value_list(std::string_view statement) {
    value_buffer_.clear();
    while (current_.kind == TokenKind::number) {
      ValueDescription v;
      v.raw = expect_integer("a raw value");
      v.name = expect_string("the value's description string");
      value_buffer_.push_back(v);
    }
    expect_terminator(statement);
    return value_buffer_;
  }

  // VAL_ 1050 Gear 0 "P" 1 "R" ;   (VAL_ <env var> ... ; describes an environment variable)
  void value_descriptions() {
    const Token at = current_;
    if (current_.kind == TokenKind::identifier) {
      take();
      value_list("VAL_");
      return;
    }
    Message* m = message_by_raw_id(expect_message_id(), at);
    const std::string_view name = expect_name("a signal name");
    const std::span<const ValueDescription> values = value_list("VAL_");
    if (Signal* s = signal_of(m, name, at)) notes_of(*s).values = storage_->keep(values);
  }

  // VAL_TABLE_ Gears 0 "P" 1 "R" ;
  void value_table() {
    ValueTable table;
    table.name = expect_identifier("a value table name");
    const std::span<const ValueDescription> values = value_list("VAL_TABLE_");
    table.values.assign(values.begin(), values.end());
    database_.value_tables.push_back(std::move(table));
  }

  // SIG_VALTYPE_ 1050 Speed : 1;   (1 = IEEE float32, 2 = IEEE float64, 0 = integer)
  void signal_value_type() {
    const Token at = current_;
    Message* m = message_by_raw_id(expect_message_id(), at);
    const std::string_view name = expect_name("a signal name");
    if (at_punct(':')) take();
    const Token kind = current_;
    const std::uint64_t type = expect_unsigned("value type 0, 1 (float32) or 2 (float64)", 2);
    expect_terminator("SIG_VALTYPE_");
    Signal* s = signal_of(m, name, at);
    if (s == nullptr || type == 0) return;
    s->value_type = type == 1 ? ValueType::float32 : ValueType::float64;
    const std::uint16_t needed = type == 1 ? 32 : 64;
    if (s->length != needed) {
      diagnostics_.error(here(kind), "signal '" + std::string(name) + "' is " +
                                         std::to_string(s->length) + " bits, an IEEE " +
                                         (type == 1 ? "float32" : "float64") + " needs " +
                                         std::to_string(needed));
    }
  }

  // BO_TX_BU_ 1050 : ECU1,ECU2;
  void message_transmitters() {
    const Token at = current_;
    Message* m = message_by_raw_id(expect_message_id(), at);
    expect_punct(':');
    std::vector<std::string> nodes;
    while (at_name() && !at_statement_start()) {
      nodes.emplace_back(take().text);
      if (at_punct(',')) take();
    }
    expect_terminator("BO_TX_BU_");
    if (m != nullptr) m->extra_transmitters = std::move(nodes);
  }

  // SIG_GROUP_ 1050 Group 1 : SigA SigB;
  void signal_group() {
    SignalGroup group;
    group.message_id = expect_message_id() & ~extended_id_flag;
    group.name = expect_identifier("a signal group name");
    expect_unsigned("the repetition count", std::numeric_limits<std::uint32_t>::max());
    expect_punct(':');
    while (at_name() && !at_statement_start())
      group.signals.emplace_back(take().text);
    expect_terminator("SIG_GROUP_");
    database_.signal_groups.push_back(std::move(group));
  }

  // SG_MUL_VAL_ 1050 Signal Multiplexor 3-3, 5-7;
  void multiplexer_values() {
    const Token at = current_;
    Message* m = message_by_raw_id(expect_message_id(), at);
    const std::string_view name = expect_name("a signal name");
    const std::string_view multiplexor = expect_name("the multiplexor signal name");
    std::vector<MuxRange>& ranges = range_buffer_;
    ranges.clear();
    while (current_.kind == TokenKind::number) {
      MuxRange range;
      range.low =
          expect_unsigned("the low end of a range", std::numeric_limits<std::uint64_t>::max());
      // "3-5" lexes as 3 then -5: the second number carries the separator as its sign.
      if (current_.kind == TokenKind::number && !current_.text.empty() &&
          current_.text.front() == '-') {
        const std::int64_t high = expect_integer("the high end of a range");
        range.high = static_cast<std::uint64_t>(-high);
      } else {
        expect_punct('-');
        range.high =
            expect_unsigned("the high end of a range", std::numeric_limits<std::uint64_t>::max());
      }
      if (range.high < range.low) {
        diagnostics_.error(here(at), "range " + std::to_string(range.low) + "-" +
                                         std::to_string(range.high) + " is empty");
      }
      ranges.push_back(range);
      if (at_punct(',')) take();
    }
    expect_terminator("SG_MUL_VAL_");
    if (Signal* s = signal_of(m, name, at)) {
      if (s->mux_role != MuxRole::multiplexed && s->mux_role != MuxRole::multiplexed_multiplexor) {
        diagnostics_.error(here(at), "SG_MUL_VAL_ for signal '" + std::string(name) +
                                         "', which has no 'm<value>' multiplex indicator");
        return;
      }
      s->multiplexor = multiplexor;
      s->mux_ranges = storage_->keep(std::span<const MuxRange>(ranges));
    }
  }

  // ---- after the last statement -------------------------------------------------------

  // A bare "m" gives no value to select by. Read it as the message's multiplexor when the
  // message has none (the signal's name usually says so: "MO2_Mp_Code"), else as a plain
  // signal. Either way it decodes from every frame, as in tools that ignore the marker.
  void resolve_bare_multiplex_indicators() {
    for (const BareMultiplexIndicator& bare : bare_indicators_) {
      Message& m = database_.messages[bare.message];
      Signal& s = m.signals[bare.signal];
      const bool has_multiplexor =
          std::any_of(m.signals.begin(), m.signals.end(),
                      [](const Signal& other) { return other.mux_role == MuxRole::multiplexor; });
      if (has_multiplexor) {
        warn(bare.where, "multiplex indicator 'm' without a value: '" + std::string(s.name) +
                             "' read as a plain signal (message '" + std::string(m.name) +
                             "' already has a multiplexor)");
      } else {
        s.mux_role = MuxRole::multiplexor;
        warn(bare.where, "multiplex indicator 'm' without a value: '" + std::string(s.name) +
                             "' read as the multiplexor ('M') of message '" + std::string(m.name) +
                             "'");
      }
    }
  }

  // Plain multiplexing names no multiplexor: it is the message's one "M" signal.
  void resolve_multiplexing() {
    for (Message& m : database_.messages) {
      std::vector<const Signal*> multiplexors;
      for (const Signal& s : m.signals) {
        if (s.mux_role == MuxRole::multiplexor || s.mux_role == MuxRole::multiplexed_multiplexor) {
          multiplexors.push_back(&s);
        }
      }
      for (Signal& s : m.signals) {
        if (s.mux_role != MuxRole::multiplexed && s.mux_role != MuxRole::multiplexed_multiplexor) {
          continue;
        }
        const diag::Location where{file_, s.line, s.column};
        if (s.multiplexor.empty()) {
          std::vector<const Signal*> plain;
          for (const Signal* candidate : multiplexors) {
            if (candidate->mux_role == MuxRole::multiplexor) plain.push_back(candidate);
          }
          if (plain.size() != 1) {
            diagnostics_.error(
                where,
                "multiplexed signal '" + std::string(s.name) + "' needs " +
                    (plain.empty() ? std::string("a multiplexor ('M') in")
                                   : std::string("an SG_MUL_VAL_ entry: several multiplexors in")) +
                    " message '" + std::string(m.name) + "'");
            continue;
          }
          s.multiplexor = plain.front()->name;
        }
        const Signal* selector = find_signal_in(m, s.multiplexor);
        if (selector == nullptr || selector == &s ||
            (selector->mux_role != MuxRole::multiplexor &&
             selector->mux_role != MuxRole::multiplexed_multiplexor)) {
          diagnostics_.error(where, "signal '" + std::string(s.name) + "' names '" +
                                        std::string(s.multiplexor) +
                                        "' as multiplexor, which is not a multiplexor of '" +
                                        std::string(m.name) + "'");
        }
      }
    }
  }

  static bool as_number(const AttributeValue& value, double& out) {
    if (const double* d = std::get_if<double>(&value)) {
      out = *d;
      return true;
    }
    return false;
  }

  bool is_fd_format(const AttributeValue& value) const {
    std::string_view format;
    if (const std::string_view* s = std::get_if<std::string_view>(&value)) {
      format = *s;
    } else {
      const auto it = attribute_definitions_.find("VFrameFormat");
      const double index = std::get<double>(value);
      if (it == attribute_definitions_.end() || index < 0 ||
          index >= static_cast<double>(it->second.enum_values.size())) {
        // Without a definition, Vector's numbering: 14 and 15 are the CAN FD formats.
        return index == 14 || index == 15;
      }
      format = it->second.enum_values[static_cast<std::size_t>(index)];
    }
    return format.find("FD") != std::string_view::npos;
  }

  void apply_message_attribute(Message& m, std::string_view name, const AttributeValue& value,
                               const diag::Location& where) {
    double number = 0;
    if (name == "GenMsgCycleTime") {
      if (!as_number(value, number) || number < 0 || number > 4.0e9) {
        diagnostics_.error(where, "GenMsgCycleTime must be a number of milliseconds");
        return;
      }
      if (number > 0) {
        m.cycle_time_ms = static_cast<std::uint32_t>(number);
      } else {
        m.cycle_time_ms.reset();
      }
    } else if (name == "VFrameFormat") {
      m.fd = is_fd_format(value);
    }
  }

  void apply_attributes() {
    // Defaults first, then the per-object assignments override them.
    for (Message& m : database_.messages) {
      for (const char* name : {"GenMsgCycleTime", "VFrameFormat"}) {
        if (const auto it = attribute_defaults_.find(name); it != attribute_defaults_.end()) {
          apply_message_attribute(m, name, it->second, {file_, 0, 0});
        }
      }
      double start = 0;
      if (const auto it = attribute_defaults_.find("GenSigStartValue");
          it != attribute_defaults_.end() && as_number(it->second, start)) {
        for (Signal& s : m.signals)
          notes_of(s).start_value = start;
      }
    }
    for (const PendingAttribute& a : attributes_) {
      const std::size_t index = find_message_index(a.raw_message_id);
      if (index == no_message) {
        if (a.raw_message_id != (extended_id_flag | 0x4000'0000U)) {
          warn(where_of(a), "attribute '" + std::string(a.name) + "' for undefined message id " +
                                std::to_string(a.raw_message_id & ~extended_id_flag) + " ignored");
        }
        continue;
      }
      Message& m = database_.messages[index];
      if (a.signal.empty()) {
        apply_message_attribute(m, a.name, a.value, where_of(a));
        continue;
      }
      if (a.name != "GenSigStartValue") continue;
      Signal* s = find_signal_in(m, a.signal);
      double start = 0;
      if (s == nullptr) {
        warn(where_of(a), "attribute for undefined signal '" + std::string(a.signal) + "' ignored");
      } else if (!as_number(a.value, start)) {
        diagnostics_.error(where_of(a), "GenSigStartValue must be a number");
      } else {
        notes_of(*s).start_value = start;
      }
    }
  }

  // Overlaps are warnings: real files overlay signals on purpose (a raw value and its
  // flags); whether one matters depends on what the configuration binds.
  [[nodiscard]] diag::Location where_of(const PendingAttribute& a) const {
    return {file_, a.line, a.column};
  }

  void check_semantics() {
    for (Message& m : database_.messages) {
      for (const detail::Overlap& o : detail::find_overlaps(m)) {
        Signal& s = m.signals[o.signal];
        Signal& earlier = m.signals[o.overlapped];
        notes_of(s).overlaps = earlier.name;
        if (earlier.overlaps().empty()) notes_of(earlier).overlaps = s.name;
        warn({file_, s.line, s.column}, "signal '" + std::string(s.name) + "' overlaps signal '" +
                                            std::string(earlier.name) + "' in message '" +
                                            std::string(m.name) + "'");
      }
    }
  }

  // Declared before lexer_, which reads the text it holds.
  std::shared_ptr<detail::DatabaseStorage> storage_;
  Lexer lexer_;
  std::string file_;
  Token current_;
  std::uint32_t previous_line_ = 1;
  std::uint32_t previous_end_column_ = 0;
  diag::Diagnostics diagnostics_;
  Database database_;
  static constexpr std::size_t no_message = std::numeric_limits<std::size_t>::max();
  ParseOptions options_;
  std::size_t current_message_ = no_message;  // index of the BO_ that SG_ lines belong to
  std::size_t messages_seen_ = 0;             // BO_ statements read, kept or not
  bool skipping_signals_ = false;
  // Hashed so that a file of n messages and signals parses in time linear in n.
  std::unordered_map<std::uint32_t, std::size_t> by_raw_id_;  // DBC id (bit 31 = extended)
  // Keys are views of the parsed text, which outlives the parser: no name is copied.
  std::unordered_map<std::string_view, std::size_t> by_name_;  // message name -> index
  detail::SignalIndex signal_index_;                           // (message, name) -> signal
  std::vector<BareMultiplexIndicator> bare_indicators_;
  std::vector<ValueDescription> value_buffer_;   // value_list()'s
  std::vector<MuxRange> range_buffer_;           // multiplexer_values()'s
  std::span<const MuxRange> last_single_range_;  // single_range()'s
  std::map<std::string, AttributeDefinition, std::less<>> attribute_definitions_;
  std::map<std::string, AttributeValue, std::less<>> attribute_defaults_;
  std::vector<PendingAttribute> attributes_;
};

}  // namespace

ParseResult parse(std::string&& text, std::string file, ParseOptions options) {
  return Parser(std::move(text), std::move(file), options).run();
}

ParseResult parse(std::string_view text, std::string file, ParseOptions options) {
  return parse(std::string(text), std::move(file), options);
}

ParseResult parse(const char* text, std::string file, ParseOptions options) {
  return parse(std::string_view(text), std::move(file), options);
}

ParseResult parse_file(const std::filesystem::path& path, ParseOptions options) {
  errno = 0;
  std::ifstream stream(path, std::ios::binary);
  if (!stream) {
    const int reason = errno != 0 ? errno : ENOENT;
    ParseResult result;
    result.diagnostics.error({path.string(), 0, 0},
                             "cannot open DBC file: " + std::generic_category().message(reason));
    return result;
  }
  // One buffer of the file's size: a stream copy would hold the text twice at the peak.
  std::string content;
  std::error_code size_error;
  const auto size = std::filesystem::file_size(path, size_error);
  if (!size_error) content.reserve(static_cast<std::size_t>(size));
  std::array<char, 64 * 1024> chunk{};
  while (stream.read(chunk.data(), chunk.size()) || stream.gcount() > 0)
    content.append(chunk.data(), static_cast<std::size_t>(stream.gcount()));
  if (stream.bad()) {
    ParseResult result;
    result.diagnostics.error({path.string(), 0, 0}, "read error");
    return result;
  }
  return parse(std::move(content), path.string(), options);
}

}  // namespace cabind::dbc
