#include "cabind/daemon/bus_slot.hpp"

namespace cabind::daemon {

void BusSlot::set_sink(can::FrameSink* sink) noexcept {
  sink_ = sink;
  if (bus_) bus_->set_sink(sink);
}

void BusSlot::set_filters(std::span<const can::Filter> filters) {
  filters_.assign(filters.begin(), filters.end());
  if (bus_) bus_->set_filters(filters_);
}

can::SendStatus BusSlot::send(const can::Frame& frame) noexcept {
  if (bus_) return bus_->send(frame);
  ++detached_.tx_dropped;
  return can::SendStatus::dropped;
}

const can::BusCounters& BusSlot::counters() const noexcept {
  return bus_ ? bus_->counters() : detached_;
}

void BusSlot::reset(std::string interface) {
  attach(nullptr);
  interface_ = std::move(interface);
}

void BusSlot::attach(std::unique_ptr<can::SocketCanBus> bus) {
  if (bus_) bus_->stop();
  bus_ = std::move(bus);
  if (!bus_) return;
  bus_->set_filters(filters_);
  bus_->set_sink(sink_);
}

std::string_view BusSlot::state() const noexcept {
  return bus_ ? can::to_string(bus_->state()) : std::string_view("absent");
}

}  // namespace cabind::daemon
