#include "cabind/can/socketcan_bus.hpp"

#include <linux/can/error.h>
#include <linux/can/raw.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>

#include "wire_frame.hpp"

namespace cabind::can {
namespace {

constexpr std::size_t max_kernel_filters = 512;  // CAN_RAW_FILTER_MAX

// Control space for one message: a timestamp and the overflow counter.
constexpr std::size_t control_size =
    CMSG_SPACE(sizeof(::timespec)) + CMSG_SPACE(sizeof(std::uint32_t));

std::string errno_words(int error) {
  return std::strerror(error);
}

int interface_index(const std::string& name) noexcept {
  return static_cast<int>(::if_nametoindex(name.c_str()));
}

// IFF_UP from SIOCGIFFLAGS; false when the interface does not exist.
bool interface_up(int fd, const std::string& name) noexcept {
  ::ifreq request{};
  if (name.size() >= sizeof(request.ifr_name)) return false;
  std::memcpy(request.ifr_name, name.c_str(), name.size());
  if (::ioctl(fd, SIOCGIFFLAGS, &request) != 0) return false;
  return (request.ifr_flags & IFF_UP) != 0;
}

template <typename T>
void set_option(int fd, int level, int name, const T& value, const std::string& interface,
                const char* what) {
  if (::setsockopt(fd, level, name, &value, sizeof(value)) != 0) {
    throw BusOpenError("CAN interface '" + interface + "': cannot " + what + ": " +
                       errno_words(errno));
  }
}

}  // namespace

struct SocketCanBus::ReceiveBuffers {
  explicit ReceiveBuffers(std::size_t n)
      : headers(n), vectors(n), wire(n), control(n), frames(n), kernel_times(n) {}
  std::vector<::mmsghdr> headers;
  std::vector<::iovec> vectors;
  std::vector<::canfd_frame> wire;
  std::vector<std::array<char, control_size>> control;
  std::vector<Frame> frames;
  std::vector<Timestamp> kernel_times;  // parallel to frames
  std::size_t delivered = 0;            // frames of the batch in the sink right now
};

std::span<const Timestamp> SocketCanBus::kernel_times() const noexcept {
  return {rx_->kernel_times.data(), rx_->delivered};
}

SocketCanBus::SocketCanBus(boost::asio::io_context& io, std::string interface,
                           SocketCanOptions options)
    : interface_(std::move(interface)),
      options_(options),
      socket_(io),
      retry_timer_(io),
      recovery_timer_(io),
      rx_(std::make_unique<ReceiveBuffers>(options.batch_size == 0 ? 1 : options.batch_size)),
      backlog_(options.tx_backlog == 0 ? 1 : options.tx_backlog) {
  if (interface_.empty() || interface_.size() >= IFNAMSIZ) {
    throw BusOpenError("CAN interface name '" + interface_ + "' is empty or longer than " +
                       std::to_string(IFNAMSIZ - 1) + " characters");
  }
  open_socket();
}

SocketCanBus::~SocketCanBus() {
  stop();
  alive_.reset();  // state notices still queued on the io_context touch nothing now
}

bool SocketCanBus::interface_exists(const std::string& interface) noexcept {
  return interface_index(interface) != 0;
}

void SocketCanBus::open_socket() {
  const int index = interface_index(interface_);
  if (index == 0) {
    throw BusOpenError("CAN interface '" + interface_ + "' does not exist");
  }
  boost::system::error_code ec;
  socket_.close(ec);
  socket_.open(RawProtocol{}, ec);
  if (ec) {
    throw BusOpenError("CAN interface '" + interface_ +
                       "': cannot open a CAN_RAW socket (is the kernel's can-raw module "
                       "available?): " +
                       ec.message());
  }
  const int fd = socket_.native_handle();
  if (options_.fd) {
    const int on = 1;
    if (::setsockopt(fd, SOL_CAN_RAW, CAN_RAW_FD_FRAMES, &on, sizeof(on)) != 0) {
      throw BusOpenError("CAN interface '" + interface_ +
                         "': CAN FD requested but the kernel refuses CAN FD frames");
    }
  }
  set_option(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1, interface_, "enable receive timestamps");
  set_option(fd, SOL_SOCKET, SO_RXQ_OVFL, 1, interface_, "enable overflow counting");
  if (options_.receive_buffer_bytes > 0) {
    set_option(fd, SOL_SOCKET, SO_RCVBUF, options_.receive_buffer_bytes, interface_,
               "set the receive buffer size");
  }
  const can_err_mask_t error_mask = options_.receive_error_frames ? CAN_ERR_MASK : 0U;
  set_option(fd, SOL_CAN_RAW, CAN_RAW_ERR_FILTER, error_mask, interface_,
             "set the error-frame mask");
  apply_filters();
  socket_.bind(RawEndpoint(index), ec);
  if (ec) {
    throw BusOpenError("CAN interface '" + interface_ + "': cannot bind: " + ec.message());
  }
  if (options_.fd) {
    // A classic-only interface (MTU 16) accepts the option but no FD frame: say so now.
    ::ifreq request{};
    std::memcpy(request.ifr_name, interface_.c_str(), interface_.size());
    if (::ioctl(fd, SIOCGIFMTU, &request) == 0 && request.ifr_mtu != CANFD_MTU) {
      throw BusOpenError("CAN interface '" + interface_ + "' is classic CAN only (MTU " +
                         std::to_string(request.ifr_mtu) +
                         "), but the configuration asks for CAN FD");
    }
  }
  state_ = interface_up(fd, interface_) ? BusState::up : BusState::down;
}

void SocketCanBus::set_filters(std::span<const Filter> filters) {
  if (filters.size() > max_kernel_filters) {
    throw std::invalid_argument("CAN interface '" + interface_ +
                                "': " + std::to_string(filters.size()) +
                                " receive filters, the kernel allows at most 512");
  }
  filters_.assign(filters.begin(), filters.end());
  if (socket_.is_open()) apply_filters();
}

void SocketCanBus::apply_filters() {
  std::vector<::can_filter> kernel;
  if (filters_.empty()) {
    kernel.push_back({0, 0});  // accept everything
  }
  for (const Filter& f : filters_) {
    const canid_t flag = f.extended ? CAN_EFF_FLAG : 0U;
    // Match the id format too, and never let remote frames in by accident.
    kernel.push_back({f.id | flag, f.mask | CAN_EFF_FLAG | CAN_RTR_FLAG});
  }
  const auto bytes = static_cast<socklen_t>(kernel.size() * sizeof(::can_filter));
  if (::setsockopt(socket_.native_handle(), SOL_CAN_RAW, CAN_RAW_FILTER, kernel.data(), bytes) !=
      0) {
    throw BusOpenError("CAN interface '" + interface_ +
                       "': cannot set receive filters: " + errno_words(errno));
  }
}

void SocketCanBus::start() {
  running_ = true;
  if (state_ != BusState::up) {
    post_state(state_);
    schedule_recovery();
  }
  wait_readable();
}

void SocketCanBus::stop() noexcept {
  running_ = false;
  boost::system::error_code ec;
  socket_.cancel(ec);
  retry_timer_.cancel();
  retry_pending_ = false;
  recovery_timer_.cancel();
}

void SocketCanBus::wait_readable() {
  if (!running_ || !socket_.is_open()) return;
  socket_.async_wait(RawProtocol::socket::wait_read, [this](const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted || !running_) return;
    on_readable();
  });
}

