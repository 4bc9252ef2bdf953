// The control socket's commands (docs/operations.md lists them with examples).
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "bus_port.hpp"
#include "cabind/config/config.hpp"
#include "cabind/control/command_arguments.hpp"
#include "cabind/daemon/service.hpp"
#include "cabind/dbc/codec.hpp"
#include "connectivity.hpp"
#include "generation.hpp"
#include "reporting_preferences.hpp"

namespace cabind::daemon {

using nlohmann::json;

namespace {

json profile_summary(const profile::Profile& p) {
  return json{{"id", p.id}, {"name", p.display_name}, {"guest", p.guest}};
}

json field_json(const profile::Profile& p, std::string_view path) {
  const auto value = profile::field(p, path);
  if (!value) return nullptr;
  return std::visit([](const auto& v) -> json { return v; }, *value);
}

json profile_details(const profile::Profile& p) {
  json details = profile_summary(p);
  for (const char* path : {"climate.temperature", "climate.passenger.temperature", "climate.fan",
                           "climate.ac", "climate.seat_heat", "seat.memory_slot"}) {
    if (auto v = field_json(p, path); !v.is_null()) details["fields"][path] = v;
  }
  for (const auto& favourite : p.navigation.favourites) {
    details["favourites"][favourite.name] = {favourite.latitude, favourite.longitude};
  }
  return details;
}

std::optional<profile::IdentifierKind> kind_named(std::string_view name) {
  if (auto kind = profile::identifier_kind_from_string(name); kind && profile::is_numeric(*kind)) {
    return kind;
  }
  if (name == "fob") return profile::IdentifierKind::key_fob;
  if (name == "button" || name == "seat") return profile::IdentifierKind::seat_memory_button;
  return std::nullopt;
}

json counters_json(const can::BusCounters& c) {
  return {{"rx_frames", c.rx_frames},
          {"rx_batches", c.rx_batches},
          {"rx_error_frames", c.rx_error_frames},
          {"bus_off", c.bus_off},
          {"rx_malformed", c.rx_malformed},
          {"rx_queue_dropped", c.rx_queue_dropped},
          {"tx_frames", c.tx_frames},
          {"tx_buffer_full", c.tx_buffer_full},
          {"tx_retried", c.tx_retried},
          {"tx_dropped", c.tx_dropped},
          {"tx_errors", c.tx_errors},
          {"bus_errors", c.bus_errors}};
}

}  // namespace

json Service::status() const {
  const engine::Engine& engine = *active_->engine;
  json result;
  const profile::Profile* driver = engine.driver();
  result["driver"] = driver != nullptr ? profile_summary(*driver) : json(nullptr);
  // "bus": the first bus, as before there were several; "buses": each of them by name.
  result["bus"] = {{"interface", ports_[0]->slot.interface_name()},
                   {"state", ports_[0]->slot.state()}};
  json buses = json::object();
  for (std::size_t b = 0; b < bus_count(); ++b) {
    const Port& port = *ports_[b];
    buses[port.name] = {{"interface", port.slot.interface_name()},
                        {"fd", port.fd},
                        {"state", port.slot.state()},
                        {"frames", engine.frames_seen(b)}};
  }
  result["buses"] = buses;
  result["config"] = options_.config_file.string();
  json interlocks = json::object();
  for (const auto& interlock : active_->config.interlocks) {
    interlocks[interlock.name] = engine.interlock_holds(interlock.name) ? "holds" : "blocked";
  }
  result["interlocks"] = interlocks;
  // Each output's command phase: "unsent" says the bus refused its frame and it waits.
  json outputs = json::object();
  const engine::Actuator& actuator = engine.actuator();
  for (std::size_t o = 0; o < actuator.output_count(); ++o) {
    outputs[std::string(actuator.spec(o).name)] = engine::to_string(actuator.phase(o));
  }
  result["outputs"] = outputs;
  result["uptime_s"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  result["recent"] = recent_.lines();
  return result;
}

// Per SecOC message: its refused frames, alarms raised and last accepted counter, named as
// vehicle.yaml names it (with its bus when there are several).
json Service::secoc_metrics() const {
  json secoc = json::object();
  const engine::Engine& engine = *active_->engine;
  const std::vector<engine::BusPlan>& plan_buses = active_->plan->buses;
  for (std::size_t b = 0; b < plan_buses.size(); ++b) {
    const std::string prefix = plan_buses.size() > 1 ? plan_buses[b].name + ":" : std::string();
    for (std::size_t i = 0; i < engine.secoc(b).size(); ++i) {
      const auto& verifier = engine.secoc(b)[i];
      const auto counter = verifier.counter();
      secoc[prefix + std::string(plan_buses[b].codec->message(verifier.message()).name)] = {
          {"data_id", verifier.data_id()},
          {"failures", engine.secoc_monitors(b)[i].failures()},
          {"alarms", engine.secoc_monitors(b)[i].alarms()},
          {"resynchronisations", verifier.resynchronisations()},
          {"counter", counter ? json(*counter) : json()}};
    }
  }
  return secoc;
}

json Service::bridge_status() const {
  if (!connectivity_) return json{{"configured", active_->config.mqtt.has_value()}};
  json result = connectivity_->status();
  result["configured"] = true;
  return result;
}

json Service::metrics() const {
  json result;
  // "bus": the sum over every bus; "buses": each bus's own counters, by name.
  can::BusCounters total;
  json buses = json::object();
  for (std::size_t b = 0; b < bus_count(); ++b) {
    const can::BusCounters& c = ports_[b]->slot.counters();
    total += c;
    buses[ports_[b]->name] = counters_json(c);
  }
  result["bus"] = counters_json(total);
  result["buses"] = buses;
  json decisions = json::object();
  for (std::size_t kind = 0; kind < engine::audit_kind_count; ++kind) {
    decisions[std::string(engine::to_string(static_cast<engine::AuditKind>(kind)))] =
        audit_counts_[kind];
  }
  result["decisions"] = decisions;
  const signal::SignalTable& table = active_->engine->signals();
  std::size_t stale = 0;
  std::size_t invalid = 0;
  for (std::uint32_t slot = 0; slot < table.size(); ++slot) {
    if (table.validity(slot) == 2) ++stale;
    if (table.validity(slot) >= 3) ++invalid;
  }
  result["signals"] = {{"mapped", table.size()},
                       {"stale", stale},
                       {"invalid", invalid},
                       {"integrity_failures", active_->engine->integrity_failures()},
                       {"unauthentic", active_->engine->unauthentic_frames()}};
  result["secoc"] = secoc_metrics();
  result["config"] = {{"reloads", reloads_}, {"reload_failures", reload_failures_}};
  result["daemon"] = {
      {"exceptions", exceptions_},
      {"learned_overflow", learned_overflow_ + active_->engine->learned().overflow()},
      {"decisions_not_reported", audit_overflow_total_},
      {"decision_logs_suppressed", decision_log_.suppressed_total()}};
  if (connectivity_) result["bridge"] = bridge_status();
  result["store"] = {{"durable", durable_ != nullptr},
                     {"write_errors", durable_ != nullptr ? durable_->write_errors() : 0U},
                     {"pending", durable_ != nullptr ? durable_->pending() : 0U},
                     {"superseded", durable_ != nullptr ? durable_->superseded() : 0U}};
  if (control_) {
    const auto& s = control_->counters();
    result["control"] = {{"connections", s.connections},
                         {"refused_peers", s.refused_peers},
                         {"requests", s.requests},
                         {"bad_requests", s.bad_requests},
                         {"events_dropped", s.events_dropped},
                         {"subscribers", control_->subscriber_count()},
                         {"internal_errors", s.internal_errors}};
  }
  if (web_) {
    const web::ServerCounters& w = web_->server().counters();
    result["web"] = {{"clients", web_->server().client_count()},
                     {"requests", w.requests},
                     {"not_found", w.not_found},
                     {"refused", w.refused},
                     {"unauthorized", w.unauthorized},
                     {"busy", w.busy},
                     {"updates_dropped", w.dropped},
                     {"events_suppressed", web_->suppressed_events()}};
  }
  return result;
}

// Feeds the engine the frame an identity ECU would send, so a workshop can select a
// driver without the key fob at hand. The frame is not put on the bus.
json Service::identify(const json& request) {
  const control::IdentifyArguments arguments = control::identify_arguments(request);
  const std::string& kind_name = arguments.kind;
  const auto kind = kind_named(kind_name);
  if (!kind)
    throw control::RequestError("identify: unknown kind '" + kind_name +
                                "' (expected key_fob, seat_memory_button)");
  const config::Config& config = active_->config;
  const config::IdentitySource* source = nullptr;
  for (const auto& s : config.identity.sources) {
    if (s.kind == *kind) source = &s;
  }
  if (source == nullptr) {
    throw control::RequestError("identify: no identity source of kind " + kind_name +
                                " is configured");
  }
  const config::SignalMapping* mapping = config.find_signal(source->signal);
  // The frame goes to the engine as if read from the bus the identity signal is on.
  const engine::Plan& plan = *active_->plan;
  const std::size_t bus = plan.bus(mapping->source.bus).value_or(0);
  const dbc::Codec& codec = *plan.buses[bus].codec;
  const auto ref = codec.find_signal(mapping->source.message, mapping->source.signal);
  const dbc::Message& message = codec.message(ref->message);
  refuse_authenticated(bus, ref->message, std::string(message.name));
  std::array<std::uint8_t, can::max_fd_size> payload{};
  const std::span<std::uint8_t> bytes(payload.data(), message.size);
  for (std::uint16_t i = 0; i < message.signals.size(); ++i) {
    if (message.signals[i].start_value()) {
      (void)codec.encode_raw({ref->message, i},
                             static_cast<std::uint64_t>(*message.signals[i].start_value()), bytes);
    }
  }
  const std::uint64_t code = arguments.code;
  if (codec.encode(*ref, static_cast<double>(code), bytes, dbc::RangePolicy::reject) !=
      dbc::EncodeStatus::ok) {
    throw control::RequestError("identify: code " + std::to_string(code) + " does not fit " +
                                mapping->source.message + "." + mapping->source.signal);
  }
  auto frame = can::Frame::make({.id = message.id,
                                 .extended = message.extended,
                                 .format = message.fd ? can::Format::fd : can::Format::classic,
                                 .len = message.size,
                                 .data = bytes});
  if (!frame)
    throw control::RequestError("identify: cannot build a frame for " + std::string(message.name));
  // Engine time, as the bus stamps received frames: CLOCK_MONOTONIC.
  frame->set_time(can::monotonic_now());
  spdlog::info("control: identify {} {}", kind_name, code);
  active_->engine->on_frame(bus, *frame);
  store_learned();
  report_decisions();
  // A debounce completes only from frames that span it, as from a real ECU: the identifier
  // is presented once more when it has passed. The caller asks `status` after debounce_ms.
  if (source->debounce.count() > 0) present_again(bus, *frame, source->debounce);
  const profile::Profile* driver = active_->engine->driver();
  return json{{"driver", driver != nullptr ? profile_summary(*driver) : json(nullptr)},
              {"debounce_ms", source->debounce.count()}};
}

// An identity message under SecOC is trusted only with a MAC made with its key: the control
// socket does not vouch for a frame it made up (docs/security.md "identify and SecOC").
void Service::refuse_authenticated(std::size_t bus, std::uint16_t message,
                                   const std::string& name) const {
  for (const signal::SecocSpec& secoc : active_->plan->buses[bus].secoc) {
    if (secoc.message != message) continue;
    throw control::RequestError(
        "identify: " + name +
        " is protected by SecOC; cabind does not forge its MAC (send a frame signed with its "
        "key: cabind secoc sign)");
  }
}

void Service::present_again(std::size_t bus, const can::Frame& frame,
                            std::chrono::milliseconds debounce) {
  identify_timer_.expires_after(debounce + std::chrono::milliseconds(10));
  identify_timer_.async_wait([this, bus, frame](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    guarded("identify", [&] {
      can::Frame again = frame;
      again.set_time(can::monotonic_now());
      active_->engine->on_frame(bus, again);
      store_learned();
      report_decisions();
    });
  });
}

// Stores a preference and answers once it is durable. The commit runs on the store's
// writer thread; its completion is posted back to the loop, which keeps serving frames
// meanwhile (no fsync on the loop). Acknowledged only after the commit.
void Service::set_preference(const json& request, control::Reply reply) {
  const control::SetArguments arguments = control::set_arguments(request);
  const std::string& profile_id = arguments.profile;
  const std::string& output = arguments.output;
  if (active_->config.profiles.find_by_id(profile_id) == nullptr) {
    throw control::RequestError("set: no profile '" + profile_id + "'");
  }
  const config::Output* spec = active_->config.find_output(output);
  if (spec == nullptr) throw control::RequestError("set: no output '" + output + "'");
  const double value = arguments.value;
  if (spec->range && (value < spec->range->min || value > spec->range->max)) {
    throw control::RequestError("set: " + std::to_string(value) + " is outside " + output +
                                "'s range");
  }
  reporting_->learn(profile_id, output, value);  // and reported to the driver's shadow
  json result{{"profile", profile_id},
              {"output", output},
              {"value", value},
              {"durable", durable_ != nullptr}};
  if (durable_ == nullptr) {
    spdlog::info("control: preference {} {} = {} (in memory only)", profile_id, output, value);
    reply.ok(result);
    return;
  }
  durable_->flush_async([this, reply, result = std::move(result)](bool ok) {
    // On the store's writer thread: hand over to the loop and nothing else.
    try {
      boost::asio::post(io_, [this, reply, result, ok] {
        guarded("set reply", [&] { finish_set(reply, result, ok); });
      });
    } catch (...) {
      // Out of memory: the client sees its connection end unanswered; the value is stored.
    }
  });
}

void Service::finish_set(const control::Reply& reply, const json& result, bool ok) {
  if (!ok) {
    reply.fail("set: could not write " + durable_->file().string() +
               "; the value holds until cabind restarts");
    return;
  }
  spdlog::info("control: preference {} {} = {}", result["profile"].get<std::string>(),
               result["output"].get<std::string>(), result["value"].get<double>());
  reply.ok(result);
}

void Service::add_control_commands() {
  control_->add_command("status", [this](const json&) { return status(); });
  control_->add_command("metrics", [this](const json&) { return metrics(); });
  control_->add_command("bridge", [this](const json&) { return bridge_status(); });
  control_->add_command("profiles", [this](const json& request) {
    const auto& profiles = active_->config.profiles;
    if (const auto id = control::profiles_arguments(request)) {
      const profile::Profile* p = profiles.find_by_id(*id);
      if (p == nullptr) throw control::RequestError("no profile '" + *id + "'");
      json details = profile_details(*p);
      for (const auto& [output, value] : preferences_->preferences_of(p->id)) {
        details["learned"][output] = value;
      }
      return details;
    }
    json list = json::array();
    for (const auto& p : profiles.profiles())
      list.push_back(profile_summary(p));
    return list;
  });
  control_->add_command("identify", [this](const json& request) { return identify(request); });
  control_->add_async_command(
      "set", [this](const json& request, control::Reply reply) { set_preference(request, reply); });
  control_->add_command("reload", [this](const json&) {
    if (!reload())
      throw control::RequestError("reload failed; the running configuration stays (see the log)");
    return json{{"reloaded", options_.config_file.string()}};
  });
}

}  // namespace cabind::daemon
