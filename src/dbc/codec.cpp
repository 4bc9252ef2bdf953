#include "cabind/dbc/codec.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "layout.hpp"

namespace cabind::dbc {
namespace {

using detail::CompiledMessage;
using detail::CompiledSignal;

constexpr std::uint32_t extended_key_flag = 0x8000'0000U;

std::uint32_t id_key(std::uint32_t id, bool extended) noexcept {
  return extended ? (id | extended_key_flag) : id;
}

std::uint64_t load_window(const CompiledSignal& s, const std::uint8_t* data) noexcept {
  std::uint64_t word = 0;
  std::memcpy(&word, data + s.window, sizeof word);
  if constexpr (std::endian::native == std::endian::little) {
    if (s.step < 0) word = __builtin_bswap64(word);
  } else {
    if (s.step > 0) word = __builtin_bswap64(word);
  }
  return (word >> s.window_shift) & s.mask;
}

// Caller guarantees payload.size() >= s.needed_bytes.
std::uint64_t extract_bytewise(const CompiledSignal& s, const std::uint8_t* data) noexcept {
  std::size_t byte = s.first_byte;
  std::uint64_t bits = static_cast<std::uint64_t>(data[byte] >> s.shift);
  for (unsigned i = 1; i < s.byte_count; ++i) {
    byte = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(byte) + s.step);
    bits |= static_cast<std::uint64_t>(data[byte]) << (8U * i - s.shift);
  }
  return bits & s.mask;
}

// Caller guarantees size >= s.needed_bytes.
std::uint64_t extract(const CompiledSignal& s, const std::uint8_t* data,
                      std::size_t size) noexcept {
  return size >= s.window_min_size ? load_window(s, data) : extract_bytewise(s, data);
}

// Caller guarantees payload.size() >= s.needed_bytes.
void insert(const CompiledSignal& s, std::uint8_t* data, std::uint64_t raw) noexcept {
  raw &= s.mask;
  std::size_t byte = s.first_byte;
  auto keep = static_cast<std::uint8_t>(~(s.mask << s.shift));
  data[byte] = static_cast<std::uint8_t>((data[byte] & keep) | ((raw << s.shift) & ~keep & 0xFFU));
  for (unsigned i = 1; i < s.byte_count; ++i) {
    byte = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(byte) + s.step);
    const unsigned pos = 8U * i - s.shift;
    keep = static_cast<std::uint8_t>(~(s.mask >> pos));
    data[byte] = static_cast<std::uint8_t>((data[byte] & keep) | ((raw >> pos) & ~keep & 0xFFU));
  }
}

std::int64_t sign_extend(std::uint64_t raw, unsigned length) noexcept {
  const unsigned unused = 64U - length;
  return static_cast<std::int64_t>(raw << unused) >> unused;
}

double raw_value(const CompiledSignal& s, std::uint64_t raw) noexcept {
  switch (s.value_type) {
    case ValueType::signed_integer:
      return static_cast<double>(sign_extend(raw, s.length));
    case ValueType::float32:
      return static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(raw)));
    case ValueType::float64:
      return std::bit_cast<double>(raw);
    case ValueType::unsigned_integer:
      break;
  }
  // Below 64 bits the value fits an int64_t, whose conversion is one instruction on x86-64;
  // uint64_t's needs a branch and a fix-up.
  return s.length < 64 ? static_cast<double>(static_cast<std::int64_t>(raw))
                       : static_cast<double>(raw);
}

// The largest integer-valued double not above 2^bits - 1 (exact up to 53 bits).
double max_of_bits(unsigned bits) noexcept {
  const double power = std::ldexp(1.0, static_cast<int>(bits));
  return bits < 53 ? power - 1.0 : std::nextafter(power, 0.0);
}

// x when it is within rounding noise of an integer, else `fallback(x)`: keeps (87.5+40)/0.5
// at 255 and 0.3/0.1 at 3 rather than 2.9999999999999996.
template <typename Round>
double snap(double x, Round fallback) noexcept {
  const double nearest = std::round(x);
  return std::fabs(x - nearest) <= 1e-9 * std::max(1.0, std::fabs(x)) ? nearest : fallback(x);
}