void SocketCanBus::on_readable() {
  // Drain what is queued, a bounded number of batches per wake-up so timers and
  // other work on the same thread are not starved by a flood.
  for (int round = 0; round < 16; ++round) {
    std::size_t received = 0;
    int error = 0;
    receive_batch(received, error);
    if (error == ENETDOWN) {
      change_state(BusState::down);
      schedule_recovery();
      break;
    }
    if (error == ENODEV) {
      change_state(BusState::gone);
      schedule_recovery();
      return;  // the socket is unbound; recover() reopens it
    }
    if (received < rx_->headers.size()) break;
  }
  wait_readable();
}

void SocketCanBus::receive_batch(std::size_t& received, int& error) {
  ReceiveBuffers& rx = *rx_;
  const std::size_t n = rx.headers.size();
  for (std::size_t i = 0; i < n; ++i) {
    rx.vectors[i] = {&rx.wire[i], sizeof(::canfd_frame)};
    ::msghdr& h = rx.headers[i].msg_hdr;
    h = {};
    h.msg_iov = &rx.vectors[i];
    h.msg_iovlen = 1;
    h.msg_control = rx.control[i].data();
    h.msg_controllen = control_size;
  }
  const int count = ::recvmmsg(socket_.native_handle(), rx.headers.data(), static_cast<unsigned>(n),
                               MSG_DONTWAIT, nullptr);
  if (count < 0) {
    error = (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : errno;
    return;
  }
  // One monotonic reading for the batch: engine time, immune to wall-clock steps.
  const Timestamp batch_time = monotonic_now();
  std::size_t good = 0;
  for (std::size_t i = 0; i < static_cast<std::size_t>(count); ++i) {
    ::msghdr& h = rx.headers[i].msg_hdr;
    Timestamp kernel_time{};
    for (::cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c)) {
      if (c->cmsg_level != SOL_SOCKET) continue;
      if (c->cmsg_type == SO_TIMESTAMPNS) {
        ::timespec ts{};
        std::memcpy(&ts, CMSG_DATA(c), sizeof(ts));
        kernel_time = std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
      } else if (c->cmsg_type == SO_RXQ_OVFL) {
        std::uint32_t dropped = 0;
        std::memcpy(&dropped, CMSG_DATA(c), sizeof(dropped));
        counters_.rx_queue_dropped = dropped;  // the kernel's running total for this socket
      }
    }
    auto frame = wire::from_wire(rx.wire[i], rx.headers[i].msg_len, batch_time);
    if (!frame) {
      ++counters_.rx_malformed;
      continue;
    }
    if (frame->is_error()) {
      ++counters_.rx_error_frames;
      if ((frame->id() & CAN_ERR_BUSOFF) != 0) ++counters_.bus_off;
    }
    rx.kernel_times[good] = kernel_time;
    rx.frames[good++] = *frame;
  }
  received = static_cast<std::size_t>(count);
  if (state_ != BusState::up && good > 0) change_state(BusState::up);
  if (good == 0) return;
  counters_.rx_frames += good;
  ++counters_.rx_batches;
  if (sink_ == nullptr) return;
  rx.delivered = good;
  sink_->on_frames(std::span<const Frame>(rx.frames.data(), good));
  rx.delivered = 0;
}

