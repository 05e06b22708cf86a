#!/usr/bin/env bash
# Debian and Ubuntu ship `venv` separately from Python: install it, then retry.
set -euo pipefail
python="$1"
venv="$2"
package="python3.11-venv"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing $package (needed to create the virtualenv)..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$package" >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$package" >/dev/null; } \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null
  exec "$python" -m venv "$venv"
fi
echo "Cannot create a virtualenv: install it with 'sudo apt-get install $package' and run make again." >&2
exit 1
