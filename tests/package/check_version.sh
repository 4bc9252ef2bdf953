#!/usr/bin/env bash
# `cabind --version` and `cabinctl --version` print the CMake project version and the git
# revision of the source they were built from ("unknown" outside a git checkout).
#   check_version.sh CABIND CABINCTL PROJECT_VERSION SOURCE_DIR
set -euo pipefail
version=$3
source=$4
if revision=$(git -C "$source" rev-parse --short=12 HEAD 2>/dev/null); then
  pattern="\\(git $revision(-dirty)?\\)"
else
  pattern="\\(git unknown\\)"
fi
for program in "$1" "$2"; do
  name=$(basename "$program")
  out=$("$program" --version)
  grep -qxE "$name ${version//./\\.} $pattern" <<<"$out" ||
    { echo "FAIL: $name --version printed '$out', expected '$name $version $pattern'"; exit 1; }
  echo "ok: $out"
done
