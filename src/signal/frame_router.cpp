#include "cabind/signal/frame_router.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace cabind::signal {

FrameRouter::FrameRouter(const dbc::Codec& codec, std::span<const Binding> bindings,
                         std::span<const IntegritySpec> integrity, std::span<const SecocSpec> secoc)
    : codec_(codec),
      begin_(codec.message_count() + 1, 0),
      bindings_(bindings.begin(), bindings.end()),
      check_of_(codec.message_count(), kUnchecked),
      secoc_of_(codec.message_count(), kUnchecked),
      seen_(codec.message_count()) {
  if (integrity.size() >= kUnchecked) throw std::invalid_argument("too many integrity checks");
  checks_.reserve(integrity.size());
  for (const IntegritySpec& spec : integrity) {
    if (spec.message >= check_of_.size() || check_of_[spec.message] != kUnchecked) {
      throw std::invalid_argument("integrity: unknown or repeated message index " +
                                  std::to_string(spec.message));
    }
    check_of_[spec.message] = static_cast<std::uint16_t>(checks_.size());
    checks_.emplace_back(codec, spec);
  }
  if (secoc.size() >= kUnchecked) throw std::invalid_argument("too many SecOC messages");
  verifiers_.reserve(secoc.size());
  for (const SecocSpec& spec : secoc) {
    if (spec.message >= secoc_of_.size() || secoc_of_[spec.message] != kUnchecked) {
      throw std::invalid_argument("secoc: unknown or repeated message index " +
                                  std::to_string(spec.message));
    }
    secoc_of_[spec.message] = static_cast<std::uint16_t>(verifiers_.size());
    verifiers_.emplace_back(codec, spec);
  }
  std::stable_sort(bindings_.begin(), bindings_.end(), [](const Binding& a, const Binding& b) {
    return a.ref.message < b.ref.message;
  });
  // begin_[m] = first binding of message m; a counting pass keeps it a flat table.
  for (const Binding& binding : bindings_)
    ++begin_[binding.ref.message + 1U];
  for (std::size_t m = 1; m < begin_.size(); ++m)
    begin_[m] += begin_[m - 1];
}

bool FrameRouter::routes(const can::Frame& frame) const noexcept {
  const auto message = codec_.find_message(frame.id(), frame.extended());
  return message && begin_[*message] != begin_[*message + 1U];
}

const IntegrityCheck* FrameRouter::integrity(std::uint16_t message) const noexcept {
  if (message >= check_of_.size() || check_of_[message] == kUnchecked) return nullptr;
  return &checks_[check_of_[message]];
}

std::size_t FrameRouter::invalidate_message(std::uint16_t message, can::Timestamp now,
                                            SignalTable& table, std::span<std::uint32_t> changed,
                                            std::size_t count) noexcept {
  for (std::uint32_t i = begin_[message]; i < begin_[message + 1U]; ++i) {
    const std::uint32_t slot = bindings_[i].slot;
    if (table.invalidate(slot, now) && count < changed.size()) changed[count++] = slot;
  }
  return count;
}

std::size_t FrameRouter::route(const can::Frame& frame, SignalTable& table,
                               std::span<std::uint32_t> changed) noexcept {
  return route(frame, table, changed, {}).changed;
}

Routed FrameRouter::route(const can::Frame& frame, SignalTable& table,
                          std::span<std::uint32_t> changed,
                          std::span<std::uint32_t> presented) noexcept {
  Routed routed;
  if (frame.kind() != can::Kind::data) return routed;
  const auto message = codec_.find_message(frame.id(), frame.extended());
  if (!message) return routed;
  const auto payload = frame.data();
  MessageSeen& seen = seen_[*message];
  seen.last = frame.time();
  ++seen.count;
  seen.size = static_cast<std::uint8_t>(payload.size());
  std::memcpy(seen.data.data(), payload.data(), payload.size());
  if (const std::uint16_t verifier = secoc_of_[*message]; verifier != kUnchecked) {
    if (verifiers_[verifier].verify(payload) != SecocVerdict::authentic) {
      ++unauthentic_;
      routed.unauthentic = true;
      routed.secoc = verifier;
      return routed;
    }
  }
  if (const std::uint16_t check = check_of_[*message]; check != kUnchecked) {
    IntegrityCheck& integrity = checks_[check];
    const std::uint64_t failures_before =
        integrity.checksum_failures() + integrity.counter_failures();
    if (!integrity.accept(codec_, payload)) {
      integrity_failures_ +=
          integrity.checksum_failures() + integrity.counter_failures() - failures_before;
      routed.changed = invalidate_message(*message, frame.time(), table, changed, 0);
      return routed;
    }
  }
  if (payload.size() < codec_.message(*message).size) {
    ++malformed_frames_;
    routed.changed = invalidate_message(*message, frame.time(), table, changed, 0);
    return routed;
  }
  for (std::uint32_t i = begin_[*message]; i < begin_[*message + 1U]; ++i) {
    const Binding& binding = bindings_[i];
    const dbc::Decoded decoded = codec_.decode(binding.ref, payload);
    bool slot_changed = false;
    if (decoded.ok()) {
      slot_changed = table.update(binding.slot, decoded.physical, frame.time());
      if (binding.presence && routed.presented < presented.size()) {
        presented[routed.presented++] = binding.slot;
      }
    } else if (decoded.status == dbc::SignalStatus::mux_inactive) {
      if (binding.presence) slot_changed = table.withdraw(binding.slot, frame.time());
    } else {
      slot_changed = table.invalidate(binding.slot, frame.time());
    }
    if (slot_changed && routed.changed < changed.size()) changed[routed.changed++] = binding.slot;
  }
  return routed;
}

}  // namespace cabind::signal
