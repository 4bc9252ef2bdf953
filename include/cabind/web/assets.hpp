#pragma once
// The web view's page, its style and its script, embedded in the binary at build time
// (cmake/EmbedAssets.cmake turns src/web/assets/ into byte arrays): "/" is index.html,
// every other file is served at "/<name>". Nothing else is served but the WebSocket path.
// Immutable, valid for the life of the process; thread-safe.

#include <span>
#include <string_view>

namespace cabind::web {

struct Asset {
  std::string_view path;          // "/", "/app.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
};

[[nodiscard]] std::span<const Asset> embedded_assets() noexcept;

}  // namespace cabind::web
