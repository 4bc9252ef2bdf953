#include "cabind/config/profile_parser.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cabind/config/yaml_reader.hpp"
#include "cabind/config/yaml_tree.hpp"

namespace cabind::config {

namespace {

using profile::IdentifierKind;

constexpr std::array<std::string_view, 7> kWeekdays = {"mon", "tue", "wed", "thu",
                                                       "fri", "sat", "sun"};

class ProfileParser {
 public:
  ProfileParser(const YamlDocument& document, diag::Diagnostics& diagnostics)
      : read_(document, diagnostics),
        errors_before_(diagnostics.error_count()),
        diagnostics_(diagnostics) {}

  std::optional<profile::Profile> parse() {
    profile::Profile result;
    result.source = read_.at(read_.document().root());
    const auto top =
        read_.fields(read_.document().root(),
                     {"id", "name", "guest", "identify", "climate", "seat", "navigation", "custom"},
                     "a profile");
    if (!top) return std::nullopt;
    if (const auto* node = read_.required(*top, "id", "a profile")) {
      if (auto id = read_.name(*node)) result.id = std::move(*id);
      result.source = read_.at(*node);
    }
    if (const auto* node = read_.required(*top, "name", "a profile")) {
      if (auto text = read_.string(*node)) result.display_name = std::move(*text);
    }
    if (const auto* node = top->get("guest")) {
      if (auto guest = read_.boolean(*node)) result.guest = *guest;
    }
    if (const auto* node = top->get("identify")) identify(*node, result);
    if (const auto* node = top->get("climate")) climate(*node, result.climate);
    if (const auto* node = top->get("seat")) seat(*node, result.seat);
    if (const auto* node = top->get("navigation")) navigation(*node, result.navigation);
    if (const auto* node = top->get("custom")) custom(*node, result);
    if (diagnostics_.error_count() != errors_before_) return std::nullopt;
    return result;
  }

 private:
  // A single item or a list of items.
  static std::vector<const YamlNode*> items(const YamlNode& node) {
    if (node.kind == YamlNode::Kind::sequence) return node.children;
    return {&node};
  }

