#pragma once
// One CAN frame as cabind sees it, independent of the kernel's wire structs:
// classic CAN (0..8 bytes) or CAN FD (the valid FD lengths up to 64 bytes),
// 11- or 29-bit identifier, data, remote (RTR) or error frame, and its engine time.
//
// Examples (candump notation -> Frame):
//   123#DEADBEEF    -> standard id 0x123, data, 4 bytes
//   12345678#01     -> extended id 0x12345678, data, 1 byte
//   123#R7          -> standard id 0x123, remote, len 7, no payload
//   123##1AABB      -> standard id 0x123, CAN FD with bit-rate switch, 2 bytes
//
// A Frame is a value (80 bytes, trivially copyable): batches live in preallocated
// arrays and nothing here allocates or throws.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace cabind::can {

// Engine time: for frames read from a live bus, CLOCK_MONOTONIC (std::chrono::steady_clock)
// at the batch's receipt, so a wall-clock step changes no staleness, debounce or timer;
// for replayed frames, the log's time (since the Unix epoch). Zero when unknown. The
// kernel's CLOCK_REALTIME receive stamp is not kept here (see SocketCanBus::kernel_times).
using Timestamp = std::chrono::nanoseconds;

// The engine time of "now" for live traffic: CLOCK_MONOTONIC.
[[nodiscard]] inline Timestamp monotonic_now() noexcept {
  return std::chrono::duration_cast<Timestamp>(std::chrono::steady_clock::now().time_since_epoch());
}

inline constexpr std::uint32_t max_standard_id = 0x7FF;
inline constexpr std::uint32_t max_extended_id = 0x1FFF'FFFF;
inline constexpr std::size_t max_classic_size = 8;
inline constexpr std::size_t max_fd_size = 64;

enum class Kind : std::uint8_t { data, remote, error };
enum class Format : std::uint8_t { classic, fd };

// CAN FD flags (canfd_frame.flags); meaningless on classic frames.
inline constexpr std::uint8_t fd_bit_rate_switch = 0x01;  // CANFD_BRS
inline constexpr std::uint8_t fd_error_state = 0x02;      // CANFD_ESI

// Why a frame description is not a valid frame.
enum class FrameError : std::uint8_t {
  none,
  id_out_of_range,      // > 0x7FF standard, > 0x1FFFFFFF extended
  classic_too_long,     // classic data or remote frame over 8 bytes
  fd_length_invalid,    // FD length not one of 0..8, 12, 16, 20, 24, 32, 48, 64
  fd_remote,            // CAN FD has no remote frames
  remote_with_payload,  // remote frames carry a length but no bytes
  error_frame_fd,       // error frames are classic frames
  fd_flags_on_classic,  // BRS/ESI make no sense on a classic frame
};

[[nodiscard]] std::string_view to_string(FrameError error) noexcept;

// True for the lengths a CAN FD frame may have (DLC 0..15 -> 0..8,12,16,20,24,32,48,64).
[[nodiscard]] constexpr bool is_valid_fd_length(std::size_t len) noexcept {
  return len <= 8 || len == 12 || len == 16 || len == 20 || len == 24 || len == 32 || len == 48 ||
         len == 64;
}

struct FrameFields {
  std::uint32_t id = 0;
  bool extended = false;
  Kind kind = Kind::data;
  Format format = Format::classic;
  std::uint8_t fd_flags = 0;
  std::uint8_t len = 0;                // remote frames: the requested length
  std::span<const std::uint8_t> data;  // data and error frames: the payload (len bytes)
  Timestamp time{};
};

// The first rule a description breaks, or FrameError::none.
[[nodiscard]] FrameError validate(const FrameFields& fields) noexcept;

class Frame {
 public:
  // An empty classic data frame with standard id 0.
  constexpr Frame() noexcept = default;

  // A frame from a validated description; nullopt (and *why set) when invalid.
  [[nodiscard]] static std::optional<Frame> make(const FrameFields& fields,
                                                 FrameError* why = nullptr) noexcept;
  // Shorthands for the common cases.
  [[nodiscard]] static std::optional<Frame> classic(std::uint32_t id,
                                                    std::span<const std::uint8_t> data,
                                                    bool extended = false) noexcept;
  [[nodiscard]] static std::optional<Frame> fd(std::uint32_t id, std::span<const std::uint8_t> data,
                                               bool extended = false,
                                               std::uint8_t flags = fd_bit_rate_switch) noexcept;

  [[nodiscard]] std::uint32_t id() const noexcept { return id_; }
  [[nodiscard]] bool extended() const noexcept { return extended_; }
  [[nodiscard]] Kind kind() const noexcept { return kind_; }
  [[nodiscard]] Format format() const noexcept { return format_; }
  [[nodiscard]] bool is_fd() const noexcept { return format_ == Format::fd; }
  [[nodiscard]] bool is_remote() const noexcept { return kind_ == Kind::remote; }
  [[nodiscard]] bool is_error() const noexcept { return kind_ == Kind::error; }
  [[nodiscard]] std::uint8_t fd_flags() const noexcept { return fd_flags_; }
  // Data length (remote frames: the requested length, with no bytes behind it).
  [[nodiscard]] std::size_t size() const noexcept { return len_; }
  // The payload; empty for remote frames.
  [[nodiscard]] std::span<const std::uint8_t> data() const noexcept {
    return {bytes_.data(), kind_ == Kind::remote ? 0U : len_};
  }
  // Mutable payload of size(), for encoders; empty for remote frames.
  [[nodiscard]] std::span<std::uint8_t> mutable_data() noexcept {
    return {bytes_.data(), kind_ == Kind::remote ? 0U : len_};
  }
  [[nodiscard]] Timestamp time() const noexcept { return time_; }
  void set_time(Timestamp time) noexcept { time_ = time; }

  // Same id, kind, format, flags and payload (time is not compared).
  friend bool operator==(const Frame& a, const Frame& b) noexcept;

 private:
  Timestamp time_{};
  std::uint32_t id_ = 0;
  std::uint8_t len_ = 0;
  std::uint8_t fd_flags_ = 0;
  Kind kind_ = Kind::data;
  Format format_ = Format::classic;
  bool extended_ = false;
  std::array<std::uint8_t, max_fd_size> bytes_{};
};

}  // namespace cabind::can
