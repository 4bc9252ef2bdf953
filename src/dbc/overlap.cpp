#include "overlap.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "layout.hpp"

namespace cabind::dbc::detail {
namespace {

using Bits = std::bitset<max_frame_bits>;

// Signals selected by the same thing: always present (no multiplexor), or one multiplexor
// with one list of ranges.
struct Group {
  const std::string_view* multiplexor = nullptr;  // nullptr: always present
  const std::span<const MuxRange>* ranges = nullptr;
  Bits bits;
  std::vector<std::size_t> members;  // in file order
};

bool ranges_intersect(std::span<const MuxRange> a, std::span<const MuxRange> b) {
  for (const MuxRange& ra : a) {
    for (const MuxRange& rb : b) {
      if (ra.low <= rb.high && rb.low <= ra.high) return true;
    }
  }
  return false;
}

std::string group_key(const Signal& s) {
  if (s.multiplexor.empty()) return {};
  std::string key(s.multiplexor);
  for (const MuxRange& r : s.mux_ranges)
    key += ' ' + std::to_string(r.low) + '-' + std::to_string(r.high);
  return key;
}

class OverlapFinder {
 public:
  explicit OverlapFinder(const Message& message) : signals_(message.signals) {
    reported_.assign(signals_.size(), false);
    std::map<std::string, std::size_t> index;  // key -> group
    for (std::size_t i = 0; i < signals_.size(); ++i)
      add_to_group(groups_[group_of(signals_[i], index)], i);
  }

  std::vector<Overlap> run() {
    std::map<std::string_view, std::vector<std::size_t>> by_multiplexor;
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      if (groups_[g].multiplexor == nullptr) {
        for (std::size_t other = 0; other < groups_.size(); ++other) {
          if (other != g) compare(groups_[g], groups_[other]);
        }
      } else {
        by_multiplexor[*groups_[g].multiplexor].push_back(g);
      }
    }
    for (auto& [name, groups] : by_multiplexor)
      compare_same_multiplexor(groups);
    // Different multiplexors (extended multiplexing) can select their signals together.
    for (auto a = by_multiplexor.begin(); a != by_multiplexor.end(); ++a) {
      for (auto b = std::next(a); b != by_multiplexor.end(); ++b) {
        for (const std::size_t ga : a->second) {
          for (const std::size_t gb : b->second)
            compare(groups_[ga], groups_[gb]);
        }
      }
    }
    std::sort(found_.begin(), found_.end(),
              [](const Overlap& x, const Overlap& y) { return x.signal < y.signal; });
    return std::move(found_);
  }

 private:
  // The group of a signal, a new one for a new key. Most signals have no multiplexor: their
  // group is found without building a key.
  std::size_t group_of(const Signal& s, std::map<std::string, std::size_t>& index) {
    if (s.multiplexor.empty() && plain_group_ != no_group) return plain_group_;
    const auto [it, added] = index.try_emplace(group_key(s), groups_.size());
    if (added) {
      Group group;
      if (!s.multiplexor.empty()) {
        group.multiplexor = &s.multiplexor;
        group.ranges = &s.mux_ranges;
      }
      groups_.push_back(std::move(group));
    }
    if (s.multiplexor.empty()) plain_group_ = it->second;
    return it->second;
  }

  // Within a group every member can be on the wire with every other.
  void add_to_group(Group& group, std::size_t signal) {
    const Bits bits = bits_of(signal);
    if ((group.bits & bits).any()) report(signal, first_overlapping(group, signal));
    group.bits |= bits;
    group.members.push_back(signal);
  }

  static std::uint64_t lowest(const Group& g) {
    std::uint64_t low = std::numeric_limits<std::uint64_t>::max();
    for (const MuxRange& r : *g.ranges)
      low = std::min(low, r.low);
    return low;
  }
  static std::uint64_t highest(const Group& g) {
    std::uint64_t high = 0;
    for (const MuxRange& r : *g.ranges)
      high = std::max(high, r.high);
    return high;
  }

  // Groups of one multiplexor coexist only where their ranges meet. A sweep over the
  // groups in order of their lowest value compares a group only with those whose values
  // reach that far: simple multiplexing (one value each, all different) compares none.
  void compare_same_multiplexor(std::vector<std::size_t>& groups) {
    std::sort(groups.begin(), groups.end(), [this](std::size_t a, std::size_t b) {
      return lowest(groups_[a]) < lowest(groups_[b]);
    });
    std::vector<std::size_t> active;
    for (const std::size_t g : groups) {
      const std::uint64_t low = lowest(groups_[g]);
      std::erase_if(active, [&](std::size_t a) { return highest(groups_[a]) < low; });
      for (const std::size_t a : active) {
        if (ranges_intersect(*groups_[a].ranges, *groups_[g].ranges)) {
          compare(groups_[a], groups_[g]);
        }
      }
      active.push_back(g);
    }
  }

  // Every signal of either group that overlaps an earlier signal of the other.
  void compare(const Group& a, const Group& b) {
    if ((a.bits & b.bits).none()) return;
    compare_members(a, b);
    compare_members(b, a);
  }

  void compare_members(const Group& of, const Group& against) {
    for (const std::size_t signal : of.members) {
      if ((against.bits & bits_of(signal)).any())
        report(signal, first_overlapping(against, signal));
    }
  }

  std::size_t first_overlapping(const Group& group, std::size_t signal) const {
    const Bits bits = bits_of(signal);
    for (const std::size_t member : group.members) {
      if ((bits_of(member) & bits).any()) return member;
    }
    return signal;  // not reached: the caller saw the group's bits meet the signal's
  }

  // Computed again where needed rather than kept: kept, they took 64 bytes a signal (half
  // a Signal) for a few comparisons each (most groups' bits never meet).
  [[nodiscard]] Bits bits_of(std::size_t signal) const { return layout_of(signals_[signal]).bits; }

  // A signal is reported with the first earlier signal it overlaps: members are in file
  // order, so when the first overlapping member of a group is later, none is earlier.
  void report(std::size_t signal, std::size_t first) {
    if (first >= signal || reported_[signal]) return;
    reported_[signal] = true;
    found_.push_back({signal, first});
  }

  static constexpr std::size_t no_group = std::numeric_limits<std::size_t>::max();
  const std::vector<Signal>& signals_;
  std::vector<Group> groups_;
  std::size_t plain_group_ = no_group;  // the group of the signals without a multiplexor
  std::vector<bool> reported_;
  std::vector<Overlap> found_;
};

}  // namespace

std::vector<Overlap> find_overlaps(const Message& message) {
  return OverlapFinder(message).run();
}

}  // namespace cabind::dbc::detail
