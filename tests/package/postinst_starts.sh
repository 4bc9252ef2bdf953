#!/usr/bin/env bash
# The package's postinst starts cabind only where systemd is running and only on a
# configuration that passes `cabind --check`:
#   first install, valid config      -> deb-systemd-invoke start
#   upgrade, valid config            -> deb-systemd-invoke restart
#   install or upgrade, config fails -> nothing started, the errors and why on stderr
#   systemd not running, or DPKG_ROOT -> nothing asked of systemd (only systemctl --root=,
#                                       which edits unit symlinks offline)
# Each case runs the real postinst, the real cabind and the real deb-systemd-helper in a
# private mount namespace (unshare -m, as root) with a throw-away overlay on /etc, an empty
# /run (with or without /run/systemd/system), an empty /var/lib/systemd and the package's
# unit alone in /lib/systemd/system, so the host is never touched. There is no systemd in CI: systemctl and deb-systemd-invoke are replaced
# by recorders of their arguments, and the test reads what the script asked of them.
#   postinst_starts.sh POSTINST UNIT CABIND_BIN_DIR EXAMPLE_CONFIG_DIR
set -euo pipefail
postinst=$1
unit=$2
bin_dir=$3
example=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The recorders. systemctl --root=DIR (offline: edits unit symlinks in DIR, as
# deb-systemd-helper's enable does) is passed on to the real systemctl.
real_systemctl=$(command -v systemctl)
mkdir -p "$work/recorders"
for tool in systemctl deb-systemd-invoke; do
  printf '#!/bin/sh\necho "%s $*" >>"$CALLS"\n' "$tool" >"$work/recorders/$tool"
  chmod +x "$work/recorders/$tool"
done
printf 'case "$1" in --root=*) exec %s "$@" ;; esac\n' "$real_systemctl" \
  >>"$work/recorders/systemctl"

# run_case NAME SYSTEMD(yes|no) CONFIG(valid|broken) POSTINST_ARGS...
# (CASE_ENV: more VAR=value words for the postinst's environment)
run_case() {
  local name=$1 systemd=$2 config=$3
  shift 3
  local dir=$work/$name
  # $dir/etc: what the case adds to /etc (the overlay's upper layer).
  mkdir -p "$dir/state" "$dir/units" "$dir/etc" "$dir/overlay-work"
  cp "$unit" "$dir/units/cabind.service"
  cp -r "$example" "$dir/etc/cabind"
  if [ "$config" = broken ]; then
    sed -i 's/^dbc: .*/dbc: missing.dbc/' "$dir/etc/cabind/vehicle.yaml"
  fi
  : >"$dir/calls"
  # What dpkg sets for a maintainer script (deb-systemd-helper insists on it).
  # shellcheck disable=SC2086
  env ${CASE_ENV:-} DPKG_MAINTSCRIPT_PACKAGE=cabind DPKG_MAINTSCRIPT_NAME=postinst \
    CALLS=$dir/calls PATH="$work/recorders:$bin_dir:$PATH" SYSTEMD=$systemd DIR=$dir \
    unshare -m sh -c '
      set -e
      mount --make-rprivate /
      mount -t overlay overlay -o "lowerdir=/etc,upperdir=$DIR/etc,workdir=$DIR/overlay-work" /etc
      mount -t tmpfs tmpfs /run
      [ "$SYSTEMD" = no ] || mkdir -p /run/systemd/system
      mkdir -p /var/lib/systemd
      mount --bind "$DIR/state" /var/lib/systemd
      mount --bind "$DIR/units" /lib/systemd/system
      exec sh "$0" "$@"' "$postinst" "$@" >"$dir/out" 2>&1 ||
    { cat "$dir/out" >&2; fail "$name: postinst $* exited non-zero"; }
}
calls() { cat "$work/$1/calls"; }

run_case install yes valid configure
enabled() { [ -L "$work/$1/etc/systemd/system/multi-user.target.wants/cabind.service" ]; }
enabled install || fail "first install did not enable cabind"
grep -qx 'deb-systemd-invoke start cabind.service' <(calls install) ||
  fail "first install did not start cabind: $(calls install)"
echo "ok: first install under systemd enables and starts cabind"

run_case upgrade yes valid configure 0.0.9
grep -qx 'deb-systemd-invoke restart cabind.service' <(calls upgrade) ||
  fail "upgrade did not restart cabind: $(calls upgrade)"
echo "ok: upgrade under systemd restarts cabind"

for args in "configure" "configure 0.0.9"; do
  name=broken-${args// /-}
  # shellcheck disable=SC2086
  run_case "$name" yes broken $args
  ! grep -q deb-systemd-invoke <(calls "$name") ||
    fail "$args on a failing configuration asked systemd: $(calls "$name")"
  grep -q "fails 'cabind --check'" "$work/$name/out" || fail "$args: no word of the failed check"
  grep -q 'missing.dbc' "$work/$name/out" || fail "$args: the check's errors were not shown"
done
echo "ok: on a configuration that fails cabind --check nothing is started or restarted"

run_case no-systemd no valid configure
! grep -v -- ' --root=' <(calls no-systemd) || fail "without systemd postinst asked systemd"
enabled no-systemd || fail "without systemd the unit's enablement was not recorded"
echo "ok: without a running systemd postinst only records the enablement"

mkdir -p "$work/image/lib/systemd/system"
cp "$unit" "$work/image/lib/systemd/system/"
CASE_ENV="DPKG_ROOT=$work/image" run_case dpkg-root yes valid configure
! grep -v -- ' --root=' <(calls dpkg-root) || fail "with DPKG_ROOT postinst asked systemd"
[ -L "$work/image/etc/systemd/system/multi-user.target.wants/cabind.service" ] ||
  fail "with DPKG_ROOT the enablement was not recorded in DPKG_ROOT"
echo "ok: installing into another root (DPKG_ROOT) records the enablement there, starts nothing"
