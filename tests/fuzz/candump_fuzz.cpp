// libFuzzer target: candump log text -> LogReader records; each record formatted again must
// read back as the same frame and time (a property, not only "no crash").
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "cabind/can/candump_log.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cabind::can;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  LogReader reader(in, "fuzz.log");
  try {
    while (const auto record = reader.next()) {
      const LogRecord again = parse_log_line(format_log_line(*record), "again", 1);
      if (!(again.frame == record->frame) || again.frame.time() != record->frame.time()) {
        std::abort();
      }
    }
  } catch (const LogError& error) {
    // The message quotes a bounded prefix, whatever the line's length.
    if (std::string(error.what()).size() > 512) std::abort();
  }
  return 0;
}
