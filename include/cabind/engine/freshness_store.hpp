#pragma once
// Where the SecOC freshness counters of authenticated messages are kept across restarts,
// so that a frame accepted before a restart is not accepted again after it (a restart must
// not re-open a replay window). Keyed by the message's SecOC Data ID. The SQLite store
// (store::SqlitePreferenceStore) keeps them durably; the memory one is for replay and tests.
//
// The engine reads the counters once, when it is built, and writes them off the frame path
// (Engine::store_freshness(), after each batch). Threading: one thread, as the engine.

#include <cstdint>
#include <map>
#include <optional>

namespace cabind::engine {

class FreshnessStore {
 public:
  FreshnessStore() = default;
  FreshnessStore(const FreshnessStore&) = delete;
  FreshnessStore& operator=(const FreshnessStore&) = delete;
  virtual ~FreshnessStore() = default;

  // The last accepted full freshness value of `data_id`, empty when none was ever kept.
  [[nodiscard]] virtual std::optional<std::uint64_t> freshness(std::uint16_t data_id) const = 0;
  // Keeps `counter` as the last accepted value of `data_id` (may allocate; may queue the
  // write for a writer thread).
  virtual void keep_freshness(std::uint16_t data_id, std::uint64_t counter) = 0;
};

class MemoryFreshnessStore final : public FreshnessStore {
 public:
  [[nodiscard]] std::optional<std::uint64_t> freshness(std::uint16_t data_id) const override {
    const auto it = counters_.find(data_id);
    if (it == counters_.end()) return std::nullopt;
    return it->second;
  }
  void keep_freshness(std::uint16_t data_id, std::uint64_t counter) override {
    counters_[data_id] = counter;
  }

 private:
  std::map<std::uint16_t, std::uint64_t> counters_;
};

}  // namespace cabind::engine
