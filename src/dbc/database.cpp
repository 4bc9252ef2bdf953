#include "cabind/dbc/database.hpp"

#include <algorithm>

namespace cabind::dbc {

const ValueDescription* Signal::find_value(std::string_view value_name) const noexcept {
  const auto it = std::find_if(values.begin(), values.end(),
                               [&](const ValueDescription& v) { return v.name == value_name; });
  return it == values.end() ? nullptr : &*it;
}

const Signal* Message::find_signal(std::string_view signal_name) const noexcept {
  const auto it = std::find_if(signals.begin(), signals.end(),
                               [&](const Signal& s) { return s.name == signal_name; });
  return it == signals.end() ? nullptr : &*it;
}

const Message* Database::find_message(std::string_view message_name) const noexcept {
  const auto it = std::find_if(messages.begin(), messages.end(),
                               [&](const Message& m) { return m.name == message_name; });
  return it == messages.end() ? nullptr : &*it;
}

const Message* Database::find_message(std::uint32_t id, bool extended) const noexcept {
  const auto it = std::find_if(messages.begin(), messages.end(), [&](const Message& m) {
    return m.id == id && m.extended == extended;
  });
  return it == messages.end() ? nullptr : &*it;
}

}  // namespace cabind::dbc
