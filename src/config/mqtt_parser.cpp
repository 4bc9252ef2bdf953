#include "mqtt_parser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>
#include <utility>

namespace cabind::config {
namespace {

struct Url {
  bool tls = false;
  std::string host;
  std::uint16_t port = 0;
};

constexpr std::string_view kUrlForm = "expected mqtt://HOST[:PORT] or mqtts://HOST[:PORT]";

bool is_host_char(unsigned char c) noexcept {
  return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_';
}

// "1883" -> 1883; nullopt unless 1..65535.
std::optional<std::uint16_t> port_number(std::string_view text) {
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port == 0 || port > 65535)
    return std::nullopt;
  return static_cast<std::uint16_t>(port);
}

// "mqtts://broker:8883", "mqtt://[::1]", "mqtt://10.0.0.2:1884" -> scheme, host, port
// (1883 or 8883 when not written); nullopt with `why` set.
std::optional<Url> split_url(std::string_view text, std::string& why) {
  Url url;
  if (text.starts_with("mqtts://")) {
    url.tls = true;
    text.remove_prefix(8);
  } else if (text.starts_with("mqtt://")) {
    text.remove_prefix(7);
  } else {
    why = std::string(kUrlForm);
    return std::nullopt;
  }
  url.port = url.tls ? 8883 : 1883;
  std::string_view host = text;
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      why = "an IPv6 address needs its closing bracket: mqtt://[::1]:1883";
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) {
      why = std::string(kUrlForm) + " (nothing may follow the port)";
      return std::nullopt;
    }
    if (!rest.empty()) port = rest.substr(1);
    const bool v6 = !host.empty() && std::all_of(host.begin(), host.end(), [](unsigned char c) {
      return std::isxdigit(c) != 0 || c == ':' || c == '.';
    });
    if (!v6) {
      why = "expected an IPv6 address in the brackets, found \"" + std::string(host) + "\"";
      return std::nullopt;
    }
  } else if (const auto colon = text.find(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (!text.starts_with('[') &&
      (host.empty() || !std::all_of(host.begin(), host.end(), is_host_char))) {
    why = std::string(kUrlForm) + "; \"" + std::string(host) +
          "\" is not a host name or IP address (no path, user or query)";
    return std::nullopt;
  }
  if (!port.empty() || text.ends_with(':')) {
    const auto number = port_number(port);
    if (!number) {
      why = "expected a port number 1..65535 after the colon, found \"" + std::string(port) + "\"";
      return std::nullopt;
    }
    url.port = *number;
  }
  url.host = std::string(host);
  return url;
}

// A topic prefix: one or more non-empty levels, no wildcards.
bool valid_topic_prefix(std::string_view prefix) noexcept {
  if (prefix.empty() || prefix.front() == '/' || prefix.back() == '/') return false;
  if (prefix.find("//") != std::string_view::npos) return false;
  return std::none_of(prefix.begin(), prefix.end(),
                      [](unsigned char c) { return c == '+' || c == '#' || c < ' ' || c == 0x7f; });
}

// A file name that must not be empty; nullopt after reporting.
std::optional<std::string> file_name(YamlReader& read, const YamlNode& node, std::string_view key) {
  auto file = read.string(node);
  if (file && file->empty()) {
    read.error(node, "mqtt." + std::string(key) + ": expected a file, found an empty string");
    return std::nullopt;
  }
  return file;
}

class MqttParser {
 public:
  MqttParser(YamlReader& read, const std::vector<Output>& outputs)
      : read_(read), outputs_(outputs) {}

  std::optional<Mqtt> parse(const YamlNode& node) {
    const auto map = read_.fields(
        node,
        {"url", "client_id", "thing", "protocol", "keepalive", "ca_file", "cert_file", "key_file",
         "username", "password_file", "max_queue", "home_assistant", "shadow"},
        "mqtt");
    if (!map) return std::nullopt;
    mqtt_.where = read_.at(node);
    url(*map);
    thing(*map);
    session(*map);
    files(*map);
    if (const auto* ha = map->get("home_assistant")) home_assistant(*ha);
    if (const auto* shadow = map->get("shadow")) this->shadow(*shadow);
    if (ok_) tls_rules(*map);
    if (!ok_) return std::nullopt;
    return std::move(mqtt_);
  }

 private:
  void url(const YamlReader::Fields& map) {
    const YamlNode* node = read_.required(map, "url", "mqtt");
    if (node == nullptr) return fail();
    mqtt_.url_where = read_.at(*node);
    const auto text = read_.string(*node);
    if (!text) return fail();
    std::string why;
    auto url = split_url(*text, why);
    if (!url) {
      read_.error(*node, "mqtt.url: " + why + ", found \"" + *text + "\"");
      return fail();
    }
    mqtt_.tls = url->tls;
    mqtt_.host = std::move(url->host);
    mqtt_.port = url->port;
  }

  void thing(const YamlReader::Fields& map) {
    const YamlNode* node = read_.required(map, "thing", "mqtt");
    if (node == nullptr) return fail();
    const auto name = read_.string(*node);
    if (!name) return fail();
    if (!valid_thing_name(*name)) {
      read_.error(*node,
                  "mqtt.thing: a thing name is 1 to 128 letters, digits, ':', '_' or "
                  "'-' (it is a topic level), found \"" +
                      *name + "\"");
      return fail();
    }
    mqtt_.thing = *name;
    mqtt_.client_id = *name;
    if (const auto* id = map.get("client_id")) client_id(*id);
  }

  void client_id(const YamlNode& node) {
    const auto text = read_.string(node);
    if (!text) return fail();
    if (text->empty() || text->size() > 128) {
      read_.error(node, "mqtt.client_id: expected 1 to 128 characters");
      return fail();
    }
    mqtt_.client_id = *text;
  }

  void session(const YamlReader::Fields& map) {
    if (const auto* node = map.get("protocol")) {
      const auto version = read_.choice(*node, {"3.1.1", "5"});
      if (!version) return fail();
      mqtt_.protocol = *version == "5" ? MqttProtocolVersion::v5 : MqttProtocolVersion::v311;
    }
    if (const auto* node = map.get("keepalive")) {
      const auto value = read_.duration(*node);
      if (value && (*value < std::chrono::seconds(5) || *value > std::chrono::seconds(65535) ||
                    value->count() % 1000 != 0)) {
        read_.error(*node, "mqtt.keepalive: expected whole seconds from 5s to 65535s");
        return fail();
      }
      if (!value) return fail();
      mqtt_.keepalive = std::chrono::duration_cast<std::chrono::seconds>(*value);
    }
    if (const auto* node = map.get("max_queue")) {
      const auto value = read_.integer(*node, 1, 100000);
      if (!value) return fail();
      mqtt_.max_queue = static_cast<std::size_t>(*value);
    }
    if (const auto* node = map.get("username")) {
      auto text = read_.string(*node);
      if (!text) return fail();
      mqtt_.username = std::move(*text);
    }
  }

  void file(const YamlReader::Fields& map, std::string_view key, std::string& target,
            diag::Location& where) {
    const auto* node = map.get(key);
    if (node == nullptr) return;
    where = read_.at(*node);
    auto text = file_name(read_, *node, key);
    if (!text) return fail();
    target = std::move(*text);
  }

  void files(const YamlReader::Fields& map) {
    file(map, "ca_file", mqtt_.ca_file, mqtt_.ca_where);
    file(map, "cert_file", mqtt_.cert_file, mqtt_.cert_where);
    file(map, "key_file", mqtt_.key_file, mqtt_.key_where);
    file(map, "password_file", mqtt_.password_file, mqtt_.password_where);
  }

  // The TLS files make sense only together and only with mqtts://.
  void tls_rules(const YamlReader::Fields& map) {
    for (const char* key : {"ca_file", "cert_file", "key_file"}) {
      const YamlNode* node = map.get(key);
      if (node != nullptr && !mqtt_.tls) {
        read_.error(*node, "mqtt." + std::string(key) + " needs an mqtts:// url (TLS)");
        fail();
      }
    }
    if (!ok_) return;
    if (mqtt_.tls && mqtt_.ca_file.empty()) {
      read_.error(*map.get("url"),
                  "mqtt.url: mqtts:// needs ca_file: the CA that signed the "
                  "broker's certificate");
      fail();
    }
    if (mqtt_.cert_file.empty() != mqtt_.key_file.empty()) {
      const char* given = mqtt_.cert_file.empty() ? "key_file" : "cert_file";
      read_.error(*map.get(given), std::string("mqtt.") + given +
                                       ": a client certificate needs both cert_file and key_file");
      fail();
    }
  }

  void home_assistant(const YamlNode& node) {
    HomeAssistantConfig& ha = mqtt_.home_assistant;
    ha.where = read_.at(node);
    const auto map = read_.fields(node, {"enabled", "prefix", "commands"}, "mqtt.home_assistant");
    if (!map) return fail();
    ha.enabled = true;
    if (const auto* enabled = map->get("enabled")) {
      const auto value = read_.boolean(*enabled);
      if (!value) return fail();
      ha.enabled = *value;
    }
    if (const auto* prefix = map->get("prefix")) this->prefix(*prefix);
    if (const auto* commands = map->get("commands")) this->commands(*commands);
  }

  void prefix(const YamlNode& node) {
    HomeAssistantConfig& ha = mqtt_.home_assistant;
    ha.prefix_where = read_.at(node);
    const auto text = read_.string(node);
    if (!text) return fail();
    if (!valid_topic_prefix(*text)) {
      read_.error(node,
                  "mqtt.home_assistant.prefix: expected topic levels without wildcards "
                  "or empty levels (e.g. homeassistant), found \"" +
                      *text + "\"");
      return fail();
    }
    ha.prefix = *text;
  }

  // Each command must name an output, once.
  void commands(const YamlNode& node) {
    if (!read_.is_sequence(node, "mqtt.home_assistant.commands")) return fail();
    std::vector<std::string_view> names;
    for (const Output& output : outputs_)
      names.push_back(output.name);
    HomeAssistantConfig& ha = mqtt_.home_assistant;
    for (const YamlNode* item : node.children) {
      auto name = read_.string(*item);
      if (!name) {
        fail();
        continue;
      }
      if (std::find(names.begin(), names.end(), *name) == names.end()) {
        std::string message = "mqtt.home_assistant.commands: '" + *name + "' is not one of outputs";
        if (const auto close = closest(*name, names))
          message += " (did you mean '" + std::string(*close) + "'?)";
        read_.error(*item, std::move(message));
        fail();
        continue;
      }
      if (std::find(ha.commands.begin(), ha.commands.end(), *name) != ha.commands.end()) {
        read_.error(*item, "mqtt.home_assistant.commands: '" + *name + "' is listed twice");
        fail();
        continue;
      }
      ha.commands.push_back(std::move(*name));
      ha.command_wheres.push_back(read_.at(*item));
    }
  }

  void shadow(const YamlNode& node) {
    mqtt_.shadow.where = read_.at(node);
    const auto map = read_.fields(node, {"enabled"}, "mqtt.shadow");
    if (!map) return fail();
    if (const auto* enabled = map->get("enabled")) {
      const auto value = read_.boolean(*enabled);
      if (!value) return fail();
      mqtt_.shadow.enabled = *value;
    }
  }

  void fail() noexcept { ok_ = false; }

  YamlReader& read_;
  const std::vector<Output>& outputs_;
  Mqtt mqtt_;
  bool ok_ = true;
};

}  // namespace

bool valid_thing_name(std::string_view name) noexcept {
  return !name.empty() && name.size() <= 128 &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) {
           return std::isalnum(c) != 0 || c == ':' || c == '_' || c == '-';
         });
}

std::optional<Mqtt> parse_mqtt(YamlReader& read, const YamlNode& node,
                               const std::vector<Output>& outputs) {
  return MqttParser(read, outputs).parse(node);
}

}  // namespace cabind::config
