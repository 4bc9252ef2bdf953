#include "cabind/can/candump_log.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <istream>
#include <ostream>

namespace cabind::can {
namespace {

constexpr std::uint32_t err_flag = 0x2000'0000;  // CAN_ERR_FLAG as candump prints it

// The latest second a log may stamp: SECONDS.999999 must still fit the engine's nanosecond
// Timestamp (the year 2262); a later one would overflow it.
constexpr std::int64_t max_log_seconds = (Timestamp::max().count() - 999'999'000) / 1'000'000'000;

enum class Decimal : std::uint8_t { ok, not_digits, out_of_range };

// Only the digits 0-9 (no sign, no space), and a value of at most `max`.
Decimal parse_decimal(std::string_view digits, std::int64_t max, std::int64_t& value) {
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos)
    return Decimal::not_digits;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc::result_out_of_range || value > max) return Decimal::out_of_range;
  return end == digits.data() + digits.size() ? Decimal::ok : Decimal::not_digits;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool parse_hex_id(std::string_view digits, std::uint32_t& id) {
  if (digits.empty() || digits.size() > 8) return false;
  id = 0;
  for (const char c : digits) {
    const int v = hex_value(c);
    if (v < 0) return false;
    id = (id << 4U) | static_cast<std::uint32_t>(v);
  }
  return true;
}

// Hex byte pairs with optional '.' between bytes; a trailing "_X" raw DLC is ignored.
bool parse_payload(std::string_view text, std::array<std::uint8_t, max_fd_size>& out,
                   std::size_t& len, std::string* why) {
  if (const auto underscore = text.find('_'); underscore != std::string_view::npos) {
    const auto dlc = text.substr(underscore + 1);
    if (dlc.size() != 1 || hex_value(dlc[0]) < 0) {
      if (why != nullptr) *why = "bad raw DLC suffix " + quote_excerpt(text.substr(underscore));
      return false;
    }
    text = text.substr(0, underscore);
  }
  len = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '.') {
      ++i;
      continue;
    }
    if (i + 1 >= text.size() || hex_value(text[i]) < 0 || hex_value(text[i + 1]) < 0) {
      if (why != nullptr)
        *why = "payload is not hex byte pairs at " + quote_excerpt(text.substr(i));
      return false;
    }
    if (len == max_fd_size) {
      if (why != nullptr) *why = "payload longer than 64 bytes";
      return false;
    }
    out[len++] = static_cast<std::uint8_t>(hex_value(text[i]) * 16 + hex_value(text[i + 1]));
    i += 2;
  }
  return true;
}

constexpr char hex_digits[] = "0123456789ABCDEF";

}  // namespace

std::string quote_excerpt(std::string_view text) {
  std::string quoted = "'";
  for (const char c : text.substr(0, max_quoted_chars))
    quoted += (c >= ' ' && c <= '~') ? c : '?';
  quoted += '\'';
  if (text.size() > max_quoted_chars) quoted += "... (" + std::to_string(text.size()) + " bytes)";
  return quoted;
}

LogError::LogError(const std::string& source, std::size_t line, const std::string& what)
    : std::runtime_error(source + ":" + std::to_string(line) + ": " + what), line_(line) {}

std::optional<Frame> parse_frame_text(std::string_view text, std::string* why) {
  const auto hash = text.find('#');
  if (hash == std::string_view::npos) {
    if (why != nullptr) *why = "expected ID#DATA, found no '#'";
    return std::nullopt;
  }
  const auto id_text = text.substr(0, hash);
  std::uint32_t id = 0;
  if (!parse_hex_id(id_text, id) || (id_text.size() != 3 && id_text.size() != 8)) {
    if (why != nullptr) {
      *why = "bad CAN id " + quote_excerpt(id_text) +
             " (expected 3 hex digits for standard, 8 for extended ids)";
    }
    return std::nullopt;
  }
  FrameFields fields;
  fields.extended = id_text.size() == 8;
  if (fields.extended && (id & err_flag) != 0) {
    fields.kind = Kind::error;
    fields.extended = false;
    id &= ~err_flag;
  }
  fields.id = id;

  std::string_view rest = text.substr(hash + 1);
  std::array<std::uint8_t, max_fd_size> bytes{};
  std::size_t len = 0;
  if (!rest.empty() && rest.front() == '#') {  // CAN FD: "##<flags><data>"
    rest.remove_prefix(1);
    if (rest.empty() || hex_value(rest.front()) < 0) {
      if (why != nullptr) *why = "CAN FD frame without its flags digit after '##'";
      return std::nullopt;
    }
    fields.format = Format::fd;
    // Keep BRS and ESI; FDF (4) is implied by the format.
    fields.fd_flags =
        static_cast<std::uint8_t>(hex_value(rest.front()) & (fd_bit_rate_switch | fd_error_state));
    rest.remove_prefix(1);
  } else if (!rest.empty() && (rest.front() == 'R' || rest.front() == 'r')) {
    rest.remove_prefix(1);
    fields.kind = Kind::remote;
    if (!rest.empty()) {
      const int v = hex_value(rest.front());
      if (v < 0 || v > 8 || (rest.size() > 1 && rest[1] != '_')) {
        if (why != nullptr) *why = "bad remote frame length " + quote_excerpt(rest);
        return std::nullopt;
      }
      fields.len = static_cast<std::uint8_t>(v);
    }
    FrameError error = FrameError::none;
    auto frame = Frame::make(fields, &error);
    if (!frame && why != nullptr) *why = std::string(to_string(error));
    return frame;
  }
  if (!parse_payload(rest, bytes, len, why)) return std::nullopt;
  fields.len = static_cast<std::uint8_t>(len);
  fields.data = std::span<const std::uint8_t>(bytes.data(), len);
  FrameError error = FrameError::none;
  auto frame = Frame::make(fields, &error);
  if (!frame && why != nullptr) *why = std::string(to_string(error));
  return frame;
}