CompiledSignal compile_signal(const Message& message, const Signal& signal,
                              detail::EncodeLimits& limits) {
  const auto where = [&] {
    return "signal '" + std::string(signal.name) + "' of '" + std::string(message.name) + "': ";
  };
  if (signal.length < 1 || signal.length > 64) {
    throw std::invalid_argument(where() + "length must be 1 to 64 bits");
  }
  if ((signal.value_type == ValueType::float32 && signal.length != 32) ||
      (signal.value_type == ValueType::float64 && signal.length != 64)) {
    throw std::invalid_argument(where() + "IEEE float length mismatch");
  }
  if (!(signal.factor != 0.0) || !std::isfinite(signal.factor) || !std::isfinite(signal.offset)) {
    throw std::invalid_argument(where() + "factor must be finite and non-zero");
  }
  const detail::BitLayout layout = detail::layout_of(signal);
  if (!layout.fits) throw std::invalid_argument(where() + "lies beyond a 64-byte frame");

  CompiledSignal s;
  s.length = static_cast<std::uint8_t>(signal.length);
  s.mask = signal.length == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << signal.length) - 1U;
  s.first_byte = static_cast<std::uint8_t>(layout.lsb_position / 8U);
  s.shift = static_cast<std::uint8_t>(layout.lsb_position % 8U);
  s.step = signal.byte_order == ByteOrder::little_endian ? 1 : -1;
  s.byte_count = static_cast<std::uint8_t>((s.shift + signal.length + 7U) / 8U);
  s.needed_bytes = static_cast<std::uint8_t>((layout.end_position + 7U) / 8U);
  if (s.byte_count <= 8) {
    // The 8-byte window that holds every byte of the signal and starts as late as possible.
    if (s.step > 0) {
      const unsigned last = s.first_byte + s.byte_count - 1U;
      s.window = static_cast<std::uint8_t>(last >= 7 ? last - 7 : 0);
      s.window_shift = static_cast<std::uint8_t>(8U * (s.first_byte - s.window) + s.shift);
    } else {
      s.window = static_cast<std::uint8_t>(s.first_byte >= 7 ? s.first_byte - 7 : 0);
      s.window_shift = static_cast<std::uint8_t>(8U * (s.window + 7U - s.first_byte) + s.shift);
    }
    s.window_min_size = static_cast<std::uint16_t>(s.window + 8U);
    s.left_shift = static_cast<std::uint8_t>(64U - s.window_shift - signal.length);
    s.right_shift = static_cast<std::uint8_t>(64U - signal.length);
  }
  s.value_type = signal.value_type;
  s.plain_integer = signal.value_type == ValueType::signed_integer ||
                    (signal.value_type == ValueType::unsigned_integer && signal.length < 64);
  s.sign_shift = signal.value_type == ValueType::signed_integer
                     ? static_cast<std::uint8_t>(64U - signal.length)
                     : std::uint8_t{0};
  s.factor = signal.factor;
  s.offset = signal.offset;

  switch (signal.value_type) {
    case ValueType::unsigned_integer:
      limits.raw_min = 0.0;
      limits.raw_max = max_of_bits(signal.length);
      break;
    case ValueType::signed_integer:
      limits.raw_min = -std::ldexp(1.0, signal.length - 1);
      limits.raw_max = max_of_bits(signal.length - 1U);
      break;
    case ValueType::float32:
      limits.raw_min = -static_cast<double>(std::numeric_limits<float>::max());
      limits.raw_max = static_cast<double>(std::numeric_limits<float>::max());
      break;
    case ValueType::float64:
      limits.raw_min = std::numeric_limits<double>::lowest();
      limits.raw_max = std::numeric_limits<double>::max();
      break;
  }
  limits.has_physical_range = !(signal.minimum == 0.0 && signal.maximum == 0.0);
  limits.physical_min = signal.minimum;
  limits.physical_max = signal.maximum;
  if (limits.has_physical_range && !signal.is_float()) {
    // Intersect with the DBC range, expressed on the raw scale.
    double low = (signal.minimum - signal.offset) / signal.factor;
    double high = (signal.maximum - signal.offset) / signal.factor;
    if (low > high) std::swap(low, high);
    limits.raw_min = std::max(limits.raw_min, snap(low, [](double x) { return std::ceil(x); }));
    limits.raw_max = std::min(limits.raw_max, snap(high, [](double x) { return std::floor(x); }));
  }
  return s;
}

