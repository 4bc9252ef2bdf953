#!/usr/bin/env bash
# The real cabind binary on a real vcan0, driven by can-utils, as a head unit runs it.
#   daemon_test.sh CASE BUILD_DIR      (run inside tools/vcan-vm; ctest does that)
# Each case prints what it measured and exits non-zero on the first failed check.
set -euo pipefail
case_name=$1
build=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
cabind=$build/bin/cabind
cabinctl=$build/bin/cabinctl
work=$(mktemp -d /tmp/cabind-test.XXXXXX)
cp -r "$root/config/demo" "$work/config"
mkdir -p "$work/state"
export CABIND_SOCKET=$work/cabind.sock
pid=""

fail() { echo "FAIL: $*" >&2; [ -f "$work/cabind.log" ] && sed 's/^/  cabind: /' "$work/cabind.log" >&2; exit 1; }
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  pkill -f "notify-listener $work" 2>/dev/null || true
  pkill candump 2>/dev/null || true
  pkill cangen 2>/dev/null || true
  pkill -f "mosquitto_sub -h 127.0.0.1 -p 18830" 2>/dev/null || true
  pkill -f "mosquitto -c $work/mosquitto.conf" 2>/dev/null || true
}
trap cleanup EXIT

# Listens on a notify socket the test owns, like systemd, one message per line.
start_notify_listener() {
  [ -S "$work/notify.sock" ] && return 0  # one listener serves every start of a case
  /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[2])
while True:
    print(s.recv(4096).decode().replace("\n", " "), flush=True)
 ' notify-listener "$work/notify.sock" >>"$work/notify.log" &
  # python starts slowly in the emulated VM, slower still while another VM shares the cores.
  for _ in $(seq 300); do [ -S "$work/notify.sock" ] && return 0; sleep 0.05; done
  fail "notify listener did not start"
}

start_cabind() {
  local config=${1:-$work/config/vehicle.yaml}
  start_notify_listener
  : >"$work/notify.log"  # only this start's notifications count
  NOTIFY_SOCKET=$work/notify.sock WATCHDOG_USEC=${WATCHDOG_USEC:-2000000} \
    "$cabind" --config "$config" --control-socket "$CABIND_SOCKET" --state-dir "$work/state" \
    2>>"$work/cabind.log" &
  pid=$!
}

wait_for() {  # wait_for SECONDS COMMAND...
  local limit=$1; shift
  local end=$((SECONDS + limit))
  while [ $SECONDS -lt $end ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
  return 1
}

wait_ready() { wait_for 20 grep -q "READY=1" "$work/notify.log" || fail "no READY=1 on the notify socket"; }

# The car, parked and in P, mild outside (no cold-morning rule), cabin 20 °C, each
# message at its DBC cycle time as the real ECUs send them (a signal is stale after
# 10 cycles).
send_parked_car() {
  local bus=${1:-vcan0}
  cangen "$bus" -I 150 -L 4 -D 00000000 -g 20 &   # BodyInfo: speed 0, gear P
  cangen "$bus" -I 160 -L 3 -D 1EC800 -g 500 &    # Climate_Status: outside 15 °C, cabin 20 °C
  cangen "$bus" -I 140 -L 1 -D 02 -g 100 &        # Ignition on
  # Parked as cabind sees it: speed 0 and gear P decoded, so seat_motion holds.
  wait_for 20 sh -c "\"$cabinctl\" status | grep -q 'interlocks.seat_motion: holds'" ||
    fail "cabind does not see the parked car on $bus"
}

# listen LOG [CANDUMP-OPTION...] IFACE[,FILTER...]...: candump -L into LOG, returning only
# once candump receives on every interface named (a fixed sleep loses the first frames on a
# loaded VM). It sends probe frames (id 7FE, in no DBC of the tests) until candump logs one;
# the probes are kept out of LOG.
listen() {
  local log=$1; shift
  local args=() ifaces=() arg
  for arg in "$@"; do
    case $arg in
      -*) args+=("$arg") ;;
      *,*) args+=("$arg,7FE:7FF"); ifaces+=("${arg%%,*}") ;;
      *) args+=("$arg"); ifaces+=("$arg") ;;
    esac
  done
  : >"$log.all"
  candump -L "${args[@]}" | tee "$log.all" | grep --line-buffered -v ' [a-z0-9]* 7FE#' >"$log" &
  local iface tries
  for iface in "${ifaces[@]}"; do
    for tries in $(seq 200); do
      grep -q " $iface 7FE#" "$log.all" && continue 2
      cansend "$iface" 7FE#
      sleep 0.05
    done
    fail "candump on $iface did not start receiving"
  done
}

