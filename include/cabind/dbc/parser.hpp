#pragma once
// DBC text -> Database, with every problem found reported at file:line:column.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "cabind/dbc/database.hpp"
#include "cabind/diag/diagnostic.hpp"

namespace cabind::dbc {

struct ParseOptions {
  // Tolerant by default: constructs that real files use and cantools/canmatrix accept, but
  // the DBC grammar does not (an id above 0x7FF without the extended flag, a missing ';',
  // ...), are read as docs/dbc.md says, each with a warning naming what was assumed.
  // Strict: every warning is an error, so such a file is refused.
  bool strict = false;
};

struct ParseResult {
  std::optional<Database> database;  // set when diagnostics has no error
  diag::Diagnostics diagnostics;     // all errors and warnings, not only the first

  [[nodiscard]] bool ok() const noexcept { return database.has_value(); }
};

// `file` names the text in diagnostics. A text without any message (BO_) is an error.
// The Database keeps the text (its names are views of it, see database.hpp): this overload
// moves it in, the others copy it once.
[[nodiscard]] ParseResult parse(std::string&& text, std::string file, ParseOptions options = {});
[[nodiscard]] ParseResult parse(std::string_view text, std::string file, ParseOptions options = {});
// For literals, which would otherwise match both of the above.
[[nodiscard]] ParseResult parse(const char* text, std::string file, ParseOptions options = {});

// Reads and parses a file, its text read once, into the Database's storage. An unreadable
// file is an error diagnostic naming the OS reason ("cannot open DBC file: No such file or
// directory"), not an exception.
[[nodiscard]] ParseResult parse_file(const std::filesystem::path& path, ParseOptions options = {});

}  // namespace cabind::dbc
