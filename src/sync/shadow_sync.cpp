#include "cabind/sync/shadow_sync.hpp"

#include <nlohmann/json.hpp>
#include <utility>

#include "cabind/config/profile_parser.hpp"
#include "cabind/diag/diagnostic.hpp"

namespace cabind::sync {
namespace {

using nlohmann::json;

// AWS shadow error codes that a later retry may pass (throttling, service errors); any
// other rejection (400, 401, 403, 404, 413, 415) will never pass and drops the change.
bool retryable(int code) noexcept {
  return code == 429 || code == 500 || code == 503;
}

const json* find(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const json* path(const json& root, std::initializer_list<std::string_view> keys) {
  const json* node = &root;
  for (const auto key : keys) {
    node = find(*node, key);
    if (!node) return nullptr;
  }
  return node;
}

std::optional<std::int64_t> integer(const json* node) {
  if (!node || !node->is_number_integer()) return std::nullopt;
  return node->get<std::int64_t>();
}

std::string token_of(const json& document) {
  const json* token = find(document, "clientToken");
  return token && token->is_string() ? token->get<std::string>() : std::string();
}

}  // namespace

ShadowSync::ShadowSync(ShadowSyncOptions options, bridge::Transport& transport, ProfileCache& cache,
                       store::SqliteSyncQueue& queue, ShadowSyncHooks hooks)
    : options_(std::move(options)),
      topics_(options_.thing),
      transport_(transport),
      cache_(cache),
      queue_(queue),
      hooks_(std::move(hooks)) {
  for (const auto* suffix :
       {"/get/accepted", "/get/rejected", "/update/accepted", "/update/rejected", "/update/delta",
        "/update/documents", "/delete/accepted"})
    transport_.subscribe(topics_.filter(suffix), 1);
}

std::optional<std::int64_t> ShadowSync::known_version(std::string_view profile) const {
  const auto it = versions_.find(profile);
  if (it == versions_.end()) return std::nullopt;
  return it->second;
}

void ShadowSync::log(std::string_view line) const {
  if (hooks_.log) hooks_.log(line);
}

void ShadowSync::request(std::string_view profile_id) {
  tracked_.insert_or_assign(std::string(profile_id), true);
  if (transport_.connected()) transport_.publish({topics_.get(profile_id), "{}", 1, false});
}

void ShadowSync::changed(std::string_view profile_id, std::string_view output, double value) {
  const std::int64_t now = hooks_.now_ms ? hooks_.now_ms() : 0;
  if (!queue_.push(profile_id, output, value, now))
    log("shadow sync: cannot queue the change of " + std::string(output) + " (store write failed)");
  pump();
}

void ShadowSync::on_connected() noexcept {
  try {
    in_flight_.reset();
    for (const auto& [profile, unused] : tracked_)
      transport_.publish({topics_.get(profile), "{}", 1, false});
    pump();
  } catch (const std::exception& error) {
    log(std::string("shadow sync: ") + error.what());
  }
}

// What was in flight may or may not have reached the service: it stays queued and is
// sent again on reconnect (a redelivery the merge recognises).
void ShadowSync::on_disconnected() noexcept {
  in_flight_.reset();
}

void ShadowSync::on_message(const bridge::Message& message) noexcept {
  try {
    const auto topic = topics_.parse(message.topic);
    if (!topic) return;
    if (message.payload.size() > options_.max_payload) {
      ++counters_.oversized;
      log("shadow sync: refused a " + std::to_string(message.payload.size()) + "-byte answer on " +
          message.topic + " (limit " + std::to_string(options_.max_payload) + ")");
      return;
    }
    handle(*topic, message.payload);
  } catch (const json::exception& error) {
    ++counters_.malformed;
    log("shadow sync: malformed answer on " + message.topic + ": " + error.what());
  } catch (const std::exception& error) {
    log("shadow sync: " + message.topic + ": " + error.what());
  }
}

void ShadowSync::handle(const ShadowTopic& topic, std::string_view payload) {
  const json document = json::parse(payload);
  if (!document.is_object()) throw json::type_error::create(302, "not a JSON object", nullptr);
  const std::string& profile = topic.profile_id;
  // An answer to the update in flight: its clientToken, or (a 413 is refused before the
  // service reads the token) no token on the in-flight profile's topic.
  const std::string token = token_of(document);
  const bool ours = in_flight_ && (token == in_flight_->token ||
                                   (token.empty() && profile == in_flight_->profile));
  switch (topic.event) {
    case ShadowEvent::get_accepted:
      if (const auto version = integer(find(document, "version"))) {
        versions_.insert_or_assign(profile, *version);
        if (const json* desired = path(document, {"state", "desired"}))
          this->document(profile, *desired, *version);
      }
      if (ours && in_flight_->conflict) merge(document);
      return;
    case ShadowEvent::update_documents: {
      const json* current = find(document, "current");
      const auto version = current ? integer(find(*current, "version")) : std::nullopt;
      if (!version)
        throw json::type_error::create(302, "documents without current.version", nullptr);
      versions_.insert_or_assign(profile, *version);
      if (const json* desired = path(*current, {"state", "desired"}))
        this->document(profile, *desired, *version);
      return;
    }
    case ShadowEvent::update_accepted:
      if (const auto version = integer(find(document, "version")))
        versions_.insert_or_assign(profile, *version);
      if (ours) {
        queue_.remove(in_flight_->seq);
        ++counters_.reported;
        in_flight_.reset();
        pump();
      }
      return;
    case ShadowEvent::update_rejected:
      if (ours) rejected(document);
      return;
    case ShadowEvent::get_rejected:
      // 404: the shadow does not exist (yet); a conflicting change is sent again without
      // a version, which creates it.
      if (ours && in_flight_->conflict) {
        versions_.erase(profile);
        in_flight_.reset();
        pump();
      }
      return;
    case ShadowEvent::update_delta:
      request(profile);  // a delta holds only what differs: get the whole document
      return;
    case ShadowEvent::delete_accepted:
      deleted(profile);
      return;
    case ShadowEvent::delete_rejected:
      return;
  }
}

// A remote profile newer than the cached one: validated as strictly as a local file.
void ShadowSync::document(const std::string& profile, const json& desired, std::int64_t version) {
  const auto cached = cache_.version(profile);
  if (cached && *cached >= version) return;  // older, or a redelivery
  const auto refused = refused_.find(profile);
  if (refused != refused_.end() && refused->second >= version) return;  // refused already
  if (desired.is_null()) return;  // a shadow with no profile in it
  const std::string text = desired.dump(2);
  if (cache_.document(profile) == text) return;  // only the reported side changed
  diag::Diagnostics diagnostics;
  const std::string source = "shadow " + options_.thing + "/" + profile + " version " +
                             std::to_string(version) + " (state.desired)";
  const auto parsed = config::parse_profile(text, source, diagnostics);
  if (parsed && parsed->id != profile)
    diagnostics.error(parsed->source,
                      "id \"" + parsed->id + "\" differs from the shadow name \"" + profile + "\"");
  if (!parsed || diagnostics.has_errors()) {
    ++counters_.refused;
    refused_.insert_or_assign(profile, version);
    const std::string reason = diagnostics.to_string();
    log("shadow sync: refused " + source + ", kept the cached profile: " + reason);
    const json refusal = {{"code", 400},
                          {"message", reason},
                          {"version", version},
                          {"timestamp", (hooks_.now_ms ? hooks_.now_ms() : 0) / 1000}};
    transport_.publish({topics_.refused(profile), refusal.dump(), 1, false});
    return;
  }
  std::string error;
  if (!cache_.store(profile, version, text, error)) {
    log("shadow sync: " + error);
    return;
  }
  ++counters_.applied;
  log("shadow sync: stored " + source + ", used from the next identification");
  if (hooks_.stored) hooks_.stored(profile);
}

// After a 409: the current document is in; decide the in-flight change field by field.
void ShadowSync::merge(const json& document) {
  const auto change = queue_.front();
  if (!change || change->seq != in_flight_->seq) {
    in_flight_.reset();
    pump();
    return;
  }
  const json* remote = path(document, {"state", "reported", "learned", change->field});
  const auto stamp =
      integer(path(document, {"metadata", "reported", "learned", change->field, "timestamp"}));
  in_flight_.reset();
  if (remote && remote->is_number() && remote->get<double>() == change->value) {
    queue_.remove(change->seq);  // the shadow holds it already: a redelivery, done
    ++counters_.reported;
  } else if (remote && remote->is_number() && stamp && *stamp * 1000 > change->changed_at_ms) {
    queue_.remove(change->seq);  // changed in the cloud after the local change: cloud wins
    ++counters_.merged_remote;
    if (hooks_.learn) hooks_.learn(change->profile_id, change->field, remote->get<double>());
  }
  pump();  // otherwise the local change wins: sent again against the current version
}

void ShadowSync::rejected(const json& error) {
  const auto code = integer(find(error, "code")).value_or(0);
  const json* message = find(error, "message");
  const std::string why = message && message->is_string() ? message->get<std::string>() : "";
  if (code == 409) {
    ++counters_.conflicts;
    in_flight_->conflict = true;
    const auto change = queue_.front();
    if (change) {
      const json get = {{"clientToken", in_flight_->token}};
      transport_.publish({topics_.get(change->profile_id), get.dump(), 1, false});
    }
    return;
  }
  if (retryable(static_cast<int>(code))) {
    in_flight_.reset();  // kept queued: sent again at the next change or reconnect
    return;
  }
  ++counters_.rejected;
  log("shadow sync: the shadow refused a change (" + std::to_string(code) + " " + why +
      "), dropped");
  queue_.remove(in_flight_->seq);
  in_flight_.reset();
  pump();
}

void ShadowSync::deleted(const std::string& profile) {
  const bool had_file = cache_.remove(profile);
  queue_.remove_profile(profile);
  if (in_flight_) {
    const auto change = queue_.front();
    if (!change || change->seq != in_flight_->seq) in_flight_.reset();
  }
  versions_.erase(profile);
  refused_.erase(profile);
  tracked_.erase(profile);
  if (hooks_.forget) hooks_.forget(profile);
  ++counters_.deleted;
  log("shadow sync: driver " + profile + " deleted remotely; profile " +
      (had_file ? "file removed" : "had no cached file") + ", learned preferences forgotten");
  pump();
}

void ShadowSync::pump() {
  if (in_flight_ || !transport_.connected()) return;
  const auto change = queue_.front();
  if (!change) return;
  const std::string token = options_.thing + "-" + std::to_string(change->seq);
  json update = json::object();
  update["state"]["reported"]["learned"][change->field] = change->value;
  update["clientToken"] = token;
  if (const auto version = known_version(change->profile_id)) update["version"] = *version;
  if (!transport_.publish({topics_.update(change->profile_id), update.dump(), 1, false})) return;
  in_flight_ = InFlight{change->seq, change->profile_id, token, false};
}

}  // namespace cabind::sync
