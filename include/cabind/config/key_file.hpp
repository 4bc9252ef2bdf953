#pragma once
// A SecOC key file: one AES-128 key as 32 hex digits, optionally followed by a newline.
//
//   000102030405060708090a0b0c0d0e0f
//
// It is refused unless it is a regular file (not a symlink) owned by `owner` (the service
// user: the daemon's effective uid) with mode 0600 or 0400, so that no other local user can
// have read or replaced it. Errors say which rule failed and never quote the content.
// Control plane (load time): reads the file, allocates. Thread-safe (no shared state).

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace cabind::config {

using SecocKey = std::array<std::uint8_t, 16>;

// The key, or empty with `why` set ("is owned by uid 1000, not by the service user (uid 0)").
[[nodiscard]] std::optional<SecocKey> read_key_file(const std::filesystem::path& path,
                                                    unsigned owner, std::string& why);

// A token file (the web view's, docs/web.md): one token of printable characters without
// spaces, optionally followed by a newline, under the same ownership and mode rules.
inline constexpr std::size_t min_token_size = 16;
inline constexpr std::size_t max_token_size = 256;
[[nodiscard]] std::optional<std::string> read_token_file(const std::filesystem::path& path,
                                                         unsigned owner, std::string& why);

// A file another program reads (the MQTT client's TLS private key): true when it is a
// private file of `owner` under the rules above; its content is not read.
[[nodiscard]] bool check_private_file(const std::filesystem::path& path, unsigned owner,
                                      std::string& why);

// A password file (the MQTT broker's): one line of 1 to max_password_size printable
// characters (spaces allowed), optionally followed by a newline, under the same rules.
inline constexpr std::size_t max_password_size = 256;
[[nodiscard]] std::optional<std::string> read_password_file(const std::filesystem::path& path,
                                                            unsigned owner, std::string& why);

}  // namespace cabind::config
