#include "cabind/signal/cmac.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <stdexcept>
#include <utility>

namespace cabind::signal {

Cmac::Cmac(const Key& key) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "CMAC", nullptr);
  if (mac == nullptr) throw std::runtime_error("OpenSSL has no CMAC");
  ctx_ = EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac);  // the context keeps its own reference
  if (ctx_ == nullptr) throw std::runtime_error("OpenSSL cannot make a CMAC context");
  char cipher[] = "AES-128-CBC";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cipher, 0),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_MAC_init(ctx_, key.data(), key.size(), params) != 1) {
    EVP_MAC_CTX_free(ctx_);
    ctx_ = nullptr;
    throw std::runtime_error("OpenSSL cannot key AES-128-CMAC");
  }
}

Cmac::~Cmac() {
  EVP_MAC_CTX_free(ctx_);
}

Cmac::Cmac(Cmac&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

Cmac& Cmac::operator=(Cmac&& other) noexcept {
  std::swap(ctx_, other.ctx_);
  return *this;
}

bool Cmac::compute(std::span<const std::uint8_t> message, Tag& tag) noexcept {
  if (ctx_ == nullptr) return false;
  std::size_t written = 0;
  return EVP_MAC_init(ctx_, nullptr, 0, nullptr) == 1 &&
         EVP_MAC_update(ctx_, message.data(), message.size()) == 1 &&
         EVP_MAC_final(ctx_, tag.data(), &written, tag.size()) == 1 && written == tag.size();
}

bool equal_in_constant_time(std::span<const std::uint8_t> a,
                            std::span<const std::uint8_t> b) noexcept {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace cabind::signal
