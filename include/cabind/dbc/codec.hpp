#pragma once
// Codec: a Database compiled for the data plane. Every signal's byte range, shifts,
// mask, sign extension and scaling are computed once at load time, so decoding a signal
// is a few shifts over at most nine bytes.
//
// Hot-path contract: every member taking a payload is noexcept, never allocates and never
// reads or writes outside the span it is given. A payload shorter than the message's DBC
// size is accepted: signals that lie (partly) beyond it report `payload_too_short`.
//
// Names are resolved once, at load time, into compact SignalRef indices:
//   const Codec codec(std::move(database));
//   const SignalRef speed = codec.find_signal("BodyInfo", "VehicleSpeed").value();
//   ... per frame:
//   if (const auto m = codec.find_message(frame.id(), frame.extended())) { ... }
//   const Decoded d = codec.decode(speed, frame.data());
//   if (d.status == SignalStatus::ok) use(d.physical);
//
// Thread safety: a Codec is immutable after construction; concurrent use is safe.
// References and string_views it returns live as long as the Codec.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "cabind/dbc/database.hpp"

namespace cabind::dbc {

// A signal addressed by position: messages in Database order, signals in Message order.
struct SignalRef {
  std::uint16_t message = 0;
  std::uint16_t signal = 0;
  friend bool operator==(SignalRef, SignalRef) = default;
};

enum class SignalStatus : std::uint8_t {
  ok,
  payload_too_short,  // the signal (or its multiplexor) lies beyond the bytes given
  mux_inactive,       // a multiplexed signal whose multiplexor selects another signal
};

struct Decoded {
  SignalStatus status = SignalStatus::payload_too_short;
  // The signal's bits as on the wire, zero-extended (a float's IEEE bits; a signed value is
  // NOT sign-extended here, see `Codec::raw_integer`).
  std::uint64_t raw = 0;
  double physical = 0.0;  // raw * factor + offset, integers sign-extended first

  [[nodiscard]] bool ok() const noexcept { return status == SignalStatus::ok; }
};

// What encode does with a physical value outside the signal's range. The range is the
// DBC [minimum|maximum] when given (not both 0), intersected with what the raw bits can hold.
enum class RangePolicy : std::uint8_t { reject, clamp };

enum class EncodeStatus : std::uint8_t {
  ok,
  clamped,            // out of range, written as the nearest limit (RangePolicy::clamp)
  out_of_range,       // out of range, nothing written (RangePolicy::reject)
  not_finite,         // NaN or infinity, nothing written
  payload_too_short,  // the signal lies beyond the bytes given, nothing written
};

namespace detail {
// One signal, compiled. Bytes are walked from the byte holding the least significant bit:
// upwards for Intel, downwards for Motorola.
struct CompiledSignal {
  std::uint64_t mask = 0;       // `length` ones
  std::uint8_t first_byte = 0;  // byte holding the least significant bit
  std::int8_t step = 1;         // +1 Intel, -1 Motorola
  std::uint8_t byte_count = 1;  // bytes touched, 1..9
  std::uint8_t shift = 0;       // position of the lsb inside first_byte
  std::uint8_t length = 1;
  std::uint8_t needed_bytes = 1;  // payload size needed to hold every bit
  // Fast path: one 8-byte load at `window` (little-endian for Intel, big-endian for
  // Motorola) shifted right by window_shift, when the payload has window_min_size bytes.
  // Signals spanning nine bytes never take it (window_min_size = 0xFFFF).
  std::uint8_t window = 0;
  std::uint8_t window_shift = 0;
  std::uint16_t window_min_size = 0xFFFF;
  ValueType value_type = ValueType::unsigned_integer;
  std::uint16_t multiplexor = no_multiplexor;  // signal index in the message
  std::uint16_t mux_ranges_begin = 0;          // into the message's mux range pool
  std::uint16_t mux_ranges_end = 0;
  // The window fast path without a mask: raw = (word << left_shift) >> right_shift, with
  // left_shift = 64 - window_shift - length and right_shift = 64 - length.
  std::uint8_t left_shift = 0;
  std::uint8_t right_shift = 0;
  // Integer signals whose value converts as int64 (unsigned below 64 bits, signed of any
  // length): value = int64(raw << sign_shift) >> sign_shift, sign_shift = 64 - length when
  // signed, 0 when unsigned. False for 64-bit unsigned and IEEE floats.
  bool plain_integer = true;
  std::uint8_t sign_shift = 0;
  double factor = 1.0;
  double offset = 0.0;

