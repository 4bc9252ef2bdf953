#pragma once
// Conversion between Frame and the kernel's wire structs (linux/can.h).
// Private to the can module.

#include <linux/can.h>

#include <cstddef>
#include <cstring>
#include <optional>

#include "cabind/can/frame.hpp"

namespace cabind::can::wire {

// The layouts this code relies on (a mismatch would silently corrupt frames).
static_assert(sizeof(::can_frame) == CAN_MTU && CAN_MTU == 16);
static_assert(sizeof(::canfd_frame) == CANFD_MTU && CANFD_MTU == 72);
static_assert(offsetof(::can_frame, data) == 8 && offsetof(::canfd_frame, data) == 8);
static_assert(offsetof(::can_frame, len) == offsetof(::canfd_frame, len));

// Frame -> bytes for write(); returns the number of bytes to write (CAN_MTU or CANFD_MTU).
inline std::size_t to_wire(const Frame& frame, ::canfd_frame& out) noexcept {
  std::memset(&out, 0, sizeof(out));
  canid_t id = frame.id();
  if (frame.extended()) id |= CAN_EFF_FLAG;
  if (frame.is_remote()) id |= CAN_RTR_FLAG;
  if (frame.is_error()) id |= CAN_ERR_FLAG;
  out.can_id = id;
  out.len = static_cast<__u8>(frame.size());
  const auto data = frame.data();
  std::memcpy(out.data, data.data(), data.size());
  if (frame.is_fd()) {
    out.flags = static_cast<__u8>(frame.fd_flags() | CANFD_FDF);
    return CANFD_MTU;
  }
  return CAN_MTU;
}

// Bytes read from the socket -> Frame; nullopt for a short or malformed read.
inline std::optional<Frame> from_wire(const ::canfd_frame& in, std::size_t nbytes,
                                      Timestamp time) noexcept {
  if (nbytes != CAN_MTU && nbytes != CANFD_MTU) return std::nullopt;
  FrameFields fields;
  fields.time = time;
  const canid_t id = in.can_id;
  fields.extended = (id & CAN_EFF_FLAG) != 0;
  fields.id = id & (fields.extended ? CAN_EFF_MASK : CAN_SFF_MASK);
  fields.len = in.len;
  if ((id & CAN_ERR_FLAG) != 0) {
    fields.kind = Kind::error;
    fields.extended = false;
    fields.id = id & CAN_ERR_MASK;
  } else if ((id & CAN_RTR_FLAG) != 0) {
    fields.kind = Kind::remote;
  }
  if (nbytes == CANFD_MTU) {
    fields.format = Format::fd;
    fields.fd_flags = static_cast<std::uint8_t>(in.flags & (CANFD_BRS | CANFD_ESI));
  }
  if (fields.kind != Kind::remote) {
    if (fields.len > (fields.format == Format::fd ? max_fd_size : max_classic_size)) {
      return std::nullopt;
    }
    fields.data = std::span<const std::uint8_t>(in.data, fields.len);
  }
  return Frame::make(fields);
}

}  // namespace cabind::can::wire
