#!/usr/bin/env bash
# Builds programs/ballast to SBF (scripts/sbf/build.sh, skipped when up to date) and runs the
# compute-unit benchmark (tests/src/bin/cu_bench.rs) against the .so in solana-program-test.
#
#   scripts/sbf/bench.sh            print the table of compute units and the account sizes
#   scripts/sbf/bench.sh --check    the same, and exit 1 when a budget of DESIGN.md is exceeded
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SO=$("$HERE/build.sh")
export BALLAST_SBF_SO_DIR
BALLAST_SBF_SO_DIR=$(dirname "$SO")
cd "$ROOT"
export RUST_LOG=${RUST_LOG:-error}
cargo run -q --locked -p ballast-tests --bin cu_bench -- "$@"
