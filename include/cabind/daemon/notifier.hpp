#pragma once
// systemd's notification protocol (sd_notify(3)) without libsystemd: one datagram of
// "KEY=VALUE\n" lines to the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or an
// abstract name written with a leading '@'). Without $NOTIFY_SOCKET every call is a
// no-op, so the daemon runs the same outside systemd.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace cabind::daemon {

class Notifier {
 public:
  // Reads NOTIFY_SOCKET and WATCHDOG_USEC from the given values (normally the
  // environment; passed in so tests need not touch it).
  Notifier(const char* notify_socket, const char* watchdog_usec);
  static Notifier from_environment();

  [[nodiscard]] bool enabled() const noexcept { return !socket_path_.empty(); }
  // Half of WatchdogSec when the unit sets it: how often watchdog() must be called.
  [[nodiscard]] std::optional<std::chrono::microseconds> watchdog_interval() const noexcept {
    return watchdog_interval_;
  }

  bool ready() { return send("READY=1"); }
  bool reloading() { return send("RELOADING=1"); }
  bool stopping() { return send("STOPPING=1"); }
  bool watchdog() { return send("WATCHDOG=1"); }
  bool status(std::string_view text) { return send("STATUS=" + std::string(text)); }
  // Sends one raw message ("READY=1\nSTATUS=..."); false when not sent.
  bool send(const std::string& message);

 private:
  std::string socket_path_;
  std::optional<std::chrono::microseconds> watchdog_interval_;
};

}  // namespace cabind::daemon
