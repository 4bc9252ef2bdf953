#pragma once
// Topic names of AWS IoT named shadows, one per driver profile:
//   $aws/things/<thing>/shadow/name/<profile-id>/{get,update,delete}
//   ... /get/accepted, /get/rejected, /update/accepted, /update/rejected, /update/delta,
//   ... /update/documents, /delete/accepted, /delete/rejected
// Pure string work; nothing here knows MQTT clients.

#include <optional>
#include <string>
#include <string_view>

namespace cabind::sync {

// What a message on a shadow topic is about (the service's answers and notifications).
enum class ShadowEvent {
  get_accepted,
  get_rejected,
  update_accepted,
  update_rejected,
  update_delta,
  update_documents,
  delete_accepted,
  delete_rejected,
};

struct ShadowTopic {
  std::string profile_id;  // the shadow's name
  ShadowEvent event = ShadowEvent::get_accepted;
};

class ShadowTopics {
 public:
  explicit ShadowTopics(std::string thing) : prefix_("$aws/things/" + thing + "/shadow/name/") {}

  // The topics cabind publishes to: get, update, delete of one profile's shadow.
  [[nodiscard]] std::string get(std::string_view profile_id) const;
  [[nodiscard]] std::string update(std::string_view profile_id) const;
  // Filters for every answer of every profile shadow of this thing (`+` for the name).
  [[nodiscard]] std::string filter(std::string_view suffix) const;
  // Where cabind says it refused a remote profile document (the $aws/ topics are reserved
  // for the service: a device may not publish on .../rejected).
  [[nodiscard]] std::string refused(std::string_view thing_free_profile_id) const;

  // The shadow and the event a topic names; nullopt for any other topic, or for a shadow
  // name that is not a valid profile id (AWS: [a-zA-Z0-9:_-], at most 64 characters).
  [[nodiscard]] std::optional<ShadowTopic> parse(std::string_view topic) const;

 private:
  std::string prefix_;
};

// True for a name AWS accepts as a shadow name and cabind as a profile id.
[[nodiscard]] bool valid_shadow_name(std::string_view name) noexcept;

}  // namespace cabind::sync
