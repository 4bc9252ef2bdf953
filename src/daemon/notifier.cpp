#include "cabind/daemon/notifier.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "cabind/cli/number_argument.hpp"

namespace cabind::daemon {

Notifier::Notifier(const char* notify_socket, const char* watchdog_usec) {
  if (notify_socket != nullptr && notify_socket[0] != '\0' &&
      (notify_socket[0] == '/' || notify_socket[0] == '@')) {
    socket_path_ = notify_socket;
  }
  if (watchdog_usec != nullptr) {
    const auto usec = cli::parse_number<std::uint64_t>(watchdog_usec);
    if (usec && *usec > 0) {
      watchdog_interval_ = std::chrono::microseconds(static_cast<std::int64_t>(*usec / 2));
    }
  }
}

Notifier Notifier::from_environment() {
  return Notifier(std::getenv("NOTIFY_SOCKET"), std::getenv("WATCHDOG_USEC"));
}

bool Notifier::send(const std::string& message) {
  if (!enabled()) return false;
  ::sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path_.size() >= sizeof(address.sun_path)) return false;
  std::memcpy(address.sun_path, socket_path_.data(), socket_path_.size());
  if (address.sun_path[0] == '@') address.sun_path[0] = '\0';  // abstract namespace
  const auto length =
      static_cast<socklen_t>(offsetof(::sockaddr_un, sun_path) + socket_path_.size());
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const auto sent = ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
                             reinterpret_cast<const ::sockaddr*>(&address), length);
  ::close(fd);
  return sent == static_cast<ssize_t>(message.size());
}

}  // namespace cabind::daemon
