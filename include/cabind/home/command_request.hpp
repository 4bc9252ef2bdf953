#pragma once
// A command from home, read from untrusted MQTT payload bytes at the edge, one rule per check:
//
//   {"id":"a1","output":"Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature","value":21}
//     -> CommandRequest{id "a1", output "...", value 21}
//   {"id":"a1","output":"X","value":true}  -> value 1 (on/off outputs)
//   larger than max_bytes                  -> error "oversized: ..."
//   not JSON, not an object, a missing or wrong-typed member, an unknown member, an id
//   that is not 1..64 printable ASCII characters -> error "malformed: ..."
//
// The error never echoes the payload; `id` is kept only when it passed its check, so a
// reply can name the request without reflecting junk.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace cabind::home {

struct CommandRequest {
  std::string id;
  std::string output;
  double value = 0.0;
};

struct ParsedCommand {
  std::optional<CommandRequest> request;  // set when the payload is a valid command
  std::optional<std::string> id;          // the request's id when it could be read
  std::string error;                      // why not, when request is empty
  bool oversized = false;
};

inline constexpr std::size_t kMaxCommandIdLength = 64;

[[nodiscard]] ParsedCommand parse_command(std::string_view payload, std::size_t max_bytes);

}  // namespace cabind::home
