#!/usr/bin/env bash
# The man pages say what --help says: every option (--word) and every command of a
# program's --help is in its rendered man page, and every option a man page describes
# (a .TP item) is in --help.
#   check_man_pages.sh CABIND CABINCTL MAN_DIR
set -euo pipefail
cabind=$1
cabinctl=$2
man_dir=$3
status=0

# Plain text of a man page: groff's ASCII output without overstrike (bold, underline).
render() { groff -man -Tascii -P-c "$1" 2>/dev/null | sed 's/.\x08//g'; }
options() { grep -oE -- '--[a-z][a-z-]*' | sort -u; }
# Items of a page's lists (.TP): the line after each .TP, with groff's escapes undone.
items() { sed -n '/^\.TP/{n;p}' "$1" | sed 's/\\-/-/g; s/\\f[A-Z]//g'; }

compare() {
  local name=$1 help=$2 page=$3 commands=$4
  local text
  text=$(render "$page")
  for option in $(options <<<"$help"); do
    grep -qF -- "$option" <<<"$text" || { echo "FAIL: $name --help has $option, $page does not"; status=1; }
  done
  for command in $commands; do
    grep -qE -- "(^|[^a-z-])$command([^a-z-]|$)" <<<"$text" ||
      { echo "FAIL: $name --help has the command '$command', $page does not"; status=1; }
  done
  for option in $(items "$page" | options); do
    grep -qF -- "$option" <<<"$help" || { echo "FAIL: $page describes $option, $name --help does not"; status=1; }
  done
  echo "checked $name: $(options <<<"$help" | wc -l) options, $(wc -w <<<"$commands") commands"
}

help=$("$cabind" --help)
# cabind's commands: the first word after "cabind" on a usage line, when it is not an option.
commands=$(sed -nE 's/^( *usage:)? +cabind ([a-z][a-z-]*).*/\2/p' <<<"$help" | sort -u)
compare cabind "$help" "$man_dir/cabind.8" "$commands"

help=$("$cabinctl" --help)
# cabinctl's commands: the indented first words of its command list.
commands=$(sed -nE 's/^  ([a-z][a-z_]*) .*/\1/p' <<<"$help" | sort -u)
compare cabinctl "$help" "$man_dir/cabinctl.1" "$commands"
exit $status