  void identify(const YamlNode& node, profile::Profile& result) {
    const auto map =
        read_.fields(node, {"key_fob", "seat_memory_button", "phone", "face_id"}, "identify");
    if (!map) return;
    for (std::size_t i = 0; i + 1 < node.children.size(); i += 2) {
      const auto kind = profile::identifier_kind_from_string(node.children[i]->value);
      if (!kind) continue;  // reported by fields()
      for (const YamlNode* item : items(*node.children[i + 1])) {
        profile::Identifier identifier;
        identifier.kind = *kind;
        identifier.where = read_.at(*item);
        if (*kind == IdentifierKind::key_fob) {
          const auto code = read_.integer(*item, 0, 0xFFFF'FFFFLL);
          if (!code) continue;
          identifier.code = static_cast<std::uint64_t>(*code);
        } else if (*kind == IdentifierKind::seat_memory_button) {
          const auto code = read_.integer(*item, 1, 8);
          if (!code) continue;
          identifier.code = static_cast<std::uint64_t>(*code);
        } else {
          auto token = read_.string(*item);
          if (!token) continue;
          if (token->size() < 4) {
            read_.error(*item, "a " + std::string(profile::to_string(*kind)) +
                                   " token must have at least 4 characters");
            continue;
          }
          identifier.token = std::move(*token);
        }
        result.identifiers.push_back(std::move(identifier));
      }
    }
  }

  template <typename T>
  void small(const YamlReader::Fields& map, std::string_view key, std::int64_t max,
             std::optional<T>& out) {
    if (const auto* node = map.get(key)) {
      if (const auto value = read_.integer(*node, 0, max)) out = static_cast<T>(*value);
    }
  }

  void zone(const YamlReader::Fields& map, profile::ZoneClimate& out) {
    if (const auto* node = map.get("temperature")) {
      if (const auto value = read_.number(*node, 10.0, 35.0)) out.temperature_c = *value;
    }
    small(map, "fan", 10, out.fan);
    small(map, "seat_heat", 3, out.seat_heat);
    small(map, "seat_ventilation", 3, out.seat_ventilation);
  }

  void climate(const YamlNode& node, profile::Climate& out) {
    const auto map = read_.fields(
        node, {"temperature", "fan", "ac", "seat_heat", "seat_ventilation", "passenger"},
        "climate");
    if (!map) return;
    zone(*map, out.driver);
    if (const auto* ac = map->get("ac")) {
      if (const auto value = read_.boolean(*ac)) out.air_conditioning = *value;
    }
    if (const auto* passenger = map->get("passenger")) {
      const auto zone_map = read_.fields(
          *passenger, {"temperature", "fan", "seat_heat", "seat_ventilation"}, "climate.passenger");
      if (zone_map) zone(*zone_map, out.passenger);
    }
  }

  void seat(const YamlNode& node, profile::Seat& out) {
    const auto map = read_.fields(node, {"memory_slot", "positions"}, "seat");
    if (!map) return;
    small(*map, "memory_slot", 8, out.memory_slot);
    if (out.memory_slot && *out.memory_slot == 0) {
      read_.error(*map->get("memory_slot"), "memory_slot must be 1..8");
      out.memory_slot.reset();
    }
    const auto* positions = map->get("positions");
    if (positions == nullptr) return;
    const auto axes = read_.fields(
        *positions,
        {"position", "height", "tilt", "backrest_recline", "lumbar_support", "headrest_height"},
        "seat.positions");
    if (!axes) return;
    for (std::size_t i = 0; i + 1 < positions->children.size(); i += 2) {
      if (const auto value = read_.number(*positions->children[i + 1], -1000.0, 1000.0)) {
        out.positions.emplace(positions->children[i]->value, *value);
      }
    }
  }

  void navigation(const YamlNode& node, profile::Navigation& out) {
    const auto map = read_.fields(node, {"favourites", "defaults"}, "navigation");
    if (!map) return;
    if (const auto* favourites = map->get("favourites")) {
      if (read_.is_mapping(*favourites, "navigation.favourites")) {
        for (std::size_t i = 0; i + 1 < favourites->children.size(); i += 2) {
          favourite(*favourites->children[i], *favourites->children[i + 1], out);
        }
      }
    }
    if (const auto* defaults = map->get("defaults")) {
      if (read_.is_sequence(*defaults, "navigation.defaults")) {
        for (const YamlNode* item : defaults->children)
          default_window(*item, out);
      }
    }
  }

  void favourite(const YamlNode& key, const YamlNode& value, profile::Navigation& out) {
    const auto name = read_.name(key);
    if (!name) return;
    if (*name == "default") {
      read_.error(key,
                  "'default' is reserved (rules say {favourite: default} for the "
                  "weekday/time default); choose another name");
      return;
    }
    if (value.kind != YamlNode::Kind::sequence || value.children.size() != 2) {
      read_.error(value, "expected [latitude, longitude], found " + describe(value));
      return;
    }
    const auto latitude = read_.number(*value.children[0], -90.0, 90.0);
    const auto longitude = read_.number(*value.children[1], -180.0, 180.0);
    if (latitude && longitude) out.favourites.push_back({*name, *latitude, *longitude});
  }

  std::optional<std::uint16_t> time_of_day(const YamlNode& node, bool end) {
    if (node.kind == YamlNode::Kind::scalar) {
      const std::string& text = node.value;
      const auto colon = text.find(':');
      int hours = -1;
      int minutes = -1;
      if (colon != std::string::npos && colon > 0 && colon + 3 == text.size()) {
        const auto h = std::from_chars(text.data(), text.data() + colon, hours);
        const auto m = std::from_chars(text.data() + colon + 1, text.data() + text.size(), minutes);
        if (h.ptr != text.data() + colon || m.ptr != text.data() + text.size()) hours = -1;
      }
      const bool valid = hours >= 0 && minutes >= 0 && minutes < 60 &&
                         (hours < 24 || (end && hours == 24 && minutes == 0));
      if (valid) return static_cast<std::uint16_t>(hours * 60 + minutes);
    }
    read_.error(node, "expected a time of day \"HH:MM\" (00:00..24:00), found " + describe(node));
    return std::nullopt;
  }

  std::optional<std::uint8_t> weekdays(const YamlNode& node) {
    if (node.kind == YamlNode::Kind::scalar) {
      const auto group = read_.choice(node, {"weekdays", "weekend", "every_day"});
      if (!group) return std::nullopt;
      if (*group == "weekdays") return std::uint8_t{0x1F};
      if (*group == "weekend") return std::uint8_t{0x60};
      return std::uint8_t{0x7F};
    }
    if (!read_.is_sequence(node, "days")) return std::nullopt;
    std::uint8_t mask = 0;
    bool ok = !node.children.empty();
    if (!ok) read_.error(node, "days must name at least one day");
    for (const YamlNode* day : node.children) {
      const auto text = read_.choice(*day, {"mon", "tue", "wed", "thu", "fri", "sat", "sun"});
      if (!text) {
        ok = false;
        continue;
      }
      for (std::size_t i = 0; i < kWeekdays.size(); ++i) {
        if (kWeekdays[i] == *text) mask = static_cast<std::uint8_t>(mask | (1U << i));
      }
    }
    return ok ? std::optional<std::uint8_t>(mask) : std::nullopt;
  }

  void default_window(const YamlNode& node, profile::Navigation& out) {
    const auto map =
        read_.fields(node, {"days", "from", "to", "destination"}, "a navigation default");
    if (!map) return;
    profile::NavigationDefault window;
    bool ok = true;
    if (const auto* days = read_.required(*map, "days", "a navigation default")) {
      const auto mask = weekdays(*days);
      ok = ok && mask.has_value();
      if (mask) window.weekdays = *mask;
    } else {
      ok = false;
    }
    if (const auto* from = map->get("from")) {
      const auto minute = time_of_day(*from, false);
      ok = ok && minute.has_value();
      if (minute) window.from_minute = *minute;
    }
    if (const auto* to = map->get("to")) {
      const auto minute = time_of_day(*to, true);
      ok = ok && minute.has_value();
      if (minute) window.to_minute = *minute;
    }
    if (ok && window.from_minute >= window.to_minute) {
      read_.error(node, "navigation default: 'from' must be earlier than 'to'");
      ok = false;
    }
    if (const auto* destination = read_.required(*map, "destination", "a navigation default")) {
      auto name = read_.name(*destination);
      if (name && out.find_favourite(*name) == nullptr) {
        std::vector<std::string_view> known;
        for (const auto& favourite : out.favourites)
          known.emplace_back(favourite.name);
        const auto close = closest(*name, known);
        read_.error(*destination,
                    "destination '" + *name + "' is not one of navigation.favourites" +
                        (close ? " (did you mean '" + std::string(*close) + "'?)" : std::string()));
        name.reset();
      }
      ok = ok && name.has_value();
      if (name) window.favourite = std::move(*name);
    } else {
      ok = false;
    }
    if (ok) out.defaults.push_back(std::move(window));
  }

  void custom(const YamlNode& node, profile::Profile& out) {
    if (!read_.is_mapping(node, "custom")) return;
    for (std::size_t i = 0; i + 1 < node.children.size(); i += 2) {
      const auto key = read_.name(*node.children[i]);
      const YamlNode& value = *node.children[i + 1];
      if (!key) continue;
      if (value.kind != YamlNode::Kind::scalar) {
        read_.error(value, "a custom value must be true, false, a number or a string, found " +
                               describe(value));
        continue;
      }
      if (value.is_plain_scalar() && (value.value == "true" || value.value == "false")) {
        out.custom.emplace(*key, profile::Value{value.value == "true"});
        continue;
      }
      const bool numeric_start =
          value.is_plain_scalar() && !value.value.empty() &&
          (std::isdigit(static_cast<unsigned char>(value.value[0])) != 0 || value.value[0] == '-' ||
           value.value[0] == '+' || value.value[0] == '.');
      if (numeric_start) {
        if (const auto number = read_.number(value, -1e15, 1e15)) {
          out.custom.emplace(*key, profile::Value{*number});
        }
        continue;
      }
      if (auto text = read_.string(value)) out.custom.emplace(*key, profile::Value{*text});
    }
  }

  YamlReader read_;
  std::size_t errors_before_;
  diag::Diagnostics& diagnostics_;
};

}  // namespace

std::optional<profile::Profile> parse_profile(std::string_view text, std::string file,
                                              diag::Diagnostics& diagnostics) {
  const auto document = parse_yaml(text, std::move(file), diagnostics);
  if (!document) return std::nullopt;
  return ProfileParser(*document, diagnostics).parse();
}

}  // namespace cabind::config
