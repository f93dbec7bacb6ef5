#!/usr/bin/env bash
# Builds programs/ballast to SBF (scripts/sbf/build.sh, skipped when up to date) and runs the
# liquidation benchmark at the maximum positions (tests/src/bin/liquidation_bench) against the
# .so in LiteSVM: a 16-position account liquidated in a v0 transaction through an address lookup
# table, and the same at 2, 4, 8 and 12 positions; withdraw and borrow at 16.
#
#   scripts/sbf/liquidation16.sh            print compute units, heap, tx bytes, account locks
#   scripts/sbf/liquidation16.sh --check    the same, and exit 1 over a ceiling or a chain limit
#
# BALLAST_SBF_SO_DIR set: measure that folder's ballast.so instead of building one (e.g. a build
# whose liquidate handler logs `heap used:`).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
if [ -z "${BALLAST_SBF_SO_DIR:-}" ]; then
  SO=$("$HERE/build.sh")
  BALLAST_SBF_SO_DIR=$(dirname "$SO")
fi
export BALLAST_SBF_SO_DIR
cd "$ROOT"
export RUST_LOG=${RUST_LOG:-error}
cargo run -q --locked -p ballast-tests --bin liquidation_bench -- "$@"
