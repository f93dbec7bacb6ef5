#!/usr/bin/env bash
# The localnet lane of CI (.ci/run): starts Ballast on solana-test-validator (start.sh
# --background, in a folder of its own) and runs the JSON-RPC tests of the `ballast` CLI and the
# keeper against it (app/localnet/tests/rpc_*.rs, run with `--ignored`). Runs only
# where the validator (install-validator.sh, about 40 minutes cold) and the SBF toolchain
# (scripts/sbf/toolchain.sh) are built; otherwise it says so and skips, so CI passes on a fresh
# machine.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=versions.env
source "$HERE/versions.env"
CACHE=${BALLAST_LOCALNET_CACHE:-$HOME/.cache/ballast-localnet}
SBF_CACHE=${BALLAST_SBF_CACHE:-$HOME/.cache/ballast-sbf}
# Only the version pinned in versions.env: another would make start.sh rebuild it (40 minutes).
if [ "$("$CACHE/bin/solana-test-validator" --version 2>/dev/null | awk '{print $2}')" != "$AGAVE_VERSION" ]; then
  echo "== localnet: skipped, no solana-test-validator $AGAVE_VERSION in $CACHE (build it with scripts/localnet/install-validator.sh)"
  exit 0
fi
if [ ! -f "$SBF_CACHE/stamps/toolchain-ready" ]; then
  echo "== localnet: skipped, no SBF toolchain in $SBF_CACHE (scripts/sbf/toolchain.sh)"
  exit 0
fi
t0=$(date +%s)
# A folder of its own, removed afterwards (its ledger is about 80 MB), unless one is given.
if [ -z "${BALLAST_LOCALNET_DIR:-}" ]; then
  BALLAST_LOCALNET_DIR=$(mktemp -d /tmp/ballast-localnet.XXXXXX)
  trap '"$HERE/stop.sh" >/dev/null 2>&1 || true; rm -rf "$BALLAST_LOCALNET_DIR"' EXIT
else
  trap '"$HERE/stop.sh" >/dev/null 2>&1 || true' EXIT
fi
export BALLAST_LOCALNET_DIR
# The workspace's test build (nothing to do right after `cargo test --workspace`): it holds the
# binaries the tests run, and building the same way twice rebuilds nothing.
(cd "$ROOT" && cargo test --workspace --locked -q --no-run)
BALLAST_LOCALNET_PREBUILT=1 "$HERE/start.sh" --background
echo "== localnet: up in $(($(date +%s) - t0))s; JSON-RPC tests (app/localnet/tests: rpc_cli, rpc_keeper)"
(cd "$ROOT" && cargo test --workspace --locked -q --test rpc_cli --test rpc_keeper -- --ignored --test-threads=1)
echo "== localnet: done in $(($(date +%s) - t0))s"
