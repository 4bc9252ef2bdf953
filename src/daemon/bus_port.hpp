#pragma once
// One configured bus of the running daemon: its BusSlot (what the engine sends through),
// the FrameSink its SocketCanBus delivers to (tagging each batch with the bus's index), and
// its own reopen timer and backoff, so one missing bus is retried without touching the
// others. Private to the daemon module.
//
// Threading: the io_context's thread. Lifetime: the Service owns its ports and outlives
// them; the engine holds a pointer to `slot` for as long as the port lives.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <string>

#include "cabind/daemon/bus_slot.hpp"
#include "cabind/daemon/service.hpp"

namespace cabind::daemon {

class Service::Port final : public can::FrameSink {
 public:
  Port(Service& service, std::size_t index, boost::asio::io_context& io)
      : slot(""), retry_timer(io), service_(service), index_(index) {}

  void on_frames(std::span<const can::Frame> frames) noexcept override {
    service_.on_frames(index_, frames);
  }
  void on_bus_state(can::BusState state) noexcept override { service_.on_bus_state(index_, state); }

  std::string name;  // the bus's name in vehicle.yaml
  bool fd = false;
  BusSlot slot;
  boost::asio::steady_timer retry_timer;
  std::chrono::milliseconds retry_delay{100};

 private:
  Service& service_;
  std::size_t index_;
};

}  // namespace cabind::daemon