# present_fob CODE [BUS]: a key fob in range, as the keyless ECU reports it: Keyfob_Status
# every 100 ms for 1 s (one frame never completes the demo's 200 ms debounce).
present_fob() {
  cangen "${2:-vcan0}" -I 120 -L 4 -D "$(printf '%02X' "$1")000000" -g 100 -n 10 &
}

# decoded FILE MESSAGE SIGNAL: the values of a signal in a candump log, one per line.
decoded() {
  "$cabind" decode --dbc "$work/config/demo_body.dbc" "$1" |
    /usr/bin/python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o["message"] == sys.argv[1] and sys.argv[2] in o["signals"]:
        print(o["signals"][sys.argv[2]])
' "$2" "$3"
}

case_identification() {
  start_cabind
  wait_ready
  listen "$work/out.log" vcan0,200:7F0,210:7F0,220:7F0
  send_parked_car
  listen "$work/fob.log" vcan0,120:7FF
  present_fob 3   # Alice's fob, id 3
  wait_for 10 grep -q " 210#" "$work/out.log" || fail "no seat command after Alice's fob"
  wait_for 10 grep -q " 200#" "$work/out.log" || fail "no HVAC request after Alice's fob"
  sleep 0.3
  setpoint=$(decoded "$work/out.log" HVAC_Request DriverSetpoint | head -n 1)
  slot=$(decoded "$work/out.log" Seat_Command RecallSlot | head -n 1)
  [ "$setpoint" = "21.5" ] || fail "driver setpoint $setpoint, expected Alice's 21.5"
  [ "$slot" = "1.0" ] || [ "$slot" = "1" ] || fail "seat recall slot $slot, expected Alice's 1"
  "$cabinctl" status | grep -q "driver.id: alice" || fail "cabinctl status does not show alice"
  # Reaction time: kernel timestamps of the fob frame and of cabind's first command.
  /usr/bin/python3 - "$work/fob.log" "$work/out.log" <<'PY'
import sys
t0 = float(open(sys.argv[1]).readline().split()[0].strip("()"))
t1 = min(float(l.split()[0].strip("()")) for l in open(sys.argv[2]) if l.strip())
print(f"reaction: fob frame -> first command frame {1e3 * (t1 - t0):.2f} ms (vcan in the VM)")
PY
  # Bob's seat-memory button (priority 30) takes over from Alice's fob.
  cansend vcan0 121#0200   # Memory_Switch is 2 bytes: a shorter frame is malformed
  wait_for 10 sh -c "\"$cabinctl\" status | grep -q 'driver.id: bob'" || fail "Bob's button did not select Bob"
  echo "identification: alice (setpoint $setpoint, slot $slot), then bob"
}

case_reload() {
  start_cabind
  wait_ready
  send_parked_car
  # A broken configuration: SIGHUP keeps the old one running.
  cp "$work/config/profiles/alice.yaml" "$work/alice.good"
  sed -i 's/temperature: 21.5/temprature: 21.5/' "$work/config/profiles/alice.yaml"
  kill -HUP "$pid"
  wait_for 10 grep -q "reload of .* failed" "$work/cabind.log" || fail "broken reload not reported"
  grep -q "temprature" "$work/cabind.log" || fail "the reload error does not name the bad key"
  kill -0 "$pid" || fail "cabind died on a broken reload"
  "$cabinctl" identify fob 3 | grep -q "driver.id: alice" || fail "old behaviour lost after broken reload"
  # A good new configuration: Alice now likes 24 °C; applied without a restart.
  sed 's/temperature: 21.5/temperature: 24/' "$work/alice.good" >"$work/config/profiles/alice.yaml"
  listen "$work/out.log" vcan0,200:7FF
  kill -HUP "$pid"
  wait_for 10 grep -q "reloaded" "$work/cabind.log" || fail "good reload not applied"
  "$cabinctl" status | grep -q "driver.id: alice" || fail "the active driver was not kept across reload"
  "$cabinctl" identify fob 5 >/dev/null
  "$cabinctl" identify fob 3 >/dev/null
  wait_for 10 sh -c "grep -q ' 200#30' '$work/out.log'" || fail "new setpoint 24 °C (raw 0x30) not sent after reload"
  echo "reload: broken config kept the old one; good config applied live (24 °C)"
}

