#pragma once
// CAN_RAW as a Boost.Asio protocol, so a CAN socket is an ordinary
// asio::basic_raw_socket: asynchronous waits, cancellation and closing come from Asio
// instead of a hand-managed file descriptor.

#include <linux/can.h>
#include <sys/socket.h>

#include <boost/asio/basic_raw_socket.hpp>
#include <cstddef>
#include <cstring>

namespace cabind::can {

class RawProtocol;

// sockaddr_can for one interface (by index); index 0 means "every interface".
class RawEndpoint {
 public:
  using protocol_type = RawProtocol;
  using data_type = ::sockaddr;

  RawEndpoint() noexcept : RawEndpoint(0) {}
  explicit RawEndpoint(int interface_index) noexcept {
    std::memset(&address_, 0, sizeof(address_));
    address_.can_family = AF_CAN;
    address_.can_ifindex = interface_index;
  }

  [[nodiscard]] protocol_type protocol() const noexcept;
  // Asio's endpoint concept hands the address to the C socket API as a sockaddr.
  [[nodiscard]] data_type* data() noexcept { return reinterpret_cast<data_type*>(&address_); }
  [[nodiscard]] const data_type* data() const noexcept {
    return reinterpret_cast<const data_type*>(&address_);
  }
  [[nodiscard]] std::size_t size() const noexcept { return sizeof(address_); }
  void resize(std::size_t /*size*/) noexcept {}
  [[nodiscard]] std::size_t capacity() const noexcept { return sizeof(address_); }
  [[nodiscard]] int interface_index() const noexcept { return address_.can_ifindex; }

 private:
  ::sockaddr_can address_{};
};

class RawProtocol {
 public:
  using endpoint = RawEndpoint;
  using socket = boost::asio::basic_raw_socket<RawProtocol>;

  [[nodiscard]] int family() const noexcept { return PF_CAN; }
  [[nodiscard]] int type() const noexcept { return SOCK_RAW; }
  [[nodiscard]] int protocol() const noexcept { return CAN_RAW; }
};

inline RawProtocol RawEndpoint::protocol() const noexcept {
  return {};
}

}  // namespace cabind::can
