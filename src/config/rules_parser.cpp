#include "cabind/config/rules_parser.hpp"

#include <cctype>
#include <set>
#include <string>
#include <utility>

#include "cabind/config/yaml_reader.hpp"
#include "cabind/config/yaml_tree.hpp"

namespace cabind::config {

namespace {

// A published event stays small: it is one MQTT message per firing.
constexpr std::size_t kMaxPublishFields = 16;
constexpr std::size_t kMaxPublishText = 256;

// The single key of a one-key mapping such as {signal: X} or {set: Y, value: Z}'s "set".
const YamlNode* only_key(const YamlNode& map) {
  return map.children.empty() ? nullptr : map.children.front();
}

class RulesParser {
 public:
  RulesParser(const YamlDocument& document, diag::Diagnostics& diagnostics)
      : read_(document, diagnostics),
        errors_before_(diagnostics.error_count()),
        diagnostics_(diagnostics) {}

  std::optional<std::vector<Rule>> parse() {
    std::vector<Rule> rules;
    const auto top = read_.fields(read_.document().root(), {"rules"}, "the rules file");
    if (!top) return std::nullopt;
    const auto* list = read_.required(*top, "rules", "the rules file");
    if (list != nullptr && read_.is_sequence(*list, "rules")) {
      std::set<std::string, std::less<>> names;
      for (const YamlNode* item : list->children) {
        auto parsed = rule(*item);
        if (!parsed) continue;
        if (!names.insert(parsed->name).second) {
          read_.error(*item, "duplicate rule name '" + parsed->name + "'");
          continue;
        }
        rules.push_back(std::move(*parsed));
      }
    }
    return rules;
  }

  [[nodiscard]] bool had_errors() const noexcept {
    return diagnostics_.error_count() != errors_before_;
  }

 private:
  std::optional<Rule> rule(const YamlNode& node) {
    const auto map = read_.fields(node, {"name", "priority", "on", "when", "do"}, "a rule");
    if (!map) return std::nullopt;
    Rule result;
    result.where = read_.at(node);
    bool ok = true;
    if (const auto* name = read_.required(*map, "name", "a rule")) {
      auto text = read_.name(*name);
      ok = ok && text.has_value();
      if (text) result.name = std::move(*text);
    } else {
      ok = false;
    }
    if (const auto* priority = map->get("priority")) {
      const auto value = read_.integer(*priority, -1000, 1000);
      ok = ok && value.has_value();
      result.priority = static_cast<int>(value.value_or(0));
    }
    if (const auto* on = read_.required(*map, "on", "a rule")) {
      auto parsed = trigger(*on);
      ok = ok && parsed.has_value();
      if (parsed) result.on = std::move(*parsed);
    } else {
      ok = false;
    }
    if (const auto* when = map->get("when")) {
      result.when = read_.expression(*when);
      ok = ok && result.when.has_value();
    }
    if (const auto* actions = read_.required(*map, "do", "a rule")) {
      if (read_.is_sequence(*actions, "do")) {
        if (actions->children.empty()) {
          read_.error(*actions, "a rule must do at least one action");
          ok = false;
        }
        for (const YamlNode* item : actions->children) {
          auto parsed = action(*item);
          ok = ok && parsed.has_value();
          if (parsed) result.actions.push_back(std::move(*parsed));
        }
      } else {
        ok = false;
      }
    } else {
      ok = false;
    }
    if (!ok) return std::nullopt;
    return result;
  }

  std::optional<Trigger> trigger(const YamlNode& node) {
    if (node.kind == YamlNode::Kind::scalar) {
      const auto event = read_.choice(node, {"driver_identified", "driver_left"});
      if (!event) return std::nullopt;
      if (*event == "driver_left") return Trigger{DriverLeft{}};
      return Trigger{DriverIdentified{}};
    }
    const auto map = read_.fields(node, {"signal", "became_true", "after"}, "on");
    if (!map) return std::nullopt;
    if (node.children.size() != 2) {
      read_.error(node,
                  "'on' takes exactly one of driver_identified, driver_left, signal, "
                  "became_true, after");
      return std::nullopt;
    }
    const YamlNode& key = *only_key(node);
    const YamlNode& value = *node.children[1];
    if (key.value == "signal") {
      auto name = read_.name(value);
      if (!name) return std::nullopt;
      return Trigger{SignalChanged{std::move(*name), read_.at(value)}};
    }
    if (key.value == "became_true") {
      auto condition = read_.expression(value);
      if (!condition) return std::nullopt;
      return Trigger{BecameTrue{std::move(*condition)}};
    }
    if (key.value == "after") {
      const auto delay = read_.duration(value);
      if (!delay) return std::nullopt;
      return Trigger{AfterIdentified{*delay}};
    }
    return std::nullopt;  // unknown key, already reported
  }

