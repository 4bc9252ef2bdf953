#include "cabind/home/home_topics.hpp"

#include <algorithm>

namespace cabind::home {

HomeTopics::HomeTopics(std::string_view prefix, std::string_view thing)
    : base_("cabind/" + std::string(thing)),
      availability_(base_ + "/availability"),
      discovery_(std::string(prefix) + "/device/" + node_id(thing) + "/config"),
      status_(std::string(prefix) + "/status"),
      driver_(base_ + "/driver"),
      profile_(base_ + "/profile"),
      temperature_(base_ + "/temperature"),
      command_(base_ + "/command"),
      reply_(base_ + "/command/reply") {}

std::string HomeTopics::presence(std::string_view profile) const {
  return base_ + "/presence/" + std::string(profile);
}

std::string HomeTopics::event(std::string_view name) const {
  return base_ + "/event/" + std::string(name);
}

bool is_node_id(std::string_view text) noexcept {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

bool is_thing(std::string_view text) noexcept {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return c == ':' || is_node_id(std::string_view(&c, 1));
  });
}

std::string node_id(std::string_view thing) {
  std::string node(thing);
  std::replace(node.begin(), node.end(), ':', '_');
  return node;
}

bool is_topic_level(std::string_view text) noexcept {
  return !text.empty() &&
         text.find_first_of(std::string_view("/+#\0", 4)) == std::string_view::npos;
}

}  // namespace cabind::home
