#pragma once
// Learned preferences: per driver (profile id) and output (semantic name), the value the
// driver last chose by hand. An interface so that a durable (SQLite) store can replace the
// in-memory one without touching the engine. The engine calls it off the frame's critical
// decision (once per manual change), and may allocate there.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cabind::engine {

class PreferenceStore {
 public:
  PreferenceStore() = default;
  PreferenceStore(const PreferenceStore&) = delete;
  PreferenceStore& operator=(const PreferenceStore&) = delete;
  virtual ~PreferenceStore() = default;

  virtual void learn(std::string_view profile_id, std::string_view output, double value) = 0;
  [[nodiscard]] virtual std::optional<double> preference(std::string_view profile_id,
                                                         std::string_view output) const = 0;
  // Every learned output of a driver, by output name (control plane: allocates).
  [[nodiscard]] virtual std::vector<std::pair<std::string, double>> preferences_of(
      std::string_view profile_id) const = 0;
  // Deletes every learned output of a driver (the driver was deleted remotely).
  virtual void forget(std::string_view profile_id) = 0;
};

// Kept in memory only: lost on restart.
class MemoryPreferenceStore final : public PreferenceStore {
 public:
  void learn(std::string_view profile_id, std::string_view output, double value) override;
  [[nodiscard]] std::optional<double> preference(std::string_view profile_id,
                                                 std::string_view output) const override;
  [[nodiscard]] std::vector<std::pair<std::string, double>> preferences_of(
      std::string_view profile_id) const override;
  void forget(std::string_view profile_id) override;

 private:
  // profile id -> output -> value; transparent comparators keep lookups allocation-free.
  using Outputs = std::map<std::string, double, std::less<>>;
  std::map<std::string, Outputs, std::less<>> values_;
};

}  // namespace cabind::engine