// The message's decode plan (see detail::DecodeStep), its steps appended to `steps`; no plan
// (nothing appended) for a message without signals (the plan runs its first step untested)
// or when some signal does not have the shape: multiplexed, an IEEE float, a 64-bit
// unsigned integer, or nine bytes wide.
detail::MessagePlan message_plan(const CompiledMessage& m, std::vector<detail::DecodeStep>& steps) {
  const auto has_shape = [](const CompiledSignal& s) {
    return s.plain_integer && s.window_min_size != 0xFFFF;
  };
  if (m.signals.empty() || m.multiplexed ||
      !std::all_of(m.signals.begin(), m.signals.end(), has_shape)) {
    return {};
  }
  if (steps.size() + m.signals.size() > std::numeric_limits<std::uint32_t>::max()) return {};
  const detail::MessagePlan plan{.min_payload = m.window_size,
                                 .first_step = static_cast<std::uint32_t>(steps.size()),
                                 .signal_count = static_cast<std::uint32_t>(m.signals.size())};
  for (const CompiledSignal& s : m.signals) {
    const bool motorola = s.step < 0;
    steps.push_back({.factor = s.factor,
                     .offset = s.offset,
                     .window = s.window,
                     .swap = std::endian::native == std::endian::little ? motorola : !motorola,
                     .left_shift = s.left_shift,
                     .right_shift = s.right_shift,
                     .sign_shift = s.sign_shift});
  }
  return plan;
}

CompiledMessage compile_message(const Message& message) {
  if (message.signals.size() >= CompiledSignal::no_multiplexor) {
    throw std::invalid_argument("message '" + std::string(message.name) + "' has too many signals");
  }
  CompiledMessage compiled;
  compiled.signals.reserve(message.signals.size());
  for (const Signal& signal : message.signals) {
    detail::EncodeLimits limits;
    CompiledSignal s = compile_signal(message, signal, limits);
    if (!signal.multiplexor.empty()) {
      const auto it = std::find_if(message.signals.begin(), message.signals.end(),
                                   [&](const Signal& m) { return m.name == signal.multiplexor; });
      if (it == message.signals.end() || &*it == &signal) {
        throw std::invalid_argument("signal '" + std::string(signal.name) +
                                    "': unknown multiplexor '" + std::string(signal.multiplexor) +
                                    "'");
      }
      s.multiplexor = static_cast<std::uint16_t>(it - message.signals.begin());
      s.mux_ranges_begin = static_cast<std::uint16_t>(compiled.mux_ranges.size());
      compiled.mux_ranges.insert(compiled.mux_ranges.end(), signal.mux_ranges.begin(),
                                 signal.mux_ranges.end());
      s.mux_ranges_end = static_cast<std::uint16_t>(compiled.mux_ranges.size());
    }
    if (compiled.mux_ranges.size() > std::numeric_limits<std::uint16_t>::max()) {
      throw std::invalid_argument("message '" + std::string(message.name) +
                                  "': too many multiplex ranges");
    }
    compiled.multiplexed = compiled.multiplexed || s.multiplexor != CompiledSignal::no_multiplexor;
    compiled.window_size = std::max(compiled.window_size, s.window_min_size);
    compiled.signals.push_back(s);
    compiled.limits.push_back(limits);
  }
  // A chain of multiplexors must end: decode follows it without a depth limit.
  for (const CompiledSignal& start : compiled.signals) {
    const CompiledSignal* at = &start;
    for (std::size_t hops = 0; at->multiplexor != CompiledSignal::no_multiplexor; ++hops) {
      if (hops > compiled.signals.size()) {
        throw std::invalid_argument("message '" + std::string(message.name) +
                                    "': multiplexor cycle");
      }
      at = &compiled.signals[at->multiplexor];
    }
  }
  return compiled;
}

// ok when every multiplexor up the chain is present and selects the signal.
SignalStatus presence(const CompiledMessage& m, const CompiledSignal& s,
                      std::span<const std::uint8_t> payload) noexcept {
  const CompiledSignal* at = &s;
  while (at->multiplexor != CompiledSignal::no_multiplexor) {
    const CompiledSignal& selector = m.signals[at->multiplexor];
    if (payload.size() < selector.needed_bytes) return SignalStatus::payload_too_short;
    const std::uint64_t value = extract(selector, payload.data(), payload.size());
    bool selected = false;
    for (std::size_t r = at->mux_ranges_begin; r < at->mux_ranges_end; ++r) {
      selected = selected || (value >= m.mux_ranges[r].low && value <= m.mux_ranges[r].high);
    }
    if (!selected) return SignalStatus::mux_inactive;
    at = &selector;
  }
  return SignalStatus::ok;
}

// Inlined into both callers: decode_message's loop then writes each result in place.
[[gnu::always_inline]] inline void decode_into(const CompiledMessage& m, const CompiledSignal& s,
                                               std::span<const std::uint8_t> payload,
                                               Decoded& out) noexcept {
  if (payload.size() < s.needed_bytes) {
    out = Decoded{};  // status payload_too_short
    return;
  }
  if (s.multiplexor != CompiledSignal::no_multiplexor) {
    const SignalStatus status = presence(m, s, payload);
    if (status != SignalStatus::ok) {
      out = Decoded{status, 0, 0.0};
      return;
    }
  }
  out.status = SignalStatus::ok;
  out.raw = extract(s, payload.data(), payload.size());
  out.physical = raw_value(s, out.raw) * s.factor + s.offset;
}

