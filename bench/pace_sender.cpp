// pace_sender IFACE RATE_FPS SECONDS ID...
// Offers a fixed rate of 8-byte classic frames with random payloads on IFACE, the ids taken
// round-robin (hex, standard). tools/throughput-probe uses it instead of cangen: cangen's
// gap is a sleep per frame, which under QEMU TCG costs far more than the gap itself, so the
// rate it achieved depended on the host's load, not on the gap asked for. Here the schedule
// is absolute: every millisecond (clock_nanosleep TIMER_ABSTIME on CLOCK_MONOTONIC) the frames
// due since the start go out in one sendmmsg, so a late wake-up sends a larger batch and the
// average rate holds. A full transmit queue (ENOBUFS) is waited out with poll and retried,
// never skipped. Prints one JSON line: {"sent":..,"seconds":..,"rate_fps":..,"behind_ms":..},
// behind_ms being the most the sender ever ran behind its schedule (a burst that large went
// out at once).

#include <linux/can.h>
#include <linux/can/raw.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

constexpr std::size_t max_batch = 256;

std::int64_t now_ns() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

void sleep_until(std::int64_t ns) {
  const timespec t{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, nullptr) == EINTR) {
  }
}

std::uint64_t next_random(std::uint64_t& state) {  // xorshift64: payloads, not security
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

int open_socket(const char* iface) {
  const int fd = socket(PF_CAN, SOCK_RAW, CAN_RAW);
  if (fd < 0) return -1;
  // Sending only: receive nothing, so this socket's queue never fills.
  setsockopt(fd, SOL_CAN_RAW, CAN_RAW_FILTER, nullptr, 0);
  sockaddr_can address{};
  address.can_family = AF_CAN;
  address.can_ifindex = static_cast<int>(if_nametoindex(iface));
  if (address.can_ifindex == 0 ||
      bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    return -1;
  return fd;
}

// Sends frames[0, n) in order; false on an error other than a full queue.
bool send_all(int fd, std::array<can_frame, max_batch>& frames, std::size_t n) {
  std::array<iovec, max_batch> vectors{};
  std::array<mmsghdr, max_batch> headers{};
  for (std::size_t i = 0; i < n; ++i) {
    vectors[i] = {&frames[i], sizeof(can_frame)};
    headers[i] = {};
    headers[i].msg_hdr.msg_iov = &vectors[i];
    headers[i].msg_hdr.msg_iovlen = 1;
  }
  std::size_t done = 0;
  while (done < n) {
    const int count = sendmmsg(fd, headers.data() + done, static_cast<unsigned>(n - done), 0);
    if (count > 0) {
      done += static_cast<std::size_t>(count);
      continue;
    }
    if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) return false;
    pollfd p{fd, POLLOUT, 0};
    poll(&p, 1, 10);  // vcan has no queue of its own: ENOBUFS is the socket's send buffer
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: pace_sender IFACE RATE_FPS SECONDS ID... (hex ids)\n");
    return 2;
  }
  const double rate = std::atof(argv[2]);
  const double seconds = std::atof(argv[3]);
  std::vector<canid_t> ids;
  for (int i = 4; i < argc; ++i)
    ids.push_back(static_cast<canid_t>(std::strtoul(argv[i], nullptr, 16)));
  const int fd = open_socket(argv[1]);
  if (fd < 0 || rate <= 0 || seconds <= 0) {
    std::perror(argv[1]);
    return 1;
  }
  const auto total = static_cast<std::uint64_t>(rate * seconds);
  std::array<can_frame, max_batch> frames{};
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  std::uint64_t sent = 0;
  std::int64_t behind_ns = 0;
  const std::int64_t start = now_ns();
  for (std::int64_t tick = start; sent < total;) {
    tick += 1'000'000;
    sleep_until(tick);
    const std::int64_t woke = now_ns();
    behind_ns = std::max(behind_ns, woke - tick);
    const auto due =
        std::min(total, static_cast<std::uint64_t>(rate * static_cast<double>(woke - start) / 1e9));
    while (sent < due) {
      const std::size_t n =
          static_cast<std::size_t>(std::min<std::uint64_t>(due - sent, max_batch));
      for (std::size_t i = 0; i < n; ++i) {
        frames[i] = {};
        frames[i].can_id = ids[(sent + i) % ids.size()];
        frames[i].len = 8;
        const std::uint64_t payload = next_random(state);
        std::memcpy(frames[i].data, &payload, sizeof payload);
      }
      if (!send_all(fd, frames, n)) {
        std::perror("sendmmsg");
        return 1;
      }
      sent += n;
    }
  }
  const double elapsed = static_cast<double>(now_ns() - start) / 1e9;
  std::printf("{\"sent\":%llu,\"seconds\":%.3f,\"rate_fps\":%.0f,\"behind_ms\":%.1f}\n",
              static_cast<unsigned long long>(sent), elapsed, static_cast<double>(sent) / elapsed,
              static_cast<double>(behind_ns) / 1e6);
  return 0;
}
