#pragma once
// The part of a configuration with errors that can still be compiled: what neither has an
// error of its own nor needs something that has. engine::compile on it reports the errors
// of the rest (rule and interlock expressions) in the same run, without repeating the
// errors load() already reported.

#include <string_view>

#include "cabind/config/config.hpp"
#include "cabind/config/cross_check.hpp"
#include "cabind/diag/diagnostic.hpp"

namespace cabind::config {

// Leaves out signals and outputs whose DBC reference does not resolve, and then, in turn,
// interlocks, seats, identity sources and rules that name what was left out (a warning
// at each rule left out says which name it needs).
[[nodiscard]] Config usable_part(const Config& config, Unavailable unavailable,
                                 diag::Diagnostics& diagnostics);

// Whether expression `text` uses `name` as a whole name (not as part of a longer one).
[[nodiscard]] bool mentions(std::string_view text, std::string_view name);

}  // namespace cabind::config
