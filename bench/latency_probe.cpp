// latency_probe IFACE COUNT INTERVAL_US IDS [WARMUP]
// Sends COUNT stimulus frames on IFACE, one every INTERVAL_US, round-robin over IDS
// stimulus ids 0x100.. (frame n: id 0x100 + n % IDS, 2 bytes: the sequence number n,
// little endian), and waits for each reaction: id 0x300 + n % IDS carrying the same
// sequence number. Latency = kernel receive time (SO_TIMESTAMPNS) of the reaction minus that
// of the stimulus, both seen by one receiving socket, so user-space scheduling of this
// program does not enter the figure. The first WARMUP stimuli (default 100) are not counted.
//
// Prints one JSON line: {"count":..,"missed":..,"p50_us":..,"p99_us":..,"p999_us":..,
// "max_us":..,"mean_us":..}. A reaction that does not come within 200 ms counts as missed.

#include <linux/can.h>
#include <linux/can/raw.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

constexpr canid_t stimulus_base = 0x100;
constexpr canid_t reaction_base = 0x300;

int open_socket(const char* iface, bool receive) {
  const int fd = socket(PF_CAN, SOCK_RAW, CAN_RAW);
  if (fd < 0) return -1;
  if (receive) {
    const int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    const can_filter filters[2] = {{stimulus_base, 0x700 | CAN_EFF_FLAG | CAN_RTR_FLAG},
                                   {reaction_base, 0x700 | CAN_EFF_FLAG | CAN_RTR_FLAG}};
    setsockopt(fd, SOL_CAN_RAW, CAN_RAW_FILTER, filters, sizeof filters);
    const int buffer = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  } else {
    setsockopt(fd, SOL_CAN_RAW, CAN_RAW_FILTER, nullptr, 0);  // a sending socket reads nothing
  }
  sockaddr_can address{};
  address.can_family = AF_CAN;
  address.can_ifindex = static_cast<int>(if_nametoindex(iface));
  if (address.can_ifindex == 0 ||
      bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    return -1;
  return fd;
}

std::int64_t monotonic_ns() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

// Reads one frame and its kernel time; false on timeout.
bool receive(int fd, int timeout_ms, can_frame& frame, std::int64_t& time_ns) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return false;
  iovec io{&frame, sizeof frame};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  if (recvmsg(fd, &message, 0) != static_cast<ssize_t>(sizeof frame)) return false;
  time_ns = 0;
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec t{};
      std::copy_n(CMSG_DATA(c), sizeof t, reinterpret_cast<unsigned char*>(&t));
      time_ns = static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
    }
  }
  return time_ns != 0;
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: latency_probe IFACE COUNT INTERVAL_US IDS [WARMUP]\n");
    return 2;
  }
  const long count = std::atol(argv[2]);
  const long interval_us = std::atol(argv[3]);
  const auto ids = static_cast<std::uint32_t>(std::atol(argv[4]));
  const long warmup = argc > 5 ? std::atol(argv[5]) : 100;
  const int tx = open_socket(argv[1], false);
  const int rx = open_socket(argv[1], true);
  if (tx < 0 || rx < 0 || ids == 0 || ids > 0x100 || count <= 0) {
    std::perror("latency_probe");
    return 1;
  }
  std::vector<double> latencies_us;
  latencies_us.reserve(static_cast<std::size_t>(count));
  long missed = 0;
  std::int64_t next = monotonic_ns();
  for (long n = 0; n < warmup + count; ++n) {
    const auto seq = static_cast<std::uint16_t>(n % 65536);
    can_frame out{};
    out.can_id = stimulus_base + static_cast<canid_t>(n % ids);
    out.len = 2;
    out.data[0] = static_cast<std::uint8_t>(seq & 0xFF);
    out.data[1] = static_cast<std::uint8_t>(seq >> 8);
    if (write(tx, &out, sizeof out) != static_cast<ssize_t>(sizeof out)) {
      std::perror("write");
      return 1;
    }
    std::int64_t sent = 0;
    std::int64_t reacted = 0;
    const std::int64_t deadline = monotonic_ns() + 200'000'000;
    while (reacted == 0) {
      const std::int64_t left_ms = (deadline - monotonic_ns()) / 1'000'000;
      can_frame in{};
      std::int64_t time = 0;
      if (left_ms < 0 || !receive(rx, static_cast<int>(left_ms) + 1, in, time)) break;
      if (in.len < 2 || (in.data[0] | (in.data[1] << 8)) != seq) continue;  // a late frame
      if ((in.can_id & 0x700) == stimulus_base) sent = time;
      if ((in.can_id & 0x700) == reaction_base) reacted = time;
    }
    if (n >= warmup) {
      if (sent != 0 && reacted != 0)
        latencies_us.push_back(static_cast<double>(reacted - sent) / 1000.0);
      else
        ++missed;
    }
    next += interval_us * 1000;
    const std::int64_t wait = next - monotonic_ns();
    if (wait > 0) {
      const timespec pause{static_cast<time_t>(wait / 1'000'000'000), wait % 1'000'000'000};
      nanosleep(&pause, nullptr);
    } else {
      next = monotonic_ns();  // late (the VM was slow): keep at least the interval after this
    }
  }
  std::sort(latencies_us.begin(), latencies_us.end());
  double sum = 0;
  for (double l : latencies_us)
    sum += l;
  std::printf(
      "{\"count\":%zu,\"missed\":%ld,\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,"
      "\"max_us\":%.1f,\"mean_us\":%.1f}\n",
      latencies_us.size(), missed, percentile(latencies_us, 0.50), percentile(latencies_us, 0.99),
      percentile(latencies_us, 0.999), latencies_us.empty() ? 0.0 : latencies_us.back(),
      latencies_us.empty() ? 0.0 : sum / static_cast<double>(latencies_us.size()));
  return missed == 0 ? 0 : 3;
}
