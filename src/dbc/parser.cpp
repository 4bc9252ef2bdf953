#include "cabind/dbc/parser.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <variant>

#include "layout.hpp"
#include "lexer.hpp"

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

// Thrown after the error has been recorded: abandons the statement, the parser resumes
// at the next line. Never escapes parse().
struct StatementError {};

struct AttributeDefinition {
  std::vector<std::string> enum_values;  // for ENUM attributes
};

using AttributeValue = std::variant<double, std::string>;

struct PendingAttribute {
  std::string name;
  std::uint32_t raw_message_id = 0;
  std::string signal;  // empty: a message attribute
  AttributeValue value;
  diag::Location where;
};

class Parser {
 public:
  Parser(std::string_view text, std::string file) : lexer_(text), file_(std::move(file)) {
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
    resolve_multiplexing();
    apply_attributes();
    check_semantics();
    ParseResult result;
    result.diagnostics = std::move(diagnostics_);
    if (!result.diagnostics.has_errors()) result.database = std::move(database_);
    return result;
  }

 private:
  // ---- tokens -------------------------------------------------------------------------

  Token take() {
    Token token = std::move(current_);
    previous_line_ = token.line;
    // Only single-line tokens give a reliable end column.
    previous_end_column_ = token.value.find('\n') == std::string::npos
                               ? token.column + static_cast<std::uint32_t>(token.text.size()) +
                                     (token.kind == TokenKind::string ? 2U : 0U)
                               : 0;
    current_ = lexer_.next();
    return token;
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
  [[noreturn]] void fail(const Token& token, const std::string& expected) {
    if (&token == &current_ && token.line > previous_line_ && previous_end_column_ > 0) {
      diagnostics_.error({file_, previous_line_, previous_end_column_},
                         "expected " + expected + ", found end of line");
      throw StatementError{};
    }
    diagnostics_.error(here(token), "expected " + expected + ", found " + describe(token));
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

  std::string expect_identifier(const std::string& what) {
    if (!at_name()) fail(current_, what);
    return std::string(take().text);
  }

  std::string expect_string(const std::string& what) {
    if (current_.kind != TokenKind::string) fail(current_, what);
    if (current_.unterminated) {
      diagnostics_.error(here(current_), "unterminated string (missing closing '\"')");
      take();
      throw StatementError{};
    }
    return take().value;
  }

  double expect_number(const std::string& what) {
    if (current_.kind != TokenKind::number) fail(current_, what);
    std::string_view text = current_.text;
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    double value = 0.0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
      fail(current_, what + " (a finite decimal number)");
    }
    take();
    return value;
  }

  std::uint64_t expect_unsigned(const std::string& what, std::uint64_t max) {
    if (current_.kind != TokenKind::number) fail(current_, what);
    const std::string_view text = current_.text;
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value > max) {
      fail(current_, what + " (an integer from 0 to " + std::to_string(max) + ")");
    }
    take();
    return value;
  }