case_stop() {
  start_cabind
  wait_ready
  start=$(date +%s.%N)
  kill -TERM "$pid"
  status=0
  wait "$pid" || status=$?
  pid=""
  elapsed=$(/usr/bin/python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$start" "$(date +%s.%N)")
  [ "$status" = 0 ] || fail "exit status $status after SIGTERM"
  # The bound is the unit's TimeoutStopSec (5 s); the emulated VM is several times slower
  # than a head unit, and cabind stops in well under a second there.
  /usr/bin/python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 5.0 else 1)" "$elapsed" ||
    fail "SIGTERM took ${elapsed}s"
  grep -q "STOPPING=1" "$work/notify.log" || fail "no STOPPING=1"
  echo "SIGTERM: exit 0 after ${elapsed}s"
  # kill -9 with a driver active, restart: nothing is replayed without new identity input.
  start_cabind
  wait_ready
  send_parked_car
  "$cabinctl" identify fob 3 >/dev/null
  # An acknowledged preference is on disk before the reply: kill -9 cannot lose it.
  "$cabinctl" set alice Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature 22.5 |
    grep -q "durable: true" || fail "set was not acknowledged as durable"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  listen "$work/after.log" vcan0,200:7F0,210:7F0,220:7F0
  start_cabind
  wait_ready
  sleep 1.5
  [ ! -s "$work/after.log" ] || fail "frames sent after restart without identity input: $(cat "$work/after.log")"
  "$cabinctl" profiles alice | grep -q "learned.Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature: 22.5" ||
    fail "the acknowledged preference was lost across kill -9"
  echo "kill -9 and restart: no actuation replayed, acknowledged preference kept"
}

case_interface() {
  # Missing at start: retried, READY only once the bus appears.
  sed 's/interface: vcan0/interface: vcan5/' "$work/config/vehicle.yaml" >"$work/config/vcan5.yaml"
  start_cabind "$work/config/vcan5.yaml"
  wait_for 10 grep -q "waiting for CAN interface vcan5" "$work/notify.log" || fail "no STATUS while waiting for the bus"
  grep -q "READY=1" "$work/notify.log" && fail "READY before the bus exists"
  ip link add dev vcan5 type vcan && ip link set up vcan5
  wait_ready
  # Deleted and re-created while running: recovered.
  ip link del vcan5
  wait_for 10 grep -q "bus vcan5 is gone" "$work/cabind.log" || fail "interface loss not reported"
  ip link add dev vcan5 type vcan && ip link set up vcan5
  wait_for 10 grep -q "bus vcan5 is up" "$work/cabind.log" || fail "no recovery after re-creation"
  listen "$work/out.log" vcan5,210:7FF
  send_parked_car vcan5
  present_fob 3 vcan5
  wait_for 10 grep -q " 210#" "$work/out.log" || fail "no seat command after recovery"
  echo "interface: waited for vcan5, recovered after delete/re-create"
}

