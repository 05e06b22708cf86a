#!/usr/bin/env bash
# System programs the test suite runs for real, from Debian's packages: mpd (the media
# server contract runs a real MPD) and chromium (the browser tests launch it by path;
# `playwright install` would download a browser, which we never do). supysonic,
# jellyfin-sdk and embyclient come from requirements/dev.txt (pip), not from here.
# Idempotent: installs only what is missing.
set -euo pipefail

missing=()
command -v mpd >/dev/null 2>&1 || [ -x /usr/bin/mpd ] || missing+=(mpd)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq "${missing[@]}"
fi
