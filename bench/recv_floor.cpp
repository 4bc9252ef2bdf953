// recv_floor IFACE IDLE_MS EXPECTED ID...
// The throughput floor of a user-space CAN receiver: drains the frames of the given ids
// (hex, standard) on IFACE with plain blocking recvmmsg() batches of 64 and does nothing
// with them. The socket is set up as cabind's SocketCanBus sets up its own (CAN_RAW, kernel
// filters on the ids, SO_TIMESTAMPNS, SO_RXQ_OVFL, the system's default SO_RCVBUF), so the
// kernel drops frames for the same reason it would drop them for cabind: the receive queue
// is full because the process did not read fast enough. tools/latency-probe runs it on the
// same cangen traffic as cabind, in the same VM run, and reports cabind's loss against it.
//
// Exits once EXPECTED frames were received or dropped (0: no such limit), or no frame has
// come for IDLE_MS after the first one (or 30 s without any), and prints one JSON line:
// {"received":..,"dropped":..,"batches":..}, dropped being the kernel's SO_RXQ_OVFL count for this
// socket.

#include <linux/can.h>
#include <linux/can/raw.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

constexpr std::size_t batch = 64;  // SocketCanOptions::batch_size
constexpr std::size_t control_size =
    CMSG_SPACE(sizeof(timespec)) + CMSG_SPACE(sizeof(std::uint32_t));

int open_socket(const char* iface, const std::vector<can_filter>& filters) {
  const int fd = socket(PF_CAN, SOCK_RAW, CAN_RAW);
  if (fd < 0) return -1;
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on);
  setsockopt(fd, SOL_CAN_RAW, CAN_RAW_FILTER, filters.data(),
             static_cast<socklen_t>(filters.size() * sizeof(can_filter)));
  sockaddr_can address{};
  address.can_family = AF_CAN;
  address.can_ifindex = static_cast<int>(if_nametoindex(iface));
  if (address.can_ifindex == 0 ||
      bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    return -1;
  return fd;
}

void set_timeout(int fd, int ms) {
  const timeval timeout{ms / 1000, (ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
}

// The kernel's running drop total carried by one received message; `dropped` is unchanged
// when the message carries none.
void read_overflow(msghdr& header, std::uint32_t& dropped) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&header); c != nullptr; c = CMSG_NXTHDR(&header, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL)
      std::memcpy(&dropped, CMSG_DATA(c), sizeof dropped);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: recv_floor IFACE IDLE_MS EXPECTED ID... (hex ids)\n");
    return 2;
  }
  const int idle_ms = std::atoi(argv[2]);
  const std::uint64_t expected = std::strtoull(argv[3], nullptr, 10);
  std::vector<can_filter> filters;
  for (int i = 4; i < argc; ++i) {
    const auto id = static_cast<canid_t>(std::strtoul(argv[i], nullptr, 16));
    filters.push_back({id, CAN_SFF_MASK | CAN_EFF_FLAG | CAN_RTR_FLAG});
  }
  const int fd = open_socket(argv[1], filters);
  if (fd < 0 || idle_ms <= 0) {
    std::perror(argv[1]);
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  std::array<canfd_frame, batch> frames{};
  std::array<iovec, batch> vectors{};
  std::array<std::array<char, control_size>, batch> control{};
  std::array<mmsghdr, batch> headers{};
  std::uint64_t received = 0;
  std::uint64_t batches = 0;
  std::uint32_t dropped = 0;
  set_timeout(fd, 30'000);
  for (;;) {
    for (std::size_t i = 0; i < batch; ++i) {
      vectors[i] = {&frames[i], sizeof(canfd_frame)};
      headers[i].msg_hdr = {};
      headers[i].msg_hdr.msg_iov = &vectors[i];
      headers[i].msg_hdr.msg_iovlen = 1;
      headers[i].msg_hdr.msg_control = control[i].data();
      headers[i].msg_hdr.msg_controllen = control_size;
    }
    // MSG_WAITFORONE: block for the first frame, then take what is queued without waiting.
    const int count = recvmmsg(fd, headers.data(), batch, MSG_WAITFORONE, nullptr);
    if (count < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        std::perror("recvmmsg");
        return 1;
      }
      break;  // idle: the traffic is over
    }
    if (received == 0) set_timeout(fd, idle_ms);
    received += static_cast<std::uint64_t>(count);
    ++batches;
    for (int i = 0; i < count; ++i)
      read_overflow(headers[static_cast<std::size_t>(i)].msg_hdr, dropped);
    if (expected > 0 && received + dropped >= expected) break;
  }
  std::printf("{\"received\":%llu,\"dropped\":%u,\"batches\":%llu}\n",
              static_cast<unsigned long long>(received), dropped,
              static_cast<unsigned long long>(batches));
  return 0;
}
