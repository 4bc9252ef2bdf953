#pragma once
// Checks that need more than one file: DBC references of the vehicle file, and the names
// rules and identity sources use. Both run on a Config whose parts parsed without error.

#include "cabind/config/config.hpp"
#include "cabind/diag/diagnostic.hpp"

namespace cabind::config {

// Every SignalRef names a bus, a message of its DBC and a signal of that message; output
// ranges fit the signal; cyclic outputs have a GenMsgCycleTime (copied into
// Output::cycle); CAN FD messages sit on an FD bus; integrity checks name a message and
// signals of it (a counter of at most 8 unsigned bits, a checksum that is one whole byte,
// neither multiplexed). Fills Output::cycle.
void check_dbc_references(Config& config, diag::Diagnostics& diagnostics);

// Rules name existing outputs and signals, navigate to a favourite some profile has.
// check_favourites false: the profiles did not load, so favourites are not looked up
// (the caller says so once); signals and outputs still are.
void check_rule_references(const Config& config, diag::Diagnostics& diagnostics,
                           bool check_favourites = true);

}  // namespace cabind::config
