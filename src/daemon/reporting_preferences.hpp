#pragma once
// The preference store the engine and `cabinctl set` write to: every value learned goes to
// the durable store, then (when the profile sync is on) to `report`, which queues it for
// the driver's shadow. A value that came from the cloud is written to the inner store
// directly, so it is not reported back. Private to the daemon module.
//
// Threading: the daemon's io_context thread. learn() is called after a batch (the engine's
// store_learned), never inside on_frame; lookups forward without allocating.

#include <functional>
#include <string_view>
#include <utility>

#include "cabind/engine/preference_store.hpp"

namespace cabind::daemon {

class ReportingPreferenceStore final : public engine::PreferenceStore {
 public:
  using Report = std::function<void(std::string_view profile, std::string_view output, double)>;

  explicit ReportingPreferenceStore(engine::PreferenceStore& inner) : inner_(inner) {}

  // Empty: nothing is reported (no `mqtt:`, or the shadow is off).
  void set_report(Report report) { report_ = std::move(report); }

  void learn(std::string_view profile_id, std::string_view output, double value) override {
    inner_.learn(profile_id, output, value);
    if (report_) report_(profile_id, output, value);
  }
  [[nodiscard]] std::optional<double> preference(std::string_view profile_id,
                                                 std::string_view output) const override {
    return inner_.preference(profile_id, output);
  }
  [[nodiscard]] std::vector<std::pair<std::string, double>> preferences_of(
      std::string_view profile_id) const override {
    return inner_.preferences_of(profile_id);
  }
  void forget(std::string_view profile_id) override { inner_.forget(profile_id); }

 private:
  engine::PreferenceStore& inner_;
  Report report_;
};

}  // namespace cabind::daemon
