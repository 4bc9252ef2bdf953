#include "cabind/dbc/database.hpp"

#include <algorithm>

namespace cabind::dbc {

std::vector<std::string_view> NameList::names() const {
  std::vector<std::string_view> names;
  std::size_t pos = 0;
  while (pos < text_.size()) {
    const std::size_t begin = text_.find_first_not_of(" \t,", pos);
    if (begin == std::string_view::npos) break;
    const std::size_t end = std::min(text_.find_first_of(" \t,", begin), text_.size());
    names.push_back(text_.substr(begin, end - begin));
    pos = end;
  }
  return names;
}

const ValueDescription* Signal::find_value(std::string_view value_name) const noexcept {
  const std::span<const ValueDescription> table = values();
  const auto it = std::find_if(table.begin(), table.end(),
                               [&](const ValueDescription& v) { return v.name == value_name; });
  return it == table.end() ? nullptr : &*it;
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
