#include "interface_routes.hpp"

#include <algorithm>

namespace cabind::cli {

std::optional<InterfaceRoutes> InterfaceRoutes::build(
    const engine::Plan& plan, const std::vector<std::pair<std::string, std::string>>& map,
    std::ostream& err) {
  InterfaceRoutes routes;
  for (std::size_t b = 0; b < plan.buses.size(); ++b)
    routes.routes_.push_back({plan.buses[b].interface, b});
  for (const auto& [interface, bus_name] : map) {
    const auto bus = plan.bus(bus_name);
    if (!bus) {
      err << "--map " << interface << '=' << bus_name << ": no bus named '" << bus_name << "'\n";
      return std::nullopt;
    }
    const auto taken = std::find_if(routes.routes_.begin(), routes.routes_.end(),
                                    [&](const Route& r) { return r.interface == interface; });
    if (taken != routes.routes_.end()) {
      err << "--map " << interface << '=' << bus_name << ": interface '"
          << interface << "' already goes to bus '" << plan.buses[taken->bus].name << "'\n";
      return std::nullopt;
    }
    routes.routes_.push_back({interface, *bus});
  }
  return routes;
}

std::optional<std::size_t> InterfaceRoutes::bus_of(std::string_view interface) {
  for (const Route& route : routes_) {
    if (route.interface == interface) return route.bus;
  }
  const auto it = std::find_if(unknown_.begin(), unknown_.end(),
                               [&](const Unknown& u) { return u.interface == interface; });
  if (it != unknown_.end()) {
    ++it->frames;
  } else {
    unknown_.push_back({std::string(interface), 1});
  }
  return std::nullopt;
}

void InterfaceRoutes::report_unknown(std::ostream& err) const {
  for (const Unknown& unknown : unknown_) {
    err << "replay: " << unknown.frames << " frame" << (unknown.frames == 1 ? "" : "s")
        << " of interface " << unknown.interface << " not replayed (not a configured bus; --map "
        << unknown.interface << "=BUS to replay them)\n";
  }
}

std::uint64_t InterfaceRoutes::unknown_frames() const noexcept {
  std::uint64_t frames = 0;
  for (const Unknown& unknown : unknown_)
    frames += unknown.frames;
  return frames;
}

}  // namespace cabind::cli
