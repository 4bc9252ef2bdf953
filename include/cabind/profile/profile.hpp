#pragma once
// A driver profile as plain values: who the driver is (identifiers), and what the cabin
// should look like for them (climate, seat, navigation, free custom values).
// Built by the config loader from profiles/*.yaml, or directly by code and tests;
// nothing here knows YAML or CAN. Immutable once handed to a ProfileDirectory.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cabind/diag/diagnostic.hpp"

namespace cabind::profile {

// Where an identifier comes from. key_fob and seat_memory_button carry numbers
// decoded from CAN; phone and face_id carry opaque tokens sent by another ECU.
enum class IdentifierKind : std::uint8_t { key_fob, seat_memory_button, phone, face_id };

// "key_fob", "seat_memory_button", "phone", "face_id".
[[nodiscard]] std::string_view to_string(IdentifierKind kind) noexcept;
[[nodiscard]] std::optional<IdentifierKind> identifier_kind_from_string(
    std::string_view text) noexcept;
// True for the kinds identified by a number (key_fob, seat_memory_button).
[[nodiscard]] constexpr bool is_numeric(IdentifierKind kind) noexcept {
  return kind == IdentifierKind::key_fob || kind == IdentifierKind::seat_memory_button;
}

struct Identifier {
  IdentifierKind kind = IdentifierKind::key_fob;
  std::uint64_t code = 0;  // numeric kinds only
  std::string token;       // token kinds only
  diag::Location where;    // where the profile declares it, for conflict reports
};

// One climate zone (driver or front passenger).
struct ZoneClimate {
  std::optional<double> temperature_c;           // setpoint, degrees Celsius
  std::optional<std::uint8_t> fan;               // blower level 0..10
  std::optional<std::uint8_t> seat_heat;         // 0 (off)..3
  std::optional<std::uint8_t> seat_ventilation;  // 0 (off)..3
};

struct Climate {
  std::optional<bool> air_conditioning;
  ZoneClimate driver;
  ZoneClimate passenger;
};

struct Seat {
  std::optional<std::uint8_t> memory_slot;  // 1..8, recalled through the seat ECU
  // Absolute positions by axis name ("position", "height", "tilt", "backrest_recline",
  // "lumbar_support", "headrest_height"), in the unit the seat ECU uses (mm or degrees).
  std::map<std::string, double, std::less<>> positions;
};

struct Favourite {
  std::string name;
  double latitude = 0.0;   // WGS84 degrees, -90..90
  double longitude = 0.0;  // WGS84 degrees, -180..180
};

// "On these weekdays between from and to, the default destination is favourite."
struct NavigationDefault {
  std::uint8_t weekdays = 0;       // bit 0 = Monday ... bit 6 = Sunday
  std::uint16_t from_minute = 0;   // minute of day, inclusive
  std::uint16_t to_minute = 1440;  // minute of day, exclusive; from < to
  std::string favourite;
};

struct Navigation {
  std::vector<Favourite> favourites;        // in file order, names unique
  std::vector<NavigationDefault> defaults;  // first matching window wins

  [[nodiscard]] const Favourite* find_favourite(std::string_view name) const noexcept;
  // weekday: 0 = Monday .. 6 = Sunday; minute_of_day: 0..1439.
  [[nodiscard]] const Favourite* default_destination(int weekday, int minute_of_day) const noexcept;
};

using Value = std::variant<bool, double, std::string>;

struct Profile {
  std::string id;            // stable key, e.g. "alice"
  std::string display_name;  // shown on the HMI
  bool guest = false;        // the profile for drivers nobody recognises
  std::vector<Identifier> identifiers;
  Climate climate;
  Seat seat;
  Navigation navigation;
  std::map<std::string, Value, std::less<>> custom;  // free values rules may read
  // Where the profile is declared (its file, and the line of its id); empty file when built
  // in code. Set-level errors (duplicate ids, identifiers, guests) point here.
  diag::Location source;
};

// Reads a profile field by the dotted path rules use after "profile.":
//   "climate.temperature" (driver zone), "climate.passenger.temperature", "climate.fan",
//   "climate.ac", "climate.seat_heat", "seat.memory_slot", "seat.height", "custom.x",
//   "id", "name".
// Empty when the path is unknown or the profile does not set that field.
[[nodiscard]] std::optional<Value> field(const Profile& profile, std::string_view path);

// The type of a field's value as field() returns it, for an expression compiler:
//   "climate.ac" -> boolean; "id", "name" -> text; every other schema field -> number;
//   "custom.x" -> the type the profiles give it: every profile in `profiles` that sets x
//   agrees on one (boolean, number or text); number when none sets it.
// Empty when the path is not a known field (see is_known_field) or when the profiles give
// custom.x different types.
enum class FieldType : std::uint8_t { boolean, number, text };
[[nodiscard]] std::string_view to_string(FieldType type) noexcept;
[[nodiscard]] std::optional<FieldType> field_type(std::string_view path,
                                                  std::span<const Profile> profiles = {}) noexcept;

// True when `path` names a field some profile may set (custom.* always qualifies), so an
// expression compiler can reject "profile.climate.temprature" at load time.
[[nodiscard]] bool is_known_field(std::string_view path) noexcept;

}  // namespace cabind::profile
