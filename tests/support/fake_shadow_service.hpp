#pragma once
// The AWS IoT Device Shadow service's named shadows, as its documentation describes them,
// for tests (the real service cannot run here). Pure logic: answer(request) returns what
// the service would publish; a test wires it to an in-memory transport, or to a broker.
//
// Behaviour kept from the documentation: get -> get/accepted (state, metadata, version,
// timestamp, clientToken) or get/rejected 404; update -> 409 "Version conflict" when the
// request's version differs from the current one, 413 when the payload exceeds the limit,
// 400 for a payload that is not a JSON object with `state`; otherwise the state is merged
// (null deletes a key), every leaf's metadata timestamp set, version + 1, and
// update/accepted, update/documents (previous/current) and update/delta (desired keys that
// differ from reported) published; delete -> delete/accepted (version, timestamp).

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cabind/bridge/transport.hpp"

namespace cabind::testing {

class FakeShadowService {
 public:
  explicit FakeShadowService(std::string thing, std::size_t max_payload = 8 * 1024)
      : prefix_("$aws/things/" + thing + "/shadow/name/"), max_payload_(max_payload) {}

  // The service's answers to a message published by a device; none for other topics.
  std::vector<bridge::Message> answer(const bridge::Message& request);
  // A change made in the cloud (an app, another car): a device-less update.
  std::vector<bridge::Message> cloud_update(const std::string& name, const nlohmann::json& state);
  std::vector<bridge::Message> cloud_delete(const std::string& name);

  void set_time(std::int64_t seconds) { now_ = seconds; }
  [[nodiscard]] bool exists(const std::string& name) const { return shadows_.count(name) != 0; }
  [[nodiscard]] const nlohmann::json& state(const std::string& name) const {
    return shadows_.at(name).state;
  }
  [[nodiscard]] std::int64_t version(const std::string& name) const {
    return shadows_.at(name).version;
  }
  // Every update request it accepted, in order (to prove nothing was applied twice).
  [[nodiscard]] const std::vector<nlohmann::json>& accepted_updates() const { return accepted_; }

 private:
  struct Shadow {
    nlohmann::json state = nlohmann::json::object();     // {desired, reported}
    nlohmann::json metadata = nlohmann::json::object();  // same shape, leaves {timestamp}
    std::int64_t version = 0;
  };
  std::vector<bridge::Message> get(const std::string& name, const nlohmann::json& request);
  std::vector<bridge::Message> update(const std::string& name, const std::string& payload);
  std::vector<bridge::Message> apply(const std::string& name, const nlohmann::json& request);
  bridge::Message reply(const std::string& name, const std::string& suffix,
                        const nlohmann::json& body) const;
  bridge::Message error(const std::string& name, const std::string& suffix, int code,
                        const std::string& message, const nlohmann::json& request) const;

  std::string prefix_;
  std::size_t max_payload_;
  std::int64_t now_ = 1'700'000'000;
  std::map<std::string, Shadow> shadows_;
  std::vector<nlohmann::json> accepted_;
};

}  // namespace cabind::testing