case_control() {
  start_cabind
  wait_ready
  send_parked_car
  "$cabinctl" profiles | grep -q "id: carla" || fail "profiles list lacks carla"
  "$cabinctl" profiles alice | grep -q "fields.climate.temperature: 21.5" || fail "profile alice details"
  "$cabinctl" identify fob 5 | grep -q "driver.id: bob" || fail "identify fob 5"
  "$cabinctl" identify fob 77 | grep -q "driver.guest: true" || fail "unknown fob did not select the guest"
  "$cabinctl" set alice Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature 22.5 | grep -q "value: 22.5" || fail "set"
  "$cabinctl" --json metrics | grep -q '"rx_frames"' || fail "metrics"
  "$cabinctl" reload | grep -q "reloaded" || fail "reload"
  # Malformed request: an error reply, and the same connection still answers.
  /usr/bin/python3 - "$CABIND_SOCKET" <<'PY' || fail "malformed request handling"
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
f = s.makefile("rw")
f.write("{not json\n"); f.flush()
bad = json.loads(f.readline())
assert bad["ok"] is False and "malformed" in bad["error"], bad
f.write('{"command":"status"}\n'); f.flush()
assert json.loads(f.readline())["ok"] is True
PY
  # An unauthorised peer (uid 65534) is refused even with the socket file open to all.
  chmod 666 "$CABIND_SOCKET"
  chmod 755 "$work"
  if setpriv --reuid=65534 --regid=65534 --clear-groups "$cabinctl" status 2>"$work/denied.txt"; then
    fail "uid 65534 was served"
  fi
  grep -q "permission denied" "$work/denied.txt" || fail "refusal not explained: $(cat "$work/denied.txt")"
  echo "control: profiles, identify, set, metrics, reload, malformed request, unauthorised peer"
}

case_notify() {
  WATCHDOG_USEC=200000 start_cabind
  wait_ready
  wait_for 10 sh -c "[ \$(grep -c WATCHDOG=1 '$work/notify.log') -ge 3 ]" || fail "fewer than 3 WATCHDOG=1 in time"
  grep -q "STATUS=driver none; bus vcan0 up" "$work/notify.log" || fail "no STATUS with driver and bus"
  echo "notify: READY=1, STATUS, $(grep -c WATCHDOG=1 "$work/notify.log") x WATCHDOG=1"
}

case_flood() {
  start_cabind
  wait_ready
  # 20,000 junk frames as fast as cangen can send: random ids, lengths and data, and
  # random payloads of short length on the mapped ids themselves.
  cangen vcan0 -g 0 -I r -L r -D r -n 10000
  for id in 120 121 150 160 201 211; do cangen vcan0 -g 0 -I $id -L r -D r -n 1700; done
  kill -0 "$pid" || fail "cabind died in the flood"
  rx=$("$cabinctl" --json metrics | /usr/bin/python3 -c 'import json,sys; m=json.load(sys.stdin)["bus"]; print(m["rx_frames"], m["rx_queue_dropped"])')
  echo "flood: cabind received ${rx% *} frames of the mapped ids (kernel queue drops: ${rx#* })"
  # Still serving: a real identification afterwards selects Alice.
  send_parked_car
  cansend vcan0 121#0000   # the junk may have left a seat-memory button "pressed"
  cansend vcan0 120#00000000
  sleep 0.5
  present_fob 3
  wait_for 10 sh -c "\"$cabinctl\" status | grep -q 'driver.id: alice'" || fail "alice not identified after the flood"
  echo "flood: still identifying after the junk"
}

case_bus_down() {
  # A command due while vcan0 is down is kept `unsent`, never audited sent, and goes out
  # once the interface is up again.
  local output=Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature
  start_cabind
  wait_ready
  listen "$work/out.log" -D vcan0,200:7FF  # -D: survive the interface going down
  ip link set vcan0 down
  wait_for 10 grep -q "bus vcan0 is down" "$work/cabind.log" || fail "interface down not reported"
  # Alice, as a workshop selects her: the frame goes to the engine, not onto the bus.
  "$cabinctl" identify fob 3 | grep -q "driver.id: alice" || fail "identify fob 3"
  wait_for 10 grep -q "unsent .*output=$output" "$work/cabind.log" ||
    fail "the refused HVAC command was not reported unsent"
  "$cabinctl" status | grep -q "outputs.$output: unsent" || fail "cabinctl status does not show unsent"
  sleep 0.5  # several retries at 100 ms, all refused
  grep -q " sent .*output=$output" "$work/cabind.log" && fail "audited sent while the interface was down"
  [ ! -s "$work/out.log" ] || fail "a frame left while down: $(cat "$work/out.log")"
  ip link set vcan0 up
  wait_for 10 grep -q " 200#" "$work/out.log" || fail "the command did not go out after the interface came up"
  wait_for 10 grep -q " sent .*output=$output value=21.5 attempt=1" "$work/cabind.log" ||
    fail "no sent line after the interface came up"
  setpoint=$(decoded "$work/out.log" HVAC_Request DriverSetpoint | head -n 1)
  [ "$setpoint" = "21.5" ] || fail "driver setpoint $setpoint after up, expected Alice's 21.5"
  echo "bus_down: unsent while down (no sent line, no frame), 21.5 degC sent once vcan0 was up"
}

