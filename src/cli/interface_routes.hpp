#pragma once
// InterfaceRoutes: which bus of a plan the frames of a log's interface belong to, for replay.
// Private to the cli module.
//
// Each bus takes the frames of its own interface (`buses:` in vehicle.yaml); `--map
// IFACE=BUS` adds others (a log recorded on the car's can1 replayed against a config on
// vcan1). Frames of any other interface are not fed to some bus they do not belong to:
// they are counted per interface and reported once the replay is over.
//
//   buses body (vcan0), infotainment (vcan1); --map can1=infotainment
//   vcan0 -> 0, vcan1 -> 1, can1 -> 1, can2 -> nullopt (counted: can2 1)
//
// Not thread-safe (replay is single-threaded); refers to nothing of the plan once built.

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cabind/engine/plan.hpp"

namespace cabind::cli {

class InterfaceRoutes {
 public:
  // nullopt (after writing why to `err`) when a mapping names an unknown bus or maps an
  // interface twice.
  [[nodiscard]] static std::optional<InterfaceRoutes> build(
      const engine::Plan& plan, const std::vector<std::pair<std::string, std::string>>& map,
      std::ostream& err);

  // The bus index of `interface`; nullopt (and counted) when no bus takes it.
  [[nodiscard]] std::optional<std::size_t> bus_of(std::string_view interface);
  // "replay: N frames of interface X (not a configured bus; --map X=BUS to replay them)",
  // one line per unknown interface in first-seen order; nothing when there were none.
  void report_unknown(std::ostream& err) const;
  [[nodiscard]] std::uint64_t unknown_frames() const noexcept;

 private:
  struct Route {
    std::string interface;
    std::size_t bus = 0;
  };
  struct Unknown {
    std::string interface;
    std::uint64_t frames = 0;
  };
  std::vector<Route> routes_;
  std::vector<Unknown> unknown_;
};

}  // namespace cabind::cli
