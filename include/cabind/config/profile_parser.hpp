#pragma once
// profiles/<id>.yaml -> profile::Profile. Checks one file on its own; conflicts between
// profiles (shared identifiers, guest count) are checked by profile::ProfileDirectory.

#include <optional>
#include <string>
#include <string_view>

#include "cabind/diag/diagnostic.hpp"
#include "cabind/profile/profile.hpp"

namespace cabind::config {

// `file` names the text in diagnostics and becomes Profile::source_file.
[[nodiscard]] std::optional<profile::Profile> parse_profile(std::string_view text, std::string file,
                                                            diag::Diagnostics& diagnostics);

}  // namespace cabind::config
