#!/usr/bin/env bash
# Stops what scripts/localnet/start.sh started (the validator and the price publisher).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=${BALLAST_LOCALNET_DIR:-$(cd "$HERE/../.." && pwd)/.localnet}
for name in publisher validator; do
  pid_file=$DIR/$name.pid
  [ -f "$pid_file" ] || continue
  pid=$(cat "$pid_file")
  # Only ours: a pid file left by a crash may name a reused pid.
  if ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qE "solana-test-validator|ballast-localnet"; then
    rm -f "$pid_file"
    continue
  fi
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    echo "== localnet: stopped the $name ($pid)"
  fi
  rm -f "$pid_file"
done
