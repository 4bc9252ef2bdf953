#include "cabind/config/vehicle_parser.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "cabind/config/yaml_reader.hpp"
#include "cabind/config/yaml_tree.hpp"
#include "mqtt_parser.hpp"
#include "web_parser.hpp"

namespace cabind::config {

namespace {

bool is_dbc_identifier(std::string_view text) {
  if (text.empty()) return false;
  const auto first = static_cast<unsigned char>(text.front());
  if (std::isalpha(first) == 0 && first != '_') return false;
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isalnum(c) != 0 || c == '_'; });
}

// The key node of `value` in `mapping` (key, value, key, value, ...): errors about what a
// key names (a DBC file that does not load) point at the key, as `dbc:` is written.
const YamlNode& key_of(const YamlNode& mapping, const YamlNode& value) {
  for (std::size_t i = 1; i < mapping.children.size(); i += 2) {
    if (mapping.children[i] == &value) return *mapping.children[i - 1];
  }
  return value;
}

class VehicleParser {
 public:
  VehicleParser(const YamlDocument& document, diag::Diagnostics& diagnostics)
      : read_(document, diagnostics),
        errors_before_(diagnostics.error_count()),
        diagnostics_(diagnostics) {}

  std::optional<VehicleFile> parse() {
    VehicleFile result;
    Config& config = result.config;
    config.file = read_.document().file();
    const auto top = read_.fields(
        read_.document().root(),
        {"bus", "dbc", "buses", "signals", "outputs", "seats", "interlocks", "identity",
         "stale_factor", "integrity", "profiles", "rules", "strict_dbc", "web", "mqtt"},
        "the vehicle file");
    if (!top) return std::nullopt;
    if (const auto* node = top->get("strict_dbc")) {
      if (const auto value = read_.boolean(*node)) config.strict_dbc = *value;
    }
    if (!buses(*top, config)) return std::nullopt;
    if (const auto* node = read_.required(*top, "signals", "the vehicle file")) {
      signals(*node, config);
    }
    if (const auto* node = top->get("interlocks")) interlocks(*node, config);
    if (const auto* node = top->get("outputs")) outputs(*node, config);
    if (const auto* node = top->get("seats")) seats(*node, config);
    if (const auto* node = top->get("identity")) identity(*node, config);
    if (const auto* node = top->get("integrity")) integrity(*node, config);
    if (const auto* node = top->get("web")) config.web = parse_web(read_, *node);
    if (const auto* node = top->get("mqtt")) config.mqtt = parse_mqtt(read_, *node, config.outputs);
    if (const auto* node = top->get("stale_factor")) {
      if (const auto value = read_.integer(*node, 2, 1000)) {
        config.stale_factor = static_cast<std::uint32_t>(*value);
      }
    }
    result.profiles_dir = "profiles";
    result.profiles_where = read_.at(top->node());
    if (const auto* node = top->get("profiles")) {
      result.profiles_where = read_.at(*node);
      auto path = read_.string(*node);
      result.profiles_dir = path ? std::move(*path) : std::string();
    }
    if (const auto* node = top->get("rules")) {
      result.rules_where = read_.at(*node);
      if (auto path = read_.string(*node)) result.rules_file = std::move(*path);
    }
    result.broken = std::move(broken_);
    return result;
  }

  [[nodiscard]] bool had_errors() const noexcept {
    return diagnostics_.error_count() != errors_before_;
  }

