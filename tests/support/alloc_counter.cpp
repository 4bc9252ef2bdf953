// The replaced global allocation functions behind alloc_counter.hpp. Built as an object
// library so that the linker always takes these definitions over the standard library's.

#include "alloc_counter.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {

std::atomic<std::size_t> allocations{0};
thread_local std::size_t thread_allocations = 0;

void count() noexcept {
  allocations.fetch_add(1, std::memory_order_relaxed);
  ++thread_allocations;
}

}  // namespace

namespace cabind::test_support {

std::size_t allocation_count() noexcept {
  return allocations.load(std::memory_order_relaxed);
}

std::size_t thread_allocation_count() noexcept {
  return thread_allocations;
}

}  // namespace cabind::test_support

// GCC pairs the replaced operator new with the free() in the replaced delete and warns; the
// pair is matched by construction (both sides are malloc/free), so that warning is off here.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t size) {
  count();
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  return operator new(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  count();
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
