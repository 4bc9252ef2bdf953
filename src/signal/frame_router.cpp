#include "cabind/signal/frame_router.hpp"

#include <algorithm>

namespace cabind::signal {

FrameRouter::FrameRouter(const dbc::Codec& codec, std::span<const Binding> bindings)
    : codec_(codec),
      begin_(codec.message_count() + 1, 0),
      bindings_(bindings.begin(), bindings.end()) {
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

std::size_t FrameRouter::route(const can::Frame& frame, SignalTable& table,
                               std::span<std::uint32_t> changed) const noexcept {
  if (frame.kind() != can::Kind::data) return 0;
  const auto message = codec_.find_message(frame.id(), frame.extended());
  if (!message) return 0;
  std::size_t count = 0;
  const auto payload = frame.data();
  for (std::uint32_t i = begin_[*message]; i < begin_[*message + 1U]; ++i) {
    const Binding& binding = bindings_[i];
    const dbc::Decoded decoded = codec_.decode(binding.ref, payload);
    bool slot_changed = false;
    if (decoded.ok()) {
      slot_changed = table.update(binding.slot, decoded.physical, frame.time());
    } else if (decoded.status == dbc::SignalStatus::payload_too_short) {
      slot_changed = table.invalidate(binding.slot, frame.time());
    }
    if (slot_changed && count < changed.size()) changed[count++] = binding.slot;
  }
  return count;
}

}  // namespace cabind::signal
