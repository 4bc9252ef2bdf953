#pragma once
// The engine's view of the vehicle bus while the real interface may come and go:
// a Bus that forwards to the current SocketCanBus, or drops (and counts) frames while
// there is none — at start-up before the interface exists, or while it is reopened.
// The engine is built once against the slot and never sees the swap.

#include <memory>
#include <string>
#include <vector>

#include "cabind/can/socketcan_bus.hpp"

namespace cabind::daemon {

class BusSlot final : public can::Bus {
 public:
  explicit BusSlot(std::string interface) : interface_(std::move(interface)) {}

  [[nodiscard]] std::string_view interface_name() const noexcept override { return interface_; }
  void set_sink(can::FrameSink* sink) noexcept override;
  void set_filters(std::span<const can::Filter> filters) override;
  can::SendStatus send(const can::Frame& frame) noexcept override;
  [[nodiscard]] const can::BusCounters& counters() const noexcept override;

  // Closes the current bus and points the slot at another interface.
  void reset(std::string interface);
  // Takes over an opened bus (nullptr closes the current one).
  void attach(std::unique_ptr<can::SocketCanBus> bus);
  [[nodiscard]] can::SocketCanBus* bus() noexcept { return bus_.get(); }
  [[nodiscard]] bool attached() const noexcept { return bus_ != nullptr; }
  // "up", "down", "gone", or "absent" before the interface was ever opened.
  [[nodiscard]] std::string_view state() const noexcept;

 private:
  std::string interface_;
  std::unique_ptr<can::SocketCanBus> bus_;
  can::FrameSink* sink_ = nullptr;
  std::vector<can::Filter> filters_;
  can::BusCounters detached_;  // frames dropped while no bus was attached
};

}  // namespace cabind::daemon
