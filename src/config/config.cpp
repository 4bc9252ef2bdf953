#include "cabind/config/config.hpp"

#include <algorithm>

namespace cabind::config {

namespace {

template <typename Items>
auto* find_named(const Items& items, std::string_view name) noexcept {
  const auto found =
      std::find_if(items.begin(), items.end(), [&](const auto& item) { return item.name == name; });
  return found == items.end() ? nullptr : &*found;
}

}  // namespace

const Bus* Config::find_bus(std::string_view name) const noexcept {
  return find_named(buses, name);
}

const SignalMapping* Config::find_signal(std::string_view name) const noexcept {
  return find_named(signals, name);
}

const Output* Config::find_output(std::string_view name) const noexcept {
  return find_named(outputs, name);
}

const Interlock* Config::find_interlock(std::string_view name) const noexcept {
  return find_named(interlocks, name);
}

}  // namespace cabind::config
