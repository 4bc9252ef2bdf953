#pragma once
// rules.yaml -> rules, checked on their own (shape, types, unique names). Which outputs,
// signals and favourites they name is checked against the whole config by load().

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cabind/config/config.hpp"
#include "cabind/diag/diagnostic.hpp"

namespace cabind::config {

[[nodiscard]] std::optional<std::vector<Rule>> parse_rules(std::string_view text, std::string file,
                                                           diag::Diagnostics& diagnostics);

// Like parse_rules, but also returns the rules that parsed when others have errors (nullopt
// only when the file is not YAML or has no rule list), so that load() still checks them.
[[nodiscard]] std::optional<std::vector<Rule>> parse_rules_partially(
    std::string_view text, std::string file, diag::Diagnostics& diagnostics);

}  // namespace cabind::config
