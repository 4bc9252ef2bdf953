#include "cabind/profile/profile.hpp"

#include <array>

namespace cabind::profile {

namespace {

constexpr std::array<std::string_view, 4> kKindNames = {"key_fob", "seat_memory_button", "phone",
                                                        "face_id"};

// Fields a zone may set; "climate.X" is the driver zone, "climate.passenger.X" the other.
std::optional<Value> zone_field(const ZoneClimate& zone, std::string_view name) {
  auto number = [](auto value) -> std::optional<Value> {
    if (!value) return std::nullopt;
    return Value{static_cast<double>(*value)};
  };
  if (name == "temperature") return number(zone.temperature_c);
  if (name == "fan") return number(zone.fan);
  if (name == "seat_heat") return number(zone.seat_heat);
  if (name == "seat_ventilation") return number(zone.seat_ventilation);
  return std::nullopt;
}

bool is_zone_field(std::string_view name) {
  return name == "temperature" || name == "fan" || name == "seat_heat" ||
         name == "seat_ventilation";
}

bool is_seat_axis(std::string_view name) {
  return name == "position" || name == "height" || name == "tilt" || name == "backrest_recline" ||
         name == "lumbar_support" || name == "headrest_height";
}

bool starts_with(std::string_view text, std::string_view prefix, std::string_view& rest) {
  if (!text.starts_with(prefix)) return false;
  rest = text.substr(prefix.size());
  return true;
}

}  // namespace

std::string_view to_string(IdentifierKind kind) noexcept {
  return kKindNames[static_cast<std::size_t>(kind)];
}

std::optional<IdentifierKind> identifier_kind_from_string(std::string_view text) noexcept {
  for (std::size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == text) return static_cast<IdentifierKind>(i);
  }
  return std::nullopt;
}

const Favourite* Navigation::find_favourite(std::string_view name) const noexcept {
  for (const auto& favourite : favourites) {
    if (favourite.name == name) return &favourite;
  }
  return nullptr;
}

const Favourite* Navigation::default_destination(int weekday, int minute_of_day) const noexcept {
  if (weekday < 0 || weekday > 6) return nullptr;
  for (const auto& window : defaults) {
    const bool on_day = (window.weekdays >> weekday) & 1U;
    if (on_day && minute_of_day >= window.from_minute && minute_of_day < window.to_minute) {
      return find_favourite(window.favourite);
    }
  }
  return nullptr;
}

std::optional<Value> field(const Profile& profile, std::string_view path) {
  std::string_view rest;
  if (path == "id") return Value{profile.id};
  if (path == "name") return Value{profile.display_name};
  if (path == "climate.ac") {
    if (!profile.climate.air_conditioning) return std::nullopt;
    return Value{*profile.climate.air_conditioning};
  }
  if (starts_with(path, "climate.passenger.", rest)) {
    return zone_field(profile.climate.passenger, rest);
  }
  if (starts_with(path, "climate.", rest)) return zone_field(profile.climate.driver, rest);
  if (path == "seat.memory_slot") {
    if (!profile.seat.memory_slot) return std::nullopt;
    return Value{static_cast<double>(*profile.seat.memory_slot)};
  }
  if (starts_with(path, "seat.", rest)) {
    const auto found = profile.seat.positions.find(rest);
    if (found == profile.seat.positions.end()) return std::nullopt;
    return Value{found->second};
  }
  if (starts_with(path, "custom.", rest)) {
    const auto found = profile.custom.find(rest);
    if (found == profile.custom.end()) return std::nullopt;
    return found->second;
  }
  return std::nullopt;
}

bool is_known_field(std::string_view path) noexcept {
  std::string_view rest;
  if (path == "id" || path == "name" || path == "climate.ac" || path == "seat.memory_slot") {
    return true;
  }
  if (starts_with(path, "climate.passenger.", rest)) return is_zone_field(rest);
  if (starts_with(path, "climate.", rest)) return is_zone_field(rest);
  if (starts_with(path, "seat.", rest)) return is_seat_axis(rest);
  if (starts_with(path, "custom.", rest)) return !rest.empty();
  return false;
}

std::string_view to_string(FieldType type) noexcept {
  switch (type) {
    case FieldType::boolean:
      return "bool";
    case FieldType::number:
      return "number";
    case FieldType::text:
      return "text";
  }
  return "?";
}

namespace {

FieldType type_of(const Value& value) noexcept {
  if (std::holds_alternative<bool>(value)) return FieldType::boolean;
  if (std::holds_alternative<double>(value)) return FieldType::number;
  return FieldType::text;
}

// The one type the profiles setting custom.`name` agree on; number when none sets it.
std::optional<FieldType> custom_type(std::string_view name,
                                     std::span<const Profile> profiles) noexcept {
  std::optional<FieldType> agreed;
  for (const Profile& profile : profiles) {
    const auto found = profile.custom.find(name);
    if (found == profile.custom.end()) continue;
    const FieldType type = type_of(found->second);
    if (agreed && *agreed != type) return std::nullopt;
    agreed = type;
  }
  return agreed.value_or(FieldType::number);
}

}  // namespace

std::optional<FieldType> field_type(std::string_view path,
                                    std::span<const Profile> profiles) noexcept {
  if (!is_known_field(path)) return std::nullopt;
  std::string_view rest;
  if (starts_with(path, "custom.", rest)) return custom_type(rest, profiles);
  if (path == "climate.ac") return FieldType::boolean;
  if (path == "id" || path == "name") return FieldType::text;
  return FieldType::number;
}

}  // namespace cabind::profile
