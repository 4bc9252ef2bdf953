#pragma once
// The last few decisions, for `cabinctl status`: kept as the engine reported them and
// formatted only when somebody asks. Under a flood of junk identity frames the engine can
// decide on every frame, and formatting each decision into a line was over half of the
// daemon's instructions per frame (docs/performance.md, run G); a status request is rare.
//
// Lifetime: a kept AuditEvent holds views into the generation (config, plan, engine) that
// reported it. Before that generation is destroyed, freeze() formats what is kept into owned
// lines. Not thread-safe: the daemon's loop thread only.

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "cabind/engine/audit.hpp"

namespace cabind::daemon {

class RecentDecisions {
 public:
  static constexpr std::size_t capacity = 10;

  // Keeps a copy of the event, dropping the oldest when full. No allocation.
  void keep(const engine::AuditEvent& event) noexcept;
  // Formats every kept event whose views are about to die (a reload) into its line.
  void freeze();
  // Oldest first, each as engine::format_audit prints it.
  [[nodiscard]] std::vector<std::string> lines() const;
  [[nodiscard]] std::size_t size() const noexcept { return count_; }

 private:
  struct Entry {
    engine::AuditEvent event;
    std::string frozen;  // the formatted line once frozen
    bool is_frozen = false;
  };
  [[nodiscard]] const Entry& at(std::size_t i) const noexcept {
    return entries_[(first_ + i) % capacity];
  }

  std::array<Entry, capacity> entries_{};
  std::size_t first_ = 0;
  std::size_t count_ = 0;
};

}  // namespace cabind::daemon
