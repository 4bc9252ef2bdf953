#include "fake_shadow_service.hpp"

namespace cabind::testing {
namespace {

using nlohmann::json;

// Merges `patch` into `target` as the shadow service does (null deletes), stamping every
// leaf it sets into `metadata`.
void merge(json& target, json& metadata, const json& patch, std::int64_t now) {
  for (const auto& [key, value] : patch.items()) {
    if (value.is_null()) {
      target.erase(key);
      metadata.erase(key);
    } else if (value.is_object()) {
      if (!target[key].is_object()) target[key] = json::object();
      if (!metadata[key].is_object()) metadata[key] = json::object();
      merge(target[key], metadata[key], value, now);
    } else {
      target[key] = value;
      metadata[key] = {{"timestamp", now}};
    }
  }
}

json stamps(const json& patch, std::int64_t now) {
  json out = json::object();
  for (const auto& [key, value] : patch.items())
    out[key] = value.is_object() ? stamps(value, now) : json{{"timestamp", now}};
  return out;
}

}  // namespace

bridge::Message FakeShadowService::reply(const std::string& name, const std::string& suffix,
                                         const json& body) const {
  return {prefix_ + name + suffix, body.dump(), 1, false};
}

bridge::Message FakeShadowService::error(const std::string& name, const std::string& suffix,
                                         int code, const std::string& message,
                                         const json& request) const {
  json body = {{"code", code}, {"message", message}, {"timestamp", now_}};
  if (request.is_object() && request.contains("clientToken"))
    body["clientToken"] = request["clientToken"];
  return reply(name, suffix, body);
}

std::vector<bridge::Message> FakeShadowService::answer(const bridge::Message& request) {
  if (!request.topic.starts_with(prefix_)) return {};
  const std::string rest = request.topic.substr(prefix_.size());
  const auto slash = rest.find('/');
  if (slash == std::string::npos) return {};
  const std::string name = rest.substr(0, slash);
  const std::string verb = rest.substr(slash);
  if (verb == "/update") return update(name, request.payload);
  const json body = json::parse(request.payload, nullptr, false);
  if (verb == "/get") return get(name, body);
  if (verb == "/delete") return cloud_delete(name);
  return {};
}

std::vector<bridge::Message> FakeShadowService::get(const std::string& name, const json& request) {
  const auto it = shadows_.find(name);
  if (it == shadows_.end())
    return {
        error(name, "/get/rejected", 404, "No shadow exists with name: '" + name + "'", request)};
  json body = {{"state", it->second.state},
               {"metadata", it->second.metadata},
               {"version", it->second.version},
               {"timestamp", now_}};
  if (request.is_object() && request.contains("clientToken"))
    body["clientToken"] = request["clientToken"];
  return {reply(name, "/get/accepted", body)};
}

std::vector<bridge::Message> FakeShadowService::update(const std::string& name,
                                                       const std::string& payload) {
  if (payload.size() > max_payload_)
    return {error(name, "/update/rejected", 413, "Payload too large", json())};
  const json request = json::parse(payload, nullptr, false);
  if (!request.is_object() || !request.contains("state") || !request["state"].is_object())
    return {error(name, "/update/rejected", 400, "Missing required node: state", request)};
  const auto it = shadows_.find(name);
  const std::int64_t current = it == shadows_.end() ? 0 : it->second.version;
  if (request.contains("version") && request["version"].get<std::int64_t>() != current)
    return {error(name, "/update/rejected", 409, "Version conflict", request)};
  return apply(name, request);
}

std::vector<bridge::Message> FakeShadowService::apply(const std::string& name,
                                                      const json& request) {
  Shadow& shadow = shadows_[name];
  const json previous = {
      {"state", shadow.state}, {"metadata", shadow.metadata}, {"version", shadow.version}};
  merge(shadow.state, shadow.metadata, request["state"], now_);
  ++shadow.version;
  accepted_.push_back(request);
  const json token = request.value("clientToken", json());
  json accepted = {{"state", request["state"]},
                   {"metadata", stamps(request["state"], now_)},
                   {"version", shadow.version},
                   {"timestamp", now_}};
  json documents = {
      {"previous", previous},
      {"current",
       {{"state", shadow.state}, {"metadata", shadow.metadata}, {"version", shadow.version}}},
      {"timestamp", now_}};
  if (!token.is_null()) accepted["clientToken"] = documents["clientToken"] = token;
  std::vector<bridge::Message> out{reply(name, "/update/accepted", accepted),
                                   reply(name, "/update/documents", documents)};
  json delta = json::object();
  const json reported = shadow.state.value("reported", json::object());
  const json desired = shadow.state.value("desired", json::object());
  for (const auto& [key, value] : desired.items())
    if (!reported.contains(key) || reported[key] != value) delta[key] = value;
  if (request["state"].contains("desired") && !delta.empty())
    out.push_back(reply(name, "/update/delta",
                        {{"state", delta}, {"version", shadow.version}, {"timestamp", now_}}));
  return out;
}

std::vector<bridge::Message> FakeShadowService::cloud_update(const std::string& name,
                                                             const json& state) {
  return apply(name, json{{"state", state}});
}

std::vector<bridge::Message> FakeShadowService::cloud_delete(const std::string& name) {
  const auto it = shadows_.find(name);
  if (it == shadows_.end())
    return {
        error(name, "/delete/rejected", 404, "No shadow exists with name: '" + name + "'", json())};
  const json body = {{"version", it->second.version}, {"timestamp", now_}};
  shadows_.erase(it);
  return {reply(name, "/delete/accepted", body)};
}

}  // namespace cabind::testing
