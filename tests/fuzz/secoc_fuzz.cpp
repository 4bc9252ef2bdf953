// libFuzzer target: SecOC verification of a stream of frames (8 bytes each, the first
// carrying the stored counter), with the profile-1 parameters. Property: the counter only
// ever grows, and only an authentic frame moves it.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "cabind/dbc/parser.hpp"
#include "cabind/signal/secoc_verifier.hpp"

namespace {

cabind::dbc::Codec codec() {
  auto parsed = cabind::dbc::parse(
      "VERSION \"\"\nNS_ :\nBS_:\nBU_: BCM HU\nBO_ 290 Keyfob_Secured: 8 BCM\n"
      " SG_ FobId : 0|8@1+ (1,0) [0|255] \"\" HU\n",
      "secoc_fuzz.dbc");
  return cabind::dbc::Codec(std::move(*parsed.database));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cabind::signal;
  static const cabind::dbc::Codec keyfob = codec();
  if (size < 8) return 0;
  std::uint64_t stored = 0;
  std::memcpy(&stored, data, sizeof stored);
  SecocSpec spec{0, {257, 24, 8}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, stored};
  if (stored % 5 == 0) spec.last_counter.reset();
  SecocVerifier verifier(keyfob, spec);
  const std::span<const std::uint8_t> frames(data + 8, size - 8);
  for (std::size_t at = 0; at < frames.size(); at += 8) {
    const auto frame = frames.subspan(at, std::min<std::size_t>(8, frames.size() - at));
    const auto before = verifier.counter();
    const SecocVerdict verdict = verifier.verify(frame);
    const auto after = verifier.counter();
    const bool moved = after != before;
    if (moved != (verdict == SecocVerdict::authentic)) std::abort();
    if (moved && before && *after <= *before) std::abort();
  }
  return 0;
}
