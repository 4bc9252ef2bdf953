// libFuzzer target: DBC text -> parser -> Codec -> decode and encode of every signal over a
// payload taken from the input's tail.
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "cabind/dbc/codec.hpp"
#include "cabind/dbc/parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cabind::dbc;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse(text, "fuzz.dbc");
  if (!parsed.ok()) return 0;
  std::array<std::uint8_t, 64> payload{};
  for (std::size_t i = 0; i < payload.size() && i < size; ++i)
    payload[i] = data[size - 1 - i];
  try {
    const Codec codec(std::move(*parsed.database));
    for (std::uint16_t m = 0; m < codec.message_count(); ++m) {
      const auto signals = codec.message(m).signals.size();
      for (std::uint16_t s = 0; s < signals; ++s) {
        const SignalRef ref{m, s};
        const Decoded decoded = codec.decode(ref, payload);
        std::array<std::uint8_t, 64> out = payload;
        if (decoded.ok()) (void)codec.encode(ref, decoded.physical, out, RangePolicy::clamp);
      }
    }
  } catch (const std::invalid_argument&) {
    // A database the codec refuses (documented: thrown at load time).
  }
  return 0;
}