 private:
  // Either `bus:` and `dbc:` (one bus) or `buses:`, a list of {name, interface, fd, dbc}.
  // False when no bus could be read: nothing else can be checked without one.
  bool buses(const YamlReader::Fields& top, Config& config) {
    const YamlNode* list = top.get("buses");
    if (list != nullptr && (top.get("bus") != nullptr || top.get("dbc") != nullptr)) {
      read_.error(*list, "give either 'buses' or 'bus' and 'dbc', not both");
      return false;
    }
    if (list == nullptr) {
      Bus bus;
      bus.where = read_.at(top.node());
      if (const auto* node = read_.required(top, "bus", "the vehicle file")) parse_bus(*node, bus);
      if (const auto* node = read_.required(top, "dbc", "the vehicle file")) {
        bus.dbc_where = read_.at(key_of(top.node(), *node));
        if (auto path = read_.string(*node)) bus.dbc_path = std::move(*path);
      }
      config.buses.push_back(std::move(bus));
      return true;
    }
    if (!read_.is_sequence(*list, "buses")) return false;
    if (list->children.empty()) {
      read_.error(*list, "buses: expected at least one bus");
      return false;
    }
    for (const auto& child : list->children) {
      Bus bus;
      if (!parse_bus(*child, bus, true)) continue;
      if (const Bus* earlier = config.find_bus(bus.name)) {
        read_.error(*child, "bus '" + bus.name + "' is already given (line " +
                                std::to_string(earlier->where.line) + ")");
        continue;
      }
      for (const Bus& other : config.buses) {
        if (other.interface == bus.interface) {
          read_.error(*child, "interface '" + bus.interface + "' is already bus '" + other.name +
                                  "' (line " + std::to_string(other.where.line) + ")");
        }
      }
      config.buses.push_back(std::move(bus));
    }
    return config.buses.size() == list->children.size();
  }

  // One bus; `listed`: an entry of `buses:`, which also names its DBC and must name itself.
  bool parse_bus(const YamlNode& node, Bus& bus, bool listed = false) {
    const auto map = listed ? read_.fields(node, {"name", "interface", "fd", "dbc"}, "a bus")
                            : read_.fields(node, {"name", "interface", "fd"}, "bus");
    if (!map) return false;
    bus.where = read_.at(node);
    const std::size_t errors_before = diagnostics_.error_count();
    if (const auto* name = listed ? read_.required(*map, "name", "a bus") : map->get("name")) {
      if (auto text = read_.name(*name)) bus.name = std::move(*text);
    }
    if (listed) {
      if (const auto* dbc = read_.required(*map, "dbc", "a bus")) {
        bus.dbc_where = read_.at(key_of(node, *dbc));
        if (auto path = read_.string(*dbc)) bus.dbc_path = std::move(*path);
      }
    }
    if (const auto* interface = read_.required(*map, "interface", "bus")) {
      auto text = read_.name(*interface);
      if (text && text->size() > 15) {  // IFNAMSIZ - 1
        read_.error(*interface, "interface name '" + *text + "' is longer than 15 characters");
      } else if (text) {
        bus.interface = std::move(*text);
      }
    }
    if (const auto* fd = map->get("fd")) {
      if (const auto value = read_.boolean(*fd)) bus.fd = *value;
    }
    return diagnostics_.error_count() == errors_before;
  }

  // The bus a reference names, or the only bus when it names none; reports and returns
  // false when it names an unknown bus or none while there are several.
  bool check_bus(const YamlNode& node, std::string& bus, bool named, const Config& config,
                 std::string_view shape) {
    if (!named && config.buses.size() > 1) {
      read_.error(node, "expected " + std::string(shape) + " with its bus: the vehicle has " +
                            std::to_string(config.buses.size()) + " buses (" + bus_names(config) +
                            ")");
      return false;
    }
    if (!named) bus = config.buses.front().name;
    if (config.find_bus(bus) == nullptr) {
      std::vector<std::string_view> known;
      for (const Bus& candidate : config.buses)
        known.emplace_back(candidate.name);
      read_.error(node, "unknown bus '" + bus + "' (configured: " + bus_names(config) + ")" +
                            did_you_mean(bus, known));
      return false;
    }
    return true;
  }

  static std::string did_you_mean(std::string_view word,
                                  const std::vector<std::string_view>& known) {
    const auto close = closest(word, known);
    return close ? " (did you mean '" + std::string(*close) + "'?)" : std::string();
  }

  static std::vector<std::string_view> signal_names(const Config& config) {
    std::vector<std::string_view> known;
    for (const auto& mapping : config.signals)
      known.emplace_back(mapping.name);
    return known;
  }

  static std::string bus_names(const Config& config) {
    std::string names;
    for (const Bus& bus : config.buses)
      names += (names.empty() ? "" : ", ") + bus.name;
    return names;
  }

