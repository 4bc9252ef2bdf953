#pragma once
// DBC text -> Database, with every problem found reported at file:line:column.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "cabind/dbc/database.hpp"
#include "cabind/diag/diagnostic.hpp"

namespace cabind::dbc {

struct ParseResult {
  std::optional<Database> database;  // set when diagnostics has no error
  diag::Diagnostics diagnostics;     // all errors and warnings, not only the first

  [[nodiscard]] bool ok() const noexcept { return database.has_value(); }
};

// `file` names the text in diagnostics.
[[nodiscard]] ParseResult parse(std::string_view text, std::string file);

// Reads and parses a file; an unreadable file is an error diagnostic, not an exception.
[[nodiscard]] ParseResult parse_file(const std::filesystem::path& path);

}  // namespace cabind::dbc
