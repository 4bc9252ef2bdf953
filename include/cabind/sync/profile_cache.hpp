#pragma once
// The profiles that came from the cloud, kept where the daemon's state lives
// (<state dir>/profiles/<id>.yaml), each written atomically (temporary file, fsync,
// rename, fsync of the directory) so a power cut leaves the old file or the new one,
// never half of one. A file is the shadow's `state.desired` as JSON (JSON is YAML, so
// the config loader reads it like any profile file), preceded by a comment line with the
// shadow version it came from.
//
// Threading: one thread (the daemon's io_context thread).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace cabind::sync {

class ProfileCache {
 public:
  // Creates the directory if needed; throws std::filesystem::filesystem_error.
  explicit ProfileCache(std::filesystem::path directory);

  // Writes <id>.yaml atomically; false (and `error` says why) when it could not.
  bool store(std::string_view profile_id, std::int64_t version, std::string_view document,
             std::string& error);
  // Removes <id>.yaml; true when there was one.
  bool remove(std::string_view profile_id);
  // The shadow version of the cached file, nullopt when there is none.
  [[nodiscard]] std::optional<std::int64_t> version(std::string_view profile_id) const;
  // The cached document (without the version line), nullopt when there is none.
  [[nodiscard]] std::optional<std::string> document(std::string_view profile_id) const;

  [[nodiscard]] std::filesystem::path file(std::string_view profile_id) const;
  [[nodiscard]] const std::filesystem::path& directory() const noexcept { return directory_; }

 private:
  std::filesystem::path directory_;
};

}  // namespace cabind::sync
