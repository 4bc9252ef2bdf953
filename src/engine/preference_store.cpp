#include "cabind/engine/preference_store.hpp"

namespace cabind::engine {

void MemoryPreferenceStore::learn(std::string_view profile_id, std::string_view output,
                                  double value) {
  auto driver = values_.find(profile_id);
  if (driver == values_.end()) driver = values_.emplace(std::string(profile_id), Outputs{}).first;
  driver->second.insert_or_assign(std::string(output), value);
}

std::optional<double> MemoryPreferenceStore::preference(std::string_view profile_id,
                                                        std::string_view output) const {
  const auto driver = values_.find(profile_id);
  if (driver == values_.end()) return std::nullopt;
  const auto it = driver->second.find(output);
  if (it == driver->second.end()) return std::nullopt;
  return it->second;
}

std::vector<std::pair<std::string, double>> MemoryPreferenceStore::preferences_of(
    std::string_view profile_id) const {
  const auto driver = values_.find(profile_id);
  if (driver == values_.end()) return {};
  return {driver->second.begin(), driver->second.end()};
}

void MemoryPreferenceStore::forget(std::string_view profile_id) {
  const auto driver = values_.find(profile_id);
  if (driver != values_.end()) values_.erase(driver);
}

}  // namespace cabind::engine
