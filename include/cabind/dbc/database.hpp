#pragma once
// The DBC data model: what a parsed DBC file says, as plain values.
// Immutable after parsing; the Codec (codec.hpp) compiles it for decoding.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cabind::dbc {

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
  std::string name;
};

struct Signal {
  std::string name;
  std::uint16_t start_bit = 0;  // as written in the DBC
  std::uint16_t length = 1;     // bits, 1..64
  ByteOrder byte_order = ByteOrder::little_endian;
  ValueType value_type = ValueType::unsigned_integer;
  double factor = 1.0;
  double offset = 0.0;
  double minimum = 0.0;  // physical; minimum == maximum == 0 means "not given"
  double maximum = 0.0;
  std::string unit;
  std::vector<std::string> receivers;
  MuxRole mux_role = MuxRole::none;
  // For multiplexed signals: the multiplexor that selects them (its name) and the
  // values that select them (one range [v, v] for "mNN", several from SG_MUL_VAL_).
  std::string multiplexor;
  std::vector<MuxRange> mux_ranges;
  std::vector<ValueDescription> values;  // VAL_ table, in file order
  std::optional<double> start_value;     // GenSigStartValue, raw
  std::string comment;
  std::uint32_t line = 0;  // where the SG_ keyword is, for diagnostics
  std::uint32_t column = 0;
  // Some bit lies past the end of its message (tolerated with a warning): the signal never
  // decodes from a frame of the message's size, so a configuration must not bind it.
  bool outside_message = false;
  // A signal of the same message that shares bits with this one and can be on the wire
  // with it (the overlap warning); empty when none. A configuration must not bind,
  // command or check such a signal: its value is not its own.
  std::string overlaps;

  [[nodiscard]] bool is_signed() const noexcept { return value_type == ValueType::signed_integer; }
  [[nodiscard]] bool is_float() const noexcept {
    return value_type == ValueType::float32 || value_type == ValueType::float64;
  }
  // The value-table entry with this name, if any.
  [[nodiscard]] const ValueDescription* find_value(std::string_view value_name) const noexcept;
};

struct Message {
  std::uint32_t id = 0;  // without the extended flag
  bool extended = false;
  std::string name;
  std::uint8_t size = 0;  // bytes, 0..64
  std::string transmitter;
  std::vector<std::string> extra_transmitters;  // BO_TX_BU_
  std::vector<Signal> signals;
  std::optional<std::uint32_t> cycle_time_ms;  // GenMsgCycleTime, absent or 0 = event-driven
  bool fd = false;                             // VFrameFormat is one of the CAN FD formats
  std::string comment;
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
  std::string version;
  std::vector<std::string> nodes;
  std::vector<Message> messages;
  std::vector<SignalGroup> signal_groups;
  std::vector<ValueTable> value_tables;
  std::string comment;

  [[nodiscard]] const Message* find_message(std::string_view message_name) const noexcept;
  [[nodiscard]] const Message* find_message(std::uint32_t id, bool extended) const noexcept;
};

}  // namespace cabind::dbc
