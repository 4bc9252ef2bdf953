// libFuzzer target: the YAML parsers. The first byte picks vehicle.yaml, a profile or
// rules.yaml; the rest is the file. A refusal must come with at least one error.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cabind/config/profile_parser.hpp"
#include "cabind/config/rules_parser.hpp"
#include "cabind/config/vehicle_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cabind;
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  diag::Diagnostics diagnostics;
  bool ok = false;
  switch (data[0] % 3) {
    case 0:
      ok = config::parse_vehicle(text, "vehicle.yaml", diagnostics).has_value();
      break;
    case 1:
      ok = config::parse_profile(text, "profile.yaml", diagnostics).has_value();
      break;
    default:
      ok = config::parse_rules(text, "rules.yaml", diagnostics).has_value();
      break;
  }
  if (!ok && !diagnostics.has_errors()) std::abort();
  return 0;
}
