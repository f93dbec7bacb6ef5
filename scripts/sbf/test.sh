#!/usr/bin/env bash
# Runs the integration tests (tests/integration) against the SBF build of the program instead of
# the native one: TestEnv loads $BALLAST_SBF_SO_DIR/ballast.so. Extra arguments go to the test
# binary (e.g. a test name filter).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SO=$("$HERE/build.sh")
export BALLAST_SBF_SO_DIR
BALLAST_SBF_SO_DIR=$(dirname "$SO")
cd "$ROOT"
cargo test --locked -p ballast-tests --test integration -- "$@"