  std::optional<SignalRef> signal_ref(const YamlNode& node, const Config& config) {
    const auto text = read_.string(node);
    if (!text) return std::nullopt;
    auto ref = parse_signal_ref(*text, {});
    if (!ref) {
      read_.error(node,
                  "expected a DBC signal as Message.Signal (or bus:Message.Signal), "
                  "found \"" +
                      *text + "\"");
      return std::nullopt;
    }
    ref->where = read_.at(node);
    if (!check_bus(node, ref->bus, !ref->bus.empty(), config, "bus:Message.Signal")) {
      return std::nullopt;
    }
    return ref;
  }

  void signals(const YamlNode& node, Config& config) {
    if (!read_.is_mapping(node, "signals")) return;
    for (std::size_t i = 0; i + 1 < node.children.size(); i += 2) {
      auto name = read_.name(*node.children[i]);
      auto ref = signal_ref(*node.children[i + 1], config);
      if (name && ref) {
        config.signals.push_back({std::move(*name), std::move(*ref)});
      } else if (name) {
        broken_.push_back(std::move(*name));
      }
    }
  }

  void interlocks(const YamlNode& node, Config& config) {
    if (!read_.is_mapping(node, "interlocks")) return;
    for (std::size_t i = 0; i + 1 < node.children.size(); i += 2) {
      auto name = read_.name(*node.children[i]);
      auto condition = read_.expression(*node.children[i + 1]);
      if (name && condition) {
        config.interlocks.push_back({std::move(*name), std::move(*condition)});
      } else if (name) {
        broken_.push_back(std::move(*name));
      }
    }
  }

  void outputs(const YamlNode& node, Config& config) {
    if (!read_.is_mapping(node, "outputs")) return;
    for (std::size_t i = 0; i + 1 < node.children.size(); i += 2) {
      auto name = read_.name(*node.children[i]);
      if (!name) continue;
      const std::string what = "outputs." + *name;
      const YamlNode& body = *node.children[i + 1];
      const auto map = read_.fields(
          body,
          {"signal", "feedback", "range", "learn", "learn_guest", "interlock", "send",
           "confirm_timeout_ms", "min_interval_ms", "attempts", "tolerance", "hold_ms", "role"},
          what);
      if (!map) {
        broken_.push_back(*name);
        continue;
      }
      Output output;
      output.name = *name;
      output.where = read_.at(*node.children[i]);
      bool ok = true;
      if (const auto* signal = read_.required(*map, "signal", what)) {
        auto ref = signal_ref(*signal, config);
        ok = ok && ref.has_value();
        if (ref) output.signal = std::move(*ref);
      } else {
        ok = false;
      }
      if (const auto* feedback = map->get("feedback")) {
        output.feedback = signal_ref(*feedback, config);
        ok = ok && output.feedback.has_value();
      }
      if (const auto* range = map->get("range")) {
        output.range = parse_range(*range);
        ok = ok && output.range.has_value();
      }
      if (const auto* learn = map->get("learn")) {
        const auto value = read_.boolean(*learn);
        ok = ok && value.has_value();
        output.learn = value.value_or(false);
      }
      if (const auto* interlock = map->get("interlock")) {
        auto reference = read_.name(*interlock);
        if (reference && is_broken(*reference)) {
          reference.reset();  // its own entry has the error
        } else if (reference && config.find_interlock(*reference) == nullptr) {
          std::vector<std::string_view> known;
          for (const auto& candidate : config.interlocks)
            known.emplace_back(candidate.name);
          std::string message = "unknown interlock '" + *reference + "'";
          if (const auto suggestion = closest(*reference, known)) {
            message += " (did you mean '" + std::string(*suggestion) + "'?)";
          }
          read_.error(*interlock, std::move(message));
          reference.reset();
        }
        ok = ok && reference.has_value();
        if (reference) output.interlock = std::move(*reference);
      }
      if (const auto* send = map->get("send")) {
        const auto mode = read_.choice(*send, {"on_change", "cyclic"});
        ok = ok && mode.has_value();
        if (mode) output.send = *mode == "cyclic" ? SendMode::cyclic : SendMode::on_change;
      }
      if (const auto* role = map->get("role")) {
        auto parsed = output_role(*role, what + ".role");
        ok = ok && parsed.has_value();
        if (parsed) output.role = std::move(*parsed);
      }
      ok = output_learning(*map, output) && ok;
      ok = output_timing(*map, output) && ok;
      if (ok) ok = writes_a_free_signal(output, config, *node.children[i]);
      if (ok) {
        config.outputs.push_back(std::move(output));
      } else {
        broken_.push_back(std::move(output.name));
      }
    }
  }

