#pragma once
// Numbers on a command line, parsed whole with std::from_chars: no locale, no leading
// whitespace or '+', nothing left over, no silent wrap-around of a negative into an
// unsigned. Errors name the option, what it expects and what it got:
//
//   parse_number<std::uint32_t>("42")    -> 42
//   parse_number<std::uint32_t>("-1")    -> nullopt
//   parse_number<std::uint32_t>("12ms")  -> nullopt
//   parse_number<double>("21.5")         -> 21.5
//   number_argument<std::uint32_t>("--tick", "x", "a positive integer in milliseconds")
//     throws ArgumentError("--tick: expected a positive integer in milliseconds, got 'x'")
//
// Header-only (cabinctl uses it without the cli library). Thread-safe: no state.

#include <charconv>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace cabind::cli {

// A command-line argument that cannot be used; what() is the whole message.
class ArgumentError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The number `text` spells, entirely; nullopt when it is not one or does not fit T.
template <typename T>
[[nodiscard]] std::optional<T> parse_number(std::string_view text) noexcept {
  static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>);
  if constexpr (std::is_unsigned_v<T>) {
    if (!text.empty() && text.front() == '-') return std::nullopt;  // from_chars would wrap
  }
  T value{};
  const char* const end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc{} || stop != end) return std::nullopt;
  if constexpr (std::is_floating_point_v<T>) {
    if (value != value || value - value != 0) return std::nullopt;  // NaN, infinity
  }
  return value;
}

// parse_number, or ArgumentError "OPTION: expected EXPECTED, got 'TEXT'". With
// `positive`, zero (and below) is refused too.
template <typename T>
[[nodiscard]] T number_argument(std::string_view option, std::string_view text,
                                std::string_view expected, bool positive = false) {
  const std::optional<T> value = parse_number<T>(text);
  if (!value || (positive && *value <= T{})) {
    throw ArgumentError(std::string(option) + ": expected " + std::string(expected) + ", got '" +
                        std::string(text) + "'");
  }
  return *value;
}

}  // namespace cabind::cli
