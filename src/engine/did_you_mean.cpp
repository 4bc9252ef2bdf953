#include "did_you_mean.hpp"

#include "cabind/config/yaml_reader.hpp"

namespace cabind::engine {

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& known) {
  const auto close = config::closest(word, known);
  return close ? " (did you mean '" + std::string(*close) + "'?)" : std::string();
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& known) {
  return did_you_mean(word, std::vector<std::string_view>(known.begin(), known.end()));
}

std::string bus_suggestion(std::string_view word, const std::vector<config::Bus>& buses) {
  std::vector<std::string_view> known;
  for (const auto& bus : buses)
    known.emplace_back(bus.name);
  return did_you_mean(word, known);
}

std::string output_suggestion(std::string_view word, const std::vector<config::Output>& outputs) {
  std::vector<std::string_view> known;
  for (const auto& output : outputs)
    known.emplace_back(output.name);
  return did_you_mean(word, known);
}

std::string dbc_suggestion(const dbc::Database& database, std::string_view message,
                           std::string_view signal) {
  std::vector<std::string_view> known;
  if (const dbc::Message* found = database.find_message(message)) {
    for (const auto& candidate : found->signals)
      known.emplace_back(candidate.name);
    return did_you_mean(signal, known);
  }
  for (const auto& candidate : database.messages)
    known.emplace_back(candidate.name);
  return did_you_mean(message, known);
}

}  // namespace cabind::engine
