#include "cabind/daemon/run_daemon.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>

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

}  // namespace

int run_daemon(std::span<const std::string> args) {
  ServiceOptions options;
  options.control_socket = default_control_socket();
  options.state_dir = default_state_dir();
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    const bool has_value = i + 1 < args.size();
    if (word == "--config" && has_value) {
      options.config_file = args[++i];
    } else if (word == "--state-dir" && has_value) {
      options.state_dir = args[++i];
    } else if (word == "--control-socket" && has_value) {
      options.control_socket = args[++i];
    } else if (word == "--allow-uid" && has_value) {
      options.access.uids.push_back(static_cast<uid_t>(std::stoul(args[++i])));
    } else if (word == "--allow-gid" && has_value) {
      options.access.gids.push_back(static_cast<gid_t>(std::stoul(args[++i])));
    } else {
      std::cerr << "cabind: unexpected argument '" << word << "'\n";
      return 2;
    }
  }
  if (options.config_file.empty()) {
    std::cerr << "usage: cabind --config FILE [--control-socket PATH] [--state-dir DIR]\n";
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
  } catch (const store::StoreError& e) {
    spdlog::error("cannot start: {}", e.what());
    return 2;
  }
  try {
    service->start();
  } catch (const std::exception& e) {
    spdlog::error("cannot start: {}", e.what());
    return 2;
  }
  io.run();
  spdlog::info("stopped");
  return service->exit_code();
}

}  // namespace cabind::daemon