// The fast path. Caller guarantees size >= s.window_min_size and that the signal has no
// multiplexor. Same values as decode_into: the shifts select the bits extract's mask keeps,
// and the sign shift sign-extends as raw_value does.
[[gnu::always_inline]] inline void decode_window(const CompiledSignal& s, const std::uint8_t* data,
                                                 Decoded& out) noexcept {
  std::uint64_t word = 0;
  std::memcpy(&word, data + s.window, sizeof word);
  if constexpr (std::endian::native == std::endian::little) {
    if (s.step < 0) word = __builtin_bswap64(word);
  } else {
    if (s.step > 0) word = __builtin_bswap64(word);
  }
  const std::uint64_t raw = (word << s.left_shift) >> s.right_shift;
  const double value =
      s.plain_integer
          ? static_cast<double>(static_cast<std::int64_t>(raw << s.sign_shift) >> s.sign_shift)
          : raw_value(s, raw);
  out.status = SignalStatus::ok;
  out.raw = raw;
  out.physical = value * s.factor + s.offset;
}

// The checked path, out of line so decode_message_general's window loop stays a leaf that
// needs few registers (no callee-saved spills on every frame).
[[gnu::noinline]] void decode_all_checked(const CompiledMessage& m,
                                          std::span<const std::uint8_t> payload, Decoded* out,
                                          std::size_t count) noexcept {
  for (std::size_t i = 0; i < count; ++i)
    decode_into(m, m.signals[i], payload, out[i]);
}

}  // namespace

Codec::Codec(Database database) : database_(std::move(database)) {
  if (database_.messages.size() >= no_message) {
    throw std::invalid_argument("too many messages");
  }
  by_standard_id_.fill(no_message);
  compiled_.reserve(database_.messages.size());
  plans_.reserve(database_.messages.size());
  by_id_.reserve(database_.messages.size());
  for (std::size_t i = 0; i < database_.messages.size(); ++i) {
    const Message& message = database_.messages[i];
    compiled_.push_back(compile_message(message));
    plans_.push_back(message_plan(compiled_.back(), steps_));
    by_id_.push_back({id_key(message.id, message.extended), static_cast<std::uint16_t>(i)});
    if (!message.extended && message.id <= max_standard_id) {
      by_standard_id_[message.id] = static_cast<std::uint16_t>(i);
    }
  }
  std::sort(by_id_.begin(), by_id_.end(),
            [](const IdEntry& a, const IdEntry& b) { return a.key < b.key; });
  const auto duplicate =
      std::adjacent_find(by_id_.begin(), by_id_.end(),
                         [](const IdEntry& a, const IdEntry& b) { return a.key == b.key; });
  if (duplicate != by_id_.end()) throw std::invalid_argument("duplicate message id");
}

std::optional<SignalRef> Codec::find_signal(std::string_view message,
                                            std::string_view signal) const noexcept {
  const std::optional<std::uint16_t> m = find_message(message);
  if (!m) return std::nullopt;
  const std::vector<Signal>& signals = database_.messages[*m].signals;
  for (std::size_t i = 0; i < signals.size(); ++i) {
    if (signals[i].name == signal) return SignalRef{*m, static_cast<std::uint16_t>(i)};
  }
  return std::nullopt;
}

std::optional<std::uint16_t> Codec::find_message(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < database_.messages.size(); ++i) {
    if (database_.messages[i].name == name) return static_cast<std::uint16_t>(i);
  }
  return std::nullopt;
}

std::uint16_t Codec::find_extended(std::uint32_t id) const noexcept {
  const std::uint32_t key = id_key(id, true);
  const auto it = std::lower_bound(by_id_.begin(), by_id_.end(), key,
                                   [](const IdEntry& e, std::uint32_t k) { return e.key < k; });
  return it == by_id_.end() || it->key != key ? no_message : it->message;
}

Decoded Codec::decode(SignalRef ref, std::span<const std::uint8_t> payload) const noexcept {
  const CompiledMessage& m = compiled_[ref.message];
  const CompiledSignal& s = m.signals[ref.signal];
  Decoded out;
  if (payload.size() >= s.window_min_size && s.multiplexor == CompiledSignal::no_multiplexor)
      [[likely]] {
    decode_window(s, payload.data(), out);
  } else {
    decode_into(m, s, payload, out);
  }
  return out;
}

