#include "cabind/daemon/run_daemon.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>

#include "cabind/cli/number_argument.hpp"
#include "cabind/daemon/guarded_run.hpp"
#include "cabind/daemon/service.hpp"

namespace cabind::daemon {
namespace {

// systemd's RuntimeDirectory= (/run/cabind) when set, else a path in the working directory.
// systemd's StateDirectory= (/var/lib/cabind) when set; else no durable store.
std::filesystem::path default_state_dir() {
  if (const char* state = std::getenv("STATE_DIRECTORY"); state != nullptr && *state) {
    return state;
  }
  return {};
}

std::filesystem::path default_control_socket() {
  if (const char* runtime = std::getenv("RUNTIME_DIRECTORY"); runtime != nullptr && *runtime) {
    return std::filesystem::path(runtime) / "cabind.sock";
  }
  return "cabind.sock";
}

constexpr const char* usage =
    "usage: cabind --config FILE [--control-socket PATH] [--state-dir DIR]\n"
    "              [--allow-uid UID]... [--allow-gid GID]... [--tick MS]\n";

}  // namespace

// Fills `options` from the arguments; throws cli::ArgumentError with the message to print.
void parse_arguments(std::span<const std::string> args, ServiceOptions& options) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    const bool has_value = i + 1 < args.size();
    if (!has_value && (word == "--config" || word == "--state-dir" || word == "--control-socket" ||
                       word == "--allow-uid" || word == "--allow-gid" || word == "--tick")) {
      throw cli::ArgumentError(word + ": expects a value");
    }
    if (word == "--config") {
      options.config_file = args[++i];
    } else if (word == "--state-dir") {
      options.state_dir = args[++i];
    } else if (word == "--control-socket") {
      options.control_socket = args[++i];
    } else if (word == "--allow-uid") {
      options.access.uids.push_back(
          cli::number_argument<uid_t>(word, args[++i], "a numeric user id"));
    } else if (word == "--allow-gid") {
      options.access.gids.push_back(
          cli::number_argument<gid_t>(word, args[++i], "a numeric group id"));
    } else if (word == "--tick") {
      options.tick = std::chrono::milliseconds(cli::number_argument<std::uint32_t>(
          word, args[++i], "a positive integer in milliseconds", true));
    } else {
      throw cli::ArgumentError("unexpected argument '" + word + "'");
    }
  }
  if (options.config_file.empty()) throw cli::ArgumentError("--config FILE is required");
}

int run_daemon(std::span<const std::string> args) {
  ServiceOptions options;
  options.control_socket = default_control_socket();
  options.state_dir = default_state_dir();
  try {
    parse_arguments(args, options);
  } catch (const cli::ArgumentError& e) {
    std::cerr << "cabind: " << e.what() << "\n" << usage;
    return 2;
  }
  boost::asio::io_context io(1);
  Notifier notifier = Notifier::from_environment();
  std::unique_ptr<Service> service;
  try {
    service = std::make_unique<Service>(io, options, notifier);
  } catch (const ConfigError& e) {
    spdlog::error("cannot start: {} is not valid:\n{}", options.config_file.string(), e.what());
    return 2;
  } catch (const std::exception& e) {  // store::StoreError, the control socket, ...
    spdlog::error("cannot start: {}", e.what());
    return 2;
  }
  try {
    service->start();
  } catch (const std::exception& e) {
    spdlog::error("cannot start: {}", e.what());
    return 2;
  }
  run_guarded(io, [&](std::string_view what) { service->on_exception("event loop", what); });
  spdlog::info("stopped");
  return service->exit_code();
}

}  // namespace cabind::daemon
