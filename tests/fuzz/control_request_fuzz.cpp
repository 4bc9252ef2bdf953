// libFuzzer target: a control-socket peer's bytes, framed into lines as the Server frames
// them, through RequestHandler (JSON parse, command dispatch) and the daemon's argument
// checks (command_arguments.hpp). Properties: every request gets exactly one reply, one
// JSON object on one line with "ok" and a "result" or an "error" string; an error reply
// is a bad request or an internal error, never both, never unaccounted.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cabind/control/command_arguments.hpp"
#include "cabind/control/request_handler.hpp"

namespace {

using cabind::control::RequestHandler;
using nlohmann::json;

constexpr std::size_t max_request_bytes = 1024;  // the Server's framing limit, scaled down

class Recorder : public cabind::control::ReplyChannel {
 public:
  explicit Recorder(std::vector<std::string>& lines) : lines_(lines) {}
  void send(std::string line) override { lines_.push_back(std::move(line)); }

 private:
  std::vector<std::string>& lines_;
};

// The daemon's commands with their real argument checks and made-up lookups.
void add_commands(RequestHandler& handler) {
  using namespace cabind::control;
  handler.add_command("status", [](const json&) { return json{{"driver", nullptr}}; });
  handler.add_command("echo", [](const json& request) { return request; });
  handler.add_command("identify", [](const json& request) {
    const IdentifyArguments arguments = identify_arguments(request);
    if (arguments.kind != "fob")
      throw RequestError("identify: unknown kind '" + arguments.kind + "'");
    return json{{"code", arguments.code}};
  });
  handler.add_command("profiles", [](const json& request) {
    const auto id = profiles_arguments(request);
    if (id && *id != "alice") throw RequestError("no profile '" + *id + "'");
    return json{{"id", id.value_or("")}};
  });
  handler.add_command("broken", [](const json& request) -> json {
    throw std::out_of_range(request.dump(-1, ' ', false, json::error_handler_t::replace));
  });
  handler.add_async_command("set", [](const json& request, Reply reply) {
    const SetArguments arguments = set_arguments(request);
    if (arguments.value < 0) {
      reply.fail("set: could not write the store");
    } else {
      reply.ok(json{{"profile", arguments.profile}, {"value", arguments.value}});
    }
  });
}

// Aborts unless `line` is one reply; true when it reports a failure.
bool check_reply(const std::string& line) {
  if (line.empty() || line.back() != '\n') std::abort();
  if (line.find('\n') != line.size() - 1) std::abort();
  const json reply = json::parse(line, nullptr, false);
  if (reply.is_discarded() || !reply.is_object()) std::abort();
  const auto ok = reply.find("ok");
  if (ok == reply.end() || !ok->is_boolean()) std::abort();
  if (ok->get<bool>()) {
    if (!reply.contains("result")) std::abort();
    return false;
  }
  const auto error = reply.find("error");
  if (error == reply.end() || !error->is_string()) std::abort();
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  RequestHandler handler;
  add_commands(handler);
  std::vector<std::string> lines;
  const auto channel = [&lines] { return std::make_shared<Recorder>(lines); };
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t at = 0;
  while (at < input.size()) {
    const std::size_t end = input.find('\n', at);
    const std::string_view line = input.substr(at, end == std::string_view::npos ? end : end - at);
    if (line.size() + 1 > max_request_bytes) break;  // refused; the Server closes the connection
    const RequestHandler::Outcome outcome = handler.handle(line, channel);
    if ((outcome.action == RequestHandler::Action::none) != line.empty()) std::abort();
    if (outcome.action == RequestHandler::Action::reply ||
        outcome.action == RequestHandler::Action::subscribe) {
      lines.push_back(outcome.line);
    }
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  std::uint64_t failed = 0;
  for (const std::string& line : lines)
    failed += check_reply(line) ? 1U : 0U;
  const auto& counters = handler.counters();
  if (lines.size() != counters.requests) std::abort();
  if (failed != counters.bad_requests + counters.internal_errors) std::abort();
  return 0;
}