  static constexpr std::uint16_t no_multiplexor = 0xFFFF;
};

// One signal's decode plan for the common frame (a message without multiplexing whose
// signals are integers of at most 57 bits, from a payload of its full size): one 8-byte
// load, a byte swap for Motorola, two shifts, sign extension, multiply-add. 24 bytes, a
// third of CompiledSignal, so that a message's plan is read in few cache lines.
struct DecodeStep {
  double factor = 1.0;
  double offset = 0.0;
  std::uint8_t window = 0;      // first byte of the load
  bool swap = false;            // reverse the loaded bytes (Motorola on a little-endian host)
  std::uint8_t left_shift = 0;  // raw = (word << left_shift) >> right_shift
  std::uint8_t right_shift = 0;
  std::uint8_t sign_shift = 0;  // 64 - length when signed, else 0
};

// What encode checks; kept apart from CompiledSignal so decoding touches less memory.
struct EncodeLimits {
  double raw_min = 0.0;  // on the raw scale (integers), inclusive
  double raw_max = 0.0;
  double physical_min = 0.0;
  double physical_max = 0.0;
  bool has_physical_range = false;
};

struct CompiledMessage {
  // Checked once per frame by the general decode_message path: a message without
  // multiplexed signals whose payload holds window_size bytes decodes every signal through
  // its 8-byte window.
  std::uint16_t window_size = 0;  // largest window_min_size of its signals
  bool multiplexed = false;       // some signal has a multiplexor
  std::vector<CompiledSignal> signals;
  std::vector<EncodeLimits> limits;  // per signal
  std::vector<MuxRange> mux_ranges;
};

// What the inline decode_message reads per frame, 16 bytes: one load from the message
// index. A message of at least one signal, all of the DecodeStep shape, has its steps at
// [first_step, first_step + signal_count) of the Codec's flat step array and runs them for
// a payload of at least min_payload bytes; any other message has min_payload = no_plan,
// which no span's size reaches (objects are at most PTRDIFF_MAX bytes).
struct MessagePlan {
  static constexpr std::uint64_t no_plan = ~std::uint64_t{0};
  std::uint64_t min_payload = no_plan;
  std::uint32_t first_step = 0;
  std::uint32_t signal_count = 0;
};

// Every step of a plan: same values as the general path for the signals that have the
// shape (plain integers in an 8-byte window). Caller guarantees count >= 1 (no test before
// the first step), that data holds every step's window and out holds count entries.
inline void run_plan(const DecodeStep* steps, const std::uint8_t* data, Decoded* out,
                     std::size_t count) noexcept {
  const DecodeStep* const end = steps + count;
  do {
    const DecodeStep& s = *steps;
    std::uint64_t word = 0;
    std::memcpy(&word, data + s.window, sizeof word);
    word = s.swap ? __builtin_bswap64(word) : word;
    const std::uint64_t raw = (word << s.left_shift) >> s.right_shift;
    const auto value =
        static_cast<double>(static_cast<std::int64_t>(raw << s.sign_shift) >> s.sign_shift);
    out->status = SignalStatus::ok;
    out->raw = raw;
    out->physical = value * s.factor + s.offset;
    ++out;
  } while (++steps != end);
}
}  // namespace detail

class Codec {
 public:
  // Compiles every message. Throws std::invalid_argument if the database is not one a
  // successful parse yields (a signal beyond 64 bytes, a bad length or multiplexor, more
  // than 65535 messages or signals in a message).
  explicit Codec(Database database);

  [[nodiscard]] const Database& database() const noexcept { return database_; }

  // ---- load time: resolve names and ids to indices ----
  [[nodiscard]] std::optional<SignalRef> find_signal(std::string_view message,
                                                     std::string_view signal) const noexcept;
  [[nodiscard]] std::optional<std::uint16_t> find_message(std::string_view name) const noexcept;

