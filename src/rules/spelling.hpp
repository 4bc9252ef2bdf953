#pragma once
// "Did you mean" suggestions for misspelt names. Internal to the rules module; error
// path only.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cabind::rules::detail {

// Edit distance (insert, delete, substitute; case-insensitive) between two names.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `written`, if it is close enough to be a likely typo
// (at most 1 edit for short names, up to a third of the length, never more than 3).
// Ties go to the candidate listed first.
[[nodiscard]] std::optional<std::string> closest_name(std::string_view written,
                                                      std::span<const std::string> candidates);

}  // namespace cabind::rules::detail
