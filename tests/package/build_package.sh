#!/usr/bin/env bash
# Fixture of the package tests: packs the .deb with CPack from the build the tests run in
# (its binaries, install rules and control files; tools/package makes the release one
# the same way from its own Release build) into OUT, which holds only that package after.
#   build_package.sh BUILD_DIR OUT
set -euo pipefail
build=$1
out=$2
rm -rf "$out"
mkdir -p "$out"
(cd "$build" && cpack -G DEB -B "$out" >"$out/cpack.log" 2>&1) || { cat "$out/cpack.log"; exit 1; }
rm -rf "$out/_CPack_Packages"
ls "$out"/cabind_*.deb
