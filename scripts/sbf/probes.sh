#!/usr/bin/env bash
# Where the compute units go: builds the program with the `cu-probes` feature (each stage of the
# hot paths logs the remaining units, `cu_probe!`), runs the LiteSVM benchmark with its logs,
# and prints a table per stage for each case named (default: the 16-position liquidation and
# the every-factor withdraw at 16).
#
#   scripts/sbf/probes.sh ['liquidate (shared) at 16' ...]
#
# The probe build goes to $BALLAST_SBF_CACHE/deploy-cu-probes; the deploy build is untouched.
# Case names are the benchmark's (`scripts/sbf/compute_units.md`).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SO=$(BALLAST_SBF_FEATURES=cu-probes "$HERE/build.sh")
LOG=$(mktemp)
cd "$ROOT"
LIQUIDATION_BENCH_LOGS=1 BALLAST_SBF_SO_DIR=$(dirname "$SO") RUST_LOG=${RUST_LOG:-error} \
  cargo run -q --locked -p ballast-tests --bin liquidation_bench >/dev/null 2>"$LOG"
if [ $# -eq 0 ]; then
  set -- 'liquidate (shared) at 16' 'withdraw (every factor) at 16'
fi
python3 "$HERE/probes.py" "$LOG" "$@"
rm -f "$LOG"
