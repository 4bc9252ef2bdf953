#pragma once
// IdentityResolver: decoded identity signals -> the active driver's profile.
//
// Rules (every one deterministic, no wall clock):
// - A source reports a code; 0 means "nothing presented" and clears that source.
// - Debounce: a code must be reported unchanged for the source's debounce time before it
//   counts (the first report starts the timer; poll() or a later report completes it).
// - A decoded claim passes through trusted() before it may select a profile: today every
//   claim is trusted; authenticated identity (SecOC-style MAC + freshness) plugs in there.
// - A claim selects the profile that lists the identifier, or the guest profile when none
//   does (reason unknown_identifier).
// - Priority: while the source that selected the current driver still presents its
//   identifier, a claim of higher priority replaces it (a seat-memory button, 30, beats a
//   key fob, 10) and a lower one does not; once that source has cleared (button released,
//   fob gone), the next claim of any priority selects. Equal priority (e.g. two fobs):
//   TieBreak::most_recent lets the later claim win, TieBreak::keep_current keeps the driver already
//   selected.
// - A change of driver is returned as a DriverChange with its reason; a claim that selects
//   the driver already active returns nothing.
//
// Hot path: observe() and poll() do not allocate (token lookups use a stack buffer).

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "cabind/can/frame.hpp"
#include "cabind/config/config.hpp"
#include "cabind/profile/directory.hpp"

namespace cabind::engine {

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

struct DriverChange {
  const profile::Profile* driver = nullptr;
  const profile::Profile* previous = nullptr;
  IdentityClaim claim;
  ChangeReason reason = ChangeReason::recognised;
};

// The authentication step between "decoded" and "trusted". Accepts every claim today.
[[nodiscard]] bool trusted(const IdentityClaim& claim) noexcept;

class IdentityResolver {
 public:
  // Both arguments must outlive the resolver.
  IdentityResolver(const config::Identity& identity, const profile::ProfileDirectory& profiles);

  // A source's decoded value (the raw code as a physical value) at `now`.
  std::optional<DriverChange> observe(std::size_t source, double value,
                                      can::Timestamp now) noexcept;
  // Completes debounced claims whose time has come.
  std::optional<DriverChange> poll(can::Timestamp now) noexcept;

  [[nodiscard]] const profile::Profile* driver() const noexcept { return driver_; }
  // Makes `driver` the active driver without a claim (a reload keeps the driver): any
  // later claim of a known identifier may replace it.
  void restore(const profile::Profile* driver) noexcept {
    driver_ = driver;
    driver_priority_ = 0;
    driver_source_ = no_source;
  }
  [[nodiscard]] std::size_t source_count() const noexcept { return pending_.size(); }

 private:
  struct Pending {
    std::uint64_t code = 0;  // 0 = nothing presented
    can::Timestamp since{};
    bool accepted = false;  // this code has been turned into a claim already
  };
  std::optional<DriverChange> try_accept(std::size_t source, can::Timestamp now) noexcept;
  std::optional<DriverChange> select(const IdentityClaim& claim) noexcept;
  [[nodiscard]] const profile::Profile* lookup(const IdentityClaim& claim) const noexcept;

  const config::Identity& identity_;
  const profile::ProfileDirectory& profiles_;
  std::vector<Pending> pending_;
  static constexpr std::size_t no_source = static_cast<std::size_t>(-1);
  const profile::Profile* driver_ = nullptr;
  int driver_priority_ = 0;
  std::size_t driver_source_ = no_source;  // the source whose claim selected driver_
};

}  // namespace cabind::engine