  // role: destination_latitude | {kind: seat_memory_recall, seat: Row1.DriverSide}
  //     | {kind: seat_position, seat: Row1.DriverSide, axis: height}
  std::optional<OutputRole> output_role(const YamlNode& node, const std::string& what) {
    OutputRole role;
    role.where = read_.at(node);
    const YamlNode* kind = &node;
    std::optional<YamlReader::Fields> map;
    if (node.kind == YamlNode::Kind::mapping) {
      map = read_.fields(node, {"kind", "seat", "axis"}, what);
      if (!map) return std::nullopt;
      kind = read_.required(*map, "kind", what);
      if (kind == nullptr) return std::nullopt;
    }
    const auto name = read_.choice(*kind, {"seat_memory_recall", "seat_position",
                                           "destination_latitude", "destination_longitude"});
    if (!name) return std::nullopt;
    if (*name == "seat_memory_recall") role.kind = OutputRoleKind::seat_memory_recall;
    if (*name == "seat_position") role.kind = OutputRoleKind::seat_position;
    if (*name == "destination_latitude") role.kind = OutputRoleKind::destination_latitude;
    if (*name == "destination_longitude") role.kind = OutputRoleKind::destination_longitude;
    const bool seat_role = role.kind == OutputRoleKind::seat_memory_recall ||
                           role.kind == OutputRoleKind::seat_position;
    const YamlNode* seat = map ? map->get("seat") : nullptr;
    const YamlNode* axis = map ? map->get("axis") : nullptr;
    if (seat_role && seat == nullptr) {
      read_.error(node, what + ": a " + *name + " role needs 'seat'");
      return std::nullopt;
    }
    if (!seat_role && seat != nullptr) {
      read_.error(*seat, what + ": a " + *name + " role has no seat");
      return std::nullopt;
    }
    if (seat != nullptr) {
      auto text = read_.name(*seat);
      if (!text) return std::nullopt;
      role.seat = std::move(*text);
    }
    if ((role.kind == OutputRoleKind::seat_position) != (axis != nullptr)) {
      read_.error(axis != nullptr ? *axis : node,
                  what +
                      ": 'axis' belongs to a seat_position role, and a seat_position role "
                      "needs one");
      return std::nullopt;
    }
    if (axis != nullptr) {
      auto text = read_.choice(*axis, {"position", "height", "tilt", "backrest_recline",
                                       "lumbar_support", "headrest_height"});
      if (!text) return std::nullopt;
      role.axis = std::move(*text);
    }
    return role;
  }

  // seats: { Row1.DriverSide: { manual_switch: Vehicle.Cabin.Seat.Row1.DriverSide.Switch } }
  void seats(const YamlNode& node, Config& config) {
    if (!read_.is_mapping(node, "seats")) return;
    for (std::size_t i = 0; i + 1 < node.children.size(); i += 2) {
      auto name = read_.name(*node.children[i]);
      if (!name) continue;
      const std::string what = "seats." + *name;
      const auto map = read_.fields(*node.children[i + 1], {"manual_switch"}, what);
      if (!map) continue;
      Seat seat;
      seat.name = std::move(*name);
      seat.where = read_.at(*node.children[i]);
      if (const auto* manual = map->get("manual_switch")) {
        auto signal = read_.name(*manual);
        if (!signal) continue;
        if (is_broken(*signal)) continue;  // its own entry has the error
        if (config.find_signal(*signal) == nullptr) {
          read_.error(*manual, what + ".manual_switch: unknown signal '" + *signal +
                                   "' (declare it under signals:)" +
                                   did_you_mean(*signal, signal_names(config)));
          continue;
        }
        seat.manual_switch = std::move(*signal);
      }
      config.seats.push_back(std::move(seat));
    }
  }

