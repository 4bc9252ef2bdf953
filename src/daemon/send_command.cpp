#include "cabind/daemon/send_command.hpp"

#include <boost/asio/io_context.hpp>
#include <ostream>
#include <vector>

#include "cabind/can/candump_log.hpp"
#include "cabind/can/socketcan_bus.hpp"

namespace cabind::daemon {

int run_send(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  std::string interface;
  bool fd = false;
  std::vector<can::Frame> frames;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--interface" && i + 1 < args.size()) {
      interface = args[++i];
    } else if (args[i] == "--fd") {
      fd = true;
    } else {
      std::string why;
      const auto frame = can::parse_frame_text(args[i], &why);
      if (!frame) {
        err << "cabind send: '" << args[i] << "': " << why << '\n';
        return 2;
      }
      frames.push_back(*frame);
    }
  }
  if (interface.empty() || frames.empty()) {
    err << "usage: cabind send --interface IFACE [--fd] FRAME...\n";
    return 2;
  }
  try {
    boost::asio::io_context io;
    can::SocketCanBus bus(io, interface, {.fd = fd});
    bus.start();
    int failed = 0;
    for (const auto& frame : frames) {
      const auto status = bus.send(frame);
      if (status == can::SendStatus::dropped) {
        err << "cabind send: " << interface << ": could not send " << can::format_frame_text(frame)
            << " (interface " << can::to_string(bus.state()) << ")\n";
        ++failed;
      }
    }
    // Let a backlog left by a full kernel queue drain before leaving.
    for (int i = 0; i < 100 && bus.backlog_size() > 0; ++i) {
      io.run_for(std::chrono::milliseconds(10));
    }
    out << "sent " << bus.counters().tx_frames << " frame(s) on " << interface << '\n';
    return failed == 0 && bus.backlog_size() == 0 ? 0 : 1;
  } catch (const can::BusOpenError& e) {
    err << "cabind send: " << e.what() << '\n';
    return 2;
  }
}

}  // namespace cabind::daemon
