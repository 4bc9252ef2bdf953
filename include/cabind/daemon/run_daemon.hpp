#pragma once
// `cabind --config FILE [--control-socket PATH] [--state-dir DIR] [--allow-uid N]
// [--allow-gid N]`: runs the daemon until SIGTERM/SIGINT. Defaults come from systemd:
// $RUNTIME_DIRECTORY/cabind.sock and $STATE_DIRECTORY/preferences.sqlite.

#include <span>
#include <string>

namespace cabind::daemon {

// Exit status: 0 after a clean stop, 2 for usage or configuration errors.
int run_daemon(std::span<const std::string> args);

}  // namespace cabind::daemon