  std::optional<Action> action(const YamlNode& node) {
    const auto map =
        read_.fields(node, {"set", "value", "recall_seat", "navigate", "publish"}, "an action");
    if (!map) return std::nullopt;
    const YamlNode* set = map->get("set");
    const YamlNode* recall = map->get("recall_seat");
    const YamlNode* navigate = map->get("navigate");
    const YamlNode* publish = map->get("publish");
    const int kinds = (set != nullptr ? 1 : 0) + (recall != nullptr ? 1 : 0) +
                      (navigate != nullptr ? 1 : 0) + (publish != nullptr ? 1 : 0);
    if (kinds != 1) {
      read_.error(node, "an action takes exactly one of set, recall_seat, navigate, publish");
      return std::nullopt;
    }
    const YamlNode* value = map->get("value");
    if (set == nullptr && value != nullptr) {
      read_.error(*value, "'value' belongs to a 'set' action");
      return std::nullopt;
    }
    if (publish != nullptr) return publish_event(*publish);
    if (set != nullptr) {
      auto output = read_.name(*set);
      const YamlNode* given = read_.required(*map, "value", "a set action");
      if (!output || given == nullptr) return std::nullopt;
      auto expression = read_.expression(*given);
      if (!expression) return std::nullopt;
      return Action{SetOutput{std::move(*output), std::move(*expression), read_.at(*set)}};
    }
    if (recall != nullptr) return recall_seat(*recall);
    if (navigate->kind == YamlNode::Kind::mapping) {
      const auto target = read_.fields(*navigate, {"favourite"}, "navigate");
      if (!target) return std::nullopt;
      const YamlNode* favourite = read_.required(*target, "favourite", "navigate");
      if (favourite == nullptr) return std::nullopt;
      auto name = read_.name(*favourite);
      if (!name) return std::nullopt;
      if (*name == "default") return Action{Navigate{{}, read_.at(*favourite)}};
      return Action{Navigate{std::move(*name), read_.at(*favourite)}};
    }
    auto name = read_.name(*navigate);
    if (!name) return std::nullopt;
    if (*name == "default") {
      read_.error(*navigate, "write {favourite: default} for the weekday/time default");
      return std::nullopt;
    }
    return Action{Navigate{std::move(*name), read_.at(*navigate)}};
  }

  // publish: {event: <name>, fields: {<name>: <string | number | boolean>, ...}}
  std::optional<Action> publish_event(const YamlNode& node) {
    const auto map = read_.fields(node, {"event", "fields"}, "publish");
    if (!map) return std::nullopt;
    const YamlNode* event = read_.required(*map, "event", "publish");
    if (event == nullptr) return std::nullopt;
    PublishEvent result;
    auto name = read_.name(*event);
    if (!name) return std::nullopt;
    result.event = std::move(*name);
    result.where = read_.at(*event);
    const YamlNode* fields = map->get("fields");
    if (fields == nullptr) return Action{std::move(result)};
    if (!read_.is_mapping(*fields, "publish.fields")) return std::nullopt;
    if (fields->children.size() / 2 > kMaxPublishFields) {
      read_.error(*fields, "publish.fields: at most " + std::to_string(kMaxPublishFields) +
                               " fields, found " + std::to_string(fields->children.size() / 2));
      return std::nullopt;
    }
    for (std::size_t i = 0; i + 1 < fields->children.size(); i += 2) {
      auto field = publish_field(*fields->children[i], *fields->children[i + 1]);
      if (!field) return std::nullopt;
      result.fields.push_back(std::move(*field));
    }
    return Action{std::move(result)};
  }