case_buses() {
  # Two buses: body on vcan0, infotainment on vcan1 (config/demo). Carla's phone token on
  # vcan1 selects her, her climate goes out on vcan0 and her destination on vcan1. An
  # interlock that reads an infotainment signal guards the destination for this case.
  local config=$work/config
  sed -i 's/favourite: default/favourite: work/; s/after: 10s/after: 1s/' "$config/rules.yaml"
  sed -i 's/^  seat_motion: \(.*\)$/  seat_motion: \1\n  infotainment_awake: "Vehicle.Cabin.Infotainment.Media.Volume >= 0"/' \
    "$config/vehicle.yaml"
  sed -i '/signal: infotainment:Nav_Destination.Latitude/a\    interlock: infotainment_awake' "$config/vehicle.yaml"
  "$cabind" --check --config "$config/vehicle.yaml" >/dev/null || fail "the case's configuration does not check"
  start_cabind
  wait_ready
  "$cabinctl" status | grep -q "buses.infotainment.state: up" || fail "status does not list the infotainment bus"
  listen "$work/body.log" vcan0,200:7FF
  listen "$work/infotainment.log" vcan1,220:7FF
  send_parked_car vcan0
  cangen vcan1 -I 150 -L 2 -D 0C00 -g 100 &   # Media_Status (infotainment's 0x150): volume 12
  local media=$!
  cangen vcan1 -I 230 -L 5 -D 0101A0A1C4 -g 100 -n 10 &   # Carla's phone token, 1 s
  wait_for 10 sh -c "\"$cabinctl\" status | grep -q 'driver.id: carla'" || fail "the phone on vcan1 did not select Carla"
  wait_for 10 grep -q " vcan0 200#" "$work/body.log" || fail "no climate command on vcan0"
  wait_for 10 grep -q " vcan1 220#" "$work/infotainment.log" || fail "no destination on vcan1"
  grep -q "vcan0 220#" "$work/body.log" && fail "the destination went out on vcan0"

  # vcan1 deleted while running: its signals go stale, the interlock reading one blocks,
  # the body bus goes on.
  kill "$media" 2>/dev/null || true
  ip link del vcan1
  wait_for 10 grep -q "bus vcan1 is gone" "$work/cabind.log" || fail "the loss of vcan1 was not reported"
  wait_for 5 sh -c "\"$cabinctl\" status | grep -q 'interlocks.infotainment_awake: blocked'" ||
    fail "the interlock reading an infotainment signal still holds"
  "$cabinctl" status | grep -q "interlocks.seat_motion: holds" || fail "seat_motion (body signals) stopped holding"
  "$cabinctl" status | grep -q "buses.infotainment.state: gone" || fail "status does not show vcan1 gone"
  local before after
  before=$(grep -c " 200#" "$work/body.log")
  sleep 1
  after=$(grep -c " 200#" "$work/body.log")
  [ "$after" -gt "$before" ] || fail "the cyclic climate frames on vcan0 stopped with vcan1 ($before -> $after)"

  # Re-created: recovered, its signals and the interlock come back.
  ip link add dev vcan1 type vcan && ip link set up vcan1
  wait_for 10 grep -q "bus vcan1 is up" "$work/cabind.log" || fail "no recovery of vcan1 after re-creation"
  cangen vcan1 -I 150 -L 2 -D 0C00 -g 100 &
  wait_for 10 sh -c "\"$cabinctl\" status | grep -q 'interlocks.infotainment_awake: holds'" ||
    fail "the infotainment interlock did not recover"
  "$cabinctl" metrics | grep -q "buses.infotainment.rx_frames" || fail "no per-bus metrics"
  echo "buses: phone on vcan1 -> Carla, climate on vcan0 ($after frames), destination on vcan1;" \
    "vcan1 deleted: its interlock blocked, vcan0 flowing; re-created: recovered"
}