  // learn_guest: the guest profile is shared by every unknown driver, so it learns only
  // where the integrator asks for it.
  bool output_learning(const YamlReader::Fields& map, Output& output) {
    const auto* guest = map.get("learn_guest");
    if (guest == nullptr) return true;
    const auto value = read_.boolean(*guest);
    if (!value) return false;
    if (*value && !output.learn) {
      read_.error(*guest, "learn_guest needs learn: true on the same output");
      return false;
    }
    output.learn_guest = *value;
    return true;
  }

  // A key in milliseconds within [min, max]; true when absent or valid.
  bool milliseconds_key(const YamlReader::Fields& map, std::string_view key, std::int64_t min,
                        std::int64_t max, std::optional<std::chrono::milliseconds>& into) {
    const auto* node = map.get(key);
    if (node == nullptr) return true;
    const auto value = read_.integer(*node, min, max);
    if (value) into = std::chrono::milliseconds(*value);
    return value.has_value();
  }

  // Keys that time the wait for feedback mean nothing without a feedback signal.
  bool needs_feedback(const YamlReader::Fields& map, const Output& output) {
    bool ok = true;
    for (const std::string_view key : {"confirm_timeout_ms", "attempts", "tolerance"}) {
      const auto* node = map.get(key);
      if (node == nullptr || output.feedback) continue;
      read_.error(*node, std::string(key) + " needs a feedback signal on the same output");
      ok = false;
    }
    return ok;
  }

