#include "cabind/web/live_view.hpp"

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace cabind::web {

using nlohmann::json;

namespace {

constexpr std::size_t max_messages_shown = 512;

double seconds(can::Timestamp time) {
  return std::chrono::duration<double>(time).count();
}

std::string_view validity_name(std::uint8_t validity) {
  static constexpr std::array<std::string_view, 4> names{"valid", "missing", "stale", "invalid"};
  return validity < names.size() ? names[validity] : "invalid";
}

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text;
  text.reserve(bytes.size() * 2);
  for (const std::uint8_t byte : bytes) {
    text.push_back(digits[byte >> 4U]);
    text.push_back(digits[byte & 15U]);
  }
  return text;
}

std::string id_text(std::uint32_t id) {
  std::array<char, 16> text{};
  std::snprintf(text.data(), text.size(), "0x%X", id);
  return text.data();
}

json bus_json(const BusView& bus, std::uint64_t frames, double fps) {
  json out{{"name", bus.name},
           {"interface", bus.interface},
           {"state", bus.state},
           {"frames", frames},
           {"fps", fps}};
  if (bus.counters != nullptr) {
    const can::BusCounters& c = *bus.counters;
    out["errors"] = {{"error_frames", c.rx_error_frames}, {"bus_off", c.bus_off},
                     {"malformed", c.rx_malformed},       {"rx_dropped", c.rx_queue_dropped},
                     {"tx_dropped", c.tx_dropped},        {"tx_errors", c.tx_errors}};
  }
  return out;
}

// A rate over `dt` seconds from two counts; a count that went back (a new engine) is 0.
double rate(std::uint64_t now, std::uint64_t before, double dt) {
  return dt > 0 && now >= before ? static_cast<double>(now - before) / dt : 0.0;
}

}  // namespace

LiveView::LiveView(std::size_t recent_events) : recent_limit_(recent_events) {}

Text LiveView::on_event(const engine::AuditEvent& event) {
  json out{{"type", "event"},
           {"kind", engine::to_string(event.kind)},
           {"time", seconds(event.time)},
           {"text", engine::format_audit_fields(event)}};
  if (!event.rule.empty()) out["rule"] = event.rule;
  if (!event.output.empty()) out["output"] = event.output;
  if (!event.detail.empty()) out["detail"] = event.detail;
  if (event.has_value) out["value"] = event.value;
  if (event.kind == engine::AuditKind::driver_changed) {
    // rule: the identifier kind that selected; output: the profile id; detail: why.
    driver_ = {std::string(event.output), std::string(event.rule), std::string(event.detail),
               seconds(event.time), event.value};
  } else if (event.kind == engine::AuditKind::driver_left) {
    driver_ = {};
  } else if (!event.output.empty()) {
    OutputSeen& seen = outputs_[std::string(event.output)];
    if (!event.rule.empty()) seen.rule = event.rule;
    seen.kind = engine::to_string(event.kind);
    seen.text = out["text"].get<std::string>();
  }
  auto text = std::make_shared<const std::string>(out.dump());
  recent_.push_back(text);
  while (recent_.size() > recent_limit_)
    recent_.pop_front();
  return text;
}

void LiveView::adopt(const engine::Plan& plan) {
  plan_ = &plan;
  units_.assign(plan.slot_count(), std::string());
  message_counts_.assign(plan.buses.size(), {});
  for (std::size_t b = 0; b < plan.buses.size(); ++b) {
    const engine::BusPlan& bus = plan.buses[b];
    message_counts_[b].assign(bus.codec->message_count(), 0);
    for (const signal::Binding& binding : bus.bindings) {
      if (binding.slot < units_.size()) units_[binding.slot] = bus.codec->signal(binding.ref).unit;
    }
  }
  frame_counts_.assign(plan.buses.size(), 0);
  outputs_.clear();
}

