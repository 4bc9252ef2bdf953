#pragma once
// IdentityResolver: identity presentations -> claims -> the active driver's profile.
//
// Rules (every one deterministic, no wall clock; times are the engine's monotonic time):
// - Presentation: each frame that carries a source's signal with valid data is reported
//   with observe(source, code, frame time), changed or not. A code of 0 means "nothing
//   presented" and ends that source's presentation. One frame presents its code for the
//   source's presence window (presence_window()); no frame for longer ends it (poll()).
//   A stale, invalid or missing identity signal ends it at once (withdraw()).
// - Debounce: a code is debounced once frames presenting it without a break span the
//   source's debounce: a first frame at t0 and a later frame at t1 >= t0 + debounce, no
//   gap longer than the presence window between them, no other code in between. Only a
//   frame completes a debounce: one frame and then silence never does. Debounce 0: the
//   first frame.
// - Condition: a source with a `when:` counts only while set_condition(source, true) says
//   it holds (false until first told); a condition that stops holding ends the claim.
// - Claim: a debounced presentation whose condition holds. It is offered for selection
//   once, when it starts to count; it passes trusted() (decoded -> trusted: accepts every
//   claim today, authenticated identity plugs in there) and selects the profile that lists
//   the identifier, or the guest profile (reason unknown_identifier).
// - Priority: while the claim that selected the current driver stands, a claim of higher
//   priority replaces the driver (a seat-memory button, 30, beats a key fob, 10) and a
//   lower one does not; equal priority follows the tie break (most_recent: the later claim
//   wins; keep_current: the driver stays). Once that claim has ended (button released,
//   phone token withdrawn or expired, fob gone), the next claim of any priority selects:
//   the key fob works again after the phone token disappears.
// - Ending a claim never changes the driver by itself: a claim outranked when it started
//   does not take over later (releasing a seat-memory button must not hand the car to the
//   passenger's fob), and when every claim has ended the driver stays (the fob frames
//   stopping while driving do not end a drive). The driver changes only by a new claim,
//   by restore(), or by leave() (identity.leave held: the driver left).
// - A change of driver is returned as a DriverChange with its reason; a claim that selects
//   the driver already active returns nothing.
//
// Hot path: observe(), withdraw(), set_condition(), poll() and leave() never allocate and
// never throw (token lookups use a stack buffer). Not thread-safe: one owner, the engine.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "cabind/can/frame.hpp"
#include "cabind/config/config.hpp"
#include "cabind/profile/directory.hpp"

namespace cabind::engine {

// present_ms of a source whose message has no cycle time, when not given.
inline constexpr std::chrono::milliseconds kDefaultPresence{1000};

// The presence window of `source` on a message of cycle time `message_cycle` (0: the
// message is event-driven): its present_ms when given; otherwise kDefaultPresence for an
// event-driven message, and 0 (no window: the signal's staleness ends the claim) for a
// cyclic one.
//   { present_ms: 1500 }, any cycle      -> 1500 ms
//   { },                  cycle 0        -> 1000 ms
//   { },                  cycle 100 ms   -> 0 (stale after stale_factor x 100 ms instead)
[[nodiscard]] std::chrono::milliseconds presence_window(
    const config::IdentitySource& source, std::chrono::milliseconds message_cycle) noexcept;

struct IdentityClaim {
  std::size_t source = 0;  // index into config::Identity::sources
  profile::IdentifierKind kind = profile::IdentifierKind::key_fob;
  std::uint64_t code = 0;
  int priority = 0;
  can::Timestamp time{};
};

enum class ChangeReason : std::uint8_t {
  recognised,          // the identifier belongs to this profile
  unknown_identifier,  // nobody has this identifier: guest
};

[[nodiscard]] std::string_view to_string(ChangeReason reason) noexcept;

// A new active driver. `driver` is never nullptr; `previous` is nullptr when nobody was.
struct DriverChange {
  const profile::Profile* driver = nullptr;
  const profile::Profile* previous = nullptr;
  IdentityClaim claim;
  ChangeReason reason = ChangeReason::recognised;
};

// The active driver has left (leave()). `driver` is never nullptr.
struct DriverLeft {
  const profile::Profile* driver = nullptr;
  can::Timestamp time{};
};

// Why a presentation or claim ended.
enum class EndReason : std::uint8_t {
  cleared,    // the source reported 0 or another code
  expired,    // no frame within the presence window
  withdrawn,  // the signal went stale, invalid or missing (withdraw())
  condition,  // the source's `when:` stopped holding
};

[[nodiscard]] std::string_view to_string(EndReason reason) noexcept;

// A claim that ended (it had started to count), for the engine's events.
struct ClaimEnded {
  std::size_t source = 0;
  std::uint64_t code = 0;
  bool selected_driver = false;  // it was the claim that selected the active driver
  EndReason reason = EndReason::cleared;
  can::Timestamp time{};
};

// The claim-level step between "decoded" and "trusted". Frames are authenticated before
// they become claims (SecOC, in the FrameRouter: signal/secoc_verifier.hpp); this accepts
// every claim that got here.
[[nodiscard]] bool trusted(const IdentityClaim& claim) noexcept;

class IdentityResolver {
 public:
  // `identity` and `profiles` must outlive the resolver. `windows[s]` is the presence
  // window of source s (presence_window() with its message's cycle time; 0: none); when
  // empty, each source's present_ms or kDefaultPresence applies. Allocates (load time).
  IdentityResolver(const config::Identity& identity, const profile::ProfileDirectory& profiles,
                   std::span<const std::chrono::milliseconds> windows = {});

