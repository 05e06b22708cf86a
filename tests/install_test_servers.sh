#!/usr/bin/env bash
# System programs the test suite runs for real (idempotent; nothing when present).
set -euo pipefail
for script in tests/*/install_test_servers.sh; do
  [ -f "$script" ] && bash "$script"
done
exit 0
