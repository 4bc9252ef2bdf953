#include "cabind/engine/preference_store.hpp"

namespace cabind::engine {

void MemoryPreferenceStore::learn(std::string_view profile_id, std::string_view output,
                                  double value) {
  values_[{std::string(profile_id), std::string(output)}] = value;
}

std::optional<double> MemoryPreferenceStore::preference(std::string_view profile_id,
                                                        std::string_view output) const {
  const auto it = values_.find(std::pair<std::string, std::string>(profile_id, output));
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

}  // namespace cabind::engine
