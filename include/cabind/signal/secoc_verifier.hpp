#pragma once
// SecocVerifier: checks the SecOC authenticator of every frame of one message
// (secoc_profile.hpp for the frame layout) and keeps its freshness value.
//
// Per frame (verify()):
//  1. The frame must hold the message's DBC size; its last secoc_trailer_size() bytes are
//     the truncated FV and MAC, the bytes before them the authentic payload.
//  2. The full FV is rebuilt from the truncated one (freshness_manager.hpp) and the MAC is
//     computed over Data ID ‖ authentic payload ‖ full FV and compared in constant time.
//  3. If it does not match, the next resync_windows windows of the counter are tried (the
//     sender got more than 2^freshness_bits frames ahead, e.g. while cabind was off).
//  4. A match accepts the frame and makes its FV the last accepted; anything else refuses
//     it and changes no state but the failure count, so a forger cannot move the counter.
// A replayed frame, an old frame, a frame with a flipped bit or another Data ID all fail
// at step 2/3: their MAC was computed over a different input.
//
// Each failed frame costs 1 + resync_windows CMACs; a random forgery passes with chance
// (1 + resync_windows) / 2^mac_bits, 2.4e-7 with profile 1.
//
// Hot path: verify() never allocates and never throws (cmac.hpp). Not thread-safe (one
// owner, the FrameRouter). The Codec must outlive nothing here: the size is copied.

#include <cstdint>
#include <optional>
#include <span>

#include "cabind/dbc/codec.hpp"
#include "cabind/signal/cmac.hpp"
#include "cabind/signal/freshness_manager.hpp"
#include "cabind/signal/secoc_profile.hpp"

namespace cabind::signal {

inline constexpr unsigned secoc_resync_windows = 3;

struct SecocSpec {
  std::uint16_t message = 0;  // codec message index
  SecocParams params;
  Cmac::Key key{};
  std::optional<std::uint64_t> last_counter;  // the durable FV (store), empty: none yet
};

enum class SecocVerdict : std::uint8_t { authentic, too_short, mac_failed, counter_exhausted };

class SecocVerifier {
 public:
  // Throws std::invalid_argument (load time) when the parameters are out of range or the
  // message leaves no authentic byte before the trailer, std::runtime_error without CMAC.
  SecocVerifier(const dbc::Codec& codec, const SecocSpec& spec);

  SecocVerdict verify(std::span<const std::uint8_t> payload) noexcept;

  [[nodiscard]] std::uint16_t message() const noexcept { return message_; }
  [[nodiscard]] std::uint16_t data_id() const noexcept { return params_.data_id; }
  // The bytes signals may be decoded from (the DBC size less the trailer).
  [[nodiscard]] std::size_t authentic_size() const noexcept { return authentic_size_; }
  // The FV of the last authentic frame: what the store must keep.
  [[nodiscard]] std::optional<std::uint64_t> counter() const noexcept {
    return freshness_.last_accepted();
  }
  [[nodiscard]] std::uint64_t failures() const noexcept { return failures_; }
  [[nodiscard]] std::uint64_t resynchronisations() const noexcept { return resyncs_; }

 private:
  bool matches(std::span<const std::uint8_t> authentic, std::uint64_t freshness,
               std::span<const std::uint8_t> mac) noexcept;

  std::uint16_t message_ = 0;
  SecocParams params_;
  std::size_t size_ = 0;  // DBC size of the message
  std::size_t authentic_size_ = 0;
  Cmac cmac_;
  FreshnessManager freshness_;
  std::uint64_t failures_ = 0;
  std::uint64_t resyncs_ = 0;
};

}  // namespace cabind::signal
