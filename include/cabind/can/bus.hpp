#pragma once
// A CAN bus as the rest of cabind sees it: frames in (delivered in batches to a
// FrameSink), frames out, kernel-style acceptance filters, and counters.
// Implementations: SocketCanBus (a real interface, Boost.Asio) and MemoryBus (tests).
//
// Threading: a bus is used from one thread (the daemon's io_context thread).
// The FrameSink must outlive the bus or be detached with set_sink(nullptr).

#include <cstdint>
#include <span>
#include <string_view>

#include "cabind/can/frame.hpp"

namespace cabind::can {

// An acceptance filter: a frame passes when (frame id & mask) == (id & mask) and its
// id format matches (the kernel's struct can_filter with CAN_EFF_FLAG in both).
struct Filter {
  std::uint32_t id = 0;
  std::uint32_t mask = 0;
  bool extended = false;

  [[nodiscard]] static Filter exact(std::uint32_t id, bool extended) noexcept {
    return {id, extended ? max_extended_id : max_standard_id, extended};
  }
  [[nodiscard]] bool matches(const Frame& frame) const noexcept {
    return frame.extended() == extended && (frame.id() & mask) == (id & mask);
  }
};

// Monotonic counters; read them at any time from the bus's thread.
struct BusCounters {
  std::uint64_t rx_frames = 0;         // frames delivered to the sink
  std::uint64_t rx_batches = 0;        // sink calls
  std::uint64_t rx_error_frames = 0;   // error frames among rx_frames
  std::uint64_t bus_off = 0;           // error frames reporting bus-off (CAN_ERR_BUSOFF)
  std::uint64_t rx_malformed = 0;      // short or oversized reads, dropped
  std::uint64_t rx_filtered = 0;       // dropped by a filter outside the kernel (MemoryBus)
  std::uint64_t rx_queue_dropped = 0;  // the kernel's SO_RXQ_OVFL count: receive queue overflow
  std::uint64_t tx_frames = 0;         // frames handed to the kernel
  std::uint64_t tx_buffer_full = 0;    // ENOBUFS/EAGAIN answers (the queue was full)
  std::uint64_t tx_retried = 0;        // frames sent on a later try after ENOBUFS
  std::uint64_t tx_dropped = 0;        // frames given up (backlog full or interface gone)
  std::uint64_t tx_errors = 0;         // other send errors
  std::uint64_t bus_errors = 0;        // interface down/gone events

  // Field by field, for totals over several buses; kept beside the fields so a new
  // counter is summed too.
  BusCounters& operator+=(const BusCounters& o) noexcept {
    rx_frames += o.rx_frames;
    rx_batches += o.rx_batches;
    rx_error_frames += o.rx_error_frames;
    bus_off += o.bus_off;
    rx_malformed += o.rx_malformed;
    rx_filtered += o.rx_filtered;
    rx_queue_dropped += o.rx_queue_dropped;
    tx_frames += o.tx_frames;
    tx_buffer_full += o.tx_buffer_full;
    tx_retried += o.tx_retried;
    tx_dropped += o.tx_dropped;
    tx_errors += o.tx_errors;
    bus_errors += o.bus_errors;
    return *this;
  }
};

enum class BusState : std::uint8_t { up, down, gone };
[[nodiscard]] std::string_view to_string(BusState state) noexcept;

// Receives what the bus reads. Called on the bus's thread; must not throw.
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // A batch of frames in arrival order; the span is valid only during the call.
  virtual void on_frames(std::span<const Frame> frames) noexcept = 0;
  // The interface went down or away (state) or came back (BusState::up). Called from the
  // bus's thread between other work, never from inside Bus::send (a sink may send).
  virtual void on_bus_state(BusState state) noexcept = 0;
};

enum class SendStatus : std::uint8_t {
  sent,     // handed to the kernel
  queued,   // the kernel queue was full; kept in the backlog, retried shortly
  dropped,  // not sent and not kept: backlog full, interface down or gone
};

class Bus {
 public:
  virtual ~Bus() = default;
  Bus() = default;
  Bus(const Bus&) = delete;
  Bus& operator=(const Bus&) = delete;

  [[nodiscard]] virtual std::string_view interface_name() const noexcept = 0;
  virtual void set_sink(FrameSink* sink) noexcept = 0;
  // Replaces the acceptance filters; an empty list accepts every frame.
  virtual void set_filters(std::span<const Filter> filters) = 0;
  virtual SendStatus send(const Frame& frame) noexcept = 0;
  [[nodiscard]] virtual const BusCounters& counters() const noexcept = 0;
};

}  // namespace cabind::can
