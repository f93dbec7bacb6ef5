#!/usr/bin/env bash
# The SBF lane of CI (.ci/run): build the program to SBF, run the compute-unit benchmark with its
# regression guard (scripts/sbf/bench.sh --check) and the 16-position liquidation in LiteSVM
# (scripts/sbf/liquidation16.sh --check). Runs only where the SBF toolchain
# cache exists (scripts/sbf/toolchain.sh, about 5 minutes and 3 GB, needs Debian's apt): a fresh
# machine without it skips this lane and says so, so CI keeps passing there.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${BALLAST_SBF_CACHE:-$HOME/.cache/ballast-sbf}
if [ ! -f "$CACHE/stamps/toolchain-ready" ]; then
  echo "== sbf: skipped, no toolchain cache in $CACHE (build it with scripts/sbf/toolchain.sh)"
  exit 0
fi
t0=$(date +%s)
echo "== sbf: build (scripts/sbf/build.sh)"
"$HERE/build.sh" >/dev/null
echo "== sbf: compute units and budgets (scripts/sbf/bench.sh --check)"
"$HERE/bench.sh" --check
echo "== sbf: liquidation at 16 positions, v0 + lookup table, in LiteSVM (scripts/sbf/liquidation16.sh --check)"
"$HERE/liquidation16.sh" --check
# The integration tests against the .so (the same tests, the program run as SBF by the runtime;
# BALLAST_SBF_TESTS=0 skips them).
if [ "${BALLAST_SBF_TESTS:-1}" = 1 ]; then
  echo "== sbf: integration tests against the SBF build (scripts/sbf/test.sh)"
  RUST_LOG=${RUST_LOG:-error} "$HERE/test.sh"
else
  echo "== sbf: integration tests against the .so skipped (BALLAST_SBF_TESTS=0)"
fi
echo "== sbf: done in $(($(date +%s) - t0))s"
