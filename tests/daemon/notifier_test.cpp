#include "cabind/daemon/notifier.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <string>

namespace cabind::daemon {
namespace {

// A notify socket the test owns, like systemd's.
class NotifySocket {
 public:
  explicit NotifySocket(std::string path) : path_(std::move(path)) {
    ::unlink(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    ::sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path_.c_str(), path_.size());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<::sockaddr*>(&address), sizeof(address)), 0);
  }
  ~NotifySocket() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  std::string receive() {
    std::array<char, 512> buffer{};
    const auto n = ::recv(fd_, buffer.data(), buffer.size(), MSG_DONTWAIT);
    return n > 0 ? std::string(buffer.data(), static_cast<std::size_t>(n)) : std::string();
  }

 private:
  std::string path_;
  int fd_ = -1;
};

TEST(Notifier, SendsReadyStatusAndWatchdogToTheNotifySocket) {
  const std::string path = ::testing::TempDir() + "cabind-notify-" + std::to_string(::getpid());
  NotifySocket socket(path);
  Notifier notifier(path.c_str(), "4000000");
  ASSERT_TRUE(notifier.enabled());
  EXPECT_TRUE(notifier.ready());
  EXPECT_EQ(socket.receive(), "READY=1");
  EXPECT_TRUE(notifier.status("driver alice, bus up"));
  EXPECT_EQ(socket.receive(), "STATUS=driver alice, bus up");
  EXPECT_TRUE(notifier.watchdog());
  EXPECT_EQ(socket.receive(), "WATCHDOG=1");
  ASSERT_TRUE(notifier.watchdog_interval());
  EXPECT_EQ(*notifier.watchdog_interval(), std::chrono::seconds(2));
}

TEST(Notifier, IsANoOpOutsideSystemd) {
  Notifier notifier(nullptr, nullptr);
  EXPECT_FALSE(notifier.enabled());
  EXPECT_FALSE(notifier.ready());
  EXPECT_FALSE(notifier.watchdog_interval());
}

TEST(Notifier, IgnoresMalformedWatchdogValues) {
  EXPECT_FALSE(Notifier("/run/x", "abc").watchdog_interval());
  EXPECT_FALSE(Notifier("/run/x", "0").watchdog_interval());
  EXPECT_FALSE(Notifier("relative", nullptr).enabled());
}

}  // namespace
}  // namespace cabind::daemon
