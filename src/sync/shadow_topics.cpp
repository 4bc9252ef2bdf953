#include "cabind/sync/shadow_topics.hpp"

#include <array>
#include <utility>

namespace cabind::sync {
namespace {

constexpr std::array<std::pair<std::string_view, ShadowEvent>, 8> kSuffixes = {{
    {"/get/accepted", ShadowEvent::get_accepted},
    {"/get/rejected", ShadowEvent::get_rejected},
    {"/update/accepted", ShadowEvent::update_accepted},
    {"/update/rejected", ShadowEvent::update_rejected},
    {"/update/delta", ShadowEvent::update_delta},
    {"/update/documents", ShadowEvent::update_documents},
    {"/delete/accepted", ShadowEvent::delete_accepted},
    {"/delete/rejected", ShadowEvent::delete_rejected},
}};

}  // namespace

bool valid_shadow_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == ':' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string ShadowTopics::get(std::string_view profile_id) const {
  return prefix_ + std::string(profile_id) + "/get";
}

std::string ShadowTopics::update(std::string_view profile_id) const {
  return prefix_ + std::string(profile_id) + "/update";
}

std::string ShadowTopics::filter(std::string_view suffix) const {
  return prefix_ + "+" + std::string(suffix);
}

std::string ShadowTopics::refused(std::string_view profile_id) const {
  // prefix_ is "$aws/things/<thing>/shadow/name/"; the refusal lives outside $aws/.
  const std::string_view thing_part =
      std::string_view(prefix_).substr(std::string_view("$aws/things/").size());
  const std::string_view thing = thing_part.substr(0, thing_part.find('/'));
  return "cabind/" + std::string(thing) + "/shadow/" + std::string(profile_id) + "/refused";
}

std::optional<ShadowTopic> ShadowTopics::parse(std::string_view topic) const {
  if (!topic.starts_with(prefix_)) return std::nullopt;
  const std::string_view rest = topic.substr(prefix_.size());
  for (const auto& [suffix, event] : kSuffixes) {
    if (!rest.ends_with(suffix)) continue;
    const std::string_view name = rest.substr(0, rest.size() - suffix.size());
    if (!valid_shadow_name(name)) return std::nullopt;
    return ShadowTopic{std::string(name), event};
  }
  return std::nullopt;
}

}  // namespace cabind::sync
