#pragma once
// A Bus on a real SocketCAN interface (can0, vcan0), driven by a Boost.Asio io_context.
//
// Receive: one readiness wait, then recvmmsg() drains up to `batch_size` frames at a
// time into arrays allocated once here, and receive-queue overflow is counted
// (SO_RXQ_OVFL). Kernel CAN_RAW_FILTERs keep unrelated ids from ever waking the process.
// Time: every frame of a batch is stamped with one CLOCK_MONOTONIC reading taken when the
// batch is read (Frame::time(), the engine's clock), so a wall-clock step (NTP, GNSS,
// `date -s`) never moves engine time. The kernel's CLOCK_REALTIME receive stamp
// (SO_TIMESTAMPNS) is kept beside the frames, not in them: kernel_times() is a span
// parallel to the batch, for logs and candump-style output. That keeps Frame one
// timestamp wide and the receive path a copy into preallocated arrays.
// Send: non-blocking; when the kernel queue is full (ENOBUFS) the frame waits in a
// bounded backlog and is retried shortly, in order; nothing here throws or allocates
// after construction.
// Faults: an interface that goes down is reported to the sink and resumes when it
// comes back up; one that disappears is reopened when it reappears. State changes reach
// FrameSink::on_bus_state through boost::asio::post, never from inside send() or a
// receive call, so a sink is never re-entered while the engine is sending.
//
// Threading: all calls and handlers on the io_context's thread. Stop the io_context
// (or call stop() and let it drain) before destroying the bus.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "cabind/can/bus.hpp"
#include "cabind/can/raw_protocol.hpp"

namespace cabind::can {

struct SocketCanOptions {
  bool fd = false;               // enable CAN FD frames (CAN_RAW_FD_FRAMES)
  std::size_t batch_size = 64;   // frames per recvmmsg
  std::size_t tx_backlog = 256;  // frames kept while the kernel queue is full
  int receive_buffer_bytes = 0;  // SO_RCVBUF; 0 keeps the system default
  bool receive_error_frames = true;
  std::chrono::milliseconds recovery_poll{200};  // how often a down/gone interface is checked
};

// The interface cannot be opened; the message names it and says why in words.
class BusOpenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SocketCanBus final : public Bus {
 public:
  // Opens and binds the socket; throws BusOpenError (no such interface, not a CAN
  // interface, CAN FD requested on a classic-only interface, ...).
  SocketCanBus(boost::asio::io_context& io, std::string interface, SocketCanOptions options = {});
  ~SocketCanBus() override;

  [[nodiscard]] std::string_view interface_name() const noexcept override { return interface_; }
  void set_sink(FrameSink* sink) noexcept override { sink_ = sink; }
  // Throws std::invalid_argument for more than 512 filters (the kernel's limit).
  void set_filters(std::span<const Filter> filters) override;
  SendStatus send(const Frame& frame) noexcept override;
  [[nodiscard]] const BusCounters& counters() const noexcept override { return counters_; }

  // Starts receiving; frames go to the sink from the io_context's thread.
  void start();
  // Cancels pending waits; the bus can be destroyed once the io_context drained them.
  void stop() noexcept;
  [[nodiscard]] BusState state() const noexcept { return state_; }
  [[nodiscard]] std::size_t backlog_size() const noexcept { return backlog_count_; }
  // The kernel's CLOCK_REALTIME receive stamps (since the Unix epoch, zero when the kernel
  // gave none) of the batch being delivered, index for index with the sink's frames.
  // Valid only inside FrameSink::on_frames; for logs and candump output, never for
  // engine time.
  [[nodiscard]] std::span<const Timestamp> kernel_times() const noexcept;

  // True when an interface of that name exists (up or down).
  [[nodiscard]] static bool interface_exists(const std::string& interface) noexcept;

 private:
  struct ReceiveBuffers;

  void open_socket();
  void apply_filters();
  void wait_readable();
  void on_readable();
  void receive_batch(std::size_t& received, int& error);
  void change_state(BusState state) noexcept;
  void post_state(BusState state) noexcept;  // tells the sink from the loop, never inline
  void schedule_recovery();
  void recover();
  void schedule_retry() noexcept;
  void retry_backlog() noexcept;
  [[nodiscard]] int write_frame(const Frame& frame) noexcept;  // 0 or errno
  [[nodiscard]] bool enqueue_backlog(const Frame& frame) noexcept;

  std::string interface_;
  SocketCanOptions options_;
  RawProtocol::socket socket_;
  boost::asio::steady_timer retry_timer_;
  boost::asio::steady_timer recovery_timer_;
  std::unique_ptr<ReceiveBuffers> rx_;
  std::vector<Filter> filters_;
  std::vector<Frame> backlog_;  // ring buffer of capacity tx_backlog
  std::size_t backlog_head_ = 0;
  std::size_t backlog_count_ = 0;
  bool retry_pending_ = false;
  bool running_ = false;
  FrameSink* sink_ = nullptr;
  BusCounters counters_;
  BusState state_ = BusState::up;
  std::shared_ptr<char> alive_ = std::make_shared<char>();  // expires with the bus
};

}  // namespace cabind::can
