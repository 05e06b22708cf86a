#!/usr/bin/env bash
# Print the path of a supported CPython (3.11 to 3.14): the newest one found,
# or the oldest with --oldest. Looks on PATH (python3.14 ... python3.11, then
# python3), then in pyenv's versions. Exits 1 with a message when none runs.
set -uo pipefail
order="newest"
[ "${1:-}" = "--oldest" ] && order="oldest"
minors=(14 13 12 11)
[ "$order" = "oldest" ] && minors=(11 12 13 14)

# The interpreter's minor version when it runs and is CPython 3.11-3.14, else nothing.
supported_minor() {
  "$1" -c 'import sys, platform
v = sys.version_info
ok = platform.python_implementation() == "CPython" and v[0] == 3 and 11 <= v[1] <= 14
print(v[1] if ok else "")' 2>/dev/null
}

pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
for minor in "${minors[@]}"; do
  candidates=("python3.$minor")
  [ "$minor" = "$(supported_minor python3)" ] && candidates+=("python3")
  for found in "$pyenv_root"/versions/3."$minor".*/bin/python3."$minor"; do
    [ -x "$found" ] && candidates+=("$found")
  done
  for candidate in "${candidates[@]}"; do
    path="$(command -v "$candidate" 2>/dev/null)" || continue
    if [ "$(supported_minor "$path")" = "$minor" ]; then
      echo "$path"
      exit 0
    fi
  done
done
echo "No supported Python found: AudioMuse needs CPython 3.11, 3.12, 3.13 or 3.14" \
  "(on Debian/Ubuntu: sudo apt-get install python3 python3-venv), or set PYTHON=/path/to/python3.x" >&2
exit 1