void SocketCanBus::change_state(BusState state) noexcept {
  if (state == state_) return;
  state_ = state;
  if (state != BusState::up) ++counters_.bus_errors;
  post_state(state);
}

void SocketCanBus::post_state(BusState state) noexcept {
  // Never call the sink from here: change_state() runs inside send(), which the engine
  // calls while it actuates; a sink re-entered there would see the engine mid-pass.
  // The handler may run after the bus is gone (a slot swapped it): `alive` tells.
  try {
    boost::asio::post(socket_.get_executor(), [this, alive = std::weak_ptr<char>(alive_), state] {
      if (alive.expired() || sink_ == nullptr) return;
      sink_->on_bus_state(state);
    });
  } catch (...) {
    // Out of memory: the notice is lost, state() and the counters still tell.
  }
}

void SocketCanBus::schedule_recovery() {
  if (!running_) return;
  recovery_timer_.expires_after(options_.recovery_poll);
  recovery_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !running_) return;
    recover();
  });
}

void SocketCanBus::recover() {
  if (state_ == BusState::gone) {
    if (!interface_exists(interface_)) {
      schedule_recovery();
      return;
    }
    try {
      open_socket();
    } catch (const BusOpenError&) {
      schedule_recovery();  // it may be half set up; look again shortly
      return;
    }
    post_state(state_);
    if (state_ == BusState::up) {
      wait_readable();
      retry_backlog();
      return;
    }
  }
  if (state_ == BusState::down || state_ == BusState::gone) {
    if (socket_.is_open() && interface_up(socket_.native_handle(), interface_)) {
      change_state(BusState::up);
      wait_readable();
      retry_backlog();
      return;
    }
    if (!interface_exists(interface_)) state_ = BusState::gone;
    schedule_recovery();
  }
}

