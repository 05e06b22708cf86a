#!/usr/bin/env bash
# System packages the browser tests drive: Debian's Chromium, which Playwright
# launches by path (`playwright install` would download a browser, which we
# never do). Idempotent: installs only when /usr/bin/chromium is missing.
set -euo pipefail

if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" -ne 0 ]; then
        SUDO=sudo
    else
        SUDO=
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq chromium
fi