  std::optional<PublishField> publish_field(const YamlNode& key, const YamlNode& value) {
    auto name = read_.name(key);
    if (!name) return std::nullopt;
    if (*name == "driver") {
      read_.error(key,
                  "publish.fields: 'driver' is added by cabind (the active driver's "
                  "opaque id); name the field otherwise");
      return std::nullopt;
    }
    auto constant = publish_value(value);
    if (!constant) return std::nullopt;
    return PublishField{std::move(*name), std::move(*constant), read_.at(value)};
  }

  // true/false, a number, or a string (quote one YAML would read otherwise).
  std::optional<PublishValue> publish_value(const YamlNode& node) {
    if (node.kind != YamlNode::Kind::scalar) {
      read_.error(
          node, "a publish field takes a string, a number or true/false, found " + describe(node));
      return std::nullopt;
    }
    if (node.is_plain_scalar() && (node.value == "true" || node.value == "false")) {
      return PublishValue{node.value == "true"};
    }
    if (node.is_plain_scalar() && looks_like_number(node.value)) {
      const auto number = read_.number(node, -1e15, 1e15);
      if (!number) return std::nullopt;
      return PublishValue{*number};
    }
    auto text = read_.string(node);
    if (!text) return std::nullopt;
    if (text->size() > kMaxPublishText) {
      read_.error(node, "a publish field's text is at most " + std::to_string(kMaxPublishText) +
                            " characters, found " + std::to_string(text->size()));
      return std::nullopt;
    }
    return PublishValue{std::move(*text)};
  }

  static bool looks_like_number(std::string_view text) {
    if (text.empty()) return false;
    const auto c = static_cast<unsigned char>(text.front());
    return std::isdigit(c) != 0 || c == '-' || c == '+' || c == '.';
  }

  // recall_seat: profile | <slot 1..8> | {seat: <seat>, slot: profile | <slot 1..8>}
  std::optional<Action> recall_seat(const YamlNode& node) {
    RecallSeat recall;
    recall.where = read_.at(node);
    const YamlNode* slot = &node;
    if (node.kind == YamlNode::Kind::mapping) {
      const auto map = read_.fields(node, {"seat", "slot"}, "recall_seat");
      if (!map) return std::nullopt;
      const YamlNode* seat = read_.required(*map, "seat", "recall_seat");
      if (seat == nullptr) return std::nullopt;
      auto name = read_.string(*seat);
      if (!name) return std::nullopt;
      recall.seat = std::move(*name);
      recall.where = read_.at(*seat);
      slot = map->get("slot");
      if (slot == nullptr) return Action{std::move(recall)};
    }
    if (slot->is_plain_scalar() && slot->value == "profile") return Action{std::move(recall)};
    if (slot->is_plain_scalar() && !slot->value.empty() &&
        std::isdigit(static_cast<unsigned char>(slot->value[0])) != 0) {
      const auto number = read_.integer(*slot, 1, 8);
      if (!number) return std::nullopt;
      recall.slot = static_cast<std::uint8_t>(*number);
      return Action{std::move(recall)};
    }
    read_.error(*slot, "recall_seat takes 'profile', a slot number 1..8 or {seat, slot}, found " +
                           describe(*slot));
    return std::nullopt;
  }

  YamlReader read_;
  std::size_t errors_before_;
  diag::Diagnostics& diagnostics_;
};

}  // namespace

std::optional<std::vector<Rule>> parse_rules(std::string_view text, std::string file,
                                             diag::Diagnostics& diagnostics) {
  const auto document = parse_yaml(text, std::move(file), diagnostics);
  if (!document) return std::nullopt;
  RulesParser parser(*document, diagnostics);
  auto rules = parser.parse();
  if (parser.had_errors()) return std::nullopt;
  return rules;
}

std::optional<std::vector<Rule>> parse_rules_partially(std::string_view text, std::string file,
                                                       diag::Diagnostics& diagnostics) {
  const auto document = parse_yaml(text, std::move(file), diagnostics);
  if (!document) return std::nullopt;
  return RulesParser(*document, diagnostics).parse();
}

}  // namespace cabind::config