int SocketCanBus::write_frame(const Frame& frame) noexcept {
  ::canfd_frame out;
  const std::size_t size = wire::to_wire(frame, out);
  const auto written = ::send(socket_.native_handle(), &out, size, MSG_DONTWAIT);
  if (written == static_cast<ssize_t>(size)) return 0;
  return written < 0 ? errno : EIO;
}

bool SocketCanBus::enqueue_backlog(const Frame& frame) noexcept {
  if (backlog_count_ == backlog_.size()) return false;
  backlog_[(backlog_head_ + backlog_count_) % backlog_.size()] = frame;
  ++backlog_count_;
  schedule_retry();
  return true;
}

SendStatus SocketCanBus::send(const Frame& frame) noexcept {
  if (frame.is_fd() && !options_.fd) {
    ++counters_.tx_errors;
    ++counters_.tx_dropped;
    return SendStatus::dropped;
  }
  if (state_ != BusState::up || !socket_.is_open()) {
    ++counters_.tx_dropped;
    return SendStatus::dropped;
  }
  if (backlog_count_ > 0) {  // keep the order: wait behind the backlog
    if (enqueue_backlog(frame)) return SendStatus::queued;
    ++counters_.tx_dropped;
    return SendStatus::dropped;
  }
  const int error = write_frame(frame);
  if (error == 0) {
    ++counters_.tx_frames;
    return SendStatus::sent;
  }
  if (error == ENOBUFS || error == EAGAIN) {
    ++counters_.tx_buffer_full;
    if (enqueue_backlog(frame)) return SendStatus::queued;
    ++counters_.tx_dropped;
    return SendStatus::dropped;
  }
  if (error == ENETDOWN) {
    change_state(BusState::down);
    schedule_recovery();
  } else if (error == ENODEV || error == ENXIO) {
    change_state(BusState::gone);
    schedule_recovery();
  } else {
    ++counters_.tx_errors;
  }
  ++counters_.tx_dropped;
  return SendStatus::dropped;
}

void SocketCanBus::schedule_retry() noexcept {
  if (retry_pending_ || !running_) return;
  retry_pending_ = true;
  retry_timer_.expires_after(std::chrono::milliseconds(1));
  retry_timer_.async_wait([this](const boost::system::error_code& ec) {
    // A cancelled wait may complete after the bus is gone: touch nothing then.
    if (ec) return;
    retry_pending_ = false;
    if (!running_) return;
    retry_backlog();
  });
}

void SocketCanBus::retry_backlog() noexcept {
  while (backlog_count_ > 0 && state_ == BusState::up) {
    const Frame& frame = backlog_[backlog_head_];
    const int error = write_frame(frame);
    if (error == ENOBUFS || error == EAGAIN) {
      ++counters_.tx_buffer_full;
      schedule_retry();
      return;
    }
    if (error == 0) {
      ++counters_.tx_frames;
      ++counters_.tx_retried;
    } else {
      ++counters_.tx_errors;
      ++counters_.tx_dropped;
    }
    backlog_head_ = (backlog_head_ + 1) % backlog_.size();
    --backlog_count_;
  }
}

}  // namespace cabind::can
