// cabind: the cabin personalization daemon and its integrator commands.
#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "cabind/cli/check_command.hpp"
#include "cabind/cli/dbc_commands.hpp"
#include "cabind/cli/replay_command.hpp"
#include "cabind/cli/secoc_sign_command.hpp"
#include "cabind/daemon/run_daemon.hpp"
#include "cabind/daemon/send_command.hpp"
#include "cabind_build_info.hpp"

namespace {

// What --help prints. The man page (packaging/man/cabind.8) says the same; a test
// (package.man_pages_match_help) checks that every option here is described there.
constexpr const char* usage =
    "usage: cabind --config FILE [OPTION]...                run the daemon\n"
    "       cabind --check --config FILE                    validate a configuration\n"
    "       cabind --config FILE --replay LOG [--out OUT] [--tz ZONE] [--time log|local]\n"
    "              [--web ADDRESS:PORT]                run the engine on a candump log\n"
    "                                                  (--web: in real time, with the web view)\n"
    "       cabind decode --dbc FILE [LOG]                  candump log -> JSON lines\n"
    "       cabind dbc-check [--strict] FILE                parse a DBC, print a summary\n"
    "       cabind send --interface IFACE [--fd] FRAME...   put frames on a CAN interface\n"
    "       cabind secoc sign --key FILE --data-id N --counter N FRAME...\n"
    "                                                  SecOC-secure frames (profile 1)\n"
    "       cabind --version                                version and git revision\n"
    "       cabind --help                                   this text\n"
    "Daemon options:\n"
    "  --control-socket PATH   control socket (default $RUNTIME_DIRECTORY/cabind.sock,\n"
    "                          else ./cabind.sock)\n"
    "  --state-dir DIR         learned preferences in DIR/preferences.sqlite (default\n"
    "                          $STATE_DIRECTORY; without either, in memory only)\n"
    "  --allow-uid UID         also serve this user on the control socket (repeatable)\n"
    "  --allow-gid GID         also serve this group on the control socket (repeatable)\n"
    "  --tick MS               engine clock period in milliseconds (default 10)\n"
    "Logging: SPDLOG_LEVEL=debug|info|warn|error (default info), to stderr.\n";

bool has(const std::vector<std::string>& words, const char* flag) {
  return std::find(words.begin(), words.end(), flag) != words.end();
}

}  // namespace

int main(int argc, char** argv) {
  // Logs go to stderr, where systemd's journal picks them up.
  auto logger = spdlog::stderr_color_mt("cabind");
  logger->set_pattern("%^%l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::cfg::load_env_levels();

  const std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty() || words[0] == "--help" || words[0] == "-h") {
    (words.empty() ? std::cerr : std::cout) << usage;
    return words.empty() ? 2 : 0;
  }
  const std::span<const std::string> all(words);
  const std::span<const std::string> rest = all.subspan(1);
  if (words[0] == "--version") {
    std::cout << "cabind " << cabind::build_info::version << " (git "
              << cabind::build_info::revision << ")\n";
    return 0;
  }
  if (words[0] == "decode") return cabind::cli::run_decode(rest, std::cin, std::cout, std::cerr);
  if (words[0] == "dbc-check") return cabind::cli::run_dbc_check(rest, std::cout, std::cerr);
  if (words[0] == "secoc") return cabind::cli::run_secoc(rest, std::cout, std::cerr);
  if (words[0] == "send") return cabind::daemon::run_send(rest, std::cout, std::cerr);
  if (has(words, "--check")) return cabind::cli::run_check(all, std::cout, std::cerr);
  if (has(words, "--replay")) return cabind::cli::run_replay(all, std::cout, std::cerr);
  if (words[0].starts_with("--")) return cabind::daemon::run_daemon(all);
  std::cerr << "cabind: unknown command '" << words[0] << "'\n" << usage;
  return 2;
}
