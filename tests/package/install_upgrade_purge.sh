#!/usr/bin/env bash
# The package's life in a throw-away root (dpkg --root, no network, no chroot image):
# install, where `cabind --check` passes on the installed example and systemd-analyze
# verify accepts the installed unit; an upgrade to a rebuilt package whose example config
# changed keeps the integrator's edit of a conffile and takes the change of an unedited
# one; remove keeps the configuration; purge removes /etc/cabind and /var/lib/cabind.
#   install_upgrade_purge.sh PACKAGE_DIR VERIFY_UNIT_SCRIPT
# The maintainer scripts run on the host against the root (--force-script-chrootless,
# DPKG_ROOT set): the root has no shell or libraries of its own; the installed binaries
# run with the host's libraries (the same ones the package depends on).
set -euo pipefail
deb=$(ls "$1"/cabind_*.deb)
verify_unit=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
in_root() {
  dpkg --root="$root" --force-depends --force-script-chrootless --log="$work/dpkg.log" \
    "$@" </dev/null >>"$work/dpkg.out" 2>&1 || { cat "$work/dpkg.out" >&2; fail "dpkg $*"; }
}
state() { dpkg-query --root="$root" -W -f='${db:Status-Abbrev} ${Version}' cabind 2>/dev/null || true; }

# --- install
in_root --install "$deb"
version=$(dpkg-deb -f "$deb" Version)
[ "$(state)" = "ii  $version" ] || fail "not installed: $(state)"
out=$("$root/usr/bin/cabind" --check --config "$root/etc/cabind/vehicle.yaml")
grep -q ': ok: ' <<<"$out" || fail "cabind --check on the installed example: $out"
"$verify_unit" "$root/lib/systemd/system/cabind.service" "$root/usr/bin/cabind" >/dev/null ||
  fail "systemd-analyze verify rejects the installed unit"
wants=$root/etc/systemd/system/multi-user.target.wants/cabind.service
[ "$(readlink "$wants")" = /lib/systemd/system/cabind.service ] ||
  fail "the unit is not enabled (no $wants)"
echo "ok: installed $version; cabind --check passes; the unit verifies and is enabled"

# --- upgrade to a rebuilt package: the example's vehicle.yaml and rules.yaml changed
echo "# edited on this head unit" >>"$root/etc/cabind/vehicle.yaml"
edited=$(cat "$root/etc/cabind/vehicle.yaml")
tree=$work/rebuilt
dpkg-deb -R "$deb" "$tree"
echo "# changed in the rebuilt package" >>"$tree/etc/cabind/vehicle.yaml"
echo "# changed in the rebuilt package" >>"$tree/etc/cabind/rules.yaml"
sed -i "s/^Version: .*/Version: $version+rebuilt1/" "$tree/DEBIAN/control"
(cd "$tree" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z |
  xargs -0 md5sum >DEBIAN/md5sums)
dpkg-deb --root-owner-group -b "$tree" "$work/rebuilt.deb" >/dev/null
# --force-confold: what an image build answers to dpkg's question (keep the local file).
in_root --force-confold --install "$work/rebuilt.deb"
[ "$(state)" = "ii  $version+rebuilt1" ] || fail "not upgraded: $(state)"
[ "$(cat "$root/etc/cabind/vehicle.yaml")" = "$edited" ] || fail "the edited vehicle.yaml was replaced"
grep -q "changed in the rebuilt package" "$root/etc/cabind/vehicle.yaml.dpkg-dist" ||
  fail "the new vehicle.yaml was not left beside it as vehicle.yaml.dpkg-dist"
grep -q "changed in the rebuilt package" "$root/etc/cabind/rules.yaml" ||
  fail "the unedited rules.yaml was not upgraded"
"$root/usr/bin/cabind" --check --config "$root/etc/cabind/vehicle.yaml" >/dev/null ||
  fail "cabind --check fails after the upgrade"
echo "ok: upgraded; the edited conffile is kept (new one in .dpkg-dist), the unedited one upgraded"

# --- what the daemon leaves at run time: systemd keeps a DynamicUser= unit's state in
# /var/lib/private/cabind, with /var/lib/cabind a link to it.
mkdir -p "$root/var/lib/private/cabind"
echo state >"$root/var/lib/private/cabind/preferences.sqlite"
ln -s private/cabind "$root/var/lib/cabind"

# --- remove keeps the configuration and the state, purge removes them
in_root --remove cabind
[ ! -e "$root/usr/bin/cabind" ] || fail "remove left /usr/bin/cabind"
[ "$(cat "$root/etc/cabind/vehicle.yaml")" = "$edited" ] || fail "remove deleted the configuration"
[ -e "$root/var/lib/cabind/preferences.sqlite" ] || fail "remove deleted the learned preferences"
in_root --purge cabind
for gone in etc/cabind var/lib/cabind var/lib/private/cabind \
            etc/systemd/system/multi-user.target.wants/cabind.service; do
  if [ -e "$root/$gone" ] || [ -L "$root/$gone" ]; then fail "purge left /$gone"; fi
done
[ -z "$(state | tr -d ' ')" ] || [ "$(state)" = "pn  " ] || fail "still known to dpkg after purge: $(state)"
echo "ok: remove keeps /etc/cabind and /var/lib/cabind; purge removes them and the enablement"
