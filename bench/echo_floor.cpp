// echo_floor IFACE STIMULUS_ID REACTION_ID
// The latency floor of a user-space CAN program: reads the stimulus id on IFACE and writes
// the same payload back at REACTION_ID, one blocking read and one write per frame, nothing
// else. tools/latency-probe measures it in the same VM run as cabind, so cabind's reaction
// time can be given as a ratio to the least any program on that bus can do.

#include <linux/can.h>
#include <linux/can/raw.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: echo_floor IFACE STIMULUS_ID REACTION_ID (hex ids)\n");
    return 2;
  }
  const auto stimulus = static_cast<canid_t>(std::strtoul(argv[2], nullptr, 16));
  const auto reaction = static_cast<canid_t>(std::strtoul(argv[3], nullptr, 16));
  const int fd = socket(PF_CAN, SOCK_RAW, CAN_RAW);
  if (fd < 0) {
    std::perror("socket");
    return 1;
  }
  const can_filter filter{stimulus, CAN_SFF_MASK | CAN_EFF_FLAG | CAN_RTR_FLAG};
  setsockopt(fd, SOL_CAN_RAW, CAN_RAW_FILTER, &filter, sizeof filter);
  sockaddr_can address{};
  address.can_family = AF_CAN;
  address.can_ifindex = static_cast<int>(if_nametoindex(argv[1]));
  if (address.can_ifindex == 0 ||
      bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    std::perror(argv[1]);
    return 1;
  }
  can_frame frame{};
  while (read(fd, &frame, sizeof frame) == static_cast<ssize_t>(sizeof frame)) {
    frame.can_id = reaction;
    if (write(fd, &frame, sizeof frame) != static_cast<ssize_t>(sizeof frame)) {
      std::perror("write");
      return 1;
    }
  }
  std::perror("read");
  return 1;
}
