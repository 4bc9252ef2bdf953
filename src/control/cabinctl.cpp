// cabinctl: the command line over cabind's control socket.
//   cabinctl [--socket PATH] [--json] COMMAND [ARGS]
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "cabind/cli/number_argument.hpp"
#include "cabind/control/client.hpp"
#include "cabind_build_info.hpp"

namespace {

using nlohmann::json;

// What --help prints; the man page (packaging/man/cabinctl.1) says the same (a test checks
// that every option and command here is described there).
constexpr const char* usage =
    "usage: cabinctl [--socket PATH] [--json] COMMAND\n"
    "       cabinctl --version | --help\n"
    "  status                         active driver and why, bus, interlocks, recent decisions\n"
    "  metrics                        frame, decision and control counters\n"
    "  profiles [ID]                  list the profiles, or show one\n"
    "  identify KIND CODE             simulate an identifier (KIND: fob, seat_memory_button)\n"
    "  set PROFILE OUTPUT VALUE       store a preference for a driver\n"
    "  reload                         load the configuration again (like SIGHUP)\n"
    "  bridge                         MQTT: connection state, queue depth, last error, counters\n"
    "  events                         follow decisions as they happen (Ctrl-C ends)\n"
    "Options:\n"
    "  --socket PATH                  the control socket (default $CABIND_SOCKET, else\n"
    "                                 /run/cabind/cabind.sock)\n"
    "  --json                         print replies as JSON instead of key: value lines\n";

// Readable form: nested keys joined with dots, one "key: value" per line.
void print_readable(const json& value, const std::string& prefix = "") {
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      print_readable(item, prefix.empty() ? key : prefix + "." + key);
    }
  } else if (value.is_array() && !value.empty() && value.front().is_object()) {
    for (const auto& item : value) {
      print_readable(item, prefix);
      std::cout << '\n';
    }
  } else if (value.is_array()) {
    std::cout << prefix << ":";
    if (value.empty()) std::cout << " (none)";
    for (const auto& item : value) {
      std::cout << "\n  " << (item.is_string() ? item.get<std::string>() : item.dump());
    }
    std::cout << '\n';
  } else {
    std::cout << prefix << ": " << (value.is_string() ? value.get<std::string>() : value.dump())
              << '\n';
  }
}

json build_request(const std::vector<std::string>& words) {
  const std::string& command = words[0];
  if (command == "profiles" && words.size() == 2)
    return {{"command", "profiles"}, {"id", words[1]}};
  if (command == "identify") {
    if (words.size() != 3) throw std::invalid_argument("identify needs KIND CODE");
    return {{"command", "identify"},
            {"kind", words[1]},
            {"code", cabind::cli::number_argument<std::uint64_t>("identify CODE", words[2],
                                                                 "a non-negative integer")}};
  }
  if (command == "set") {
    if (words.size() != 4) throw std::invalid_argument("set needs PROFILE OUTPUT VALUE");
    return {{"command", "set"},
            {"profile", words[1]},
            {"output", words[2]},
            {"value", cabind::cli::number_argument<double>("set VALUE", words[3], "a number")}};
  }
  if (command == "events") return {{"command", "subscribe"}};
  if (words.size() != 1) throw std::invalid_argument(command + " takes no arguments");
  return {{"command", command}};
}

}  // namespace

int main(int argc, char** argv) {
  std::string socket = std::getenv("CABIND_SOCKET") != nullptr ? std::getenv("CABIND_SOCKET")
                                                               : "/run/cabind/cabind.sock";
  bool as_json = false;
  std::vector<std::string> words;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--socket" && i + 1 < argc) {
      socket = argv[++i];
    } else if (word == "--json") {
      as_json = true;
    } else if (word == "--help" || word == "-h") {
      std::cout << usage;
      return 0;
    } else if (word == "--version") {
      std::cout << "cabinctl " << cabind::build_info::version << " (git "
                << cabind::build_info::revision << ")\n";
      return 0;
    } else {
      words.push_back(word);
    }
  }
  if (words.empty()) {
    std::cerr << usage;
    return 2;
  }
  try {
    const json request = build_request(words);
    cabind::control::Client client(socket);
    const json reply = client.request(request);
    if (!reply.value("ok", false)) {
      std::cerr << "cabinctl: " << reply.value("error", "request failed") << '\n';
      return 1;
    }
    if (words[0] == "events") {
      for (;;) {
        const json event = client.read_line();
        if (as_json) {
          std::cout << event.dump() << std::endl;
        } else {
          std::cout << event["event"].value("text", event.dump()) << std::endl;
        }
      }
    }
    json result = reply["result"];
    if (words[0] == "identify" && result.value("debounce_ms", 0) > 0) {
      // The identifier counts once its debounce time has passed on the daemon's
      // (monotonic) engine clock: poll its status until the driver changes, for the
      // debounce plus a second at most (it may stay the same: the same driver again).
      const json before = result["driver"];
      const auto deadline = std::chrono::steady_clock::now() +
                            std::chrono::milliseconds(result["debounce_ms"].get<int>()) +
                            std::chrono::seconds(1);
      while (std::chrono::steady_clock::now() < deadline) {
        result["driver"] = client.request({{"command", "status"}})["result"]["driver"];
        if (result["driver"] != before) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    if (as_json) {
      std::cout << result.dump(2) << '\n';
    } else {
      print_readable(result);
    }
    return 0;
  } catch (const std::invalid_argument& e) {
    std::cerr << "cabinctl: " << e.what() << '\n' << usage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "cabinctl: " << e.what() << '\n';
    return 1;
  }
}
