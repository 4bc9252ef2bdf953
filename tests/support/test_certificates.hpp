#pragma once
// X.509 material for the TLS tests, generated with the `openssl` command (EC P-256 keys):
// a CA; a broker certificate for 127.0.0.1 and localhost and a client certificate, both
// signed by it; a second, unrelated CA; and a client certificate signed by the first CA
// that expired in 2020 (`openssl ca -startdate/-enddate`: this openssl has no
// `x509 -not_after`, and faketime is not available).

#include <filesystem>

namespace cabind::testing {

struct TestCertificates {
  std::filesystem::path ca_cert;
  std::filesystem::path server_cert;
  std::filesystem::path server_key;
  std::filesystem::path client_cert;
  std::filesystem::path client_key;
  std::filesystem::path other_ca_cert;  // signed nothing here
  std::filesystem::path expired_cert;   // signed by ca_cert, not after 2020-02-01
  std::filesystem::path expired_key;
};

// Writes everything into `dir` (created); throws std::runtime_error naming the openssl
// command that failed, with its output.
[[nodiscard]] TestCertificates make_test_certificates(const std::filesystem::path& dir);

}  // namespace cabind::testing
