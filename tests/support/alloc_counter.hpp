#pragma once
// Heap allocation counting for the tests and benchmarks that prove a path allocates
// nothing. Linking the object library cabind_alloc_counter (alloc_counter.cpp) into an
// executable replaces the global operator new/delete with malloc/free wrappers that count
// every allocation made by any thread:
//
//   EXPECT_EQ(cabind::test_support::allocations_during([&] { engine.on_frame(frame); }), 0U);

#include <cstddef>

namespace cabind::test_support {

// Allocations (every operator new and new[] call) made by the process so far.
[[nodiscard]] std::size_t allocation_count() noexcept;
// Those made by the calling thread so far (a path's own, when other threads allocate too).
[[nodiscard]] std::size_t thread_allocation_count() noexcept;

// The allocations made while `body` runs.
template <typename Body>
[[nodiscard]] std::size_t allocations_during(Body&& body) {
  const std::size_t before = allocation_count();
  body();
  return allocation_count() - before;
}

}  // namespace cabind::test_support