  // A frame at `now` presented `value` (the raw code as a physical value) for `source`.
  // Call it for every such frame, changed or not (FrameRouter's `presented` list).
  std::optional<DriverChange> observe(std::size_t source, double value,
                                      can::Timestamp now) noexcept;
  // The source's signal went stale, invalid or missing at `now`: its presentation ends,
  // a debounce in progress is cancelled and its claim, if any, ends.
  void withdraw(std::size_t source, can::Timestamp now) noexcept;
  // Whether the source's `when:` condition holds at `now` (ignored for a source without
  // one). A condition starting to hold over a debounced presentation starts its claim.
  std::optional<DriverChange> set_condition(std::size_t source, bool holds,
                                            can::Timestamp now) noexcept;
  // Ends the presentations whose presence window has passed by `now`. It never changes
  // the driver (ending a claim does not, see above), so it returns nothing today.
  std::optional<DriverChange> poll(can::Timestamp now) noexcept;
  // identity.leave has held for its `for:`: the active driver has left. Afterwards
  // driver() is nullptr, and a claim that was already standing does not select: only a
  // claim that starts after now does (a presentation that begins, or a debounce that
  // completes). Returns nothing when no driver is active.
  std::optional<DriverLeft> leave(can::Timestamp now) noexcept;

  // Copies the claims that ended since the last call (at most one per source, the latest)
  // to `out`, up to its size, and forgets those. Returns how many were written.
  std::size_t take_ended(std::span<ClaimEnded> out) noexcept;

  [[nodiscard]] const profile::Profile* driver() const noexcept { return driver_; }
  // True while the source's claim counts at `now` (debounced, condition holding, present).
  [[nodiscard]] bool claims(std::size_t source, can::Timestamp now) const noexcept;
  // Makes `driver` the active driver without a claim (a reload keeps the driver): any
  // later claim may replace it.
  void restore(const profile::Profile* driver) noexcept {
    driver_ = driver;
    driver_priority_ = 0;
    driver_source_ = no_source;
  }
  [[nodiscard]] std::size_t source_count() const noexcept { return sources_.size(); }

 private:
  struct Source {
    std::uint64_t code = 0;              // 0 = nothing presented
    can::Timestamp first{};              // the first frame of this presentation
    can::Timestamp last{};               // its latest frame
    bool debounced = false;              // frames spanned the debounce
    bool offered = false;                // its claim has been offered for selection
    bool condition = true;               // the source's `when:` holds (true without one)
    std::chrono::nanoseconds window{0};  // presence window; 0 = none
    std::optional<ClaimEnded> ended;     // not yet taken by take_ended()
  };
  [[nodiscard]] bool present(const Source& source, can::Timestamp now) const noexcept;
  [[nodiscard]] bool counts(const Source& source, can::Timestamp now) const noexcept;
  // Ends the claim (if it had been offered) and lowers the bar when it selected the driver.
  void end_claim(std::size_t source, EndReason reason, can::Timestamp now) noexcept;
  // Ends the presentation and its claim.
  void end(std::size_t source, EndReason reason, can::Timestamp now) noexcept;
  std::optional<DriverChange> offer(std::size_t source, can::Timestamp now) noexcept;
  std::optional<DriverChange> select(const IdentityClaim& claim) noexcept;
  [[nodiscard]] const profile::Profile* lookup(const IdentityClaim& claim) const noexcept;

  const config::Identity& identity_;
  const profile::ProfileDirectory& profiles_;
  std::vector<Source> sources_;
  static constexpr std::size_t no_source = static_cast<std::size_t>(-1);
  const profile::Profile* driver_ = nullptr;
  int driver_priority_ = 0;
  std::size_t driver_source_ = no_source;  // the source whose claim selected driver_
};

}  // namespace cabind::engine
