#include <cstddef>
#include <string>
#include <vector>

#include "cabind/cli/dbc_commands.hpp"
#include "cabind/dbc/parser.hpp"

namespace cabind::cli {

int run_dbc_check(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  constexpr int exit_ok = 0;
  constexpr int exit_dbc_error = 2;
  dbc::ParseOptions options;
  std::vector<std::string> files;
  for (const std::string& arg : args) {
    if (arg == "--strict") {
      options.strict = true;
    } else {
      files.push_back(arg);
    }
  }
  if (files.size() != 1 || files[0].starts_with("-")) {
    err << "usage: cabind dbc-check [--strict] FILE\n";
    return exit_dbc_error;
  }
  const std::string& file = files[0];
  const dbc::ParseResult result = dbc::parse_file(file, options);
  if (!result.diagnostics.empty()) err << result.diagnostics.to_string();
  if (!result.ok()) {
    err << file << ": " << result.diagnostics.error_count() << " error(s)\n";
    return exit_dbc_error;
  }
  std::size_t signals = 0;
  for (const dbc::Message& m : result.database->messages)
    signals += m.signals.size();
  const std::size_t warnings = result.diagnostics.all().size();
  out << file << ": " << result.database->messages.size() << " messages, " << signals << " signals";
  if (warnings > 0) out << ", " << warnings << " warning(s)";
  out << '\n';
  return exit_ok;
}

}  // namespace cabind::cli
