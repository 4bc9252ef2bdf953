#pragma once
// vehicle.yaml -> the vehicle part of a Config, checked on its own (names, types, ranges,
// references between its own sections). DBC references, profiles and rules are checked
// by load() (loader.hpp), which reads the files this one points to.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cabind/config/config.hpp"
#include "cabind/diag/diagnostic.hpp"

namespace cabind::config {

struct VehicleFile {
  Config config;             // buses without their DBC database yet, no profiles, no rules
  std::string profiles_dir;  // as written, relative to the vehicle file
  diag::Location profiles_where;
  std::string rules_file;  // as written; empty = no rules
  diag::Location rules_where;
  // Names of signals, interlocks and outputs whose entries have errors and were left out of
  // config: what names them elsewhere is not reported again (parse_vehicle_partially).
  std::vector<std::string> broken;
};

[[nodiscard]] std::optional<VehicleFile> parse_vehicle(std::string_view text, std::string file,
                                                       diag::Diagnostics& diagnostics);

// Like parse_vehicle, but also returns what it could read when some sections have errors
// (nullopt only when the file is not YAML or not a mapping), so that load() can still
// check the profiles and rules the file names and report their errors in the same run.
// profiles_dir / rules_file are empty when their own keys are invalid.
[[nodiscard]] std::optional<VehicleFile> parse_vehicle_partially(std::string_view text,
                                                                 std::string file,
                                                                 diag::Diagnostics& diagnostics);

// "Message.Signal" (bus = default_bus, which may be empty) or "bus:Message.Signal"; nullopt
// when the text has neither shape.
[[nodiscard]] std::optional<SignalRef> parse_signal_ref(std::string_view text,
                                                        std::string_view default_bus);

}  // namespace cabind::config
