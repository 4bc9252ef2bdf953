#pragma once
// Debian's mosquitto (/usr/sbin/mosquitto) for tests and benchmarks: a real broker on free
// loopback ports with a generated configuration in a directory of the test's own.
//
//   MosquittoBroker broker(dir);          // picks the ports, writes mosquitto.conf
//   broker.start();                       // returns once it accepts connections
//   broker.stop(); broker.start();        // same ports; sessions and retained messages
//                                         // survive (persistence file in `dir`)
//   broker.kill();                        // SIGKILL: nothing saved
//
// With TLS files a second listener requires a client certificate signed by that CA
// (`require_certificate true`). Anonymous clients are allowed on both listeners unless
// users are given (a password file made with mosquitto_passwd).
// Not thread-safe; the destructor kills a running broker.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cabind::testing {

struct BrokerTlsFiles {
  std::filesystem::path ca_file;    // verifies client certificates
  std::filesystem::path cert_file;  // the broker's certificate (127.0.0.1, localhost)
  std::filesystem::path key_file;
};

struct BrokerOptions {
  std::optional<BrokerTlsFiles> tls;
  // user name -> password; when not empty, anonymous clients are refused.
  std::vector<std::pair<std::string, std::string>> users;
};

class MosquittoBroker {
 public:
  explicit MosquittoBroker(std::filesystem::path dir, BrokerOptions options = {});
  ~MosquittoBroker();
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  // Starts the broker and waits (bounded, 10 s) until every listener accepts a TCP
  // connection; throws std::runtime_error with the broker's log when it does not.
  void start();
  // SIGTERM and wait for the exit (the broker saves its persistence file).
  void stop();
  void restart() {
    stop();
    start();
  }
  // SIGKILL and reap.
  void kill();

  [[nodiscard]] bool running() const noexcept { return pid_ > 0; }
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] std::uint16_t tls_port() const noexcept { return tls_port_; }
  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }
  // The broker's log so far (for failure messages and log assertions).
  [[nodiscard]] std::string log() const;

 private:
  void write_config() const;
  void write_password_file() const;
  void wait_accepting();
  void terminate(int signal);

  std::filesystem::path dir_;
  BrokerOptions options_;
  std::uint16_t port_ = 0;
  std::uint16_t tls_port_ = 0;
  pid_t pid_ = -1;
};

// A loopback TCP port nobody listens on at the moment of the call.
[[nodiscard]] std::uint16_t free_loopback_port();

}  // namespace cabind::testing
