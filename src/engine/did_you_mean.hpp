#pragma once
// " (did you mean 'X'?)" for a name the plan looks up and does not find, or "" when no
// known name is close. Internal to the engine module; error path only.

#include <string>
#include <string_view>
#include <vector>

#include "cabind/config/config.hpp"
#include "cabind/dbc/database.hpp"

namespace cabind::engine {

[[nodiscard]] std::string did_you_mean(std::string_view word,
                                       const std::vector<std::string_view>& known);
[[nodiscard]] std::string did_you_mean(std::string_view word,
                                       const std::vector<std::string>& known);

// Suggestions among the buses, the outputs, the signals of a DBC message, the messages of
// a DBC.
[[nodiscard]] std::string bus_suggestion(std::string_view word,
                                         const std::vector<config::Bus>& buses);
[[nodiscard]] std::string output_suggestion(std::string_view word,
                                            const std::vector<config::Output>& outputs);
[[nodiscard]] std::string dbc_suggestion(const dbc::Database& database, std::string_view message,
                                         std::string_view signal);

}  // namespace cabind::engine
