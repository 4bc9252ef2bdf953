#include "cabind/engine/identity_resolver.hpp"

#include <cmath>

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

bool trusted(const IdentityClaim& /*claim*/) noexcept {
  return true;
}

IdentityResolver::IdentityResolver(const config::Identity& identity,
                                   const profile::ProfileDirectory& profiles)
    : identity_(identity), profiles_(profiles), pending_(identity.sources.size()) {}

std::optional<DriverChange> IdentityResolver::observe(std::size_t source, double value,
                                                      can::Timestamp now) noexcept {
  if (source >= pending_.size()) return std::nullopt;
  const std::uint64_t code =
      std::isfinite(value) && value > 0.0 ? static_cast<std::uint64_t>(std::llround(value)) : 0U;
  Pending& pending = pending_[source];
  if (code != pending.code) pending = Pending{code, now, false};
  if (code == 0) return std::nullopt;
  return try_accept(source, now);
}

std::optional<DriverChange> IdentityResolver::poll(can::Timestamp now) noexcept {
  for (std::size_t source = 0; source < pending_.size(); ++source) {
    if (pending_[source].code == 0 || pending_[source].accepted) continue;
    if (auto change = try_accept(source, now)) return change;
  }
  return std::nullopt;
}

std::optional<DriverChange> IdentityResolver::try_accept(std::size_t source,
                                                         can::Timestamp now) noexcept {
  Pending& pending = pending_[source];
  const config::IdentitySource& config = identity_.sources[source];
  if (pending.accepted || now - pending.since < config.debounce) return std::nullopt;
  pending.accepted = true;
  const IdentityClaim claim{source, config.kind, pending.code, config.priority, now};
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
  // Priorities compare with the claim that selected the driver only while its source
  // still presents it: once that button is released or that fob has gone, the next claim
  // of any source selects (the next morning, Alice's fob after Bob's button press).
  const bool current_claim_present =
      driver_source_ < pending_.size() && pending_[driver_source_].code != 0;
  if (driver_ != nullptr && current_claim_present) {
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
