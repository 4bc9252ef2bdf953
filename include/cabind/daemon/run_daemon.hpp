#pragma once
// `cabind --config FILE [--control-socket PATH] [--state-dir DIR] [--allow-uid N]
// [--allow-gid N] [--tick MS]`: runs the daemon until SIGTERM/SIGINT. Defaults come from
// systemd: $RUNTIME_DIRECTORY/cabind.sock and $STATE_DIRECTORY/preferences.sqlite; the
// engine tick is 10 ms. Numbers are checked whole ("--tick: expected a positive integer
// in milliseconds, got 'x'").

#include <span>
#include <string>

namespace cabind::daemon {

struct ServiceOptions;

// Exit status: 0 after a clean stop, 1 after a stop forced by repeated unexpected
// exceptions, 2 for usage or configuration errors.
int run_daemon(std::span<const std::string> args);

// The daemon's options from its arguments (defaults kept where none is given); throws
// cli::ArgumentError naming the argument and what it expects.
void parse_arguments(std::span<const std::string> args, ServiceOptions& options);

}  // namespace cabind::daemon
