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
  diag::Diagnostics diagnostics;

  [[nodiscard]] bool ok() const noexcept { return config.has_value(); }
};

// Never throws for bad input (missing files, bad YAML, bad DBC): they are diagnostics.
[[nodiscard]] LoadResult load(const std::filesystem::path& vehicle_file);

// Reads a config file whole, refusing files over `max_bytes` before reading them.
[[nodiscard]] std::optional<std::string> read_config_file(const std::filesystem::path& path,
                                                          diag::Diagnostics& diagnostics,
                                                          std::size_t max_bytes = 1024 * 1024);

}  // namespace cabind::config
