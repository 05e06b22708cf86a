#!/usr/bin/env bash
# System packages the media server tests run for real: Debian's mpd.
# Idempotent: installs only what is missing. supysonic, jellyfin-sdk and
# embyclient come from requirements/dev.txt (pip), not from here.
set -euo pipefail

if ! command -v mpd >/dev/null 2>&1 && [ ! -x /usr/bin/mpd ]; then
    if [ "$(id -u)" -ne 0 ]; then
        SUDO=sudo
    else
        SUDO=
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq mpd
fi
