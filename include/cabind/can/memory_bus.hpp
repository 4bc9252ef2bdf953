#pragma once
// An in-process Bus for tests and replay: deliver() plays frames in as if the
// kernel had received them (filters applied), and every frame sent is recorded.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cabind/can/bus.hpp"

namespace cabind::can {

class MemoryBus final : public Bus {
 public:
  explicit MemoryBus(std::string_view name = "mem0");

  [[nodiscard]] std::string_view interface_name() const noexcept override { return name_; }
  void set_sink(FrameSink* sink) noexcept override { sink_ = sink; }
  void set_filters(std::span<const Filter> filters) override;
  SendStatus send(const Frame& frame) noexcept override;
  [[nodiscard]] const BusCounters& counters() const noexcept override { return counters_; }

  // Delivers the frames that pass the filters to the sink, as one batch.
  void deliver(std::span<const Frame> frames);
  void deliver(const Frame& frame) { deliver(std::span<const Frame>(&frame, 1)); }
  // Tells the sink the interface changed state; while not up, send() drops.
  void set_state(BusState state);
  // What send() answers while up: sent (default), queued (the frame is recorded as a
  // backlog would send it later) or dropped (refused, not recorded), to test callers.
  void answer_sends_with(SendStatus status) noexcept { answer_ = status; }

  [[nodiscard]] const std::vector<Frame>& sent() const noexcept { return sent_; }
  void clear_sent() noexcept { sent_.clear(); }

 private:
  [[nodiscard]] bool accepted(const Frame& frame) const noexcept;

  std::string name_;
  FrameSink* sink_ = nullptr;
  std::vector<Filter> filters_;
  std::vector<Frame> sent_;
  std::vector<Frame> batch_;
  BusCounters counters_;
  BusState state_ = BusState::up;
  SendStatus answer_ = SendStatus::sent;
};

}  // namespace cabind::can
