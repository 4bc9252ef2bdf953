// Parse time and memory of the DBC parser against the size of the file: generated files
// of 10,000 and 100,000 messages, and of 10,000 and 100,000 signals, each parsed in a
// process of its own so that its peak memory is its own.
//
//   dbc_parse_scaling [DIR]     generate the files in DIR (kept there; default: a temporary
//                               directory, removed after),
//                               parse each (the fastest of 3 runs), print a table and the ratios;
//                               exit 1 when parsing 10x the file takes more than 12x the time or
//                               its peak memory exceeds 4x the file size
//   dbc_parse_scaling --one FILE   parse FILE, print "bytes seconds peak_bytes messages signals"
//
// Shapes (the cases of issue 12):
//   messages N: N extended-id 8-byte messages of 4 signals, each with a comment, a cycle
//               time attribute and a value table: a large real file, scaled.
//   signals N:  one 64-byte message with a multiplexor and N signals, 62 per multiplexor
//               value: everything in one message, the worst case for per-message checks.
// Peak memory is the process's peak resident set while parsing minus its resident set
// before the file was read, so it counts the file's text (moved into the Database, as
// parse_file() does) as well as what the parse builds.

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cabind/dbc/parser.hpp"

namespace {

namespace fs = std::filesystem;

constexpr const char* header =
    "VERSION \"\"\n\nNS_ :\n\tCM_\n\tBA_DEF_\n\tBA_\n\tVAL_\n\nBS_:\n\nBU_: ECU GW\n\n"
    "BA_DEF_ BO_ \"GenMsgCycleTime\" INT 0 10000;\n";

void write_messages_file(const fs::path& path, std::size_t messages) {
  std::ofstream out(path);
  out << header;
  std::ostringstream tail;
  for (std::size_t m = 0; m < messages; ++m) {
    const std::size_t id = 0x8000'0000U | (0x100000U + m);
    out << "\nBO_ " << id << " Message_" << m << ": 8 ECU\n";
    for (int s = 0; s < 4; ++s) {
      out << " SG_ Signal_" << m << '_' << s << " : " << 16 * s
          << "|16@1+ (0.1,-40) [-40|6513.5] \"degC\" GW\n";
    }
    tail << "CM_ BO_ " << id << " \"Message " << m << " of the generated file\";\n";
    tail << "BA_ \"GenMsgCycleTime\" BO_ " << id << " 100;\n";
    tail << "VAL_ " << id << " Signal_" << m << "_0 0 \"Off\" 1 \"On\" 65535 \"Invalid\" ;\n";
  }
  out << '\n' << tail.str();
}

void write_signals_file(const fs::path& path, std::size_t signals) {
  std::ofstream out(path);
  out << header;
  out << "\nBO_ 1000 Multiplexed: 64 ECU\n SG_ Selector M : 0|16@1+ (1,0) [0|65535] \"\" GW\n";
  for (std::size_t s = 0; s < signals; ++s) {
    const std::size_t value = s / 62;
    const std::size_t start = 16 + 8 * (s % 62);
    out << " SG_ Signal_" << s << " m" << value << " : " << start
        << "|8@1+ (0.5,0) [0|127.5] \"%\" GW\n";
  }
}

long peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss * 1024L;
}

long current_rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0;
  long resident = 0;
  statm >> pages >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

int parse_one(const fs::path& path) {
  const long before = current_rss_bytes();
  std::string content(fs::file_size(path), '\0');
  std::ifstream(path, std::ios::binary)
      .read(content.data(), static_cast<std::streamsize>(content.size()));
  const std::size_t bytes = content.size();
  // Moved in, as parse_file() and the configuration loader do: the Database keeps the text.
  const auto start = std::chrono::steady_clock::now();
  const cabind::dbc::ParseResult result = cabind::dbc::parse(std::move(content), path.string());
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  if (!result.ok()) {
    std::fprintf(stderr, "%s", result.diagnostics.to_string().c_str());
    return 2;
  }
  std::size_t signals = 0;
  for (const auto& m : result.database->messages)
    signals += m.signals.size();
  std::printf("%zu %.6f %ld %zu %zu\n", bytes, seconds.count(), peak_rss_bytes() - before,
              result.database->messages.size(), signals);
  return 0;
}

struct Measurement {
  std::string name;
  double bytes = 0;
  double seconds = 0;
  double peak = 0;
  std::size_t messages = 0;
  std::size_t signals = 0;
};

bool measure(const std::string& name, const fs::path& file, Measurement& out) {
  const std::string command =
      "/proc/" + std::to_string(getpid()) + "/exe --one '" + file.string() + "'";
  const std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return false;
  long peak = 0;
  const int read = std::fscanf(pipe.get(), "%lf %lf %ld %zu %zu", &out.bytes, &out.seconds, &peak,
                               &out.messages, &out.signals);
  out.peak = static_cast<double>(peak);
  out.name = name;
  return read == 5;
}

int run_all(const fs::path& dir, bool keep_files) {
  fs::create_directories(dir);
  struct Case {
    std::string name;
    bool messages;
    std::size_t count;
  };
  const std::vector<Case> cases{{"messages", true, 10'000},
                                {"messages", true, 100'000},
                                {"signals", false, 10'000},
                                {"signals", false, 100'000}};
  std::vector<Measurement> results;
  for (const Case& c : cases) {
    const fs::path file = dir / (c.name + "_" + std::to_string(c.count) + ".dbc");
    if (c.messages) {
      write_messages_file(file, c.count);
    } else {
      write_signals_file(file, c.count);
    }
    // The fastest of three runs: the machine's other load only ever adds time.
    Measurement best;
    for (int run = 0; run < 3; ++run) {
      Measurement m;
      if (!measure(c.name + " " + std::to_string(c.count), file, m)) {
        std::fprintf(stderr, "parsing %s failed\n", file.c_str());
        return 2;
      }
      if (run == 0 || m.seconds < best.seconds) best = m;
    }
    results.push_back(best);
    if (!keep_files) fs::remove(file);
  }
  std::printf("%-18s %12s %10s %10s %12s %10s\n", "file", "bytes", "messages", "signals",
              "parse [s]", "peak/size");
  for (const Measurement& m : results) {
    std::printf("%-18s %12.0f %10zu %10zu %12.4f %10.2f\n", m.name.c_str(), m.bytes, m.messages,
                m.signals, m.seconds, m.peak / m.bytes);
  }
  bool ok = true;
  for (std::size_t i = 0; i + 1 < results.size(); i += 2) {
    const double ratio = results[i + 1].seconds / results[i].seconds;
    std::printf("%s: 10x the file, %.1fx the time (limit 12x)\n", results[i].name.c_str(), ratio);
    ok = ok && ratio <= 12.0;
  }
  for (const Measurement& m : results)
    ok = ok && m.peak <= 4.0 * m.bytes;
  std::printf("%s\n", ok ? "within the limits" : "LIMIT EXCEEDED");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--one") return parse_one(argv[2]);
  if (argc > 2) {
    std::fprintf(stderr, "usage: dbc_parse_scaling [DIR] | --one FILE\n");
    return 2;
  }
  const fs::path dir =
      argc == 2 ? fs::path(argv[1])
                : fs::temp_directory_path() / ("cabind_dbc_scaling_" + std::to_string(getpid()));
  const int status = run_all(dir, argc == 2);
  if (argc == 1) fs::remove_all(dir);
  return status;
}
