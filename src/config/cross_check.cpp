#include "cabind/config/cross_check.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "cabind/config/yaml_reader.hpp"
#include "cabind/dbc/signal_bytes.hpp"

namespace cabind::config {

namespace {

std::string suggestion(std::string_view word, const std::vector<std::string_view>& known) {
  const auto close = closest(word, known);
  return close ? " (did you mean '" + std::string(*close) + "'?)" : std::string();
}

std::string bus_suggestion(const Config& config, std::string_view bus) {
  std::vector<std::string_view> known;
  for (const auto& candidate : config.buses)
    known.emplace_back(candidate.name);
  return suggestion(bus, known);
}

// The DBC signal a reference names, or nullptr after reporting why not (nothing is
// reported for a bus whose DBC did not load: that is an error at its `dbc:` key).
const dbc::Signal* resolve(const Config& config, const SignalRef& ref,
                           diag::Diagnostics& diagnostics, const dbc::Message** message_out,
                           const Unavailable& unavailable) {
  const Bus* bus = config.find_bus(ref.bus);
  if (bus == nullptr) {
    diagnostics.error(ref.where, "unknown bus '" + ref.bus + "'" + bus_suggestion(config, ref.bus));
    return nullptr;
  }
  if (unavailable.has_bus(bus->name)) return nullptr;
  const dbc::Message* message = bus->database.find_message(ref.message);
  if (message == nullptr) {
    std::vector<std::string_view> known;
    for (const auto& candidate : bus->database.messages)
      known.emplace_back(candidate.name);
    diagnostics.error(ref.where, "message '" + ref.message + "' is not in " + bus->dbc_path +
                                     suggestion(ref.message, known));
    return nullptr;
  }
  const dbc::Signal* signal = message->find_signal(ref.signal);
  if (signal == nullptr) {
    std::vector<std::string_view> known;
    for (const auto& candidate : message->signals)
      known.emplace_back(candidate.name);
    diagnostics.error(ref.where, "message '" + ref.message + "' has no signal '" + ref.signal +
                                     "'" + suggestion(ref.signal, known));
    return nullptr;
  }
  if (!signal->overlaps().empty()) {
    diagnostics.error(ref.where, "signal '" + ref.message + "." + ref.signal +
                                     "' overlaps signal '" + std::string(signal->overlaps()) +
                                     "' in " + bus->dbc_path + " (line " +
                                     std::to_string(signal->line) +
                                     "): a signal the configuration uses must own its bits");
  }
  if (signal->outside_message) {
    diagnostics.error(ref.where, "signal '" + ref.message + "." + ref.signal +
                                     "' lies outside its " + std::to_string(message->size) +
                                     "-byte message in " + bus->dbc_path + " (line " +
                                     std::to_string(signal->line) +
                                     "): it never decodes, so it cannot be bound");
  }
  if (message->fd && !bus->fd) {
    diagnostics.error(ref.where, "message '" + ref.message + "' is a CAN FD frame but bus '" +
                                     bus->name + "' is not configured with fd: true");
  }
  if (message_out != nullptr) *message_out = message;
  return signal;
}

bool has_range(const dbc::Signal& signal) {
  return !(signal.minimum == 0.0 && signal.maximum == 0.0);
}

std::string number_text(double value) {
  std::string text = std::to_string(value);
  while (!text.empty() && text.back() == '0')
    text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

// The signal `name` of `message` for an integrity check, or nullptr after reporting why not.
const dbc::Signal* integrity_signal(const dbc::Message& message, const std::string& name,
                                    const diag::Location& where, diag::Diagnostics& diagnostics) {
  const dbc::Signal* signal = message.find_signal(name);
  if (signal == nullptr) {
    std::vector<std::string_view> known;
    for (const auto& candidate : message.signals)
      known.emplace_back(candidate.name);
    diagnostics.error(where, "message '" + std::string(message.name) + "' has no signal '" + name +
                                 "'" + suggestion(name, known));
    return nullptr;
  }
  if (signal->mux_role == dbc::MuxRole::multiplexed ||
      signal->mux_role == dbc::MuxRole::multiplexed_multiplexor) {
    diagnostics.error(where, "signal '" + name +
                                 "' is multiplexed: an integrity signal must be in "
                                 "every frame of " +
                                 std::string(message.name));
    return nullptr;
  }
  if (!signal->overlaps().empty()) {
    diagnostics.error(where, "signal '" + std::string(message.name) + "." + name +
                                 "' overlaps signal '" + std::string(signal->overlaps()) +
                                 "' (DBC line " + std::to_string(signal->line) +
                                 "): a counter or checksum must own its bits");
    return nullptr;
  }
  return signal;
}

void check_integrity(const Config& config, const MessageIntegrity& check,
                     diag::Diagnostics& diagnostics, const Unavailable& unavailable) {
  const Bus* bus = config.find_bus(check.bus);
  if (bus == nullptr) {
    diagnostics.error(check.where,
                      "unknown bus '" + check.bus + "'" + bus_suggestion(config, check.bus));
    return;
  }
  if (unavailable.has_bus(bus->name)) return;
  const dbc::Message* message = bus->database.find_message(check.message);
  if (message == nullptr) {
    std::vector<std::string_view> known;
    for (const auto& candidate : bus->database.messages)
      known.emplace_back(candidate.name);
    diagnostics.error(check.where, "message '" + check.message + "' is not in " + bus->dbc_path +
                                       suggestion(check.message, known));
    return;
  }
  if (!check.counter.empty()) {
    if (const auto* counter =
            integrity_signal(*message, check.counter, check.counter_where, diagnostics)) {
      if (counter->length > 8 || counter->is_float() || counter->is_signed()) {
        diagnostics.error(check.counter_where, "counter '" + check.counter +
                                                   "' must be an unsigned integer of at most 8 "
                                                   "bits (it is " +
                                                   std::to_string(counter->length) + " bits)");
      } else if (check.max_counter_skips + 2U > (1U << counter->length)) {
        diagnostics.error(check.max_counter_skips_where,
                          "max_counter_skips " + std::to_string(check.max_counter_skips) +
                              " leaves no counter value to detect with the " +
                              std::to_string(counter->length) + "-bit counter '" + check.counter +
                              "' (at most " + std::to_string((1U << counter->length) - 2U) + ")");
      }
    }
  }
  if (!check.checksum_signal.empty()) {
    if (const auto* checksum =
            integrity_signal(*message, check.checksum_signal, check.checksum_where, diagnostics)) {
      const unsigned lsb = checksum->byte_order == dbc::ByteOrder::little_endian ? 0U : 7U;
      if (checksum->length != 8 || checksum->start_bit % 8U != lsb) {
        diagnostics.error(check.checksum_where,
                          "checksum '" + check.checksum_signal +
                              "' must be one whole byte (8 bits at a start bit that is a "
                              "multiple of 8); it is " +
                              std::to_string(checksum->length) + " bits at start bit " +
                              std::to_string(checksum->start_bit));
      }
    }
  }
  if (check.secoc) {
    const std::size_t trailer = (check.secoc->freshness_bits + check.secoc->mac_bits) / 8U;
    if (message->size <= trailer) {
      diagnostics.error(check.secoc->where,
                        "secoc: message '" + std::string(message->name) + "' has " +
                            std::to_string(message->size) + " bytes: after its " +
                            std::to_string(trailer) +
                            "-byte freshness value and MAC no authentic payload is left");
    }
  }
}

// Each SecOC message needs a Data ID of its own, on every bus: the ID is in its MAC input
// (a frame of one message must not verify as the other) and the store keeps the freshness
// counter under it (two messages would share one counter and refuse each other's frames).
void check_secoc_data_ids(const Config& config, diag::Diagnostics& diagnostics) {
  for (std::size_t i = 0; i < config.integrity.size(); ++i) {
    const auto& later = config.integrity[i].secoc;
    if (!later) continue;
    for (std::size_t j = 0; j < i; ++j) {
      const auto& earlier = config.integrity[j].secoc;
      if (!earlier || earlier->data_id != later->data_id) continue;
      diagnostics.error(later->data_id_where, "secoc: data_id " + std::to_string(later->data_id) +
                                                  " is already the Data ID of '" +
                                                  config.integrity[j].message + "' (line " +
                                                  std::to_string(earlier->data_id_where.line) +
                                                  "): each authenticated message needs its own");
      break;
    }
  }
}

// A signal bound on a SecOC message must lie in its authentic payload: the bytes after it
// carry the freshness value and the MAC, which change with every frame and are not data.
void check_secoc_bindings(const Config& config, diag::Diagnostics& diagnostics,
                          const Unavailable& unavailable) {
  diag::Diagnostics quiet;  // unresolved references were reported by the first pass
  for (const auto& mapping : config.signals) {
    const auto check =
        std::find_if(config.integrity.begin(), config.integrity.end(), [&](const auto& c) {
          return c.secoc && c.message == mapping.source.message &&
                 (c.bus == mapping.source.bus || config.buses.size() == 1);
        });
    if (check == config.integrity.end()) continue;
    const dbc::Message* message = nullptr;
    const dbc::Signal* signal = resolve(config, mapping.source, quiet, &message, unavailable);
    if (signal == nullptr || message == nullptr) continue;
    const std::size_t trailer = (check->secoc->freshness_bits + check->secoc->mac_bits) / 8U;
    if (message->size <= trailer) continue;  // reported at the secoc entry
    const std::size_t authentic = message->size - trailer;
    if (dbc::bytes_spanned(*signal) > authentic) {
      diagnostics.error(mapping.source.where,
                        "signal '" + std::string(message->name) + "." + std::string(signal->name) +
                            "' reaches past the authentic payload of its SecOC message (the "
                            "first " +
                            std::to_string(authentic) + " of " + std::to_string(message->size) +
                            " bytes; the rest is the freshness value and MAC)");
    }
  }
}

}  // namespace

bool Unavailable::has_bus(std::string_view bus) const {
  return std::find(buses.begin(), buses.end(), bus) != buses.end();
}

bool Unavailable::has_name(std::string_view name) const {
  return std::find(names.begin(), names.end(), name) != names.end();
}

const dbc::Signal* find_dbc_signal(const Config& config, const SignalRef& ref,
                                   const Unavailable& unavailable) {
  diag::Diagnostics quiet;
  return resolve(config, ref, quiet, nullptr, unavailable);
}

void check_dbc_references(Config& config, diag::Diagnostics& diagnostics,
                          const Unavailable& unavailable) {
  for (const auto& mapping : config.signals) {
    resolve(config, mapping.source, diagnostics, nullptr, unavailable);
  }
  check_secoc_data_ids(config, diagnostics);
  check_secoc_bindings(config, diagnostics, unavailable);
  for (const auto& check : config.integrity) {
    check_integrity(config, check, diagnostics, unavailable);
  }
  for (auto& output : config.outputs) {
    const dbc::Message* message = nullptr;
    const dbc::Signal* signal = resolve(config, output.signal, diagnostics, &message, unavailable);
    if (output.feedback) resolve(config, *output.feedback, diagnostics, nullptr, unavailable);
    if (signal == nullptr) continue;
    if (output.range && has_range(*signal) &&
        (output.range->min < signal->minimum || output.range->max > signal->maximum)) {
      diagnostics.error(output.where, "range [" + number_text(output.range->min) + ", " +
                                          number_text(output.range->max) + "] of output '" +
                                          output.name + "' exceeds the DBC range [" +
                                          number_text(signal->minimum) + ", " +
                                          number_text(signal->maximum) + "] of " +
                                          output.signal.message + "." + output.signal.signal);
    }
    if (output.send == SendMode::cyclic) {
      if (!message->cycle_time_ms || *message->cycle_time_ms == 0) {
        diagnostics.error(output.where, "output '" + output.name + "' is sent cyclic but " +
                                            std::string(message->name) +
                                            " has no GenMsgCycleTime in the DBC");
      } else {
        output.cycle = std::chrono::milliseconds(*message->cycle_time_ms);
      }
    }
  }
}

void check_rule_references(const Config& config, diag::Diagnostics& diagnostics,
                           bool check_favourites, const Unavailable& unavailable) {
  std::vector<std::string_view> outputs;
  for (const auto& output : config.outputs)
    outputs.emplace_back(output.name);
  std::vector<std::string_view> signals;
  for (const auto& mapping : config.signals)
    signals.emplace_back(mapping.name);
  std::vector<std::string_view> favourites;
  for (const auto& candidate : config.profiles.profiles()) {
    for (const auto& favourite : candidate.navigation.favourites)
      favourites.emplace_back(favourite.name);
  }

  for (const auto& rule : config.rules) {
    if (const auto* changed = std::get_if<SignalChanged>(&rule.on)) {
      if (config.find_signal(changed->signal) == nullptr &&
          !unavailable.has_name(changed->signal)) {
        diagnostics.error(changed->where, "rule '" + rule.name + "': '" + changed->signal +
                                              "' is not one of signals" +
                                              suggestion(changed->signal, signals));
      }
    }
    for (const auto& action : rule.actions) {
      if (const auto* set = std::get_if<SetOutput>(&action)) {
        if (config.find_output(set->output) == nullptr && !unavailable.has_name(set->output)) {
          diagnostics.error(set->where, "rule '" + rule.name + "': '" + set->output +
                                            "' is not one of outputs" +
                                            suggestion(set->output, outputs));
        }
      } else if (const auto* navigate = std::get_if<Navigate>(&action)) {
        if (navigate->favourite.empty() || !check_favourites) continue;
        const bool found = std::find(favourites.begin(), favourites.end(), navigate->favourite) !=
                           favourites.end();
        if (!found) {
          diagnostics.error(navigate->where, "rule '" + rule.name +
                                                 "': no profile has a "
                                                 "favourite named '" +
                                                 navigate->favourite + "'" +
                                                 suggestion(navigate->favourite, favourites));
        }
      }
    }
  }
}

}  // namespace cabind::config
