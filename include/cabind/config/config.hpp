#pragma once
// The loaded configuration of one vehicle: pure, immutable data.
// Produced by config::load() (loader.hpp) from vehicle.yaml, its DBC, profiles/*.yaml and
// rules.yaml; every name in it has been checked (DBC references exist, outputs and signals
// that rules name exist). No YAML node survives the load.
//
// Expressions (interlocks, rule conditions and values) are kept as text with the location
// of their first character; the rules module compiles them and reports errors at
// file:line:(column + offset).

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cabind/dbc/database.hpp"
#include "cabind/diag/diagnostic.hpp"
#include "cabind/profile/directory.hpp"
#include "cabind/profile/profile.hpp"

namespace cabind::config {

struct Expression {
  std::string text;
  // First character of `text` in its file. Exact for plain and single-line quoted
  // scalars; for block scalars (| or >) it is the indicator's position.
  diag::Location where;
};

// A signal of one bus's DBC: written "bus:Message.Signal" in YAML, or "Message.Signal" when
// the vehicle has one bus. `bus` is always filled in (the only bus's name when not written).
struct SignalRef {
  std::string bus;
  std::string message;
  std::string signal;
  diag::Location where;
};

struct Bus {
  std::string name = "body";
  std::string interface;  // SocketCAN interface, e.g. "can0", "vcan0"
  bool fd = false;        // the interface runs CAN FD
  std::string dbc_path;   // resolved against the vehicle file's directory
  dbc::Database database;
  diag::Location where;
  diag::Location dbc_where;  // the `dbc:` key, where a DBC that does not load is reported
};

// A semantic name (COVESA VSS path where one exists) bound to a DBC signal.
struct SignalMapping {
  std::string name;
  SignalRef source;
};

enum class SendMode : std::uint8_t {
  on_change,  // one frame when the commanded value changes
  cyclic,     // repeated at the message's GenMsgCycleTime
};

struct Range {
  double min = 0.0;
  double max = 0.0;
};

// What an output is for the engine, from its `role:`. Nothing is inferred from names.
enum class OutputRoleKind : std::uint8_t {
  none,                  // a plain output: rules `set` it
  seat_memory_recall,    // a seat's memory slot recall (`recall_seat` actions)
  seat_position,         // one axis of a seat's position (`axis`)
  destination_latitude,  // navigation destination, WGS84 degrees (`navigate` actions)
  destination_longitude,
};

struct OutputRole {
  OutputRoleKind kind = OutputRoleKind::none;
  std::string seat;  // seat roles: the seat or station, e.g. "Row1.DriverSide"
  std::string axis;  // seat_position: "position", "height", "backrest_recline", ...
  diag::Location where;
};

// A seat named by output roles, with the inputs that belong to it (`seats:`).
struct Seat {
  std::string name;           // e.g. "Row1.DriverSide"
  std::string manual_switch;  // a semantic signal; non-zero = the occupant moves the seat
  diag::Location where;
};

struct Output {
  std::string name;                   // semantic name rules "set"
  SignalRef signal;                   // where the command is written
  std::optional<SignalRef> feedback;  // confirms the command
  std::optional<Range> range;         // commands outside are clamped by rules, refused here
  bool learn = false;        // a manual change while a driver is active updates the profile
  bool learn_guest = false;  // ... also while the guest profile is active (needs `learn`)
  std::string interlock;     // name of the interlock that must hold; empty = none
  SendMode send = SendMode::on_change;
  std::chrono::milliseconds cycle{0};  // from the DBC when send == cyclic
  OutputRole role;
  // Actuation timing (docs/configuration.md); unset = the default the plan derives.
  std::optional<std::chrono::milliseconds> confirm_timeout;  // first wait for feedback
  std::optional<std::chrono::milliseconds> min_interval;     // between two sends
  std::optional<int> attempts;                               // sends in all, first included
  std::optional<double> tolerance;                           // |feedback - command| that confirms
  std::optional<std::chrono::milliseconds> hold;             // blocked or unsent longer: dropped
  diag::Location where;
};

struct Interlock {
  std::string name;
  Expression condition;  // true = the action is allowed
};

struct IdentitySource {
  std::string signal;  // a semantic name of `signals`
  profile::IdentifierKind kind = profile::IdentifierKind::key_fob;
  int priority = 0;  // higher wins
  std::chrono::milliseconds debounce{0};
  diag::Location where;
  // `present_ms`: how long one frame presents the identifier. Empty = not given: the
  // engine's default for an event-driven message (see engine::presence_window).
  std::optional<std::chrono::milliseconds> present;
  // `when`: a condition that must hold for this source's claim to count (e.g. the keyless
  // system's authorisation state); compiled by the plan, not here.
  std::optional<Expression> when;
};

// `identity.leave`: the driver has left once `when` has held for `hold` without a break.
struct IdentityLeave {
  Expression when;
  std::chrono::milliseconds hold{0};  // the `for:` duration
  diag::Location where;               // the `leave` mapping
};

enum class TieBreak : std::uint8_t {
  most_recent,   // equal priorities: the latest identification wins
  keep_current,  // equal priorities: the driver already selected stays
};

struct Identity {
  std::vector<IdentitySource> sources;
  TieBreak tie_break = TieBreak::most_recent;
  std::optional<IdentityLeave> leave;  // empty: the driver stays until another claim
};

// How a message's checksum byte is computed; see docs/engine.md "Frame integrity".
enum class ChecksumAlgorithm : std::uint8_t {
  xor8,            // XOR of the covered bytes
  sum8,            // sum of the covered bytes, modulo 256
  crc8_sae_j1850,  // CRC-8, polynomial 0x1D, initial 0xFF, final XOR 0xFF, not reflected
};

// SecOC authentication of a message (`integrity.<Message>.secoc`, docs/security.md). The
// parser fills everything but `key`; the loader reads `key_file` (relative to vehicle.yaml)
// after checking its owner and mode. The key is never printed.
struct Secoc {
  std::uint16_t data_id = 0;
  diag::Location data_id_where;
  std::string key_file;
  diag::Location key_where;
  std::array<std::uint8_t, 16> key{};
  std::uint8_t mac_bits = 24;         // 24..128, multiple of 8 (profile 1: 24)
  std::uint8_t freshness_bits = 8;    // 8..32, multiple of 8 (profile 1: 8)
  std::uint32_t alarm_failures = 10;  // failures within alarm_window: an alarm
  std::chrono::milliseconds alarm_window{10000};
  diag::Location where;
};

// Per-message counter, checksum and SecOC checks (`integrity:` in vehicle.yaml). At least
// one of `counter`, `checksum_signal` and `secoc` is set; the signals are of `message`
// (checked against the DBC at load).
struct MessageIntegrity {
  std::string bus;
  std::string message;
  std::string counter;  // empty = no counter check
  diag::Location counter_where;
  std::string checksum_signal;  // empty = no checksum check
  ChecksumAlgorithm checksum_algorithm = ChecksumAlgorithm::xor8;
  diag::Location checksum_where;
  std::uint8_t max_counter_skips = 0;  // tolerated missing frames between two counters
  diag::Location max_counter_skips_where;
  std::uint8_t recovery_frames = 2;  // consecutive good frames before a failed message is valid
  std::optional<Secoc> secoc;
  diag::Location where;
};

// ---- rules.yaml ----

struct DriverIdentified {};
struct DriverLeft {};  // the active driver left (identity.leave held for its time)
struct SignalChanged {
  std::string signal;  // a semantic name of `signals`
  diag::Location where;
};
struct BecameTrue {
  Expression condition;  // fires on the false -> true edge
};
struct AfterIdentified {
  std::chrono::milliseconds delay{0};
};
using Trigger =
    std::variant<DriverIdentified, DriverLeft, SignalChanged, BecameTrue, AfterIdentified>;

struct SetOutput {
  std::string output;  // a name of `outputs`
  Expression value;
  diag::Location where;
};
struct RecallSeat {
  std::optional<std::uint8_t> slot;  // empty = the active profile's memory slot
  std::string seat;                  // empty = the only seat with a recall output
  diag::Location where;
};
struct Navigate {
  std::string favourite;  // empty = the profile's default for the weekday and time
  diag::Location where;
};
// `publish: { event: arrived_home, fields: { lights: "on", level: 80 } }`: tells the home
// (MQTT, cabind/<thing>/event/<event>) that something happened. The fields are constants,
// written out as a JSON object with the active driver's opaque id added as "driver".
using PublishValue = std::variant<std::string, double, bool>;
struct PublishField {
  std::string name;
  PublishValue value;
  diag::Location where;
};
struct PublishEvent {
  std::string event;  // a name: letters, digits, '_', '-', '.' (one MQTT topic level)
  std::vector<PublishField> fields;  // file order, names unique, none named "driver"
  diag::Location where;
};
using Action = std::variant<SetOutput, RecallSeat, Navigate, PublishEvent>;

struct Rule {
  std::string name;
  int priority = 0;  // higher wins when two rules set the same output
  Trigger on;
  std::optional<Expression> when;
  std::vector<Action> actions;
  diag::Location where;
};

// The integrator's live web view (`web:` in vehicle.yaml, docs/web.md): read-only, off by
// default. `listen` must be a loopback address unless allow_remote is set, and then a
// token file is required; with a token, every request must carry it.
struct Web {
  std::string address = "127.0.0.1";  // an IPv4 or IPv6 address, never a host name
  std::uint16_t port = 8080;          // 0: any free port (tests, `tools/demo`)
  diag::Location listen_where;
  bool allow_remote = false;
  std::string token_file;  // empty: no token (loopback only)
  diag::Location token_where;
  std::string token;              // read from token_file at load (mode 0600/0400, our uid)
  std::uint32_t max_clients = 8;  // WebSocket clients at once; more are refused (503)
  diag::Location where;
};

// Home Assistant over the MQTT bridge (`mqtt.home_assistant:`, docs/connectivity.md):
// discovery under `prefix`, and the outputs a command from home may set (each still passes
// the output's range and interlock, as a rule's would).
struct HomeAssistantConfig {
  bool enabled = false;                  // `home_assistant:` present, unless `enabled: false`
  std::string prefix = "homeassistant";  // discovery topics: <prefix>/device/<thing>/config
  diag::Location prefix_where;
  std::vector<std::string> commands;           // names of `outputs`, checked at load
  std::vector<diag::Location> command_wheres;  // one per command
  diag::Location where;
};

// Driver profiles as AWS IoT named shadows (`mqtt.shadow:`, docs/connectivity.md).
struct ShadowConfig {
  bool enabled = true;  // on whenever `mqtt:` is, unless `shadow: { enabled: false }`
  diag::Location where;
};

enum class MqttProtocolVersion : std::uint8_t { v311, v5 };

// The MQTT bridge (`mqtt:` in vehicle.yaml): absent, cabind talks to no broker. File paths
// are resolved against the vehicle file's directory at load; the key file and the password
// file follow the SecOC key files' rules (config/key_file.hpp).
struct Mqtt {
  bool tls = false;           // mqtts://
  std::string host;           // a host name or an IP address (IPv6 without brackets)
  std::uint16_t port = 1883;  // default 1883, or 8883 with mqtts://
  diag::Location url_where;
  std::string thing;      // the AWS IoT thing name; in topics: [A-Za-z0-9:_-], 1..128
  std::string client_id;  // default: thing
  MqttProtocolVersion protocol = MqttProtocolVersion::v5;
  std::chrono::seconds keepalive{30};
  std::string ca_file;  // mqtts: the CA that signed the broker's certificate (required)
  diag::Location ca_where;
  std::string cert_file;  // mqtts: this car's client certificate (with key_file)
  diag::Location cert_where;
  std::string key_file;  // its private key: owned by the service user, mode 0600/0400
  diag::Location key_where;
  std::string username;       // optional
  std::string password_file;  // optional; under the key files' rules
  diag::Location password_where;
  std::string password;          // read from password_file at load; never logged
  std::size_t max_queue = 1000;  // messages kept while the broker is unreachable
  HomeAssistantConfig home_assistant;
  ShadowConfig shadow;
  diag::Location where;
};

struct Config {
  std::string file;        // the vehicle file it was loaded from
  std::vector<Bus> buses;  // `buses:` order (or the one `bus:`); names and interfaces unique
  std::vector<SignalMapping> signals;
  std::vector<Output> outputs;
  std::vector<Seat> seats;
  std::vector<Interlock> interlocks;
  Identity identity;
  std::uint32_t stale_factor = 10;  // a signal is stale after stale_factor x cycle time
  bool strict_dbc = false;          // `strict_dbc: true`: every DBC warning is an error
  std::vector<MessageIntegrity> integrity;
  profile::ProfileDirectory profiles;
  std::vector<Rule> rules;
  std::optional<Web> web;    // absent: no web view
  std::optional<Mqtt> mqtt;  // absent: no MQTT bridge

  [[nodiscard]] const Bus* find_bus(std::string_view name) const noexcept;
  [[nodiscard]] const SignalMapping* find_signal(std::string_view name) const noexcept;
  [[nodiscard]] const Output* find_output(std::string_view name) const noexcept;
  [[nodiscard]] const Interlock* find_interlock(std::string_view name) const noexcept;
};

}  // namespace cabind::config
