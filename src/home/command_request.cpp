#include "cabind/home/command_request.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace cabind::home {

namespace {

using Json = nlohmann::json;

bool is_printable_ascii(std::string_view text) noexcept {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

bool valid_id(const Json& id) {
  if (!id.is_string()) return false;
  const auto& text = id.get_ref<const std::string&>();
  return !text.empty() && text.size() <= kMaxCommandIdLength && is_printable_ascii(text);
}

bool only_known_members(const Json& object) {
  return std::all_of(object.items().begin(), object.items().end(), [](const auto& item) {
    return item.key() == "id" || item.key() == "output" || item.key() == "value";
  });
}

ParsedCommand malformed(std::string why, std::optional<std::string> id = std::nullopt) {
  return ParsedCommand{std::nullopt, std::move(id), "malformed: " + std::move(why), false};
}

std::optional<double> number_of(const Json& value) {
  if (value.is_boolean()) return value.get<bool>() ? 1.0 : 0.0;
  if (!value.is_number()) return std::nullopt;
  const double number = value.get<double>();
  if (!std::isfinite(number)) return std::nullopt;
  return number;
}

}  // namespace

ParsedCommand parse_command(std::string_view payload, std::size_t max_bytes) {
  if (payload.size() > max_bytes) {
    return ParsedCommand{std::nullopt, std::nullopt,
                         "oversized: " + std::to_string(payload.size()) + " bytes, at most " +
                             std::to_string(max_bytes),
                         true};
  }
  const Json json = Json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return malformed("not JSON");
  if (!json.is_object()) return malformed("not a JSON object");
  const auto id = json.find("id");
  if (id == json.end() || !valid_id(*id)) {
    return malformed("\"id\" must be a string of 1.." + std::to_string(kMaxCommandIdLength) +
                     " printable ASCII characters");
  }
  std::string request_id = id->get<std::string>();
  if (!only_known_members(json)) {
    return malformed("only \"id\", \"output\" and \"value\" are allowed", request_id);
  }
  const auto output = json.find("output");
  if (output == json.end() || !output->is_string() ||
      output->get_ref<const std::string&>().empty()) {
    return malformed("\"output\" must be an output's name", request_id);
  }
  const auto value = json.find("value");
  const std::optional<double> number = value == json.end() ? std::nullopt : number_of(*value);
  if (!number) return malformed("\"value\" must be a finite number or true/false", request_id);
  return ParsedCommand{
      CommandRequest{request_id, output->get<std::string>(), *number}, request_id, {}, false};
}

}  // namespace cabind::home