# CLOCK_MONOTONIC-domain seconds (CLOCK_BOOTTIME: the same in a VM that never suspends).
uptime_s() { cut -d' ' -f1 /proc/uptime; }
# count_hvac SECONDS: HVAC_Request frames cabind sends in a window of that length.
count_hvac() { timeout "$1" candump -L vcan0,200:7FF | wc -l || true; }
step_clock() {  # step_clock SECONDS (negative: back)
  date -s "@$(( $(date +%s) + $1 ))" >/dev/null
  clock_offset=$(( clock_offset + $1 ))
}

case_clock() {
  # The wall clock stepped back 1 h and then forward 2 h while cabind runs with a driver:
  # cyclic HVAC_Request keeps its 100 ms period, and the 10 s `after` rule
  # (commute_destination) fires no earlier than 10 s of real (monotonic) time after the
  # driver was identified.
  clock_offset=0
  trap 'step_clock $(( -clock_offset )); cleanup' EXIT  # a host run gets its clock back
  start_cabind
  wait_ready
  send_parked_car
  "$cabinctl" --json events >"$work/events.log" &
  wait_for 10 sh -c "\"$cabinctl\" --json metrics | grep -Eq '\"subscribers\": *1'" ||
    fail "cabinctl events did not subscribe"
  candump -L -n 1 vcan0,200:7FF >"$work/first.log" &
  identified_at=$(uptime_s)
  present_fob 3   # Alice's fob
  wait_for 10 grep -q " 200#" "$work/first.log" || fail "no HVAC request after Alice's fob"
  before=$(count_hvac 2)
  step_clock -3600
  after_back=$(count_hvac 2)
  step_clock 7200
  stepped_forward_at=$(uptime_s)
  after_forward=$(count_hvac 2)
  echo "clock: HVAC_Request frames per 2 s: $before before, $after_back after -1 h, $after_forward after +2 h"
  /usr/bin/python3 - "$before" "$after_back" "$after_forward" <<'PY' || fail "cyclic period changed by a clock step"
import sys
before, back, forward = map(int, sys.argv[1:])
# 100 ms period: 20 per 2 s, fewer as candump starts inside each window on a loaded VM
# (16, 15, 15 measured with another VM build running). A frozen engine sends 0, a burst
# after a forward step far more: both fail.
assert before >= 8, f"only {before} frames in 2 s at a 100 ms period"
for name, n in (("after -1 h", back), ("after +2 h", forward)):
    assert 0.6 * before <= n <= 1.4 * before, f"{n} frames {name}, {before} before"
PY
  wait_for 30 grep -q '"rule":"commute_destination"' "$work/events.log" ||
    fail "the 10 s after rule never fired"
  fired_seen_at=$(uptime_s)
  /usr/bin/python3 - "$work/events.log" "$identified_at" "$stepped_forward_at" "$fired_seen_at" <<'PY' || fail "after timer timing"
import json, sys
log, identified, forward, seen = sys.argv[1], *map(float, sys.argv[2:])
events = [json.loads(l)["event"] for l in open(log) if l.startswith('{"event"')]
driver = next(e for e in events if e["kind"] == "driver")
fired = next(e for e in events if e["kind"] == "fired" and e.get("rule") == "commute_destination")
# Engine time is CLOCK_MONOTONIC: inside the window the test measured on that clock.
assert identified - 0.05 <= driver["time"] <= seen + 0.05, (identified, driver["time"], seen)
assert fired["time"] - driver["time"] >= 10.0, f"after fired {fired['time'] - driver['time']:.2f} s after the driver"
assert forward < fired["time"] + 0.05, "the +2 h step came after the timer: the test was too slow to check it"
print(f"clock: after rule fired {fired['time'] - driver['time']:.2f} s after the driver "
      f"(engine time), {seen - identified:.2f} s by /proc/uptime")
PY
  echo "clock: cyclic period and after timer unaffected by -1 h / +2 h steps"
}