std::string format_frame_text(const Frame& frame) {
  std::string text;
  text.reserve(16 + 2 * frame.size());
  std::uint32_t id = frame.id();
  int digits = frame.extended() ? 8 : 3;
  if (frame.is_error()) {
    id |= err_flag;
    digits = 8;
  }
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    text += hex_digits[(id >> static_cast<unsigned>(shift)) & 0xFU];
  }
  text += '#';
  if (frame.is_fd()) {
    text += '#';
    text += hex_digits[frame.fd_flags() & 0xFU];
  } else if (frame.is_remote()) {
    text += 'R';
    if (frame.size() > 0) text += hex_digits[frame.size() & 0xFU];
    return text;
  }
  for (const std::uint8_t byte : frame.data()) {
    text += hex_digits[byte >> 4U];
    text += hex_digits[byte & 0xFU];
  }
  return text;
}

LogRecord parse_log_line(std::string_view line, const std::string& source,
                         std::size_t line_number) {
  auto fail = [&](const std::string& what) { throw LogError(source, line_number, what); };
  auto skip_spaces = [&line] {
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
      line.remove_prefix(1);
  };
  skip_spaces();
  if (line.empty() || line.front() != '(') fail("expected '(' starting the timestamp");
  const auto close = line.find(')');
  if (close == std::string_view::npos) fail("expected ')' closing the timestamp");
  const auto stamp = line.substr(1, close - 1);
  const auto not_a_stamp = [&] {
    fail("timestamp " + quote_excerpt(stamp) + " is not SECONDS.MICROSECONDS (6 digits)");
  };
  const auto dot = stamp.find('.');
  if (dot == std::string_view::npos || stamp.size() - dot - 1 != 6) not_a_stamp();
  std::int64_t seconds = 0;
  std::int64_t micros = 0;
  switch (parse_decimal(stamp.substr(0, dot), max_log_seconds, seconds)) {
    case Decimal::ok:
      break;
    case Decimal::not_digits:
      not_a_stamp();
      break;
    case Decimal::out_of_range:
      fail("timestamp " + quote_excerpt(stamp) + " is out of range (at most " +
           std::to_string(max_log_seconds) + ".999999)");
  }
  if (parse_decimal(stamp.substr(dot + 1), 999'999, micros) != Decimal::ok) not_a_stamp();
  line.remove_prefix(close + 1);
  skip_spaces();
  const auto iface_end = line.find_first_of(" \t");
  if (line.empty() || iface_end == std::string_view::npos)
    fail("expected 'INTERFACE ID#DATA' after the timestamp");
  LogRecord record;
  record.interface = std::string(line.substr(0, iface_end));
  line.remove_prefix(iface_end);
  skip_spaces();
  const auto frame_end = line.find_first_of(" \t\r");
  const auto frame_text = line.substr(0, frame_end);
  if (frame_text.empty()) fail("expected ID#DATA after the interface name");
  std::string why;
  auto frame = parse_frame_text(frame_text, &why);
  if (!frame) fail("frame " + quote_excerpt(frame_text) + ": " + why);
  frame->set_time(std::chrono::seconds(seconds) + std::chrono::microseconds(micros));
  record.frame = *frame;
  return record;
}

std::string format_log_line(const LogRecord& record) {
  const auto total_us =
      std::chrono::duration_cast<std::chrono::microseconds>(record.frame.time()).count();
  std::array<char, 40> stamp{};
  std::snprintf(stamp.data(), stamp.size(), "(%010lld.%06lld) ",
                static_cast<long long>(total_us / 1'000'000),
                static_cast<long long>(total_us % 1'000'000));
  std::string line(stamp.data());
  line += record.interface;
  line += ' ';
  line += format_frame_text(record.frame);
  return line;
}

LogReader::LogReader(std::istream& in, std::string source_name)
    : in_(in), source_(std::move(source_name)) {}

std::optional<LogRecord> LogReader::next() {
  while (std::getline(in_, line_)) {
    ++line_number_;
    std::string_view view(line_);
    while (!view.empty() && (view.back() == '\r' || view.back() == ' '))
      view.remove_suffix(1);
    if (view.find_first_not_of(" \t") == std::string_view::npos) continue;
    return parse_log_line(view, source_, line_number_);
  }
  return std::nullopt;
}

void LogWriter::write(const LogRecord& record) {
  out_ << format_log_line(record) << '\n';
}

void LogWriter::write(std::string_view interface, const Frame& frame) {
  write(LogRecord{std::string(interface), frame});
}

}  // namespace cabind::can
