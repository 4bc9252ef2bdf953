#include "time_zone.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <utility>

namespace cabind::cli {

namespace {

std::string zoneinfo_directory() {
  const char* dir = std::getenv("TZDIR");
  return dir != nullptr && *dir != '\0' ? dir : "/usr/share/zoneinfo";
}

// A name the zoneinfo database could hold: no absolute path, no "..", no odd characters.
bool is_plausible_name(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos) {
    return false;
  }
  for (const char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '/' || c == '_' || c == '-' || c == '+';
    if (!ok) return false;
  }
  return true;
}

// glibc falls back to UTC for a TZ it cannot read, silently; so check the file first.
bool is_zone_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  char magic[4] = {};
  return file.read(magic, sizeof magic) && std::string_view(magic, sizeof magic) == "TZif";
}

std::tm local_tm(can::Timestamp time) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(time).count();
  const auto t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  localtime_r(&t, &tm);
  return tm;
}

}  // namespace

std::optional<ScopedTimeZone> ScopedTimeZone::named(std::string_view name, std::string& why) {
  const std::string path = zoneinfo_directory() + "/" + std::string(name);
  if (!is_plausible_name(name) || !is_zone_file(path)) {
    why = "unknown time zone '" + std::string(name) + "' (not in " + zoneinfo_directory() +
          "; use an IANA name such as Europe/Berlin or UTC)";
    return std::nullopt;
  }
  const char* previous = std::getenv("TZ");
  ScopedTimeZone zone(previous != nullptr ? std::optional<std::string>(previous) : std::nullopt);
  ::setenv("TZ", std::string(name).c_str(), 1);
  ::tzset();
  return zone;
}

ScopedTimeZone::ScopedTimeZone(std::optional<std::string> previous)
    : previous_(std::move(previous)) {}

ScopedTimeZone::ScopedTimeZone(ScopedTimeZone&& other) noexcept
    : previous_(std::move(other.previous_)), active_(std::exchange(other.active_, false)) {}

ScopedTimeZone::~ScopedTimeZone() {
  if (!active_) return;
  if (previous_) {
    ::setenv("TZ", previous_->c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ::tzset();
}

engine::LocalTime local_time_of(can::Timestamp time) {
  const std::tm tm = local_tm(time);
  return {tm.tm_hour, tm.tm_min, tm.tm_wday == 0 ? 7 : tm.tm_wday};
}

std::string iso_local_time(can::Timestamp time) {
  const std::tm tm = local_tm(time);
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(time).count() % 1000;
  const long offset_minutes = tm.tm_gmtoff / 60;
  const long offset = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03lld%c%02ld:%02ld",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(ms), offset_minutes < 0 ? '-' : '+', offset / 60,
                offset % 60);
  return text;
}

}  // namespace cabind::cli
