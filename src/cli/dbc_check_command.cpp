#include <cstddef>

#include "cabind/cli/dbc_commands.hpp"
#include "cabind/dbc/parser.hpp"

namespace cabind::cli {

int run_dbc_check(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  constexpr int exit_ok = 0;
  constexpr int exit_dbc_error = 2;
  if (args.size() != 1 || args[0].starts_with("-")) {
    err << "usage: cabind dbc-check FILE\n";
    return exit_dbc_error;
  }
  const dbc::ParseResult result = dbc::parse_file(args[0]);
  if (!result.diagnostics.empty()) err << result.diagnostics.to_string();
  if (!result.ok()) {
    err << args[0] << ": " << result.diagnostics.error_count() << " error(s)\n";
    return exit_dbc_error;
  }
  std::size_t signals = 0;
  for (const dbc::Message& m : result.database->messages)
    signals += m.signals.size();
  const std::size_t warnings = result.diagnostics.all().size();
  out << args[0] << ": " << result.database->messages.size() << " messages, " << signals
      << " signals";
  if (warnings > 0) out << ", " << warnings << " warning(s)";
  out << '\n';
  return exit_ok;
}

}  // namespace cabind::cli
