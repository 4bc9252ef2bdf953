#include "web_parser.hpp"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cstring>
#include <string>

namespace cabind::config {
namespace {

struct Listen {
  std::string address;
  std::uint16_t port = 0;
};

bool is_ip_address(const std::string& address) {
  std::array<unsigned char, 16> bytes{};
  return ::inet_pton(AF_INET, address.c_str(), bytes.data()) == 1 ||
         ::inet_pton(AF_INET6, address.c_str(), bytes.data()) == 1;
}

// "127.0.0.1:8080" or "[::1]:8080" -> address and port; nullopt with `why` set.
std::optional<Listen> split_listen(std::string_view text, std::string& why) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    why = "expected ADDRESS:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)";
    return std::nullopt;
  }
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    why = "an IPv6 address goes in brackets: [" + std::string(host) + "]:" + std::string(port_text);
    return std::nullopt;
  }
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    why =
        "expected a port number 0..65535 after the colon, found \"" + std::string(port_text) + "\"";
    return std::nullopt;
  }
  Listen listen{std::string(host), static_cast<std::uint16_t>(port)};
  if (!is_ip_address(listen.address)) {
    why = "expected an IP address, found \"" + listen.address +
          "\" (host names are not resolved: write 127.0.0.1 or [::1])";
    return std::nullopt;
  }
  return listen;
}

}  // namespace

bool is_loopback_address(std::string_view address) noexcept {
  std::array<unsigned char, 16> bytes{};
  std::array<char, 64> text{};
  if (address.size() >= text.size()) return false;
  std::memcpy(text.data(), address.data(), address.size());
  if (::inet_pton(AF_INET, text.data(), bytes.data()) == 1) return bytes[0] == 127;
  if (::inet_pton(AF_INET6, text.data(), bytes.data()) != 1) return false;
  static constexpr std::array<unsigned char, 16> loopback6{0, 0, 0, 0, 0, 0, 0, 0,
                                                           0, 0, 0, 0, 0, 0, 0, 1};
  if (bytes == loopback6) return true;
  // ::ffff:127.x.y.z, an IPv4 loopback address written as IPv6.
  static constexpr std::array<unsigned char, 12> mapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(bytes.data(), mapped.data(), mapped.size()) == 0 && bytes[12] == 127;
}

std::optional<Web> parse_web(YamlReader& read, const YamlNode& node) {
  const auto map = read.fields(node, {"listen", "allow_remote", "token", "max_clients"}, "web");
  if (!map) return std::nullopt;
  Web web;
  web.where = read.at(node);
  bool ok = true;
  const YamlNode* listen_node = read.required(*map, "listen", "web");
  ok = listen_node != nullptr;
  if (listen_node != nullptr) {
    web.listen_where = read.at(*listen_node);
    if (const auto text = read.string(*listen_node)) {
      std::string why;
      if (auto listen = split_listen(*text, why)) {
        web.address = std::move(listen->address);
        web.port = listen->port;
      } else {
        read.error(*listen_node, "web.listen: " + why);
        ok = false;
      }
    } else {
      ok = false;
    }
  }
  if (const auto* allow = map->get("allow_remote")) {
    const auto value = read.boolean(*allow);
    ok = ok && value.has_value();
    web.allow_remote = value.value_or(false);
  }
  if (const auto* token = map->get("token")) {
    auto file = read.string(*token);
    if (file && file->empty()) read.error(*token, "expected a token file, found an empty string");
    ok = ok && file.has_value() && !file->empty();
    web.token_where = read.at(*token);
    if (file) web.token_file = std::move(*file);
  }
  if (const auto* clients = map->get("max_clients")) {
    const auto value = read.integer(*clients, 1, 64);
    ok = ok && value.has_value();
    web.max_clients = static_cast<std::uint32_t>(value.value_or(8));
  }
  if (!ok) return std::nullopt;
  if (!web.allow_remote && !is_loopback_address(web.address)) {
    read.error(*listen_node, "web.listen: " + web.address +
                                 " is not a loopback address; the view is for this machine "
                                 "(set allow_remote: true and a token to serve others)");
    return std::nullopt;
  }
  if (web.allow_remote && web.token_file.empty()) {
    read.error(*map->get("allow_remote"),
               "web.allow_remote: true needs a token file (token: FILE, mode 0600), which "
               "every request must then carry");
    return std::nullopt;
  }
  return web;
}

}  // namespace cabind::config
