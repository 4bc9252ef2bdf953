#include "cabind/config/key_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

namespace cabind::config {
namespace {

// Closes the descriptor and wipes the bytes read, whatever way the reader leaves.
template <std::size_t Size>
class KeyBuffer {
 public:
  explicit KeyBuffer(int fd) : fd_(fd) {}
  ~KeyBuffer() {
    explicit_bzero(bytes_.data(), bytes_.size());
    if (fd_ >= 0) ::close(fd_);
  }
  KeyBuffer(const KeyBuffer&) = delete;
  KeyBuffer& operator=(const KeyBuffer&) = delete;

  // Reads up to the buffer's size; false on a read error.
  bool read_all() {
    while (size_ < bytes_.size()) {
      const ssize_t got = ::read(fd_, bytes_.data() + size_, bytes_.size() - size_);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return false;
      if (got == 0) break;
      size_ += static_cast<std::size_t>(got);
    }
    return true;
  }
  [[nodiscard]] std::string_view text() const { return {bytes_.data(), size_}; }
  [[nodiscard]] int fd() const noexcept { return fd_; }

 private:
  int fd_;
  std::array<char, Size> bytes_{};  // what fits; more is refused by the caller's size check
  std::size_t size_ = 0;
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<SecocKey> parse_key(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (text.size() != 32) return std::nullopt;
  SecocKey key{};
  for (std::size_t i = 0; i < key.size(); ++i) {
    const int high = hex_digit(text[2 * i]);
    const int low = hex_digit(text[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    key[i] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return key;
}

std::string octal_mode(mode_t mode) {
  std::string text = "0000";
  for (int i = 3; i >= 0; --i, mode >>= 3U)
    text[static_cast<std::size_t>(i)] = static_cast<char>('0' + (mode & 7U));
  return text;
}

// Opens `path` for reading and checks that it is a private file of `owner`: a regular
// file (not a symlink) with mode 0600 or 0400. -1 with `why` set otherwise.
int open_private_file(const std::filesystem::path& path, unsigned owner, std::string& why) {
  // O_NOFOLLOW: a symlink is refused; the checks run on the opened descriptor, so the file
  // read is the file checked.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    why = errno == ELOOP ? "is a symbolic link (give the file itself, not a link)"
                         : std::string("cannot be opened: ") + std::strerror(errno);
    return -1;
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    why = "is not a regular file";
  } else if (info.st_uid != owner) {
    why = "is owned by uid " + std::to_string(info.st_uid) + ", not by the service user (uid " +
          std::to_string(owner) + ")";
  } else if (const mode_t mode = info.st_mode & 07777U; mode != 0600U && mode != 0400U) {
    why = "has mode " + octal_mode(mode) + "; it must be 0600 or 0400 (chmod 600)";
  } else {
    return fd;
  }
  ::close(fd);
  return -1;
}

// Reads a private file (owner and mode checked) of at most Size bytes into a buffer wiped
// afterwards, and hands its text to `parse`; nullopt with `why` when it cannot be read.
template <std::size_t Size, typename Parse>
auto read_private_file(const std::filesystem::path& path, unsigned owner, std::string& why,
                       Parse parse) -> decltype(parse(std::string_view{})) {
  KeyBuffer<Size> buffer(open_private_file(path, owner, why));
  if (buffer.fd() < 0) return std::nullopt;
  if (!buffer.read_all()) {
    why = std::string("cannot be read: ") + std::strerror(errno);
    return std::nullopt;
  }
  return parse(buffer.text());
}

// One line of printable characters (`allowed`), `min` to `max` long, its newline dropped.
template <typename Allowed>
std::optional<std::string> one_line(std::string_view text, std::size_t min, std::size_t max,
                                    Allowed allowed) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (text.size() < min || text.size() > max || !std::all_of(text.begin(), text.end(), allowed))
    return std::nullopt;
  return std::string(text);
}

}  // namespace

std::optional<SecocKey> read_key_file(const std::filesystem::path& path, unsigned owner,
                                      std::string& why) {
  // 32 digits and a newline fit.
  return read_private_file<40>(path, owner, why, [&](std::string_view text) {
    auto key = parse_key(text);
    if (!key) why = "must hold exactly 32 hex digits (one AES-128 key) and a newline at most";
    return key;
  });
}

std::optional<std::string> read_token_file(const std::filesystem::path& path, unsigned owner,
                                           std::string& why) {
  return read_private_file<max_token_size + 2>(path, owner, why, [&](std::string_view text) {
    // No spaces: it travels in a header and a URL.
    auto token =
        one_line(text, min_token_size, max_token_size, [](char c) { return c > ' ' && c < 0x7f; });
    if (!token)
      why = "must hold one token of " + std::to_string(min_token_size) + " to " +
            std::to_string(max_token_size) +
            " printable characters without spaces, and a newline at most";
    return token;
  });
}

bool check_private_file(const std::filesystem::path& path, unsigned owner, std::string& why) {
  const int fd = open_private_file(path, owner, why);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

std::optional<std::string> read_password_file(const std::filesystem::path& path, unsigned owner,
                                              std::string& why) {
  return read_private_file<max_password_size + 2>(path, owner, why, [&](std::string_view text) {
    auto password =
        one_line(text, 1, max_password_size, [](char c) { return c >= ' ' && c < 0x7f; });
    if (!password)
      why = "must hold one password of 1 to " + std::to_string(max_password_size) +
            " printable characters, and a newline at most";
    return password;
  });
}

}  // namespace cabind::config
