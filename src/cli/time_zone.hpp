#pragma once
// The local time zone replay reads `hour`/`weekday` in and prints readable times with.
//
//   std::string why;
//   auto zone = ScopedTimeZone::named("Europe/Berlin", why);   // nullopt, why set, if unknown
//   local_time_of(time)     -> {7, 30, 1}              (Monday 07:30 in Berlin)
//   iso_local_time(time)    -> "2023-11-13T08:30:00.250+01:00"
//
// The C library keeps the zone in process state (TZ and tzset()), so a ScopedTimeZone sets
// TZ for its lifetime and restores the previous value after: not thread-safe, and only one
// may be alive at a time. Without one, the functions use the system's zone.

#include <optional>
#include <string>
#include <string_view>

#include "cabind/can/frame.hpp"
#include "cabind/engine/engine.hpp"

namespace cabind::cli {

class ScopedTimeZone {
 public:
  // An IANA zone name ("Europe/Berlin", "UTC") that exists in the zoneinfo database
  // ($TZDIR, default /usr/share/zoneinfo). For an unknown name: nullopt, and `why` says so.
  [[nodiscard]] static std::optional<ScopedTimeZone> named(std::string_view name, std::string& why);

  ScopedTimeZone(ScopedTimeZone&& other) noexcept;
  ScopedTimeZone& operator=(ScopedTimeZone&&) = delete;
  ScopedTimeZone(const ScopedTimeZone&) = delete;
  ScopedTimeZone& operator=(const ScopedTimeZone&) = delete;
  ~ScopedTimeZone();

 private:
  explicit ScopedTimeZone(std::optional<std::string> previous);
  std::optional<std::string> previous_;  // TZ before; nullopt when it was unset
  bool active_ = true;
};

// Hour, minute and ISO weekday of a realtime timestamp in the current zone.
[[nodiscard]] engine::LocalTime local_time_of(can::Timestamp time);

// "2023-11-13T08:30:00.250+01:00": the timestamp in the current zone, to the millisecond.
[[nodiscard]] std::string iso_local_time(can::Timestamp time);

}  // namespace cabind::cli
