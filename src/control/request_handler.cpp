#include "cabind/control/request_handler.hpp"

namespace cabind::control {

using nlohmann::json;

namespace {
// Replaces what is not UTF-8 rather than throwing: a reply always goes out.
std::string line_of(const json& reply) {
  return reply.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}
}  // namespace

std::string ok_reply(const json& result) {
  return line_of(json{{"ok", true}, {"result", result}});
}

std::string error_reply(const std::string& message) {
  return line_of(json{{"ok", false}, {"error", message}});
}

void Reply::ok(const json& result) const {
  channel_->send(ok_reply(result));
}

void Reply::fail(const std::string& error) const {
  ++counters_->bad_requests;
  channel_->send(error_reply(error));
}

void RequestHandler::add_command(const std::string& name, Handler handler) {
  handlers_[name] = std::move(handler);
}

void RequestHandler::add_async_command(const std::string& name, AsyncHandler handler) {
  async_handlers_[name] = std::move(handler);
}

void RequestHandler::count_refused() noexcept {
  ++counters_.bad_requests;
}

RequestHandler::Outcome RequestHandler::fail(const std::string& message) {
  ++counters_.bad_requests;
  return {Action::reply, error_reply(message)};
}

RequestHandler::Outcome RequestHandler::handle(std::string_view line,
                                               const ChannelFactory& channel) {
  if (line.empty()) return {};
  ++counters_.requests;
  const json request = json::parse(line, nullptr, false);
  if (request.is_discarded() || !request.is_object()) {
    return fail("malformed request: expected one JSON object per line");
  }
  const auto command = request.find("command");
  if (command == request.end() || !command->is_string()) {
    return fail("malformed request: missing \"command\" string");
  }
  const auto& name = command->get_ref<const std::string&>();
  if (name == "subscribe") return {Action::subscribe, ok_reply({{"subscribed", true}})};
  return call(name, request, channel);
}

RequestHandler::Outcome RequestHandler::call(const std::string& name, const json& request,
                                             const ChannelFactory& channel) {
  try {
    if (const auto async = async_handlers_.find(name); async != async_handlers_.end()) {
      async->second(request, Reply(channel(), counters_));
      return {Action::deferred, {}};
    }
    const auto handler = handlers_.find(name);
    if (handler == handlers_.end()) return fail("unknown command '" + name + "'");
    return {Action::reply, ok_reply(handler->second(request))};
  } catch (const RequestError& e) {
    return fail(e.what());
  } catch (const json::exception& e) {
    return fail(std::string("bad arguments: ") + e.what());
  } catch (const std::exception& e) {
    ++counters_.internal_errors;
    return {Action::reply, error_reply("internal error in '" + name + "': " + e.what())};
  }
}

}  // namespace cabind::control
