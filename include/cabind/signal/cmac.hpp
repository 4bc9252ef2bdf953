#pragma once
// Cmac: AES-128-CMAC (RFC 4493, NIST SP 800-38B) through OpenSSL 3's EVP_MAC "CMAC".
//
//   Cmac cmac(key);                       // load time: fetches the algorithm, sets the key
//   Cmac::Tag tag;
//   cmac.compute(message, tag);           // per frame
//
// The keyed context is made once, in the constructor; compute() only re-initialises it
// (EVP_MAC_init without a key restarts the CMAC on the already expanded key), so a frame
// costs no allocation and no key schedule. The key bytes live only inside OpenSSL's context
// (which cleanses them when freed); a Cmac never prints or exposes them.
//
// Not thread-safe: compute() mutates the context (one owner, the engine's thread). Movable,
// not copyable.

#include <array>
#include <cstdint>
#include <span>

struct evp_mac_ctx_st;

namespace cabind::signal {

class Cmac {
 public:
  using Key = std::array<std::uint8_t, 16>;
  using Tag = std::array<std::uint8_t, 16>;

  // Throws std::runtime_error (load time) when OpenSSL has no AES-128 CMAC.
  explicit Cmac(const Key& key);
  ~Cmac();
  Cmac(Cmac&& other) noexcept;
  Cmac& operator=(Cmac&& other) noexcept;
  Cmac(const Cmac&) = delete;
  Cmac& operator=(const Cmac&) = delete;

  // The full 128-bit tag of `message`; false (tag unspecified) only if OpenSSL fails.
  bool compute(std::span<const std::uint8_t> message, Tag& tag) noexcept;

 private:
  evp_mac_ctx_st* ctx_ = nullptr;
};

// Compares without an early exit, so the time taken does not tell a forger how many
// leading bytes of a guessed MAC were right.
[[nodiscard]] bool equal_in_constant_time(std::span<const std::uint8_t> a,
                                          std::span<const std::uint8_t> b) noexcept;

}  // namespace cabind::signal
