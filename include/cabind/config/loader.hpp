#pragma once
// Loads a whole vehicle configuration: vehicle.yaml, the DBC it names, profiles/*.yaml and
// rules.yaml, and checks all of them together. All errors of a load are reported at once.
//
//   auto result = config::load("config/demo/vehicle.yaml");
//   if (!result.ok()) std::cerr << result.diagnostics.to_string();

#include <filesystem>
#include <optional>
#include <string>

#include "cabind/config/config.hpp"
#include "cabind/diag/diagnostic.hpp"

namespace cabind::config {

struct LoadResult {
  std::optional<Config> config;  // set when diagnostics has no error
  // Otherwise (when the vehicle file is YAML): the part without errors (usable_part.hpp),
  // for `--check` to compile what it can and report every error in one run.
  std::optional<Config> usable_part;
  diag::Diagnostics diagnostics;

  [[nodiscard]] bool ok() const noexcept { return config.has_value(); }
};

struct LoadOptions {
  // Profiles that came from the cloud (sync::ProfileCache, <state dir>/profiles): each
  // <id>.yaml replaces the configured profile of that id, or adds a driver. Offline first:
  // one that no longer passes (a rule changed, or it claims another driver's identifier)
  // is left out with a warning and the configured profiles are used; it never fails a load.
  // Empty or missing: no overlay.
  std::filesystem::path profile_overlay;
};

// Never throws for bad input (missing files, bad YAML, bad DBC): they are diagnostics.
[[nodiscard]] LoadResult load(const std::filesystem::path& vehicle_file,
                              const LoadOptions& options = {});

// Reads a config file whole, refusing files over `max_bytes` before reading them.
[[nodiscard]] std::optional<std::string> read_config_file(const std::filesystem::path& path,
                                                          diag::Diagnostics& diagnostics,
                                                          std::size_t max_bytes = 1024 * 1024);

}  // namespace cabind::config
