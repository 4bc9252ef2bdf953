#pragma once
// Checks that need more than one file: DBC references of the vehicle file, and the names
// rules and identity sources use. Both run on a Config whose parts parsed without error.

#include <string>
#include <string_view>
#include <vector>

#include "cabind/config/config.hpp"
#include "cabind/diag/diagnostic.hpp"

namespace cabind::config {

// What load() could not read, so that what refers to it is not reported a second time:
// one error per mistake, every independent mistake in one run.
struct Unavailable {
  std::vector<std::string> buses;  // buses whose DBC did not load (reported at `dbc:`)
  std::vector<std::string> names;  // signals, interlocks, outputs whose entries had errors

  [[nodiscard]] bool has_bus(std::string_view bus) const;
  [[nodiscard]] bool has_name(std::string_view name) const;
};

// Every SignalRef names a bus, a message of its DBC and a signal of that message; output
// ranges fit the signal; cyclic outputs have a GenMsgCycleTime (copied into
// Output::cycle); CAN FD messages sit on an FD bus; integrity checks name a message and
// signals of it (a counter of at most 8 unsigned bits, a checksum that is one whole byte,
// neither multiplexed). Fills Output::cycle.
// References to a bus of unavailable.buses are not looked up (nor reported).
void check_dbc_references(Config& config, diag::Diagnostics& diagnostics,
                          const Unavailable& unavailable = {});

// The DBC signal `ref` names, or nullptr (no diagnostic) when it does not resolve or is on
// an unavailable bus.
[[nodiscard]] const dbc::Signal* find_dbc_signal(const Config& config, const SignalRef& ref,
                                                 const Unavailable& unavailable);

// Rules name existing outputs and signals, navigate to a favourite some profile has.
// check_favourites false: the profiles did not load, so favourites are not looked up
// (the caller says so once); signals and outputs still are.
// Names of unavailable.names are not reported as unknown.
void check_rule_references(const Config& config, diag::Diagnostics& diagnostics,
                           bool check_favourites = true, const Unavailable& unavailable = {});

}  // namespace cabind::config
