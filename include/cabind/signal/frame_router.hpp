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
// A frame shorter than its message's DBC length is malformed: every slot bound to the
// message is marked invalid, not only those whose bits lie past its end (as opendbc does).
// A multiplexed signal that the frame's multiplexor does not select is left untouched: it
// keeps its last value until its own multiplexor value arrives. A *presence* binding
// (Binding::presence, used for identity signals) instead exists only while frames present
// it: such a frame marks its slot missing (SignalTable::withdraw) and reports it changed.
//
//   presence binding on Identity_Token.PhoneToken (m1), multiplexor TokenType:
//     230#01C4A1A001  -> slot valid, 0xC4A1A001, reported changed and presented
//     230#01C4A1A001  -> value unchanged: not reported changed, reported presented
//     230#0200000000  -> TokenType 2 selects FaceIdToken: slot missing, reported changed
//
// A message with a SecocSpec is authenticated before anything else (secoc_verifier.hpp): a
// frame that fails is dropped whole, as if it had never been received (no slot changes, not
// even to invalid, so forged frames can neither claim nor withdraw an identity) and
// reported in Routed::unauthentic.
// Messages with an IntegritySpec are checked next (integrity_check.hpp), then the length:
// a frame that fails, or arrives while the message recovers from a failure, marks every
// slot bound to the message invalid instead of updating it.
//
// Hot path: route() never allocates and never throws. The Codec must outlive the router.
// Not thread-safe: route() updates the integrity state (one owner, the engine).

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "cabind/can/frame.hpp"
#include "cabind/dbc/codec.hpp"
#include "cabind/signal/integrity_check.hpp"
#include "cabind/signal/secoc_verifier.hpp"
#include "cabind/signal/signal_table.hpp"

namespace cabind::signal {

struct Binding {
  std::uint32_t slot = 0;
  dbc::SignalRef ref;
  // The slot exists only while frames present it (see above); route() also lists it in
  // `presented` on every frame that carries it with valid data, changed or not.
  bool presence = false;
};

// The latest frame of one message and how many have arrived (for the web view: rate, last
// payload). route() writes it for every data frame of a known message, before any check,
// so the view shows what is on the bus even when it is refused: a copy into a slot
// allocated at construction, no allocation.
struct MessageSeen {
  can::Timestamp last{};
  std::uint64_t count = 0;
  std::uint8_t size = 0;
  std::array<std::uint8_t, can::max_fd_size> data{};
};

// What one route() call wrote: the first `changed` entries of its `changed` span and the
// first `presented` entries of its `presented` span.
struct Routed {
  std::size_t changed = 0;
  std::size_t presented = 0;
  // The frame failed its SecOC verification; `secoc` is the index of its verifier.
  bool unauthentic = false;
  std::uint16_t secoc = 0;
};

class FrameRouter {
 public:
  // Throws std::invalid_argument (load time) if a spec does not fit the codec or two specs
  // name the same message; std::runtime_error when OpenSSL has no CMAC. Verifier i is
  // built from secoc[i].
  FrameRouter(const dbc::Codec& codec, std::span<const Binding> bindings,
              std::span<const IntegritySpec> integrity = {}, std::span<const SecocSpec> secoc = {});

  // Decodes the bound signals of `frame` into `table` (time: frame.time()). Writes the
  // slots whose value or validity changed to `changed` (up to its size) and returns how
  // many were written. Frames of unknown ids, remote and error frames change nothing.
  std::size_t route(const can::Frame& frame, SignalTable& table,
                    std::span<std::uint32_t> changed) noexcept;
  // As above, and also writes to `presented` (up to its size) the presence-bound slots that
  // this frame carried with valid data, whether or not their value changed: the identity
  // resolver needs the time of every presentation, not only of changes.
  Routed route(const can::Frame& frame, SignalTable& table, std::span<std::uint32_t> changed,
               std::span<std::uint32_t> presented) noexcept;

  // True when some slot is bound to a signal of the frame's message.
  [[nodiscard]] bool routes(const can::Frame& frame) const noexcept;

  // Frames refused by a counter or checksum check since construction (for metrics).
  [[nodiscard]] std::uint64_t integrity_failures() const noexcept { return integrity_failures_; }
  // Frames of a known message shorter than its DBC length since construction (metrics).
  [[nodiscard]] std::uint64_t malformed_frames() const noexcept { return malformed_frames_; }
  // Frames refused by SecOC verification since construction (for metrics).
  [[nodiscard]] std::uint64_t unauthentic_frames() const noexcept { return unauthentic_; }
  // The SecOC verifiers, in the order of the specs given to the constructor.
  [[nodiscard]] std::span<const SecocVerifier> secoc() const noexcept { return verifiers_; }
  // Per codec message (index = the codec's message index): its latest frame and count.
  [[nodiscard]] std::span<const MessageSeen> seen() const noexcept { return seen_; }
  // The check of a message (codec index), or nullptr when it has none.
  [[nodiscard]] const IntegrityCheck* integrity(std::uint16_t message) const noexcept;

 private:
  const dbc::Codec& codec_;
  std::vector<std::uint32_t> begin_;  // per message: first index into bindings_; size+1 entries
  std::vector<Binding> bindings_;     // grouped by message
  static constexpr std::uint16_t kUnchecked = 0xFFFF;
  std::vector<std::uint16_t> check_of_;  // per message: index into checks_ or kUnchecked
  std::vector<IntegrityCheck> checks_;
  std::vector<std::uint16_t> secoc_of_;  // per message: index into verifiers_ or kUnchecked
  std::vector<SecocVerifier> verifiers_;
  std::vector<MessageSeen> seen_;  // per message
  // Marks every slot bound to `message` invalid; returns the new count of `changed`.
  std::size_t invalidate_message(std::uint16_t message, can::Timestamp now, SignalTable& table,
                                 std::span<std::uint32_t> changed, std::size_t count) noexcept;

  std::uint64_t integrity_failures_ = 0;
  std::uint64_t malformed_frames_ = 0;
  std::uint64_t unauthentic_ = 0;
};

}  // namespace cabind::signal
