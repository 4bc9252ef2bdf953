#pragma once
// The DBC data model: what a parsed DBC file says, as plain values.
// Immutable after parsing; the Codec (codec.hpp) compiles it for decoding.
//
// Compact: names, units and comments are std::string_views, and lists (receivers, value
// tables, multiplexing ranges) spans, into storage that the Database owns (the DBC text
// itself, moved in by the parser, and an arena for strings with escapes and for the lists).
// Lifetimes: every view, span, Signal or Message reference taken from a Database is valid
// while that Database or any copy of it lives. Copies share the storage (immutable, held
// by a std::shared_ptr), so copying a Database does not copy its strings, and moving one
// leaves every view valid. A Database built by hand (tests) may point its views at string
// literals instead; then storage is empty.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cabind::dbc {

namespace detail {
struct DatabaseStorage;  // src/dbc/storage.hpp: the text and the arena
}  // namespace detail

enum class ByteOrder : std::uint8_t {
  little_endian,  // "@1", Intel
  big_endian,     // "@0", Motorola
};

enum class ValueType : std::uint8_t { unsigned_integer, signed_integer, float32, float64 };

// Role of a signal in a multiplexed message.
enum class MuxRole : std::uint8_t {
  none,                    // always present
  multiplexor,             // "M": selects which multiplexed signals are present
  multiplexed,             // "m7": present when its multiplexor has one of mux_ranges
  multiplexed_multiplexor  // "m7M": extended multiplexing, both of the above
};

struct MuxRange {
  std::uint64_t low = 0;
  std::uint64_t high = 0;
};

struct ValueDescription {
  std::int64_t raw = 0;
  std::string_view name;
};

// Names in a list as the DBC wrote them on one line, separated by ',' or blanks
// ("HVAC,Cluster", "HVAC Cluster"): a view of the text, split only when asked.
class NameList {
 public:
  NameList() = default;
  explicit NameList(std::string_view text) noexcept : text_(text) {}

  [[nodiscard]] bool empty() const noexcept { return text_.empty(); }
  [[nodiscard]] std::string_view text() const noexcept { return text_; }
  // "HVAC,Cluster" -> {"HVAC", "Cluster"}; the views point where text() does.
  [[nodiscard]] std::vector<std::string_view> names() const;

 private:
  std::string_view text_;
};

// What few signals have (a comment, a VAL_ table, a GenSigStartValue, an overlap): kept
// out of Signal so that the others pay one pointer for all four.
struct SignalNotes {
  std::string_view comment;
  std::span<const ValueDescription> values;  // VAL_ table, in file order
  std::optional<double> start_value;         // GenSigStartValue, raw
  std::string_view overlaps;                 // see Signal::overlaps()
};

struct Signal {
  std::string_view name;
  std::uint16_t start_bit = 0;  // as written in the DBC
  std::uint16_t length = 1;     // bits, 1..64
  ByteOrder byte_order = ByteOrder::little_endian;
  ValueType value_type = ValueType::unsigned_integer;
  MuxRole mux_role = MuxRole::none;
  // Some bit lies past the end of its message (tolerated with a warning): the signal never
  // decodes from a frame of the message's size, so a configuration must not bind it.
  bool outside_message = false;
  double factor = 1.0;
  double offset = 0.0;
  double minimum = 0.0;  // physical; minimum == maximum == 0 means "not given"
  double maximum = 0.0;
  std::string_view unit;
  NameList receivers;
  // For multiplexed signals: the multiplexor that selects them (its name) and the
  // values that select them (one range [v, v] for "mNN", several from SG_MUL_VAL_).
  std::string_view multiplexor;
  std::span<const MuxRange> mux_ranges;
  std::uint32_t line = 0;  // where the SG_ keyword is, for diagnostics
  std::uint32_t column = 0;
  // nullptr when the signal has none of them (most signals).
  const SignalNotes* notes = nullptr;

  [[nodiscard]] bool is_signed() const noexcept { return value_type == ValueType::signed_integer; }
  [[nodiscard]] bool is_float() const noexcept {
    return value_type == ValueType::float32 || value_type == ValueType::float64;
  }
  [[nodiscard]] std::string_view comment() const noexcept {
    return notes != nullptr ? notes->comment : std::string_view{};
  }
  [[nodiscard]] std::span<const ValueDescription> values() const noexcept {
    return notes != nullptr ? notes->values : std::span<const ValueDescription>{};
  }
  [[nodiscard]] std::optional<double> start_value() const noexcept {
    return notes != nullptr ? notes->start_value : std::nullopt;
  }
  // A signal of the same message that shares bits with this one and can be on the wire
  // with it (the overlap warning); empty when none. A configuration must not bind,
  // command or check such a signal: its value is not its own.
  [[nodiscard]] std::string_view overlaps() const noexcept {
    return notes != nullptr ? notes->overlaps : std::string_view{};
  }
  // The value-table entry with this name, if any.
  [[nodiscard]] const ValueDescription* find_value(std::string_view value_name) const noexcept;
};

struct Message {
  std::uint32_t id = 0;  // without the extended flag
  bool extended = false;
  std::string_view name;
  std::uint8_t size = 0;  // bytes, 0..64
  std::string_view transmitter;
  std::vector<std::string> extra_transmitters;  // BO_TX_BU_
  std::vector<Signal> signals;
  std::optional<std::uint32_t> cycle_time_ms;  // GenMsgCycleTime, absent or 0 = event-driven
  bool fd = false;                             // VFrameFormat is one of the CAN FD formats
  std::string_view comment;
  std::uint32_t line = 0;  // where the BO_ keyword is
  std::uint32_t column = 0;

  [[nodiscard]] const Signal* find_signal(std::string_view signal_name) const noexcept;
};

struct SignalGroup {
  std::uint32_t message_id = 0;
  std::string name;
  std::vector<std::string> signals;
};

// A named value table (VAL_TABLE_), shared by reference in the DBC source.
struct ValueTable {
  std::string name;
  std::vector<ValueDescription> values;
};

struct Database {
  std::string file;  // where it was read from, for diagnostics
  std::string_view version;
  std::vector<std::string> nodes;  // few: node, group and table names are owned strings
  std::vector<Message> messages;
  std::vector<SignalGroup> signal_groups;
  std::vector<ValueTable> value_tables;
  std::string_view comment;
  // What the views above point into (see the top of this file); null for a hand-built one.
  std::shared_ptr<const detail::DatabaseStorage> storage;

  [[nodiscard]] const Message* find_message(std::string_view message_name) const noexcept;
  [[nodiscard]] const Message* find_message(std::uint32_t id, bool extended) const noexcept;
};

}  // namespace cabind::dbc