# SecOC (tests/engine/data/secoc): a signed Keyfob_Secured frame selects its driver; the same
# frame put on the bus again by cansend does not, before or after a restart.
case_secoc() {
  local dir=$work/secoc
  cp -r "$root/tests/engine/data/secoc" "$dir"
  ln -s "$work/config/profiles" "$dir/profiles"
  printf '000102030405060708090a0b0c0d0e0f\n' >"$dir/fob.key"
  chmod 600 "$dir/fob.key"
  sign() { "$cabind" secoc sign --key "$dir/fob.key" --data-id 257 --counter "$1" "122#$2"; }
  local alice bob
  alice=$(sign 1 03000000)
  bob=$(sign 2 05000000)
  start_cabind "$dir/vehicle.yaml"
  wait_ready
  cansend vcan0 "$alice"
  wait_for 10 sh -c "\"$cabinctl\" status | grep -q 'driver.id: alice'" || fail "signed fob frame did not select alice"
  cansend vcan0 "$bob"
  wait_for 10 sh -c "\"$cabinctl\" status | grep -q 'driver.id: bob'" || fail "signed fob frame did not select bob"
  cansend vcan0 "$alice"   # replayed: its counter is not newer than bob's
  wait_for 10 sh -c "\"$cabinctl\" metrics | grep -q 'signals.unauthentic: 1'" || fail "replayed frame not refused"
  "$cabinctl" status | grep -q "driver.id: bob" || fail "the replayed frame changed the driver"
  grep -q "unauthentic value=1: Keyfob_Secured (Data ID 257) failed SecOC verification" "$work/cabind.log" ||
    fail "the refused frame was not logged"
  # Restart: the counter (2) comes back from the store, so bob's frame is still a replay.
  kill -TERM "$pid"
  wait "$pid" || fail "cabind did not stop cleanly"
  pid=""
  start_cabind "$dir/vehicle.yaml"
  wait_ready
  cansend vcan0 "$bob"
  wait_for 10 sh -c "\"$cabinctl\" metrics | grep -q 'signals.unauthentic: 1'" || fail "replay after restart not refused"
  "$cabinctl" status | grep -q "driver.id: bob" && fail "the replay after a restart selected bob"
  cansend vcan0 "$(sign 3 05000000)"
  wait_for 10 sh -c "\"$cabinctl\" status | grep -q 'driver.id: bob'" || fail "a fresh frame after restart did not select bob"
  echo "secoc: signed frames select alice then bob; replays refused before and after a restart"
}

# The web view (web: in vehicle.yaml) of the real daemon on vcan: the page, a refused path,
# and a WebSocket snapshot showing the driver the fob selected (no browser in the VM:
# curl and a stdlib WebSocket reader; the browser test runs on the host, on a replay).
case_web() {
  echo "web: { listen: 127.0.0.1:0 }" >>"$work/config/vehicle.yaml"
  start_cabind
  wait_ready
  url=$(grep -o 'web view on http://[^ ]*' "$work/cabind.log" | cut -d' ' -f4)
  [ -n "$url" ] || fail "the daemon did not log its web view's URL"
  curl -sf "$url" | grep -q "<title>cabind live view</title>" || fail "no page at $url"
  code=$(curl -s -o /dev/null -w '%{http_code}' "${url}etc/passwd")
  [ "$code" = 404 ] || fail "an unknown path answered $code, expected 404"
  send_parked_car
  present_fob 3
  wait_for 10 sh -c "\"$cabinctl\" status | grep -q 'driver.id: alice'" || fail "the fob did not select alice"
  snapshot() { /usr/bin/python3 "$root/tests/web/ws_snapshot.py" "$url"; }
  wait_for 10 sh -c "/usr/bin/python3 '$root/tests/web/ws_snapshot.py' '$url' | grep -q '\"id\":\"alice\"'" ||
    fail "the snapshot does not show alice: $(snapshot | head -c 400)"
  snapshot | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)
