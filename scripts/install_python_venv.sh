#!/usr/bin/env bash
# Debian and Ubuntu ship `venv` separately from Python: install it, then retry.
set -euo pipefail
python="$1"
venv="$2"
version="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
package="python${version}-venv"
# A failed `python -m venv` leaves a half-made folder that would pass for a venv.
rm -rf "$venv"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing $package (needed to create the virtualenv)..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$package" >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$package" >/dev/null; } \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null
  exec "$python" -m venv "$venv"
fi
echo "Cannot create a virtualenv: install it with 'sudo apt-get install $package' and run make again." >&2
exit 1
