#include "cabind/engine/identity_resolver.hpp"

#include <cmath>
#include <stdexcept>

namespace cabind::engine {

std::string_view to_string(ChangeReason reason) noexcept {
  switch (reason) {
    case ChangeReason::recognised:
      return "recognised";
    case ChangeReason::unknown_identifier:
      return "unknown identifier, guest profile";
  }
  return "?";
}

std::string_view to_string(EndReason reason) noexcept {
  switch (reason) {
    case EndReason::cleared:
      return "cleared";
    case EndReason::expired:
      return "no frame within present_ms";
    case EndReason::withdrawn:
      return "signal stale, invalid or missing";
    case EndReason::condition:
      return "condition no longer holds";
  }
  return "?";
}

std::chrono::milliseconds presence_window(const config::IdentitySource& source,
                                          std::chrono::milliseconds message_cycle) noexcept {
  if (source.present) return *source.present;
  return message_cycle.count() == 0 ? kDefaultPresence : std::chrono::milliseconds(0);
}

bool trusted(const IdentityClaim& /*claim*/) noexcept {
  return true;
}

IdentityResolver::IdentityResolver(const config::Identity& identity,
                                   const profile::ProfileDirectory& profiles,
                                   std::span<const std::chrono::milliseconds> windows)
    : identity_(identity), profiles_(profiles), sources_(identity.sources.size()) {
  if (!windows.empty() && windows.size() != sources_.size()) {
    throw std::invalid_argument("identity: one presence window per source expected");
  }
  for (std::size_t s = 0; s < sources_.size(); ++s) {
    const config::IdentitySource& source = identity.sources[s];
    sources_[s].window = windows.empty() ? source.present.value_or(kDefaultPresence) : windows[s];
    sources_[s].condition = !source.when.has_value();
  }
}

bool IdentityResolver::present(const Source& source, can::Timestamp now) const noexcept {
  return source.window.count() == 0 || now - source.last <= source.window;
}

bool IdentityResolver::counts(const Source& source, can::Timestamp now) const noexcept {
  return source.code != 0 && source.debounced && source.condition && present(source, now);
}

bool IdentityResolver::claims(std::size_t source, can::Timestamp now) const noexcept {
  return source < sources_.size() && counts(sources_[source], now);
}

std::optional<DriverChange> IdentityResolver::observe(std::size_t source, double value,
                                                      can::Timestamp now) noexcept {
  if (source >= sources_.size()) return std::nullopt;
  const std::uint64_t code =
      std::isfinite(value) && value > 0.0 ? static_cast<std::uint64_t>(std::llround(value)) : 0U;
  if (code == 0) {
    end(source, EndReason::cleared, now);
    return std::nullopt;
  }
  Source& state = sources_[source];
  // A gap longer than the window ends the presentation even if poll() did not run in it.
  const bool lapsed = state.code != 0 && !present(state, now);
  if (code != state.code || lapsed) {
    end(source, lapsed && code == state.code ? EndReason::expired : EndReason::cleared, now);
    state.code = code;
    state.first = now;
  }
  state.last = now;
  if (now - state.first >= identity_.sources[source].debounce) state.debounced = true;
  return offer(source, now);
}

void IdentityResolver::withdraw(std::size_t source, can::Timestamp now) noexcept {
  if (source < sources_.size()) end(source, EndReason::withdrawn, now);
}

std::optional<DriverChange> IdentityResolver::set_condition(std::size_t source, bool holds,
                                                            can::Timestamp now) noexcept {
  if (source >= sources_.size() || !identity_.sources[source].when) return std::nullopt;
  Source& state = sources_[source];
  if (state.condition == holds) return std::nullopt;
  state.condition = holds;
  if (holds) return offer(source, now);
  // The presentation goes on (its debounce kept): the claim counts again, as a new claim,
  // if the condition comes back while the code is still presented.
  end_claim(source, EndReason::condition, now);
  return std::nullopt;
}

std::optional<DriverChange> IdentityResolver::poll(can::Timestamp now) noexcept {
  for (std::size_t source = 0; source < sources_.size(); ++source) {
    if (sources_[source].code != 0 && !present(sources_[source], now)) {
      end(source, EndReason::expired, now);
    }
  }
  return std::nullopt;
}

std::optional<DriverLeft> IdentityResolver::leave(can::Timestamp now) noexcept {
  if (driver_ == nullptr) return std::nullopt;
  const DriverLeft left{driver_, now};
  // Every claim that counts now has been offered already, so none selects again: only a
  // presentation that begins, or a debounce that completes, after this point does.
  driver_ = nullptr;
  driver_priority_ = 0;
  driver_source_ = no_source;
  return left;
}

std::size_t IdentityResolver::take_ended(std::span<ClaimEnded> out) noexcept {
  std::size_t count = 0;
  for (Source& state : sources_) {
    if (!state.ended || count == out.size()) continue;
    out[count++] = *state.ended;
    state.ended.reset();
  }
  return count;
}

void IdentityResolver::end_claim(std::size_t source, EndReason reason,
                                 can::Timestamp now) noexcept {
  Source& state = sources_[source];
  if (!state.offered) return;  // it never counted: a cancelled debounce is no claim
  state.offered = false;
  const bool selected = source == driver_source_;
  state.ended = ClaimEnded{source, state.code, selected, reason, now};
  if (selected) {  // the bar drops: the next claim of any priority selects
    driver_priority_ = 0;
    driver_source_ = no_source;
  }
}

void IdentityResolver::end(std::size_t source, EndReason reason, can::Timestamp now) noexcept {
  Source& state = sources_[source];
  if (state.code == 0) return;
  end_claim(source, reason, now);
  state.code = 0;
  state.debounced = false;
}

std::optional<DriverChange> IdentityResolver::offer(std::size_t source,
                                                    can::Timestamp now) noexcept {
  Source& state = sources_[source];
  if (state.offered || !counts(state, now)) return std::nullopt;
  state.offered = true;
  const config::IdentitySource& config = identity_.sources[source];
  const IdentityClaim claim{source, config.kind, state.code, config.priority, now};
  if (!trusted(claim)) return std::nullopt;
  return select(claim);
}

const profile::Profile* IdentityResolver::lookup(const IdentityClaim& claim) const noexcept {
  if (profile::is_numeric(claim.kind)) return profiles_.find(claim.kind, claim.code);
  // Token sources carry a 32-bit token; profiles write it as 8 lower-case hex digits.
  char token[17];
  static constexpr char digits[] = "0123456789abcdef";
  std::uint64_t code = claim.code;
  int length = claim.code > 0xFFFF'FFFFU ? 16 : 8;
  for (int i = length - 1; i >= 0; --i) {
    token[i] = digits[code & 0xFU];
    code >>= 4U;
  }
  return profiles_.find(claim.kind, std::string_view(token, static_cast<std::size_t>(length)));
}

std::optional<DriverChange> IdentityResolver::select(const IdentityClaim& claim) noexcept {
  // Priorities compare with the claim that selected the driver only while it stands:
  // once that button is released, that token withdrawn or that fob gone (end_claim()
  // dropped driver_source_, or its window lapsed before poll() ran), the next claim of any
  // source selects (the next morning, Alice's fob after Bob's button press).
  const bool current_claim_stands = driver_source_ < sources_.size() &&
                                    sources_[driver_source_].offered &&
                                    present(sources_[driver_source_], claim.time);
  if (driver_ != nullptr && current_claim_stands) {
    if (claim.priority < driver_priority_) return std::nullopt;
    if (claim.priority == driver_priority_ &&
        identity_.tie_break == config::TieBreak::keep_current) {
      return std::nullopt;
    }
  }
  const profile::Profile* found = lookup(claim);
  const ChangeReason reason =
      found != nullptr ? ChangeReason::recognised : ChangeReason::unknown_identifier;
  if (found == nullptr) found = profiles_.guest();
  driver_priority_ = claim.priority;
  driver_source_ = claim.source;
  if (found == driver_) return std::nullopt;
  DriverChange change{found, driver_, claim, reason};
  driver_ = found;
  return change;
}

}  // namespace cabind::engine
