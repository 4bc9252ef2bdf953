// cabind: the cabin personalization daemon and its integrator commands.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <string>
#include <vector>

#include "cabind/daemon/send_command.hpp"

namespace {

constexpr const char* usage =
    "usage: cabind COMMAND [ARGS]\n"
    "  send --interface IFACE [--fd] FRAME...   put frames on a CAN interface\n"
    "  --version                                print the version\n";

}  // namespace

int main(int argc, char** argv) {
  // Logs go to stderr, where systemd's journal picks them up.
  spdlog::set_default_logger(spdlog::stderr_color_mt("cabind"));
  const std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty() || words[0] == "--help" || words[0] == "-h") {
    std::cout << usage;
    return words.empty() ? 2 : 0;
  }
  const std::span<const std::string> rest(words.data() + 1, words.size() - 1);
  if (words[0] == "--version") {
    std::cout << "cabind " << CABIND_VERSION << '\n';
    return 0;
  }
  if (words[0] == "send") return cabind::daemon::run_send(rest, std::cout, std::cerr);
  std::cerr << "cabind: unknown command '" << words[0] << "'\n" << usage;
  return 2;
}