  bool output_timing(const YamlReader::Fields& map, Output& output) {
    bool ok = needs_feedback(map, output);
    ok = milliseconds_key(map, "confirm_timeout_ms", 10, 600'000, output.confirm_timeout) && ok;
    ok = milliseconds_key(map, "min_interval_ms", 0, 60'000, output.min_interval) && ok;
    ok = milliseconds_key(map, "hold_ms", 0, 86'400'000, output.hold) && ok;
    if (const auto* node = map.get("attempts")) {
      const auto value = read_.integer(*node, 1, 20);
      if (value) output.attempts = static_cast<int>(*value);
      ok = value.has_value() && ok;
    }
    if (const auto* node = map.get("tolerance")) {
      const auto value = read_.number(*node, 0, 1e15);
      if (value) output.tolerance = *value;
      ok = value.has_value() && ok;
    }
    return ok;
  }

  // Two outputs commanding one DBC signal would fight over it on the bus.
  bool writes_a_free_signal(const Output& output, const Config& config, const YamlNode& node) {
    for (const auto& earlier : config.outputs) {
      const SignalRef& a = earlier.signal;
      const SignalRef& b = output.signal;
      if (a.bus == b.bus && a.message == b.message && a.signal == b.signal) {
        read_.error(node, "output '" + output.name + "' writes " + b.message + "." + b.signal +
                              ", which output '" + earlier.name + "' (line " +
                              std::to_string(earlier.where.line) + ") already writes");
        return false;
      }
    }
    return true;
  }

  std::optional<Range> parse_range(const YamlNode& node) {
    if (node.kind != YamlNode::Kind::sequence || node.children.size() != 2) {
      read_.error(node, "expected a range [min, max], found " + describe(node));
      return std::nullopt;
    }
    const auto low = read_.number(*node.children[0], -1e15, 1e15);
    const auto high = read_.number(*node.children[1], -1e15, 1e15);
    if (!low || !high) return std::nullopt;
    if (*low >= *high) {
      read_.error(node, "range minimum must be below its maximum");
      return std::nullopt;
    }
    return Range{*low, *high};
  }

  void identity(const YamlNode& node, Config& config) {
    const auto map = read_.fields(node, {"sources", "tie_break", "leave"}, "identity");
    if (!map) return;
    if (const auto* tie = map->get("tie_break")) {
      if (const auto policy = read_.choice(*tie, {"most_recent", "keep_current"})) {
        config.identity.tie_break =
            *policy == "most_recent" ? TieBreak::most_recent : TieBreak::keep_current;
      }
    }
    if (const auto* leave = map->get("leave")) config.identity.leave = identity_leave(*leave);
    const auto* sources = read_.required(*map, "sources", "identity");
    if (sources == nullptr || !read_.is_sequence(*sources, "identity.sources")) return;
    for (const YamlNode* item : sources->children) {
      auto result = identity_source(*item, config);
      if (result) config.identity.sources.push_back(std::move(*result));
    }
  }

  // leave: { when: "<expression>", for: 3s }
  std::optional<IdentityLeave> identity_leave(const YamlNode& node) {
    const auto map = read_.fields(node, {"when", "for"}, "identity.leave");
    if (!map) return std::nullopt;
    IdentityLeave leave;
    leave.where = read_.at(node);
    bool ok = true;
    if (const auto* when = read_.required(*map, "when", "identity.leave")) {
      auto condition = read_.expression(*when);
      ok = condition.has_value();
      if (condition) leave.when = std::move(*condition);
    } else {
      ok = false;
    }
    if (const auto* hold = read_.required(*map, "for", "identity.leave")) {
      const auto duration = read_.duration(*hold);
      ok = ok && duration.has_value();
      leave.hold = duration.value_or(std::chrono::milliseconds(0));
    } else {
      ok = false;
    }
    if (!ok) return std::nullopt;
    return leave;
  }

  std::optional<IdentitySource> identity_source(const YamlNode& item, const Config& config) {
    const auto source =
        read_.fields(item, {"signal", "kind", "priority", "debounce_ms", "present_ms", "when"},
                     "an identity source");
    if (!source) return std::nullopt;
    IdentitySource result;
    result.where = read_.at(item);
    bool ok = true;
    if (const auto* signal = read_.required(*source, "signal", "an identity source")) {
      auto name = read_.name(*signal);
      if (name && is_broken(*name)) {
        name.reset();  // its own entry has the error
      } else if (name && config.find_signal(*name) == nullptr) {
        read_.error(*signal, "identity source '" + *name + "' is not one of signals" +
                                 did_you_mean(*name, signal_names(config)));
        name.reset();
      }
      ok = ok && name.has_value();
      if (name) result.signal = std::move(*name);
    } else {
      ok = false;
    }
    if (const auto* kind = read_.required(*source, "kind", "an identity source")) {
      const auto text = read_.choice(*kind, {"key_fob", "seat_memory_button", "phone", "face_id"});
      ok = ok && text.has_value();
      if (text) result.kind = *profile::identifier_kind_from_string(*text);
    } else {
      ok = false;
    }
    if (const auto* priority = source->get("priority")) {
      const auto value = read_.integer(*priority, 0, 1000);
      ok = ok && value.has_value();
      result.priority = static_cast<int>(value.value_or(0));
    }
    if (const auto* debounce = source->get("debounce_ms")) {
      const auto value = read_.integer(*debounce, 0, 60'000);
      ok = ok && value.has_value();
      result.debounce = std::chrono::milliseconds(value.value_or(0));
    }
    if (const auto* present = source->get("present_ms")) {
      // 0 would present an event-driven identifier for no time at all (or, read as
      // "never expires", for ever): neither is a presence.
      const auto value = read_.integer(*present, 1, 600'000);
      ok = ok && value.has_value();
      if (value) result.present = std::chrono::milliseconds(*value);
    }
    if (const auto* when = source->get("when")) {
      result.when = read_.expression(*when);
      ok = ok && result.when.has_value();
    }
    for (const auto& earlier : config.identity.sources) {
      if (ok && earlier.signal == result.signal) {
        read_.error(item, "signal '" + result.signal + "' is already an identity source (line " +
                              std::to_string(earlier.where.line) + ")");
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    return result;
  }

  // integrity: { Message: { counter: Sig, checksum: { signal: Sig, algorithm: A }, ... } }
  void integrity(const YamlNode& node, Config& config) {
    if (!read_.is_mapping(node, "integrity")) return;
    for (std::size_t i = 0; i + 1 < node.children.size(); i += 2) {
      const YamlNode& key = *node.children[i];
      const auto message = message_ref(key, config);
      if (!message) continue;
      const std::string what = "integrity." + message->message;
      const YamlNode& body = *node.children[i + 1];
      const auto map = read_.fields(
          body, {"counter", "checksum", "max_counter_skips", "recovery_frames", "secoc"}, what);
      if (!map) continue;
      MessageIntegrity check = *message;
      bool ok = true;
      if (const auto* counter = map->get("counter")) {
        auto name = dbc_name(*counter);
        ok = ok && name.has_value();
        check.counter_where = read_.at(*counter);
        if (name) check.counter = std::move(*name);
      }
      if (const auto* checksum = map->get("checksum")) {
        ok = parse_checksum(*checksum, what, check) && ok;
      }
      if (const auto* skips = map->get("max_counter_skips")) {
        const auto value = read_.integer(*skips, 0, 254);
        ok = ok && value.has_value();
        check.max_counter_skips_where = read_.at(*skips);
        check.max_counter_skips = static_cast<std::uint8_t>(value.value_or(0));
      }
      if (const auto* recovery = map->get("recovery_frames")) {
        const auto value = read_.integer(*recovery, 1, 255);
        ok = ok && value.has_value();
        check.recovery_frames = static_cast<std::uint8_t>(value.value_or(2));
      }
      if (const auto* secoc = map->get("secoc")) {
        check.secoc = parse_secoc(*secoc, what + ".secoc");
        ok = ok && check.secoc.has_value();
      }
      if (ok && check.counter.empty() && check.checksum_signal.empty() && !check.secoc) {
        read_.error(key, what + " checks nothing: give a counter, a checksum, secoc or several");
        ok = false;
      }
      if (ok && !check.counter.empty() && check.counter == check.checksum_signal) {
        read_.error(body, what + ": '" + check.counter + "' cannot be both counter and checksum");
        ok = false;
      }
      for (const auto& earlier : config.integrity) {
        if (ok && earlier.bus == check.bus && earlier.message == check.message) {
          read_.error(key, "integrity of '" + check.message + "' is already given (line " +
                               std::to_string(earlier.where.line) + ")");
          ok = false;
        }
      }
      if (ok) config.integrity.push_back(std::move(check));
    }
  }

  // "Message" or "bus:Message", on a configured bus.
  std::optional<MessageIntegrity> message_ref(const YamlNode& node, const Config& config) {
    const auto text = read_.string(node);
    if (!text) return std::nullopt;
    MessageIntegrity result;
    result.where = read_.at(node);
    std::string_view message = *text;
    const auto colon = message.find(':');
    const bool named = colon != std::string_view::npos;
    if (named) {
      result.bus = std::string(message.substr(0, colon));
      message.remove_prefix(colon + 1);
    }
    if (!is_dbc_identifier(message) || (named && !is_dbc_identifier(result.bus))) {
      read_.error(node,
                  "expected a DBC message as Message (or bus:Message), found \"" + *text + "\"");
      return std::nullopt;
    }
    if (!check_bus(node, result.bus, named, config, "bus:Message")) return std::nullopt;
    result.message = std::string(message);
    return result;
  }

  std::optional<std::string> dbc_name(const YamlNode& node) {
    auto text = read_.string(node);
    if (text && !is_dbc_identifier(*text)) {
      read_.error(node, "expected a DBC signal name, found \"" + *text + "\"");
      return std::nullopt;
    }
    return text;
  }

  // secoc: { data_id: N, key: FILE, mac_bits: 24, freshness_bits: 8,
  //         alarm: { failures: N, window_ms: N } }
  std::optional<Secoc> parse_secoc(const YamlNode& node, const std::string& where) {
    const auto map =
        read_.fields(node, {"data_id", "key", "mac_bits", "freshness_bits", "alarm"}, where);
    if (!map) return std::nullopt;
    Secoc secoc;
    secoc.where = read_.at(node);
    bool ok = true;
    if (const auto* id = read_.required(*map, "data_id", where)) {
      secoc.data_id_where = read_.at(*id);
      const auto value = read_.integer(*id, 0, 0xFFFF);
      ok = value.has_value();
      secoc.data_id = static_cast<std::uint16_t>(value.value_or(0));
    } else {
      ok = false;
    }
    if (const auto* key = read_.required(*map, "key", where)) {
      auto file = read_.string(*key);
      ok = ok && file.has_value() && !file->empty();
      if (file && file->empty()) read_.error(*key, "expected a key file, found an empty string");
      secoc.key_where = read_.at(*key);
      if (file) secoc.key_file = std::move(*file);
    } else {
      ok = false;
    }
    ok = multiple_of_8(map->get("mac_bits"), 24, 128, secoc.mac_bits) && ok;
    ok = multiple_of_8(map->get("freshness_bits"), 8, 32, secoc.freshness_bits) && ok;
    if (const auto* alarm = map->get("alarm")) ok = parse_alarm(*alarm, where, secoc) && ok;
    if (!ok) return std::nullopt;
    return secoc;
  }

  bool multiple_of_8(const YamlNode* node, std::int64_t min, std::int64_t max, std::uint8_t& out) {
    if (node == nullptr) return true;
    const auto value = read_.integer(*node, min, max);
    if (!value) return false;
    if (*value % 8 != 0) {
      read_.error(*node, "expected a multiple of 8, found " + std::to_string(*value));
      return false;
    }
    out = static_cast<std::uint8_t>(*value);
    return true;
  }

  bool parse_alarm(const YamlNode& node, const std::string& where, Secoc& secoc) {
    const auto map = read_.fields(node, {"failures", "window_ms"}, where + ".alarm");
    if (!map) return false;
    bool ok = true;
    if (const auto* failures = map->get("failures")) {
      const auto value = read_.integer(*failures, 1, 1'000'000);
      ok = value.has_value();
      secoc.alarm_failures = static_cast<std::uint32_t>(value.value_or(10));
    }
    if (const auto* window = map->get("window_ms")) {
      const auto value = read_.integer(*window, 100, 86'400'000);
      ok = value.has_value() && ok;
      secoc.alarm_window = std::chrono::milliseconds(value.value_or(10000));
    }
    return ok;
  }

  bool parse_checksum(const YamlNode& node, const std::string& what, MessageIntegrity& check) {
    const std::string where = what + ".checksum";
    const auto map = read_.fields(node, {"signal", "algorithm"}, where);
    if (!map) return false;
    bool ok = true;
    if (const auto* signal = read_.required(*map, "signal", where)) {
      auto name = dbc_name(*signal);
      ok = name.has_value();
      check.checksum_where = read_.at(*signal);
      if (name) check.checksum_signal = std::move(*name);
    } else {
      ok = false;
    }
    if (const auto* algorithm = read_.required(*map, "algorithm", where)) {
      const auto text = read_.choice(*algorithm, {"xor8", "sum8", "crc8_sae_j1850"});
      ok = ok && text.has_value();
      if (text) {
        check.checksum_algorithm = *text == "xor8"   ? ChecksumAlgorithm::xor8
                                   : *text == "sum8" ? ChecksumAlgorithm::sum8
                                                     : ChecksumAlgorithm::crc8_sae_j1850;
      }
    } else {
      ok = false;
    }
    return ok;
  }

  YamlReader read_;
  [[nodiscard]] bool is_broken(std::string_view name) const {
    return std::find(broken_.begin(), broken_.end(), name) != broken_.end();
  }

  std::size_t errors_before_;
  diag::Diagnostics& diagnostics_;
  std::vector<std::string> broken_;  // see VehicleFile::broken
};

}  // namespace

std::optional<SignalRef> parse_signal_ref(std::string_view text, std::string_view default_bus) {
  SignalRef ref;
  ref.bus = std::string(default_bus);
  const auto colon = text.find(':');
  if (colon != std::string_view::npos) {
    ref.bus = std::string(text.substr(0, colon));
    text.remove_prefix(colon + 1);
    if (ref.bus.empty()) return std::nullopt;
  }
  const auto dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  ref.message = std::string(text.substr(0, dot));
  ref.signal = std::string(text.substr(dot + 1));
  if (!is_dbc_identifier(ref.message) || !is_dbc_identifier(ref.signal)) return std::nullopt;
  return ref;
}

std::optional<VehicleFile> parse_vehicle_partially(std::string_view text, std::string file,
                                                   diag::Diagnostics& diagnostics) {
  const auto document = parse_yaml(text, std::move(file), diagnostics);
  if (!document) return std::nullopt;
  return VehicleParser(*document, diagnostics).parse();
}

std::optional<VehicleFile> parse_vehicle(std::string_view text, std::string file,
                                         diag::Diagnostics& diagnostics) {
  const std::size_t errors_before = diagnostics.error_count();
  auto result = parse_vehicle_partially(text, std::move(file), diagnostics);
  if (diagnostics.error_count() != errors_before) return std::nullopt;
  return result;
}

}  // namespace cabind::config
