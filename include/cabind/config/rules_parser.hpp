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

}  // namespace cabind::config