  // ---- data plane ----
  // The message index for a frame id: a direct table for standard ids (inline, one load),
  // binary search over a sorted flat table for extended ids (out of line).
  [[nodiscard]] std::optional<std::uint16_t> find_message(std::uint32_t id,
                                                          bool extended) const noexcept {
    // Both lookups yield a plain index (no_message when unknown) and the optional is made
    // once at the end: GCC otherwise merges two optionals through the stack, a store of two
    // halves and a wider reload that misses store forwarding on every frame.
    const std::uint16_t index = extended                 ? find_extended(id)
                                : id <= max_standard_id ? by_standard_id_[id]
                                                        : no_message;
    if (index == no_message) return std::nullopt;
    return index;
  }

  [[nodiscard]] Decoded decode(SignalRef ref, std::span<const std::uint8_t> payload) const noexcept;

  // Decodes every signal of a message into out[i] (signal i); out.size() must be at least
  // the message's signal count, extra entries are left alone. Returns the signals written.
  // The common frame (a message with a plan, a payload of its full size, room for every
  // signal) runs the plan inline; every other frame takes the general path out of line.
  std::size_t decode_message(std::uint16_t message, std::span<const std::uint8_t> payload,
                             std::span<Decoded> out) const noexcept {
    const detail::MessagePlan& plan = plans_[message];
    if (payload.size() >= plan.min_payload && out.size() >= plan.signal_count) [[likely]] {
      detail::run_plan(steps_.data() + plan.first_step, payload.data(), out.data(),
                       plan.signal_count);
      return plan.signal_count;
    }
    return decode_message_general(message, payload, out);
  }

  // Writes the signal's bits for `physical` into payload, every other bit untouched.
  // Integer signals round to the nearest raw value (halves away from zero).
  EncodeStatus encode(SignalRef ref, double physical, std::span<std::uint8_t> payload,
                      RangePolicy policy) const noexcept;

  // Writes a raw value (masked to the signal's length) into payload.
  EncodeStatus encode_raw(SignalRef ref, std::uint64_t raw,
                          std::span<std::uint8_t> payload) const noexcept;

  // The raw value as the integer the DBC's VAL_ tables use (sign-extended when signed).
  [[nodiscard]] std::int64_t raw_integer(SignalRef ref, std::uint64_t raw) const noexcept;

  // The VAL_ description of a raw value ("P" for Gear 0), empty when there is none.
  [[nodiscard]] std::string_view value_name(SignalRef ref, std::uint64_t raw) const noexcept;

  [[nodiscard]] std::size_t message_count() const noexcept { return compiled_.size(); }
  [[nodiscard]] std::size_t signal_count(std::uint16_t message) const noexcept {
    return compiled_[message].signals.size();
  }
  [[nodiscard]] const Message& message(std::uint16_t index) const noexcept {
    return database_.messages[index];
  }
  [[nodiscard]] const Signal& signal(SignalRef ref) const noexcept {
    return database_.messages[ref.message].signals[ref.signal];
  }

 private:
  struct IdEntry {
    std::uint32_t key = 0;  // id | extended flag in bit 31
    std::uint16_t message = 0;
  };

  // The message index of an extended id, no_message when unknown.
  [[nodiscard]] std::uint16_t find_extended(std::uint32_t id) const noexcept;
  std::size_t decode_message_general(std::uint16_t message, std::span<const std::uint8_t> payload,
                                     std::span<Decoded> out) const noexcept;

  static constexpr std::uint32_t max_standard_id = 0x7FF;
  static constexpr std::uint16_t no_message = 0xFFFF;

  Database database_;
  std::vector<detail::CompiledMessage> compiled_;
  std::vector<detail::MessagePlan> plans_;  // per message
  std::vector<detail::DecodeStep> steps_;   // every plan's steps, message after message
  std::vector<IdEntry> by_id_;              // sorted by key
  // In the object rather than behind a pointer: the id lookup is one load from `this`.
  std::array<std::uint16_t, max_standard_id + 1> by_standard_id_{};  // no_message if unknown
};

[[nodiscard]] const char* to_string(SignalStatus status) noexcept;
[[nodiscard]] const char* to_string(EncodeStatus status) noexcept;

}  // namespace cabind::dbc
