#pragma once
// Driver profiles as AWS IoT named shadows, offline first (docs/connectivity.md, "Profiles
// that follow the driver").
//
//  - cloud -> car: a shadow's `state.desired` is the profile. A version newer than the
//    cached one is validated by config::parse_profile, the same strict parser as a local
//    profile file; a valid one is stored in the ProfileCache (used from the next
//    identification on), a bad one is refused: logged, an error document published on
//    ShadowTopics::refused, the cached file kept.
//  - car -> cloud: learned preferences and `cabinctl set` values are queued durably
//    (store::SqliteSyncQueue) and reported in order, one in flight, as
//    `state.reported.learned.<output>`, with the last known `version` and a clientToken.
//  - 409 (version conflict): get the current document and merge per field: the local
//    change wins unless the shadow's metadata timestamp of that field is newer than it;
//    a queued change whose value the shadow already holds is done (a redelivery).
//  - delete/accepted: the cached profile, its learned preferences (forget hook) and its
//    queued changes are removed.
//
// Threading: everything on the daemon's io_context thread (Transport's contract). Never on
// the frame path: it runs from the client's callbacks and from report_decisions.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "cabind/bridge/transport.hpp"
#include "cabind/store/sqlite_sync_queue.hpp"
#include "cabind/sync/profile_cache.hpp"
#include "cabind/sync/shadow_topics.hpp"

namespace cabind::sync {

struct ShadowSyncOptions {
  std::string thing;                   // the AWS IoT thing name of this car
  std::size_t max_payload = 8 * 1024;  // larger answers are refused unparsed
};

// What the sync needs from the rest of the daemon.
struct ShadowSyncHooks {
  // A learned value that came from the cloud (another car, or a merge the cloud won).
  // Store it without calling changed() again: it is the cloud's already.
  std::function<void(std::string_view profile, std::string_view output, double value)> learn;
  // A remote profile was stored in the cache: the daemon reloads so that it is used from
  // the next identification on. May be empty.
  std::function<void(std::string_view profile)> stored;
  // The driver was deleted remotely: forget their learned preferences.
  std::function<void(std::string_view profile)> forget;
  // A line for the journal (a refused document, a conflict); may be empty.
  std::function<void(std::string_view line)> log;
  // Wall clock in ms since the epoch (injected so tests choose it).
  std::function<std::int64_t()> now_ms;
};

struct ShadowSyncCounters {
  std::uint64_t applied = 0;        // remote profiles stored in the cache
  std::uint64_t refused = 0;        // remote profiles refused by the profile parser
  std::uint64_t malformed = 0;      // answers that are not the JSON the service sends
  std::uint64_t oversized = 0;      // answers over max_payload
  std::uint64_t reported = 0;       // queued changes the shadow accepted
  std::uint64_t conflicts = 0;      // 409 answers
  std::uint64_t merged_remote = 0;  // queued changes the merge gave to the cloud's value
  std::uint64_t deleted = 0;        // profiles deleted remotely
  std::uint64_t rejected = 0;       // other update rejections (400, 413...), change dropped
};

class ShadowSync final : public bridge::MessageHandler {
 public:
  // Subscribes to the shadow answers of every profile of options.thing. The references
  // must outlive the sync.
  ShadowSync(ShadowSyncOptions options, bridge::Transport& transport, ProfileCache& cache,
             store::SqliteSyncQueue& queue, ShadowSyncHooks hooks);

  // Asks for the current document of a profile (at connect, and when a delta says the
  // cloud changed it).
  void request(std::string_view profile_id);
  // A learned preference or `cabinctl set` value: queued durably, then reported.
  void changed(std::string_view profile_id, std::string_view output, double value);

  void on_connected() noexcept override;
  void on_disconnected() noexcept override;
  void on_message(const bridge::Message& message) noexcept override;

  [[nodiscard]] const ShadowSyncCounters& counters() const noexcept { return counters_; }
  [[nodiscard]] std::optional<std::int64_t> known_version(std::string_view profile) const;

 private:
  struct InFlight {
    std::int64_t seq = 0;
    std::string profile;
    std::string token;
    bool conflict = false;  // a 409 came back; waiting for get/accepted to merge
  };
  void handle(const ShadowTopic& topic, std::string_view payload);
  void document(const std::string& profile, const nlohmann::json& desired, std::int64_t version);
  void merge(const nlohmann::json& document);
  void rejected(const nlohmann::json& error);
  void deleted(const std::string& profile);
  void pump();
  void log(std::string_view line) const;

  ShadowSyncOptions options_;
  ShadowTopics topics_;
  bridge::Transport& transport_;
  ProfileCache& cache_;
  store::SqliteSyncQueue& queue_;
  ShadowSyncHooks hooks_;
  ShadowSyncCounters counters_;
  std::map<std::string, std::int64_t, std::less<>> versions_;  // last version seen, per shadow
  std::map<std::string, std::int64_t, std::less<>> refused_;   // last version refused
  std::optional<InFlight> in_flight_;
  std::map<std::string, bool, std::less<>> tracked_;  // profiles to get at each connect
};

}  // namespace cabind::sync