  std::int64_t expect_integer(const std::string& what) {
    if (current_.kind != TokenKind::number) fail(current_, what);
    std::string_view text = current_.text;
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
      fail(current_, what + " (an integer)");
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
      skip_list();
    } else if (k == "BS_") {
      expect_punct(':');
      skip_list();
    } else if (k == "BU_") {
      expect_punct(':');
      while (at_name() && current_.line == keyword.line) {
        database_.nodes.emplace_back(take().text);
      }
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
      skip_to_semicolon();
    } else {
      diagnostics_.error(here(keyword), "unknown section '" + std::string(k) + "'");
      throw StatementError{};
    }
  }

  // NS_ and BS_ bodies: everything up to the next statement keyword at column 1.
  void skip_list() {
    while (current_.kind != TokenKind::end &&
           !(current_.column == 1 && current_.kind == TokenKind::identifier)) {
      take();
    }
  }

  void skip_to_semicolon() {
    while (current_.kind != TokenKind::end && !at_punct(';'))
      take();
    expect_punct(';');
  }

  // BO_ 1050 Climate_Control_Data: 8 ECU
  void message(const Token& keyword) {
    Message m;
    m.line = keyword.line;
    const std::uint32_t raw_id = expect_message_id();
    m.name = expect_identifier("a message name");
    expect_punct(':');
    m.size = static_cast<std::uint8_t>(expect_unsigned("a message size in bytes", 64));
    m.transmitter = expect_identifier("the transmitting node");
    current_message_ = nullptr;
    if (m.name == independent_signals_message) {
      skipping_signals_ = true;
      return;
    }
    skipping_signals_ = false;
    m.extended = (raw_id & extended_id_flag) != 0;
    m.id = raw_id & ~extended_id_flag;
    if (m.id > (m.extended ? max_extended_id : max_standard_id)) {
      diagnostics_.error(here(keyword), "message id " + std::to_string(m.id) +
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
    if (const Message* first = database_.find_message(m.name)) {
      diagnostics_.error(here(keyword), "duplicate message name '" + m.name +
                                            "' (first defined at line " +
                                            std::to_string(first->line) + ")");
    }
    by_raw_id_.emplace(raw_id, database_.messages.size());
    database_.messages.push_back(std::move(m));
    current_message_ = &database_.messages.back();
  }

  // SG_ InCarTemp m3 : 7|8@0- (0.5,-40) [-40|87.5] "degC" HVAC,Cluster
  void signal(const Token& keyword) {
    Signal s;
    s.line = keyword.line;
    s.name = expect_identifier("a signal name");
    if (current_.kind == TokenKind::identifier) multiplex_indicator(take(), s);
    expect_punct(':');
    s.start_bit = static_cast<std::uint16_t>(expect_unsigned("the start bit", 511));
    expect_punct('|');
    const Token length = current_;
    s.length = static_cast<std::uint16_t>(expect_unsigned("the length in bits", 64));
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
    s.minimum = expect_number("the minimum");
    expect_punct('|');
    s.maximum = expect_number("the maximum");
    expect_punct(']');
    s.unit = expect_string("the unit string");
    while (at_name() && current_.line == previous_line_) {
      s.receivers.emplace_back(take().text);
      if (at_punct(',')) take();
    }
    if (s.factor == 0.0) {
      diagnostics_.error(here(keyword), "signal '" + s.name + "' has factor 0");
    }
    if (skipping_signals_) return;
    if (current_message_ == nullptr) {
      diagnostics_.error(here(keyword), "signal '" + s.name + "' outside any BO_ message");
      return;
    }
    if (current_message_->find_signal(s.name) != nullptr) {
      diagnostics_.error(here(keyword), "duplicate signal name '" + s.name + "' in message '" +
                                            current_message_->name + "'");
      return;
    }
    current_message_->signals.push_back(std::move(s));
  }

  // "M", "m12" or "m12M".
  void multiplex_indicator(const Token& token, Signal& s) {
    const std::string_view text = token.text;
    if (text == "M") {
      s.mux_role = MuxRole::multiplexor;
      return;
    }
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
    s.mux_ranges = {MuxRange{value, value}};
  }

  Message* message_by_raw_id(std::uint32_t raw_id, const Token& at) {
    if (const auto it = by_raw_id_.find(raw_id); it != by_raw_id_.end()) {
      return &database_.messages[it->second];
    }
    if (raw_id != (extended_id_flag | 0x4000'0000U)) {  // the independent-signals pseudo-message
      diagnostics_.warning(here(at), "reference to undefined message id " +
                                         std::to_string(raw_id & ~extended_id_flag) + " ignored");
    }
    return nullptr;
  }

  Signal* signal_of(Message* m, const std::string& name, const Token& at) {
    if (m == nullptr) return nullptr;
    for (Signal& s : m->signals) {
      if (s.name == name) return &s;
    }
    diagnostics_.warning(here(at), "reference to undefined signal '" + name + "' in message '" +
                                       m->name + "' ignored");
    return nullptr;
  }

  // CM_ "db"; CM_ BU_ node "..."; CM_ BO_ id "..."; CM_ SG_ id name "..."; CM_ EV_ var "...";
  void comment() {
    if (current_.kind == TokenKind::string) {
      database_.comment = expect_string("the comment");
    } else {
      const Token at = current_;
      const std::string object = expect_identifier("BU_, BO_, SG_, EV_ or a comment string");
      if (object == "BO_") {
        Message* m = message_by_raw_id(expect_message_id(), at);
        std::string text = expect_string("the comment string");
        if (m != nullptr) m->comment = std::move(text);
      } else if (object == "SG_") {
        Message* m = message_by_raw_id(expect_message_id(), at);
        const std::string name = expect_identifier("a signal name");
        std::string text = expect_string("the comment string");
        if (Signal* s = signal_of(m, name, at)) s->comment = std::move(text);
      } else if (object == "BU_" || object == "EV_") {
        expect_identifier("a name");
        expect_string("the comment string");
      } else {
        diagnostics_.error(here(at), "expected BU_, BO_, SG_ or EV_, found '" + object + "'");
        throw StatementError{};
      }
    }
    expect_punct(';');
  }

  // BA_DEF_ [BU_|BO_|SG_|EV_] "name" INT|HEX|FLOAT|STRING|ENUM ... ;
  void attribute_definition() {
    if (current_.kind == TokenKind::identifier) take();  // the object type
    const std::string name = expect_string("the attribute name");
    const std::string type = expect_identifier("the attribute type");
    AttributeDefinition definition;
    if (type == "ENUM") {
      while (current_.kind == TokenKind::string) {
        definition.enum_values.push_back(take().value);
        if (at_punct(',')) take();
      }
      expect_punct(';');
    } else if (type == "INT" || type == "HEX" || type == "FLOAT" || type == "STRING") {
      skip_to_semicolon();
    } else {
      diagnostics_.error(here(current_), "unknown attribute type '" + type + "'");
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
    const std::string name = expect_string("the attribute name");
    attribute_defaults_[name] = attribute_value();
    expect_punct(';');
  }

  // BA_ "GenMsgCycleTime" BO_ 1050 100;  BA_ "GenSigStartValue" SG_ 1050 InCarTemp 80;
  void attribute() {
    PendingAttribute pending;
    pending.where = here(current_);
    pending.name = expect_string("the attribute name");
    bool on_message_or_signal = false;
    if (current_.kind == TokenKind::identifier) {
      const std::string object = std::string(take().text);
      if (object == "BO_" || object == "SG_") {
        pending.raw_message_id = expect_message_id();
        if (object == "SG_") pending.signal = expect_identifier("a signal name");
        on_message_or_signal = true;
      } else if (object == "BU_" || object == "EV_") {
        expect_identifier("a name");
      } else {
        diagnostics_.error(pending.where, "expected BU_, BO_, SG_ or EV_, found '" + object + "'");
        throw StatementError{};
      }
    }
    pending.value = attribute_value();
    expect_punct(';');
    if (on_message_or_signal) attributes_.push_back(std::move(pending));
  }

  std::vector<ValueDescription> value_list() {
    std::vector<ValueDescription> values;
    while (current_.kind == TokenKind::number) {
      ValueDescription v;
      v.raw = expect_integer("a raw value");
      v.name = expect_string("the value's description string");
      values.push_back(std::move(v));
    }
    expect_punct(';');
    return values;
  }

  // VAL_ 1050 Gear 0 "P" 1 "R" ;   (VAL_ <env var> ... ; describes an environment variable)
  void value_descriptions() {
    const Token at = current_;
    if (current_.kind == TokenKind::identifier) {
      take();
      value_list();
      return;
    }
    Message* m = message_by_raw_id(expect_message_id(), at);
    const std::string name = expect_identifier("a signal name");
    std::vector<ValueDescription> values = value_list();
    if (Signal* s = signal_of(m, name, at)) s->values = std::move(values);
  }

  // VAL_TABLE_ Gears 0 "P" 1 "R" ;
  void value_table() {
    ValueTable table;
    table.name = expect_identifier("a value table name");
    table.values = value_list();
    database_.value_tables.push_back(std::move(table));
  }

  // SIG_VALTYPE_ 1050 Speed : 1;   (1 = IEEE float32, 2 = IEEE float64, 0 = integer)
  void signal_value_type() {
    const Token at = current_;
    Message* m = message_by_raw_id(expect_message_id(), at);
    const std::string name = expect_identifier("a signal name");
    if (at_punct(':')) take();
    const Token kind = current_;
    const std::uint64_t type = expect_unsigned("value type 0, 1 (float32) or 2 (float64)", 2);
    expect_punct(';');
    Signal* s = signal_of(m, name, at);
    if (s == nullptr || type == 0) return;
    s->value_type = type == 1 ? ValueType::float32 : ValueType::float64;
    const std::uint16_t needed = type == 1 ? 32 : 64;
    if (s->length != needed) {
      diagnostics_.error(here(kind), "signal '" + name + "' is " + std::to_string(s->length) +
                                         " bits, an IEEE " + (type == 1 ? "float32" : "float64") +
                                         " needs " + std::to_string(needed));
    }
  }

  // BO_TX_BU_ 1050 : ECU1,ECU2;
  void message_transmitters() {
    const Token at = current_;
    Message* m = message_by_raw_id(expect_message_id(), at);
    expect_punct(':');
    std::vector<std::string> nodes;
    while (at_name()) {
      nodes.emplace_back(take().text);
      if (at_punct(',')) take();
    }
    expect_punct(';');
    if (m != nullptr) m->extra_transmitters = std::move(nodes);
  }

  // SIG_GROUP_ 1050 Group 1 : SigA SigB;
  void signal_group() {
    SignalGroup group;
    group.message_id = expect_message_id() & ~extended_id_flag;
    group.name = expect_identifier("a signal group name");
    expect_unsigned("the repetition count", std::numeric_limits<std::uint32_t>::max());
    expect_punct(':');
    while (at_name())
      group.signals.emplace_back(take().text);
    expect_punct(';');
    database_.signal_groups.push_back(std::move(group));
  }

  // SG_MUL_VAL_ 1050 Signal Multiplexor 3-3, 5-7;
  void multiplexer_values() {
    const Token at = current_;
    Message* m = message_by_raw_id(expect_message_id(), at);
    const std::string name = expect_identifier("a signal name");
    const std::string multiplexor = expect_identifier("the multiplexor signal name");
    std::vector<MuxRange> ranges;
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
    expect_punct(';');
    if (Signal* s = signal_of(m, name, at)) {
      if (s->mux_role != MuxRole::multiplexed && s->mux_role != MuxRole::multiplexed_multiplexor) {
        diagnostics_.error(here(at), "SG_MUL_VAL_ for signal '" + name +
                                         "', which has no 'm<value>' multiplex indicator");
        return;
      }
      s->multiplexor = multiplexor;
      s->mux_ranges = std::move(ranges);
    }
  }

  // ---- after the last statement -------------------------------------------------------

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
        const diag::Location where{file_, s.line, 0};
        if (s.multiplexor.empty()) {
          std::vector<const Signal*> plain;
          for (const Signal* candidate : multiplexors) {
            if (candidate->mux_role == MuxRole::multiplexor) plain.push_back(candidate);
          }
          if (plain.size() != 1) {
            diagnostics_.error(
                where,
                "multiplexed signal '" + s.name + "' needs " +
                    (plain.empty() ? std::string("a multiplexor ('M') in")
                                   : std::string("an SG_MUL_VAL_ entry: several multiplexors in")) +
                    " message '" + m.name + "'");
            continue;
          }
          s.multiplexor = plain.front()->name;
        }
        const Signal* selector = m.find_signal(s.multiplexor);
        if (selector == nullptr || selector == &s ||
            (selector->mux_role != MuxRole::multiplexor &&
             selector->mux_role != MuxRole::multiplexed_multiplexor)) {
          diagnostics_.error(where, "signal '" + s.name + "' names '" + s.multiplexor +
                                        "' as multiplexor, which is not a multiplexor of '" +
                                        m.name + "'");
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
    std::string format;
    if (const std::string* s = std::get_if<std::string>(&value)) {
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
    return format.find("FD") != std::string::npos;
  }

  void apply_message_attribute(Message& m, const std::string& name, const AttributeValue& value,
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
          s.start_value = start;
      }
    }
    for (const PendingAttribute& a : attributes_) {
      const auto it = by_raw_id_.find(a.raw_message_id);
      if (it == by_raw_id_.end()) {
        if (a.raw_message_id != (extended_id_flag | 0x4000'0000U)) {
          diagnostics_.warning(a.where, "attribute '" + a.name + "' for undefined message id " +
                                            std::to_string(a.raw_message_id & ~extended_id_flag) +
                                            " ignored");
        }
        continue;
      }
      Message& m = database_.messages[it->second];
      if (a.signal.empty()) {
        apply_message_attribute(m, a.name, a.value, a.where);
        continue;
      }
      if (a.name != "GenSigStartValue") continue;
      Signal* s = nullptr;
      for (Signal& candidate : m.signals) {
        if (candidate.name == a.signal) s = &candidate;
      }
      double start = 0;
      if (s == nullptr) {
        diagnostics_.warning(a.where, "attribute for undefined signal '" + a.signal + "' ignored");
      } else if (!as_number(a.value, start)) {
        diagnostics_.error(a.where, "GenSigStartValue must be a number");
      } else {
        s->start_value = start;
      }
    }
  }

  // Two signals can be on the wire together unless they are selected by different values
  // of the same multiplexor.
  static bool can_coexist(const Signal& a, const Signal& b) {
    if (a.multiplexor.empty() || b.multiplexor.empty() || a.multiplexor != b.multiplexor) {
      return true;
    }
    for (const MuxRange& ra : a.mux_ranges) {
      for (const MuxRange& rb : b.mux_ranges) {
        if (ra.low <= rb.high && rb.low <= ra.high) return true;
      }
    }
    return false;
  }

  void check_semantics() {
    for (const Message& m : database_.messages) {
      std::vector<detail::BitLayout> layouts;
      layouts.reserve(m.signals.size());
      for (const Signal& s : m.signals) {
        layouts.push_back(detail::layout_of(s));
        const detail::BitLayout& layout = layouts.back();
        if (!layout.fits || layout.end_position > 8U * m.size) {
          diagnostics_.error({file_, s.line, 0},
                             "signal '" + s.name + "' (start bit " + std::to_string(s.start_bit) +
                                 ", " + std::to_string(s.length) + " bits) lies outside its " +
                                 std::to_string(m.size) + "-byte message '" + m.name + "'");
        }
      }
      for (std::size_t i = 0; i < m.signals.size(); ++i) {
        for (std::size_t j = i + 1; j < m.signals.size(); ++j) {
          if ((layouts[i].bits & layouts[j].bits).any() &&
              can_coexist(m.signals[i], m.signals[j])) {
            diagnostics_.warning({file_, m.signals[j].line, 0},
                                 "signal '" + m.signals[j].name + "' overlaps signal '" +
                                     m.signals[i].name + "' in message '" + m.name + "'");
          }
        }
      }
    }
  }

  Lexer lexer_;
  std::string file_;
  Token current_;
  std::uint32_t previous_line_ = 1;
  std::uint32_t previous_end_column_ = 0;
  diag::Diagnostics diagnostics_;
  Database database_;
  Message* current_message_ = nullptr;  // valid until the next push_back into messages
  bool skipping_signals_ = false;
  std::unordered_map<std::uint32_t, std::size_t> by_raw_id_;  // DBC id (bit 31 = extended)
  std::map<std::string, AttributeDefinition, std::less<>> attribute_definitions_;
  std::map<std::string, AttributeValue, std::less<>> attribute_defaults_;
  std::vector<PendingAttribute> attributes_;
};

}  // namespace

ParseResult parse(std::string_view text, std::string file) {
  return Parser(text, std::move(file)).run();
}

ParseResult parse_file(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) {
    ParseResult result;
    result.diagnostics.error({path.string(), 0, 0}, "cannot open DBC file");
    return result;
  }
  std::ostringstream content;
  content << stream.rdbuf();
  if (stream.bad()) {
    ParseResult result;
    result.diagnostics.error({path.string(), 0, 0}, "read error");
    return result;
  }
  return parse(content.str(), path.string());
}

}  // namespace cabind::dbc
