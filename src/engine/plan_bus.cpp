// PlanBuilder: what the plan needs of the bus: identity slots, integrity checks, kernel
// filters, and the command messages' signals that nothing accounts for.
#include <cstdio>
#include <stdexcept>
#include <string>

#include "cabind/engine/identity_resolver.hpp"
#include "did_you_mean.hpp"
#include "plan_builder.hpp"

namespace cabind::engine {

namespace {

signal::ChecksumAlgorithm algorithm(config::ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case config::ChecksumAlgorithm::xor8:
      return signal::ChecksumAlgorithm::xor8;
    case config::ChecksumAlgorithm::sum8:
      return signal::ChecksumAlgorithm::sum8;
    case config::ChecksumAlgorithm::crc8_sae_j1850:
      return signal::ChecksumAlgorithm::crc8_sae_j1850;
  }
  return signal::ChecksumAlgorithm::xor8;
}

std::string format_number(double value) {
  char text[32];
  const int n = std::snprintf(text, sizeof text, "%g", value);
  return std::string(text, n > 0 ? static_cast<std::size_t>(n) : 0U);
}

}  // namespace

void PlanBuilder::add_identity() {
  plan_.identity_source.assign(plan_.slot_count(), -1);
  for (std::size_t s = 0; s < config_.identity.sources.size(); ++s) {
    const config::IdentitySource& source = config_.identity.sources[s];
    const auto symbol = symbols_.signals.resolve(source.signal);
    if (!symbol) {
      diagnostics_.error(source.where,
                         "unknown identity signal '" + source.signal + "'" +
                             did_you_mean(source.signal, symbols_.signals.known_names()));
      continue;
    }
    plan_.identity_source[symbol->slot] = static_cast<int>(s);
    // Every frame presenting it is reported, and a multiplexed token not selected is withdrawn.
    const std::size_t bus = plan_.slot_bus[symbol->slot];
    for (signal::Binding& binding : plan_.buses[bus].bindings) {
      if (binding.slot != symbol->slot) continue;
      binding.presence = true;
      const auto cycle = codec(bus).message(binding.ref.message).cycle_time_ms.value_or(0);
      plan_.identity_windows.push_back(presence_window(source, std::chrono::milliseconds(cycle)));
    }
    plan_.identity_conditions.emplace_back();
    if (source.when) {
      plan_.identity_conditions.back() = expression(*source.when, rules::ValueType::boolean);
    }
  }
  if (const auto& leave = config_.identity.leave) {
    plan_.leave_when = expression(leave->when, rules::ValueType::boolean);
    plan_.leave_hold = leave->hold;
    if (plan_.leave_when && plan_.leave_when->signal_slots().empty()) {
      diagnostics_.error(leave->when.where,
                         "identity.leave.when must read at least one signal (it is re-evaluated "
                         "only when one of its signals changes)");
    }
  }
  plan_.lifecycle_reader.assign(plan_.slot_count(), 0);
  auto mark = [&](const std::optional<rules::CompiledExpression>& condition) {
    if (!condition) return;
    for (const std::uint32_t slot : condition->signal_slots())
      plan_.lifecycle_reader[slot] = 1;
  };
  for (const auto& condition : plan_.identity_conditions)
    mark(condition);
  mark(plan_.leave_when);
}

void PlanBuilder::add_integrity() {
  for (const config::MessageIntegrity& check : config_.integrity) {
    const auto bus = check.bus.empty() ? std::optional<std::size_t>(0) : plan_.bus(check.bus);
    const auto message = bus ? codec(*bus).find_message(check.message) : std::nullopt;
    if (!message) {
      diagnostics_.error(check.where, "integrity: message '" + check.message + "' is not on bus '" +
                                          check.bus + "'");
      continue;
    }
    const dbc::Codec& bus_codec = codec(*bus);
    signal::IntegritySpec spec;
    spec.message = *message;
    if (!check.counter.empty()) spec.counter = bus_codec.find_signal(check.message, check.counter);
    if (!check.checksum_signal.empty()) {
      spec.checksum = bus_codec.find_signal(check.message, check.checksum_signal);
    }
    spec.algorithm = algorithm(check.checksum_algorithm);
    spec.max_counter_skips = check.max_counter_skips;
    spec.recovery_frames = check.recovery_frames;
    if (!check.counter.empty() || !check.checksum_signal.empty()) {
      plan_.buses[*bus].integrity.push_back(spec);
    }
    if (check.secoc) add_secoc(*check.secoc, plan_.buses[*bus], *message);
  }
  // The router checks every spec against the codec: one built here refuses what the engine's
  // would, at load time.
  for (const BusPlan& bus : plan_.buses) {
    try {
      const signal::FrameRouter router(*bus.codec, bus.bindings, bus.integrity, bus.secoc);
    } catch (const std::invalid_argument& error) {
      diagnostics_.error({config_.file, 0, 0}, error.what());
    }
  }
}

// A SecOC message is verified by the router of its own bus.
void PlanBuilder::add_secoc(const config::Secoc& secoc, BusPlan& bus, std::uint16_t message) {
  bus.secoc.push_back(
      {message, {secoc.data_id, secoc.mac_bits, secoc.freshness_bits}, secoc.key, std::nullopt});
  bus.secoc_alarms.push_back({secoc.alarm_failures, secoc.alarm_window});
}

// The kernel delivers only the messages that carry a bound signal, on each bus its own.
void PlanBuilder::add_filters() {
  for (BusPlan& bus : plan_.buses) {
    for (const signal::Binding& binding : bus.bindings) {
      const dbc::Message& message = bus.codec->message(binding.ref.message);
      const auto filter = can::Filter::exact(message.id, message.extended);
      bool known = false;
      for (const can::Filter& f : bus.filters)
        known = known || (f.id == filter.id && f.extended == filter.extended);
      if (!known) bus.filters.push_back(filter);
    }
  }
}

// A command frame carries every signal of its message: one that no output writes goes out
// at its GenSigStartValue (0 when the DBC gives none) in every frame the actuator sends.
void PlanBuilder::warn_unaccounted_signals() {
  std::vector<std::vector<bool>> warned;
  for (const BusPlan& bus : plan_.buses)
    warned.emplace_back(bus.codec->message_count(), false);
  for (std::size_t o = 0; o < plan_.specs.size(); ++o) {
    const OutputSpec& output = plan_.specs[o];
    const std::uint16_t index = output.ref.message;
    if (warned[output.bus][index]) continue;
    warned[output.bus][index] = true;
    const dbc::Message& message = codec(output.bus).message(index);
    for (std::size_t s = 0; s < message.signals.size(); ++s) {
      const dbc::SignalRef ref{index, static_cast<std::uint16_t>(s)};
      bool written = false;
      for (const OutputSpec& spec : plan_.specs)
        written = written || (spec.bus == output.bus && spec.ref == ref);
      if (written) continue;
      const dbc::Signal& signal = message.signals[s];
      const double raw = signal.start_value().value_or(0.0);
      diagnostics_.warning(config_.outputs[o].signal.where,
                           "message '" + std::string(message.name) + "' carries signal '" +
                               std::string(signal.name) +
                               "', which no output writes: every command frame sends it at " +
                               (signal.start_value() ? "its GenSigStartValue" : "raw 0") + " (" +
                               format_number(raw * signal.factor + signal.offset) +
                               (signal.unit.empty() ? "" : " " + std::string(signal.unit)) + ")");
    }
  }
}

}  // namespace cabind::engine
