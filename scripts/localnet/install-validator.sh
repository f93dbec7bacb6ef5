#!/usr/bin/env bash
# Builds solana-test-validator (the agave-validator crate's binary, 3.1.12, the agave line of the
# workspace's solana-program-test) from crates.io into $BALLAST_LOCALNET_CACHE (default
# ~/.cache/ballast-localnet). About 35-40 minutes cold on two cores; seconds when built.
# Needs Debian's libclang-dev (bindgen for RocksDB), installed here when apt is available.
# The crate's own Cargo.lock is used (--locked); its target directory is kept in the cache, apart
# from the workspace's, so the workspace's builds and this one never invalidate each other.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
source "$HERE/versions.env"
CACHE=${BALLAST_LOCALNET_CACHE:-$HOME/.cache/ballast-localnet}
BIN=$CACHE/bin/solana-test-validator
if [ -x "$BIN" ] && [ "$("$BIN" --version 2>/dev/null | awk '{print $2}')" = "$AGAVE_VERSION" ]; then
  echo "== localnet: solana-test-validator $AGAVE_VERSION is built ($BIN)" >&2
  exit 0
fi
if ! ls /usr/lib/llvm-*/lib/libclang.so* >/dev/null 2>&1 && ! ls /usr/lib/x86_64-linux-gnu/libclang*.so* >/dev/null 2>&1; then
  echo "== localnet: installing libclang-dev (bindgen needs libclang)" >&2
  if command -v apt-get >/dev/null 2>&1; then
    (apt-get install -y libclang-dev >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y libclang-dev >/dev/null 2>&1; }) ||
      { echo "== localnet: apt-get install libclang-dev failed" >&2; exit 1; }
  else
    echo "== localnet: libclang is missing and there is no apt-get; install libclang-dev" >&2
    exit 1
  fi
fi
mkdir -p "$CACHE"
t0=$(date +%s)
echo "== localnet: building solana-test-validator $AGAVE_VERSION (log: $CACHE/build.log)" >&2
unset RUSTC_WRAPPER RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_ENCODED_RUSTFLAGS
if ! CARGO_TARGET_DIR=$CACHE/target CARGO_TERM_COLOR=never cargo install agave-validator \
  --version "=$AGAVE_VERSION" --locked --bin solana-test-validator --root "$CACHE" >"$CACHE/build.log" 2>&1; then
  grep -E '^error' -A5 "$CACHE/build.log" | head -40 >&2 || true
  echo "== localnet: build FAILED (full log: $CACHE/build.log)" >&2
  exit 1
fi
echo "== localnet: built in $(($(date +%s) - t0))s: $BIN" >&2