body = next(b for b in s["buses"] if b["name"] == "body")
assert body["state"] == "up" and body["frames"] > 0, body
assert any(m["name"] == "BodyInfo" and m["rate"] > 0 for m in s["messages"]), s["messages"]
speed = next(g for g in s["signals"] if g["name"] == "Vehicle.Speed")
assert speed["validity"] == "valid" and speed["value"] == 0, speed
driver = s["driver"]
print("web: driver", driver["id"], "by", driver["source"], "; body", round(body["fps"]), "frames/s")
' || fail "the snapshot is not what the bus says"
  "$cabinctl" metrics | grep -Eq "^web\.not_found[: =]+1$" || fail "metrics do not count the 404: $("$cabinctl" metrics | grep '^web')"
}

# MQTT and Home Assistant (mqtt: in vehicle.yaml) with a real mosquitto in the VM, a home
# listening with mosquitto_sub: Alice's fob on vcan0 -> her presence, the arrived event and
# the active profile at home within 1 s of the fob frame; kill -9 -> the broker publishes
# cabind's will (offline); a restart -> online again.
case_mqtt() {
  local port=18830 thing=car-1
  printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$port" >"$work/mosquitto.conf"
  /usr/sbin/mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
  wait_for 20 mosquitto_pub -h 127.0.0.1 -p "$port" -t probe -m x || fail "mosquitto did not start"
  mosquitto_sub -h 127.0.0.1 -p "$port" -q 1 -F '%U %t %p' -t 'cabind/#' -t 'homeassistant/#' \
    >"$work/home.log" &
  wait_for 20 sh -c "mosquitto_pub -h 127.0.0.1 -p $port -t cabind/probe -m x; grep -q ' cabind/probe ' '$work/home.log'" ||
    fail "mosquitto_sub did not subscribe"
  printf '%s\n' "mqtt: { url: \"mqtt://127.0.0.1:$port\", thing: $thing, shadow: { enabled: false }," \
    "        home_assistant: { commands: [Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature] } }" \
    >>"$work/config/vehicle.yaml"
  start_cabind
  wait_ready
  wait_for 10 grep -q " cabind/$thing/availability online" "$work/home.log" || fail "no online on the availability topic"
  wait_for 10 grep -q " homeassistant/device/$thing/config " "$work/home.log" || fail "no discovery"
  grep " homeassistant/device/$thing/config " "$work/home.log" | head -n 1 | cut -d' ' -f3- |
    /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["dev"]["ids"] and d["o"]["name"] and d["avty_t"].endswith("/availability"), d
for name, c in d["cmps"].items():
    assert c["p"] and c["uniq_id"], (name, c)
assert "presence_alice" in d["cmps"], sorted(d["cmps"])
' || fail "the discovery payload lacks a required field"
  send_parked_car
  listen "$work/fob.log" vcan0,120:7FF
  present_fob 3
  wait_for 10 grep -q " cabind/$thing/presence/alice ON" "$work/home.log" || fail "no presence for alice at home"
  wait_for 10 grep -q " cabind/$thing/driver .*\"arrived\".*\"alice\"" "$work/home.log" || fail "no arrived event"
  wait_for 10 grep -q " cabind/$thing/profile alice" "$work/home.log" || fail "the active profile is not alice"
  if grep -q "Alice" "$work/home.log"; then fail "a name left the car: $(grep Alice "$work/home.log")"; fi
  /usr/bin/python3 - "$work/fob.log" "$work/home.log" "$thing" <<'PY' || fail "presence later than 1 s after the fob frame"
import sys
fob = float(open(sys.argv[1]).readline().split()[0].strip("()"))
at = next(float(l.split()[0]) for l in open(sys.argv[2])
          if l.split()[1:3] == [f"cabind/{sys.argv[3]}/presence/alice", "ON"])
print(f"mqtt: fob frame -> presence at home {1e3 * (at - fob):.1f} ms (includes the 200 ms debounce)")
sys.exit(0 if at - fob < 1.0 else 1)
PY
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
  wait_for 10 grep -q " cabind/$thing/availability offline" "$work/home.log" || fail "no will (offline) after kill -9"
  start_cabind
  wait_ready
  wait_for 10 sh -c "[ \$(grep -c ' cabind/$thing/availability online' '$work/home.log') -ge 2 ]" ||
    fail "no online after the restart"
  echo "mqtt: discovery, presence, arrived and profile at home; offline after kill -9, online after restart"
}

"case_$case_name"
