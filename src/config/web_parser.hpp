#pragma once
// `web:` of vehicle.yaml (config.hpp's Web; docs/configuration.md):
//
//   web: { listen: 127.0.0.1:8080 }                                  loopback only
//   web: { listen: "[::1]:8080", token: web.token }                  a token on every request
//   web: { listen: 0.0.0.0:8080, allow_remote: true, token: web.token }
//
//   web: { listen: 0.0.0.0:8080 }   -> error: 0.0.0.0 is not a loopback address; ...
//   web: { listen: localhost:8080 } -> error: expected an IP address, found "localhost"
//
// Pure (no I/O): the token file is read by the loader. Errors at file:line:column.

#include <optional>

#include "cabind/config/config.hpp"
#include "cabind/config/yaml_reader.hpp"
#include "cabind/config/yaml_tree.hpp"

namespace cabind::config {

// The view's settings, or nullopt after reporting every error to `read`.
[[nodiscard]] std::optional<Web> parse_web(YamlReader& read, const YamlNode& node);

// True for 127.0.0.0/8, ::1 and ::ffff:127.x.y.z; `address` must be an IP address.
[[nodiscard]] bool is_loopback_address(std::string_view address) noexcept;

}  // namespace cabind::config
