#pragma once
// The candump log format, as written by `candump -l` and read by `canplayer`:
//
//   (1700000000.123456) vcan0 123#DEADBEEF        classic, standard id
//   (1700000000.123456) vcan0 12345678#01.02      extended id (8 hex digits); '.' separators
//   allowed (1700000000.123456) vcan0 123#R  / 123#R7     remote frame, optional length digit
//   (1700000000.123456) vcan0 123##1AABBCC        CAN FD, flags nibble (1 = BRS, 2 = ESI) then data
//   (1700000000.123456) vcan0 20000080#0000...    error frame (CAN_ERR_FLAG in the id)
//
// Trailing tokens after the frame (candump -x direction markers "T"/"R") and a classic
// frame's raw-DLC suffix ("_9") are accepted and ignored. Empty lines are skipped.
// Reading is control-plane work: it allocates and a malformed line throws LogError
// naming source:line.

#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "cabind/can/frame.hpp"

namespace cabind::can {

struct LogRecord {
  std::string interface;
  Frame frame;  // frame.time() holds the log's timestamp
};

class LogError : public std::runtime_error {
 public:
  LogError(const std::string& source, std::size_t line, const std::string& what);
  [[nodiscard]] std::size_t line() const noexcept { return line_; }

 private:
  std::size_t line_;
};

// How error messages quote what they read: at most this many characters of it, then
// "... (N bytes)", so a 100 MB line yields a short message. Bytes outside printable ASCII
// are shown as '?', so a log cannot put terminal escapes on the operator's screen.
//   "12G"                 -> '12G'
//   <"A" x 1000>          -> 'AAAA...A'... (1000 bytes)   (max_quoted_chars A's)
inline constexpr std::size_t max_quoted_chars = 40;
[[nodiscard]] std::string quote_excerpt(std::string_view text);

// "123#DEADBEEF" (cansend notation) -> Frame; nullopt with *why set when malformed.
[[nodiscard]] std::optional<Frame> parse_frame_text(std::string_view text, std::string* why);

// Frame -> "123#DEADBEEF", the notation candump -l writes.
[[nodiscard]] std::string format_frame_text(const Frame& frame);

// One whole log line; throws LogError(source, line_number, ...) when malformed. The
// timestamp's digits are checked: a sign, a non-digit or a value past what the engine's
// nanosecond time can hold (max 9223372035.999999 s) is an error, never 0 or a wrap.
[[nodiscard]] LogRecord parse_log_line(std::string_view line, const std::string& source,
                                       std::size_t line_number);

// "(1700000000.123456) vcan0 123#DEADBEEF"
[[nodiscard]] std::string format_log_line(const LogRecord& record);

// Reads records one by one from a stream.
class LogReader {
 public:
  LogReader(std::istream& in, std::string source_name);

  // The next record, or nullopt at the end. Throws LogError on a malformed line.
  [[nodiscard]] std::optional<LogRecord> next();
  [[nodiscard]] std::size_t line_number() const noexcept { return line_number_; }

 private:
  std::istream& in_;
  std::string source_;
  std::string line_;
  std::size_t line_number_ = 0;
};

// Writes records, one line each, flushing nothing by itself.
class LogWriter {
 public:
  explicit LogWriter(std::ostream& out) : out_(out) {}
  void write(const LogRecord& record);
  void write(std::string_view interface, const Frame& frame);

 private:
  std::ostream& out_;
};

}  // namespace cabind::can
