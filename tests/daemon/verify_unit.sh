#!/usr/bin/env bash
# systemd-analyze verify accepts the shipped unit, with ExecStart pointing at the
# binary just built (verify checks that the command exists and is executable).
set -euo pipefail
unit=$1
binary=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s|/usr/bin/cabind|$binary|g" "$unit" >"$dir/cabind.service"
out=$(systemd-analyze verify "$dir/cabind.service" 2>&1) || { echo "$out"; exit 1; }
# verify exits 0 on some warnings; treat any line about our unit as a failure.
if echo "$out" | grep -q "cabind.service"; then echo "$out"; exit 1; fi
echo "systemd-analyze verify: cabind.service OK"
