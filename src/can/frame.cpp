#include "cabind/can/frame.hpp"

#include <algorithm>

namespace cabind::can {
namespace {

// One rule per predicate, in the spirit of the kernel's raw_bad_txframe().
bool id_out_of_range(const FrameFields& f) {
  return f.id > (f.extended ? max_extended_id : max_standard_id);
}
bool classic_too_long(const FrameFields& f) {
  return f.format == Format::classic && f.len > max_classic_size;
}
bool fd_length_invalid(const FrameFields& f) {
  return f.format == Format::fd && !is_valid_fd_length(f.len);
}
bool fd_remote(const FrameFields& f) {
  return f.format == Format::fd && f.kind == Kind::remote;
}
bool remote_with_payload(const FrameFields& f) {
  return f.kind == Kind::remote && !f.data.empty();
}
bool payload_length_mismatch(const FrameFields& f) {
  return f.kind != Kind::remote && f.data.size() != f.len;
}
bool error_frame_fd(const FrameFields& f) {
  return f.kind == Kind::error && f.format == Format::fd;
}
bool fd_flags_on_classic(const FrameFields& f) {
  return f.format == Format::classic && f.fd_flags != 0;
}

}  // namespace

std::string_view to_string(FrameError error) noexcept {
  switch (error) {
    case FrameError::none:
      return "valid";
    case FrameError::id_out_of_range:
      return "identifier out of range (max 0x7FF standard, 0x1FFFFFFF extended)";
    case FrameError::classic_too_long:
      return "classic CAN frame longer than 8 bytes";
    case FrameError::fd_length_invalid:
      return "CAN FD length is not one of 0-8, 12, 16, 20, 24, 32, 48, 64";
    case FrameError::fd_remote:
      return "CAN FD has no remote frames";
    case FrameError::remote_with_payload:
      return "remote frame with payload bytes";
    case FrameError::error_frame_fd:
      return "error frames are classic frames";
    case FrameError::fd_flags_on_classic:
      return "CAN FD flags on a classic frame";
  }
  return "unknown frame error";
}

FrameError validate(const FrameFields& f) noexcept {
  if (id_out_of_range(f)) return FrameError::id_out_of_range;
  if (fd_remote(f)) return FrameError::fd_remote;
  if (error_frame_fd(f)) return FrameError::error_frame_fd;
  if (classic_too_long(f)) return FrameError::classic_too_long;
  if (fd_length_invalid(f)) return FrameError::fd_length_invalid;
  if (remote_with_payload(f)) return FrameError::remote_with_payload;
  if (payload_length_mismatch(f)) {
    return f.format == Format::fd ? FrameError::fd_length_invalid : FrameError::classic_too_long;
  }
  if (fd_flags_on_classic(f)) return FrameError::fd_flags_on_classic;
  return FrameError::none;
}

std::optional<Frame> Frame::make(const FrameFields& fields, FrameError* why) noexcept {
  const FrameError error = validate(fields);
  if (why != nullptr) *why = error;
  if (error != FrameError::none) return std::nullopt;
  Frame frame;
  frame.time_ = fields.time;
  frame.id_ = fields.id;
  frame.len_ = fields.len;
  frame.fd_flags_ = fields.fd_flags;
  frame.kind_ = fields.kind;
  frame.format_ = fields.format;
  frame.extended_ = fields.extended;
  std::copy(fields.data.begin(), fields.data.end(), frame.bytes_.begin());
  return frame;
}

namespace {
std::uint8_t length_of(std::span<const std::uint8_t> data) {
  // Longer spans are rejected by validate(); clamp only to keep the narrowing defined.
  return static_cast<std::uint8_t>(std::min<std::size_t>(data.size(), 255));
}
}  // namespace

std::optional<Frame> Frame::classic(std::uint32_t id, std::span<const std::uint8_t> data,
                                    bool extended) noexcept {
  if (data.size() > max_classic_size) return std::nullopt;
  return make({.id = id, .extended = extended, .len = length_of(data), .data = data});
}

std::optional<Frame> Frame::fd(std::uint32_t id, std::span<const std::uint8_t> data, bool extended,
                               std::uint8_t flags) noexcept {
  if (data.size() > max_fd_size) return std::nullopt;
  return make({.id = id,
               .extended = extended,
               .format = Format::fd,
               .fd_flags = flags,
               .len = length_of(data),
               .data = data});
}

bool operator==(const Frame& a, const Frame& b) noexcept {
  return a.id_ == b.id_ && a.extended_ == b.extended_ && a.kind_ == b.kind_ &&
         a.format_ == b.format_ && a.fd_flags_ == b.fd_flags_ && a.len_ == b.len_ &&
         std::equal(a.data().begin(), a.data().end(), b.data().begin());
}

}  // namespace cabind::can
