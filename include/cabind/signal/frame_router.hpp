#pragma once
// FrameRouter: CAN frame -> the mapped signals it carries -> SignalTable.
//
// Built at load time from a Codec and the list of (slot, dbc::SignalRef) bindings. Per
// frame: the codec's sorted id table finds the message (binary search, no allocation),
// then only the signals bound to a slot are decoded, in one flat array per message.
//
//   FrameRouter router(codec, {{0, speed_ref}, {1, gear_ref}});
//   std::array<std::uint32_t, 16> changed;
//   const std::size_t n = router.route(frame, table, changed);  // slots whose value changed
//
// A bound signal that cannot be decoded (frame too short, multiplexor selects another
// signal) marks its slot invalid, except that an inactive multiplexed signal is left
// untouched: it keeps its last value until its own multiplexor value arrives.
//
// Messages with an IntegritySpec are checked before decoding (integrity_check.hpp): a frame
// that fails, or arrives while the message recovers from a failure, marks every slot bound
// to the message invalid instead of updating it.
//
// Hot path: route() never allocates and never throws. The Codec must outlive the router.
// Not thread-safe: route() updates the integrity state (one owner, the engine).

#include <cstdint>
#include <span>
#include <vector>

#include "cabind/can/frame.hpp"
#include "cabind/dbc/codec.hpp"
#include "cabind/signal/integrity_check.hpp"
#include "cabind/signal/signal_table.hpp"

namespace cabind::signal {

struct Binding {
  std::uint32_t slot = 0;
  dbc::SignalRef ref;
};

class FrameRouter {
 public:
  // Throws std::invalid_argument (load time) if a spec does not fit the codec or two specs
  // name the same message.
  FrameRouter(const dbc::Codec& codec, std::span<const Binding> bindings,
              std::span<const IntegritySpec> integrity = {});

  // Decodes the bound signals of `frame` into `table` (time: frame.time()). Writes the
  // slots whose value or validity changed to `changed` (up to its size) and returns how
  // many were written. Frames of unknown ids, remote and error frames change nothing.
  std::size_t route(const can::Frame& frame, SignalTable& table,
                    std::span<std::uint32_t> changed) noexcept;

  // True when some slot is bound to a signal of the frame's message.
  [[nodiscard]] bool routes(const can::Frame& frame) const noexcept;

  // Frames refused by a counter or checksum check since construction (for metrics).
  [[nodiscard]] std::uint64_t integrity_failures() const noexcept { return integrity_failures_; }
  // The check of a message (codec index), or nullptr when it has none.
  [[nodiscard]] const IntegrityCheck* integrity(std::uint16_t message) const noexcept;

 private:
  const dbc::Codec& codec_;
  std::vector<std::uint32_t> begin_;  // per message: first index into bindings_; size+1 entries
  std::vector<Binding> bindings_;     // grouped by message
  static constexpr std::uint16_t kUnchecked = 0xFFFF;
  std::vector<std::uint16_t> check_of_;  // per message: index into checks_ or kUnchecked
  std::vector<IntegrityCheck> checks_;
  std::uint64_t integrity_failures_ = 0;
};

}  // namespace cabind::signal
