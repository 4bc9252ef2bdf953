#pragma once
// `cabind --config FILE --replay LOG [--out OUT]`: runs the whole engine on a candump log
// (`candump -L` format) with a virtual clock taken from the log's timestamps.
//
// Deterministic: the same config and log give byte-identical output. Time advances in
// 10 ms ticks between records (gaps over 60 s are jumped), so cyclic frames, timers and
// retries happen where they would have. `hour` and `weekday` come from the log time (UTC).
// The frames cabind would send go to OUT in candump format (to `out`, prefixed "tx ",
// without --out); the audit trail goes to `out`, one decision per line.
// Returns 0 on success, 1 for a bad configuration or log, 2 for bad arguments.

#include <ostream>
#include <span>
#include <string>

namespace cabind::cli {

[[nodiscard]] int run_replay(std::span<const std::string> args, std::ostream& out,
                             std::ostream& err);

}  // namespace cabind::cli
