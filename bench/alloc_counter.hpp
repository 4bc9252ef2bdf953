#pragma once
// Heap allocation counting for the benchmark binaries. Linking alloc_counter.cpp into a
// binary replaces the global operator new/delete with malloc/free wrappers that count every
// allocation made by any thread, so a benchmark can prove a path makes none:
//
//   const std::size_t before = cabind::bench::allocation_count();
//   run_hot_path();
//   const std::size_t made = cabind::bench::allocation_count() - before;  // expect 0

#include <cstddef>

namespace cabind::bench {

// Allocations (operator new and new[] calls) made by the process so far.
[[nodiscard]] std::size_t allocation_count() noexcept;

}  // namespace cabind::bench
