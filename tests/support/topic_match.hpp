#pragma once
// MQTT topic filter matching (`+` one level, `#` the rest), for the in-memory transports
// of the tests. Test-only.

#include <string_view>

namespace cabind::testing {

inline bool topic_matches(std::string_view filter, std::string_view topic) {
  while (true) {
    const auto f_end = filter.find('/');
    const auto t_end = topic.find('/');
    const std::string_view f = filter.substr(0, f_end);
    const std::string_view t = topic.substr(0, t_end);
    if (f == "#") return true;
    if (f != "+" && f != t) return false;
    if (f_end == std::string_view::npos || t_end == std::string_view::npos)
      return f_end == std::string_view::npos && t_end == std::string_view::npos;
    filter.remove_prefix(f_end + 1);
    topic.remove_prefix(t_end + 1);
  }
}

}  // namespace cabind::testing