// Every frame the inline plan does not take: a message without a plan, a payload shorter
// than the plan needs, or an output with room for fewer than all of the message's signals.
std::size_t Codec::decode_message_general(std::uint16_t message,
                                          std::span<const std::uint8_t> payload,
                                          std::span<Decoded> out) const noexcept {
  const CompiledMessage& m = compiled_[message];
  const std::size_t count = std::min(out.size(), m.signals.size());
  if (!m.multiplexed && payload.size() >= m.window_size) {
    for (std::size_t i = 0; i < count; ++i)
      decode_window(m.signals[i], payload.data(), out[i]);
  } else {
    decode_all_checked(m, payload, out.data(), count);
  }
  return count;
}

EncodeStatus Codec::encode(SignalRef ref, double physical, std::span<std::uint8_t> payload,
                           RangePolicy policy) const noexcept {
  const CompiledSignal& s = compiled_[ref.message].signals[ref.signal];
  const detail::EncodeLimits& l = compiled_[ref.message].limits[ref.signal];
  if (!std::isfinite(physical)) return EncodeStatus::not_finite;
  if (payload.size() < s.needed_bytes) return EncodeStatus::payload_too_short;
  EncodeStatus status = EncodeStatus::ok;

  if (s.value_type == ValueType::float32 || s.value_type == ValueType::float64) {
    if (l.has_physical_range && (physical < l.physical_min || physical > l.physical_max)) {
      if (policy == RangePolicy::reject) return EncodeStatus::out_of_range;
      physical = std::clamp(physical, l.physical_min, l.physical_max);
      status = EncodeStatus::clamped;
    }
    double value = (physical - s.offset) / s.factor;
    // Finite inputs and a finite non-zero factor: value may overflow to infinity, never NaN.
    if (!(value >= l.raw_min && value <= l.raw_max)) {
      if (policy == RangePolicy::reject) return EncodeStatus::out_of_range;
      value = std::clamp(value, l.raw_min, l.raw_max);
      status = EncodeStatus::clamped;
    }
    const std::uint64_t raw =
        s.value_type == ValueType::float32
            ? std::uint64_t{std::bit_cast<std::uint32_t>(static_cast<float>(value))}
            : std::bit_cast<std::uint64_t>(value);
    insert(s, payload.data(), raw);
    return status;
  }

  double raw = std::round((physical - s.offset) / s.factor);
  if (!(raw >= l.raw_min && raw <= l.raw_max)) {
    if (policy == RangePolicy::reject || std::isnan(raw)) return EncodeStatus::out_of_range;
    raw = std::clamp(raw, l.raw_min, l.raw_max);
    status = EncodeStatus::clamped;
  }
  const std::uint64_t bits = s.value_type == ValueType::signed_integer
                                 ? static_cast<std::uint64_t>(static_cast<std::int64_t>(raw))
                                 : static_cast<std::uint64_t>(raw);
  insert(s, payload.data(), bits);
  return status;
}

EncodeStatus Codec::encode_raw(SignalRef ref, std::uint64_t raw,
                               std::span<std::uint8_t> payload) const noexcept {
  const CompiledSignal& s = compiled_[ref.message].signals[ref.signal];
  if (payload.size() < s.needed_bytes) return EncodeStatus::payload_too_short;
  insert(s, payload.data(), raw);
  return EncodeStatus::ok;
}

std::int64_t Codec::raw_integer(SignalRef ref, std::uint64_t raw) const noexcept {
  const CompiledSignal& s = compiled_[ref.message].signals[ref.signal];
  return s.value_type == ValueType::signed_integer ? sign_extend(raw, s.length)
                                                   : static_cast<std::int64_t>(raw);
}

std::string_view Codec::value_name(SignalRef ref, std::uint64_t raw) const noexcept {
  const std::int64_t value = raw_integer(ref, raw);
  for (const ValueDescription& v : signal(ref).values()) {
    if (v.raw == value) return v.name;
  }
  return {};
}

const char* to_string(SignalStatus status) noexcept {
  switch (status) {
    case SignalStatus::ok:
      return "ok";
    case SignalStatus::payload_too_short:
      return "payload too short";
    case SignalStatus::mux_inactive:
      return "multiplexed out";
  }
  return "unknown";
}

const char* to_string(EncodeStatus status) noexcept {
  switch (status) {
    case EncodeStatus::ok:
      return "ok";
    case EncodeStatus::clamped:
      return "clamped to range";
    case EncodeStatus::out_of_range:
      return "out of range";
    case EncodeStatus::not_finite:
      return "not a finite number";
    case EncodeStatus::payload_too_short:
      return "payload too short";
  }
  return "unknown";
}

}  // namespace cabind::dbc
