#include "cabind/sync/profile_cache.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace cabind::sync {
namespace {

constexpr std::string_view kVersionLine = "# cabind shadow version ";

// Writes all of `text` to `fd`; false on error (errno set).
bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool sync_directory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

}  // namespace

ProfileCache::ProfileCache(std::filesystem::path directory) : directory_(std::move(directory)) {
  std::filesystem::create_directories(directory_);
}

std::filesystem::path ProfileCache::file(std::string_view profile_id) const {
  return directory_ / (std::string(profile_id) + ".yaml");
}

bool ProfileCache::store(std::string_view profile_id, std::int64_t version,
                         std::string_view document, std::string& error) {
  const auto target = file(profile_id);
  const auto temporary = directory_ / ("." + std::string(profile_id) + ".yaml.tmp");
  const std::string text =
      std::string(kVersionLine) + std::to_string(version) + "\n" + std::string(document) + "\n";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "cannot create " + temporary.string() + ": " + std::strerror(errno);
    return false;
  }
  const bool written = write_all(fd, text) && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!written || ::rename(temporary.c_str(), target.c_str()) != 0) {
    error = "cannot write " + target.string() + ": " + std::strerror(written ? errno : saved);
    ::unlink(temporary.c_str());
    return false;
  }
  if (!sync_directory(directory_)) {
    error = "cannot sync " + directory_.string() + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool ProfileCache::remove(std::string_view profile_id) {
  const bool removed = ::unlink(file(profile_id).c_str()) == 0;
  if (removed) sync_directory(directory_);
  return removed;
}

std::optional<std::int64_t> ProfileCache::version(std::string_view profile_id) const {
  const auto text = read_file(file(profile_id));
  if (!text || !text->starts_with(kVersionLine)) return std::nullopt;
  const char* begin = text->data() + kVersionLine.size();
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(begin, text->data() + text->size(), value);
  if (ec != std::errc{} || end == begin) return std::nullopt;
  return value;
}

std::optional<std::string> ProfileCache::document(std::string_view profile_id) const {
  auto text = read_file(file(profile_id));
  if (!text) return std::nullopt;
  if (text->starts_with(kVersionLine)) text->erase(0, text->find('\n') + 1);
  while (!text->empty() && text->back() == '\n')
    text->pop_back();
  return text;
}

}  // namespace cabind::sync
