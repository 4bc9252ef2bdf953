#pragma once
// `cabind --config FILE --replay LOG [--out OUT] [--tz ZONE] [--time log|local]`: runs the
// whole engine on a candump log (`candump -L` format) with a virtual clock taken from the
// log's timestamps.
//
// Deterministic: the same config, log and zone give byte-identical output. Time advances
// in 10 ms ticks between records (gaps over 60 s are jumped), so cyclic frames, timers and
// retries happen where they would have. `hour` and `weekday` are the log time's local time
// in ZONE, an IANA name such as Europe/Berlin (default: the system's zone; an unknown name
// is a bad argument). `--time local` prints each audit line's time as local ISO 8601
// ("2023-11-13T08:30:00.250+01:00"); the default `log` prints the log's seconds.
// --tz sets TZ for the duration of the call (see src/cli/time_zone.hpp): not thread-safe.
// The frames cabind would send go to OUT in candump format (to `out`, prefixed "tx ",
// without --out); the audit trail goes to `out`, one decision per line.
// `--web ADDRESS:PORT` (loopback; port 0 picks a free one) serves the web view of the replay
// (docs/web.md): frames are applied at their log time in real time, the URL goes to `err`
// ("web view on http://127.0.0.1:PORT/"), and once the log is over the view stays up with
// its last state until SIGINT or SIGTERM. The token, if any, is the config's `web:` token.
// Returns 0 on success, 1 for a bad configuration or log, 2 for bad arguments.

#include <ostream>
#include <span>
#include <string>

namespace cabind::cli {

[[nodiscard]] int run_replay(std::span<const std::string> args, std::ostream& out,
                             std::ostream& err);

}  // namespace cabind::cli
