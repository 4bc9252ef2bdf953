#pragma once
// The shape of the daemon's command arguments, checked before any lookup: the part of a
// request a peer controls. Each throws RequestError with the reply's message.
//   {"command":"identify","kind":"fob","code":42}  → {kind "fob", code 42}
//   {"command":"identify","kind":"fob","code":-1}  → identify: "code" must be a non-negative number
//   {"command":"set","profile":"alice","output":"Cabin.Temp","value":21.5}
//   {"command":"profiles","id":"alice"}            → "alice";  {"command":"profiles"} → nullopt
// What the names mean (a known kind, profile or output) is the daemon's to check.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace cabind::control {

struct IdentifyArguments {
  std::string kind;
  std::uint64_t code = 0;
};

struct SetArguments {
  std::string profile;
  std::string output;
  double value = 0;
};

[[nodiscard]] IdentifyArguments identify_arguments(const nlohmann::json& request);
[[nodiscard]] SetArguments set_arguments(const nlohmann::json& request);
[[nodiscard]] std::optional<std::string> profiles_arguments(const nlohmann::json& request);

}  // namespace cabind::control
