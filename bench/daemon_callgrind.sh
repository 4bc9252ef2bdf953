#!/usr/bin/env bash
# bench/daemon_callgrind.sh [BUILD]   callgrind instruction counts of cabind's whole receive
# path (SocketCanBus::on_readable inclusive: recvmmsg batch, engine, decision reporting) on
# the demo configuration with random cangen payloads, as tools/throughput-probe
# drives it. Run it inside the vcan bench; the VM's /tmp is thrown away, so the summary goes
# to standard output:
#   CABIND_VM_CPUS=1 tools/vcan-vm bench/daemon_callgrind.sh
# The counts cover the frames cabind took (printed from its metrics); divide by them. The
# payloads are random, so the decisions differ a little between runs (printed too).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$root/build/bench-release}" && pwd)/bin
work=$(mktemp -d)
SPDLOG_LEVEL=error timeout 600 valgrind --tool=callgrind \
  --toggle-collect='*SocketCanBus::on_readable*' --callgrind-out-file="$work/cg.out" \
  "$bin/cabind" --config "$root/config/demo/vehicle.yaml" --control-socket "$work/ctl.sock" \
  2>"$work/log" & pid=$!
for _ in $(seq 600); do [ -S "$work/ctl.sock" ] && break; sleep 0.1; done
sleep 1
senders=()
for id in 150 160 130 140 120 121 201 211; do
  cangen vcan0 -g 5 -n 250 -I "$id" -L 8 -D r -p 10 & senders+=($!)
done
wait "${senders[@]}"
sleep 2
"$bin/cabinctl" --socket "$work/ctl.sock" metrics |
  grep -E "rx_frames|rx_batches|rx_queue_dropped|decisions\.(fired|sent|driver|learned|left)"
kill -TERM "$pid"
wait "$pid"
callgrind_annotate --inclusive=yes "$work/cg.out" | head -60 | cut -c1-200
callgrind_annotate "$work/cg.out" | sed -n 20,60p | cut -c1-200