LiveView::Snapshot LiveView::snapshot(const engine::Engine& engine, std::span<const BusView> buses,
                                      std::chrono::steady_clock::time_point now) {
  const engine::Plan& plan = engine.plan();
  if (&plan != plan_) adopt(plan);
  const double dt = last_ == std::chrono::steady_clock::time_point{}
                        ? 0.0
                        : std::chrono::duration<double>(now - last_).count();
  last_ = now;
  const double engine_now = seconds(engine.now());
  json out{{"type", "snapshot"}, {"time", engine_now}};

  json bus_list = json::array();
  json messages = json::array();
  for (std::size_t b = 0; b < plan.buses.size(); ++b) {
    const std::uint64_t frames = engine.frames_seen(b);
    const BusView view = b < buses.size() ? buses[b] : BusView{plan.buses[b].name, {}, "", nullptr};
    bus_list.push_back(bus_json(view, frames, rate(frames, frame_counts_[b], dt)));
    frame_counts_[b] = frames;
    const dbc::Codec& codec = *plan.buses[b].codec;
    const auto seen = engine.router(b).seen();
    for (std::size_t m = 0; m < seen.size(); ++m) {
      const signal::MessageSeen& message = seen[m];
      if (message.count == 0) continue;
      const double per_second = rate(message.count, message_counts_[b][m], dt);
      message_counts_[b][m] = message.count;
      if (messages.size() >= max_messages_shown) continue;
      const dbc::Message& info = codec.message(static_cast<std::uint16_t>(m));
      messages.push_back({{"bus", plan.buses[b].name},
                          {"name", info.name},
                          {"id", id_text(info.id)},
                          {"count", message.count},
                          {"rate", per_second},
                          {"age", engine_now - seconds(message.last)},
                          {"data", hex({message.data.data(), message.size})}});
    }
  }
  out["buses"] = std::move(bus_list);
  out["messages"] = std::move(messages);

  const signal::SignalTable& table = engine.signals();
  json signals = json::array();
  for (std::uint32_t slot = 0; slot < table.size(); ++slot) {
    const std::uint8_t validity = table.validity(slot);
    json entry{{"name", plan.slot_names[slot]},
               {"unit", units_[slot]},
               {"validity", validity_name(validity)},
               {"feedback", slot >= plan.signal_count}};
    if (validity != signal::kMissing) {
      entry["value"] = table.value(slot);
      entry["age"] = engine_now - seconds(table.receive_time(slot));
    }
    signals.push_back(std::move(entry));
  }
  out["signals"] = std::move(signals);

  if (const profile::Profile* driver = engine.driver()) {
    json who{{"id", driver->id}, {"name", driver->display_name}, {"guest", driver->guest}};
    if (driver_.id == driver->id) {
      who["source"] = driver_.source;
      who["reason"] = driver_.reason;
      who["since"] = driver_.since;
      who["code"] = driver_.code;
    } else {
      who["reason"] = "kept across a reload";
    }
    out["driver"] = std::move(who);
  } else {
    out["driver"] = nullptr;
  }

  json claims = json::array();
  for (std::size_t s = 0; s < plan.identity.sources.size(); ++s) {
    const config::IdentitySource& source = plan.identity.sources[s];
    json claim{{"signal", source.signal},
               {"kind", profile::to_string(source.kind)},
               {"priority", source.priority},
               {"claims", engine.identity().claims(s, engine.now())}};
    if (const auto slot = plan.slot(source.signal)) {
      claim["validity"] = validity_name(table.validity(*slot));
      if (table.validity(*slot) == signal::kValid) claim["value"] = table.value(*slot);
    }
    claims.push_back(std::move(claim));
  }
  out["claims"] = std::move(claims);

  const rules::EvalContext context = engine.context();
  json interlocks = json::array();
  for (const engine::Interlock& interlock : plan.interlocks) {
    const bool holds = interlock.condition.evaluate(context).holds();
    json entry{
        {"name", interlock.name}, {"holds", holds}, {"condition", interlock.condition.text()}};
    if (!holds) entry["reason"] = interlock.condition.describe(interlock.condition.trace(context));
    interlocks.push_back(std::move(entry));
  }
  out["interlocks"] = std::move(interlocks);

  json outputs = json::array();
  const engine::Actuator& actuator = engine.actuator();
  for (std::size_t o = 0; o < actuator.output_count(); ++o) {
    const std::string_view name = actuator.spec(o).name;
    json entry{{"name", name}, {"phase", engine::to_string(actuator.phase(o))}};
    if (const auto seen = outputs_.find(name); seen != outputs_.end()) {
      entry["rule"] = seen->second.rule;
      entry["last"] = seen->second.text;
    }
    outputs.push_back(std::move(entry));
  }
  out["outputs"] = std::move(outputs);

  Snapshot result;
  std::string text = out.dump();
  result.live = std::make_shared<const std::string>(text);
  // The greeting is the same object with the timeline: spliced in as text, the events are
  // serialised once (in on_event), not again at every snapshot.
  text.pop_back();  // the closing brace
  text += R"(,"events":[)";
  for (std::size_t i = 0; i < recent_.size(); ++i) {
    if (i > 0) text += ',';
    text += *recent_[i];
  }
  text += "]}";
  result.greeting = std::make_shared<const std::string>(std::move(text));
  return result;
}

}  // namespace cabind::web
