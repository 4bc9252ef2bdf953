#include "mosquitto_broker.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

extern char** environ;

namespace cabind::testing {
namespace {

constexpr const char* kMosquitto = "/usr/sbin/mosquitto";

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

bool accepts(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const sockaddr_in address = loopback(port);
  const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::system_error(errno, std::system_category(), "socket");
  sockaddr_in address = loopback(0);
  socklen_t length = sizeof(address);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const int error = errno;
    ::close(fd);
    throw std::system_error(error, std::system_category(), "bind 127.0.0.1:0");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

MosquittoBroker::MosquittoBroker(std::filesystem::path dir, BrokerOptions options)
    : dir_(std::move(dir)), options_(std::move(options)) {
  std::filesystem::create_directories(dir_);
  port_ = free_loopback_port();
  if (options_.tls) {
    do {
      tls_port_ = free_loopback_port();
    } while (tls_port_ == port_);
  }
  write_config();
  write_password_file();
}

void MosquittoBroker::write_password_file() const {
  bool first = true;
  for (const auto& [user, password] : options_.users) {
    const std::string command = std::string("mosquitto_passwd ") + (first ? "-c " : "") + "-b '" +
                                (dir_ / "passwords").string() + "' '" + user + "' '" + password +
                                "' >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0)
      throw std::runtime_error("mosquitto_passwd failed for user " + user);
    first = false;
  }
}

MosquittoBroker::~MosquittoBroker() {
  if (running()) kill();
}

void MosquittoBroker::write_config() const {
  std::ofstream conf(dir_ / "mosquitto.conf");
  // As root, mosquitto would switch to user `mosquitto`, who cannot read the test's files.
  if (::geteuid() == 0) conf << "user root\n";
  if (options_.users.empty()) {
    conf << "allow_anonymous true\n";
  } else {
    conf << "allow_anonymous false\npassword_file " << (dir_ / "passwords").string() << "\n";
  }
  conf
      // Per client, QoS 1 messages beyond those in flight (default 1000, then dropped):
      // a burst test would lose messages to the broker, not to the client under test.
      << "max_queued_messages 100000\n"
      << "persistence true\n"
      << "set_tcp_nodelay true\n"
      << "persistence_location " << dir_.string() << "/\n"
      << "log_dest file " << (dir_ / "mosquitto.log").string() << "\n"
      << "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
      << "listener " << port_ << " 127.0.0.1\n";
  if (const auto& tls = options_.tls) {
    conf << "listener " << tls_port_ << " 127.0.0.1\n"
         << "cafile " << tls->ca_file.string() << "\n"
         << "certfile " << tls->cert_file.string() << "\n"
         << "keyfile " << tls->key_file.string() << "\n"
         << "require_certificate true\n";
  }
  if (!conf) throw std::runtime_error("cannot write " + (dir_ / "mosquitto.conf").string());
}

void MosquittoBroker::start() {
  if (running()) return;
  const std::string conf = (dir_ / "mosquitto.conf").string();
  const std::string out = (dir_ / "mosquitto.out").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::string arg0 = "mosquitto";
  std::string arg1 = "-c";
  std::string arg2 = conf;
  char* argv[] = {arg0.data(), arg1.data(), arg2.data(), nullptr};
  const int rc = posix_spawn(&pid_, kMosquitto, &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    throw std::system_error(rc, std::system_category(), std::string("spawn ") + kMosquitto);
  }
  wait_accepting();
}

void MosquittoBroker::wait_accepting() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (std::chrono::steady_clock::now() < deadline) {
    int wstatus = 0;
    if (::waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("mosquitto exited at start:\n" + log());
    }
    if (accepts(port_) && (!options_.tls || accepts(tls_port_))) return;
    // Bounded poll for the listeners: mosquitto has no readiness notification.
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  kill();
  throw std::runtime_error("mosquitto did not accept connections within 10 s:\n" + log());
}

void MosquittoBroker::stop() {
  terminate(SIGTERM);
}

void MosquittoBroker::kill() {
  terminate(SIGKILL);
}

void MosquittoBroker::terminate(int signal) {
  if (!running()) return;
  ::kill(pid_, signal);
  int wstatus = 0;
  while (::waitpid(pid_, &wstatus, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

std::string MosquittoBroker::log() const {
  std::ostringstream text;
  for (const char* name : {"mosquitto.out", "mosquitto.log"}) {
    std::ifstream file(dir_ / name);
    text << file.rdbuf();
  }
  return text.str();
}

}  // namespace cabind::testing
