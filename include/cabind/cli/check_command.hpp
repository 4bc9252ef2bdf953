#pragma once
// `cabind --check --config FILE` (like `nginx -t`): loads the whole configuration, compiles
// its interlocks and rules as the daemon would, and
//   - prints one summary line to `out` and returns 0 when it is valid:
//       "config/demo/vehicle.yaml: ok: 1 bus, 11 signals, 8 outputs, 4 profiles, 6 rules"
//   - prints every diagnostic (file:line:column: error: ...) to `err` and returns 2.
// `args` are the command-line arguments after the program name; "--check" is accepted
// and ignored, "--config FILE" or "--config=FILE" is required. A usage error returns 2.

#include <ostream>
#include <span>
#include <string>

namespace cabind::cli {

[[nodiscard]] int run_check(std::span<const std::string> args, std::ostream& out,
                            std::ostream& err);

}  // namespace cabind::cli
