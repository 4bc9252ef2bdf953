#!/usr/bin/env bash
# The package's file list (dpkg-deb -c) is exactly the daemon's layout, with owners and
# modes, and every file under /etc/cabind is a conffile (also in the Yocto recipe, which
# lists them by hand).
#   check_contents.sh PACKAGE_DIR SOURCE_DIR
set -euo pipefail
deb=$(ls "$1"/cabind_*.deb)
source=$2
fail() { echo "FAIL: $*" >&2; exit 1; }

examples=$(cd "$source/config/demo" && find . -type f | sed 's|^\./|etc/cabind/|' | sort)
expected=$(sort <<LIST
usr/bin/cabind
usr/bin/cabinctl
lib/systemd/system/cabind.service
usr/share/man/man8/cabind.8.gz
usr/share/man/man1/cabinctl.1.gz
usr/share/doc/cabind/README.md
usr/share/doc/cabind/changelog.gz
usr/share/doc/cabind/configuration.md
usr/share/doc/cabind/copyright
usr/share/doc/cabind/operations.md
usr/share/doc/cabind/rules.md
$examples
LIST
)
listing=$(dpkg-deb -c "$deb")
files=$(awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $6 }' <<<"$listing" | sort)
if [ "$files" != "$expected" ]; then
  diff <(echo "$expected") <(echo "$files") >&2 || true
  fail "file list differs from the expected layout (< expected, > in the package)"
fi

# Owners and modes: root-owned, binaries executable, everything else read-only to others.
while read -r mode owner _ _ _ path; do
  [ "$owner" = root/root ] || fail "$path is owned by $owner"
  case "$path" in
    */) [ "$mode" = drwxr-xr-x ] || fail "$path has mode $mode" ;;
    ./usr/bin/*) [ "$mode" = -rwxr-xr-x ] || fail "$path has mode $mode" ;;
    *) [ "$mode" = -rw-r--r-- ] || fail "$path has mode $mode" ;;
  esac
done <<<"$listing"

conffiles=$(dpkg-deb -I "$deb" conffiles | sort)
[ "$conffiles" = "$(sed 's|^|/|' <<<"$examples")" ] ||
  fail "conffiles are not the files under /etc/cabind: $conffiles"
recipe=$source/packaging/yocto/cabind_git.bb
yocto=$(grep -oE '\$\{sysconfdir\}/cabind/[^ ]+' "$recipe" | sed 's|^${sysconfdir}|/etc|' | sort)
[ "$yocto" = "$conffiles" ] || fail "the CONFFILES of $recipe are not the package's: $yocto"
for script in postinst prerm postrm; do
  dpkg-deb -I "$deb" "$script" | head -1 | grep -qx '#!/bin/sh' || fail "no $script script"
done
dpkg-deb -f "$deb" Depends | grep -q 'libc6' || fail "Depends has no shlibdeps: $(dpkg-deb -f "$deb" Depends)"
echo "ok: $(wc -l <<<"$files") files in the expected layout, $(wc -l <<<"$conffiles") conffiles"
