#include "cabind/dbc/signal_bytes.hpp"

#include "layout.hpp"

namespace cabind::dbc {

std::size_t bytes_spanned(const Signal& signal) noexcept {
  const detail::BitLayout layout = detail::layout_of(signal);
  if (!layout.fits) return 0;
  return (static_cast<std::size_t>(layout.end_position) + 7U) / 8U;
}

}  // namespace cabind::dbc
