#include "cabind/control/command_arguments.hpp"

#include "cabind/control/request_handler.hpp"

namespace cabind::control {

using nlohmann::json;

namespace {

// The string member `name`, or "" when absent.
std::string string_member(const json& request, const char* name, const std::string& command) {
  const auto it = request.find(name);
  if (it == request.end()) return {};
  if (!it->is_string()) {
    throw RequestError(command + ": \"" + name + "\" must be a string");
  }
  return it->get<std::string>();
}

}  // namespace

IdentifyArguments identify_arguments(const json& request) {
  IdentifyArguments arguments{string_member(request, "kind", "identify")};
  const auto code = request.find("code");
  if (code == request.end() || !code->is_number_unsigned()) {
    throw RequestError("identify: \"code\" must be a non-negative number");
  }
  arguments.code = code->get<std::uint64_t>();
  return arguments;
}

SetArguments set_arguments(const json& request) {
  SetArguments arguments{string_member(request, "profile", "set"),
                         string_member(request, "output", "set")};
  const auto value = request.find("value");
  if (value == request.end() || !value->is_number()) {
    throw RequestError("set: \"value\" must be a number");
  }
  arguments.value = value->get<double>();
  return arguments;
}

std::optional<std::string> profiles_arguments(const json& request) {
  if (!request.contains("id")) return std::nullopt;
  return string_member(request, "id", "profiles");
}

}  // namespace cabind::control
