#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "cabind/can/candump_log.hpp"
#include "cabind/cli/dbc_commands.hpp"
#include "cabind/dbc/codec.hpp"
#include "cabind/dbc/parser.hpp"

namespace cabind::cli {
namespace {

constexpr int exit_ok = 0;
constexpr int exit_input_error = 1;
constexpr int exit_usage = 2;

constexpr std::string_view decode_usage =
    "usage: cabind decode --dbc FILE [LOG]   (LOG '-' or absent: standard input)\n";

struct DecodeArgs {
  std::string dbc;
  std::string log = "-";
};

std::optional<DecodeArgs> parse_decode_args(std::span<const std::string> args, std::ostream& err) {
  DecodeArgs parsed;
  bool have_log = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--dbc" && i + 1 < args.size()) {
      parsed.dbc = args[++i];
    } else if (args[i] != "-" && args[i].starts_with("-")) {
      err << "cabind decode: unknown option '" << args[i] << "'\n" << decode_usage;
      return std::nullopt;
    } else if (!have_log) {
      parsed.log = args[i];
      have_log = true;
    } else {
      err << "cabind decode: more than one LOG\n" << decode_usage;
      return std::nullopt;
    }
  }
  if (parsed.dbc.empty()) {
    err << "cabind decode: --dbc FILE is required\n" << decode_usage;
    return std::nullopt;
  }
  return parsed;
}

// Whole seconds plus microseconds (candump's resolution), summed once, so the double printed
// is the one nearest the log's "1700000000.123456".
double seconds(can::Timestamp time) {
  const auto whole = std::chrono::duration_cast<std::chrono::seconds>(time);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(time - whole);
  return static_cast<double>(whole.count()) + static_cast<double>(micros.count()) / 1e6;
}

// Reads every record of `reader` and writes its JSON line.
int decode_log(const dbc::Codec& codec, can::LogReader& reader, std::ostream& out) {
  std::vector<dbc::Decoded> decoded;
  while (const std::optional<can::LogRecord> record = reader.next()) {
    const can::Frame& frame = record->frame;
    nlohmann::ordered_json line;
    line["t"] = seconds(frame.time());
    line["id"] = frame.id();
    line["message"] = nullptr;
    line["signals"] = nlohmann::ordered_json::object();
    const std::optional<std::uint16_t> message =
        frame.is_error() ? std::nullopt : codec.find_message(frame.id(), frame.extended());
    if (message) {
      line["message"] = codec.message(*message).name;
      decoded.resize(codec.signal_count(*message));
      codec.decode_message(*message, frame.data(), decoded);
      nlohmann::ordered_json& signals = line["signals"];
      for (std::size_t s = 0; s < decoded.size(); ++s) {
        if (decoded[s].ok()) signals[codec.message(*message).signals[s].name] = decoded[s].physical;
      }
    }
    out << line.dump() << '\n';
  }
  return exit_ok;
}

}  // namespace

int run_decode(std::span<const std::string> args, std::istream& in, std::ostream& out,
               std::ostream& err) {
  const std::optional<DecodeArgs> parsed = parse_decode_args(args, err);
  if (!parsed) return exit_usage;

  dbc::ParseResult dbc = dbc::parse_file(parsed->dbc);
  if (!dbc.diagnostics.empty()) err << dbc.diagnostics.to_string();
  if (!dbc.ok()) return exit_usage;
  const dbc::Codec codec(std::move(*dbc.database));

  std::ifstream file;
  std::istream* log = &in;
  std::string source = "<stdin>";
  if (parsed->log != "-") {
    file.open(parsed->log);
    if (!file) {
      err << parsed->log << ": cannot open log\n";
      return exit_input_error;
    }
    log = &file;
    source = parsed->log;
  }
  can::LogReader reader(*log, source);
  try {
    return decode_log(codec, reader, out);
  } catch (const can::LogError& e) {
    err << e.what() << '\n';
    return exit_input_error;
  }
}

}  // namespace cabind::cli
