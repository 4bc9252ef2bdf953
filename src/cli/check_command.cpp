#include "cabind/cli/check_command.hpp"

#include <algorithm>
#include <optional>
#include <string_view>

#include "cabind/config/loader.hpp"
#include "cabind/engine/plan.hpp"

namespace cabind::cli {

namespace {

constexpr int kValid = 0;
constexpr int kInvalid = 2;

std::string count(std::size_t n, std::string_view singular, std::string_view plural) {
  return std::to_string(n) + " " + std::string(n == 1 ? singular : plural);
}

// ", 2 warnings" when there are any (warnings are printed with their positions).
std::string warning_count(const diag::Diagnostics& diagnostics) {
  const std::size_t warnings = diagnostics.all().size() - diagnostics.error_count();
  return warnings == 0 ? std::string() : ", " + count(warnings, "warning", "warnings");
}

void print_refusal(const std::string& path, const diag::Diagnostics& diagnostics,
                   std::ostream& err) {
  err << diagnostics.to_string();
  err << path << ": " << count(diagnostics.error_count(), "error", "errors")
      << ", configuration refused" << warning_count(diagnostics) << "\n";
}

std::optional<std::string> config_path(std::span<const std::string> args, std::ostream& err) {
  std::optional<std::string> path;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--check") continue;
    if (arg == "--config") {
      if (i + 1 == args.size()) {
        err << "cabind --check: --config needs a FILE\n";
        return std::nullopt;
      }
      path = args[++i];
    } else if (arg.starts_with("--config=")) {
      path = std::string(arg.substr(9));
    } else {
      err << "cabind --check: unexpected argument '" << arg << "'\n";
      return std::nullopt;
    }
  }
  if (!path || path->empty()) err << "usage: cabind --check --config FILE\n";
  return path && !path->empty() ? path : std::nullopt;
}

// Compiles the part of a refused configuration that has no error (LoadResult::usable_part)
// and adds what that finds, but nothing at a position that already has an error: rule
// expressions are checked in the same run as the files they depend on.
void compile_usable_part(const config::Config& part, diag::Diagnostics& diagnostics) {
  if (part.buses.empty()) return;
  diag::Diagnostics found;
  (void)engine::compile(part, found);
  for (const diag::Diagnostic& item : found.all()) {
    const auto& known = diagnostics.all();
    const bool repeated = std::any_of(known.begin(), known.end(), [&](const diag::Diagnostic& d) {
      return d.where.file == item.where.file && d.where.line == item.where.line &&
             d.where.column == item.where.column;
    });
    if (repeated) continue;
    if (item.severity == diag::Severity::error)
      diagnostics.error(item.where, item.message);
    else
      diagnostics.warning(item.where, item.message);
  }
}

}  // namespace

int run_check(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  const auto path = config_path(args, err);
  if (!path) return kInvalid;
  auto result = config::load(*path);
  if (!result.ok()) {
    if (result.usable_part) compile_usable_part(*result.usable_part, result.diagnostics);
    print_refusal(*path, result.diagnostics, err);
    return kInvalid;
  }
  const config::Config& config = *result.config;
  // The plan the daemon would run: compiling it is the whole check (nothing is started).
  const auto plan = engine::compile(config, result.diagnostics);
  if (!plan || result.diagnostics.has_errors()) {
    print_refusal(*path, result.diagnostics, err);
    return kInvalid;
  }
  err << result.diagnostics.to_string();  // warnings, if any
  out << *path << ": ok: " << count(config.buses.size(), "bus", "buses") << ", "
      << count(config.signals.size(), "signal", "signals") << ", "
      << count(config.outputs.size(), "output", "outputs") << ", "
      << count(config.interlocks.size(), "interlock", "interlocks") << ", "
      << count(config.identity.sources.size(), "identity source", "identity sources") << ", "
      << count(config.profiles.size(), "profile", "profiles") << ", "
      << count(config.rules.size(), "rule", "rules") << warning_count(result.diagnostics) << "\n";
  return kValid;
}

}  // namespace cabind::cli
