#include "cabind/cli/secoc_sign_command.hpp"

#include <unistd.h>

#include <optional>
#include <vector>

#include "cabind/can/candump_log.hpp"
#include "cabind/cli/number_argument.hpp"
#include "cabind/config/key_file.hpp"
#include "cabind/signal/secoc_profile.hpp"

namespace cabind::cli {
namespace {

constexpr const char* usage =
    "usage: cabind secoc sign --key FILE --data-id N --counter N [--mac-bits 24]\n"
    "                         [--freshness-bits 8] FRAME...\n";

struct SignArguments {
  std::string key_file;
  signal::SecocParams params;
  std::uint64_t counter = 0;
  std::vector<std::string> frames;
};

// Throws ArgumentError on anything it cannot use.
SignArguments parse(std::span<const std::string> args) {
  SignArguments parsed;
  bool have_id = false;
  bool have_counter = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const bool valued = arg == "--key" || arg == "--data-id" || arg == "--counter" ||
                        arg == "--mac-bits" || arg == "--freshness-bits";
    if (!valued) {
      if (arg.starts_with("--")) throw ArgumentError("unknown option '" + arg + "'");
      parsed.frames.push_back(arg);
      continue;
    }
    if (i + 1 == args.size()) throw ArgumentError(arg + ": expected a value");
    const std::string& value = args[++i];
    if (arg == "--key") {
      parsed.key_file = value;
    } else if (arg == "--data-id") {
      parsed.params.data_id = number_argument<std::uint16_t>(arg, value, "an integer 0..65535");
      have_id = true;
    } else if (arg == "--counter") {
      parsed.counter = number_argument<std::uint64_t>(arg, value, "an unsigned 64-bit integer");
      have_counter = true;
    } else {
      const auto bits = number_argument<std::uint8_t>(arg, value, "a multiple of 8");
      (arg == "--mac-bits" ? parsed.params.mac_bits : parsed.params.freshness_bits) = bits;
    }
  }
  const auto& p = parsed.params;
  if (parsed.key_file.empty() || !have_id || !have_counter || parsed.frames.empty())
    throw ArgumentError("--key, --data-id, --counter and a FRAME are required");
  if (p.mac_bits % 8 != 0 || p.mac_bits < 24 || p.mac_bits > 128)
    throw ArgumentError("--mac-bits: expected a multiple of 8 in 24..128");
  if (p.freshness_bits % 8 != 0 || p.freshness_bits < 8 || p.freshness_bits > 32)
    throw ArgumentError("--freshness-bits: expected a multiple of 8 in 8..32");
  return parsed;
}

// The secured frame, or empty with `why` set.
std::optional<can::Frame> sign_one(signal::Cmac& cmac, const SignArguments& args,
                                   const can::Frame& frame, std::uint64_t counter,
                                   std::string& why) {
  std::vector<std::uint8_t> secured(frame.size() + signal::secoc_trailer_size(args.params));
  if (frame.is_remote() || frame.is_error() || (!frame.is_fd() && secured.size() > 8)) {
    why = "a classic data frame of at most " +
          std::to_string(8 - signal::secoc_trailer_size(args.params)) + " authentic bytes";
    return std::nullopt;
  }
  if (!signal::secure_payload(cmac, args.params, frame.data(), counter, secured)) {
    why = "cannot be secured";
    return std::nullopt;
  }
  can::FrameFields fields{.id = frame.id(), .extended = frame.extended()};
  fields.format = frame.is_fd() ? can::Format::fd : can::Format::classic;
  fields.fd_flags = frame.fd_flags();
  fields.len = static_cast<std::uint8_t>(secured.size());
  fields.data = secured;
  can::FrameError error = can::FrameError::none;
  auto result = can::Frame::make(fields, &error);
  if (!result) why = std::string(can::to_string(error));
  return result;
}

int sign(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  const SignArguments parsed = parse(args);
  std::string why;
  const auto key = config::read_key_file(parsed.key_file, ::geteuid(), why);
  if (!key) {
    err << "cabind secoc sign: key file " << parsed.key_file << " " << why << '\n';
    return 2;
  }
  signal::Cmac cmac(*key);
  std::uint64_t counter = parsed.counter;
  for (const std::string& text : parsed.frames) {
    const auto frame = can::parse_frame_text(text, &why);
    const auto secured = frame ? sign_one(cmac, parsed, *frame, counter, why) : std::nullopt;
    if (!secured) {
      err << "cabind secoc sign: frame " << can::quote_excerpt(text) << ": " << why << '\n';
      return 2;
    }
    out << can::format_frame_text(*secured) << '\n';
    ++counter;
  }
  return 0;
}

}  // namespace

int run_secoc(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] != "sign") {
    err << usage;
    return 2;
  }
  try {
    return sign(args.subspan(1), out, err);
  } catch (const ArgumentError& error) {
    err << "cabind secoc sign: " << error.what() << '\n' << usage;
    return 2;
  }
}

}  // namespace cabind::cli
