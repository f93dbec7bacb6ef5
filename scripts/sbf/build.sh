#!/usr/bin/env bash
# Builds programs/ballast to an SBF shared object, as a normal deploy build (default features, with
# the entrypoint), with the toolchain from scripts/sbf/toolchain.sh (run first if missing).
#
#   scripts/sbf/build.sh            -> $BALLAST_SBF_CACHE/deploy/ballast.so   (SBPF v0), and beside it
#                                      pyth_localnet.so (the local validator's stand-in Pyth receiver)
#   BALLAST_SBF_ARCH=v3 scripts/sbf/build.sh -> $BALLAST_SBF_CACHE/deploy-v3/ballast.so
#   BALLAST_SBF_FEATURES=cu-probes scripts/sbf/build.sh -> $BALLAST_SBF_CACHE/deploy-cu-probes/ballast.so
#     (a measurement build with program features on, in its own output folder)
#
# The workspace is copied into the cache first (all of it but target/ and .git), because
# the build patches a crate through `[patch]`, which rewrites Cargo.lock: the repo's files are never
# touched and the repo's target/ is never locked. Idempotent: skipped when the sources, the lock,
# these scripts and the toolchain are unchanged since the last build. Prints the .so's path last.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CACHE=${BALLAST_SBF_CACHE:-$HOME/.cache/ballast-sbf}
ARCH=${BALLAST_SBF_ARCH:-v0}
case "$ARCH" in
v0) CPU=v2 OUT=$CACHE/deploy ;;
v3) CPU=v4 OUT=$CACHE/deploy-v3 ;;
*) echo "BALLAST_SBF_ARCH must be v0 or v3" >&2; exit 2 ;;
esac
FEATURES=${BALLAST_SBF_FEATURES:-}
SUFFIX=""
if [ -n "$FEATURES" ]; then
  SUFFIX=-$(echo "$FEATURES" | tr ', ' '--')
  OUT=$OUT$SUFFIX
fi
# shellcheck source=versions.env
source "$HERE/versions.env"

if [ ! -f "$CACHE/stamps/toolchain-ready" ]; then
  "$HERE/toolchain.sh" >&2
fi

# Inputs of the build: everything that can change the .so.
inputs_hash() {
  (
    cd "$ROOT"
    find programs crates -type f \( -name '*.rs' -o -name 'Cargo.toml' \) -print0 | sort -z | xargs -0 sha256sum
    sha256sum Cargo.toml Cargo.lock "$HERE"/build.sh "$HERE"/sbpf-solana-solana.json "$HERE"/versions.env
    cat "$CACHE"/stamps/* 2>/dev/null
    echo "$ARCH ${BALLAST_SBF_STACK_SIZE:-} ${BALLAST_SBF_EXTRA_LINK_ARGS:-} $FEATURES"
  ) | sha256sum | cut -c1-32
}
HASH=$(inputs_hash)
if [ -f "$OUT/ballast.so" ] && [ "$(cat "$OUT/ballast.so.inputs" 2>/dev/null)" = "$HASH" ]; then
  echo "== sbf build ($ARCH): up to date" >&2
  echo "$OUT/ballast.so"
  exit 0
fi

t0=$(date +%s)
echo "== sbf build ($ARCH): copying the workspace to $CACHE/ws" >&2
WS=$CACHE/ws
mkdir -p "$WS"
# rsync keeps mtimes, so cargo rebuilds only what changed.
if command -v rsync >/dev/null 2>&1; then
  rsync -a --delete --exclude /target --exclude .git --exclude node_modules --exclude '*-out' "$ROOT/" "$WS/"
else
  rm -rf "$WS" && mkdir -p "$WS"
  (cd "$ROOT" && tar --exclude=./target --exclude=.git -cf - .) | (cd "$WS" && tar -xf -)
fi

SIDLIB=$CACHE/sid/usr/lib/x86_64-linux-gnu
SCB=$CACHE/src/solana-compiler-builtins-$COMPILER_BUILTINS_VERSION
export PATH=$CACHE/bin:$PATH
export LD_LIBRARY_PATH=$CACHE/rust/usr/lib/x86_64-linux-gnu
export RUSTC=$CACHE/rust/usr/bin/rustc RUSTDOC=$CACHE/rust/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
unset RUSTC_WRAPPER RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_ENCODED_RUSTFLAGS
export CARGO_TARGET_DIR=$CACHE/target-$ARCH
export CARGO_TERM_COLOR=never
# The target spec's name must stay sbpf-solana-solana (it is the target's name); the CPU differs
# per SBPF version: v0 takes LLVM's v2 instruction set, v3 takes v4.
SPEC_DIR=$CACHE/spec-$ARCH
mkdir -p "$SPEC_DIR"
sed "s/\"cpu\": \"v4\"/\"cpu\": \"$CPU\"/" "$HERE/sbpf-solana-solana.json" >"$SPEC_DIR/sbpf-solana-solana.json"
FLAGS='"-Zunstable-options", "-Cpanic=immediate-abort", "-Crelocation-model=static"'
# 4096: SBF's stack frame. LLVM refuses a function whose frame is larger, which is the point (a v0
# program would overrun its frame at run time). BALLAST_SBF_EXTRA_LINK_ARGS and a larger
# BALLAST_SBF_STACK_SIZE are for diagnosis only, e.g. to print every function's frame size:
#   BALLAST_SBF_STACK_SIZE=65536 BALLAST_SBF_EXTRA_LINK_ARGS="--llvm-args=-pass-remarks-analysis=prologepilog
#   --log-level=info --log-file=/tmp/sbpf-link.log" scripts/sbf/build.sh
# shellcheck disable=SC2206
EXTRA=(${BALLAST_SBF_EXTRA_LINK_ARGS:-})
for a in "--arch=$ARCH" --deploy=false "--llvm-args=--bpf-stack-size=${BALLAST_SBF_STACK_SIZE:-4096}" "${EXTRA[@]}" \
  --llvm-args=--bpf-max-stores-per-memfunc=5 --llvm-args=--disable-gotox --llvm-args=--disable-ldsx \
  --llvm-args=--disable-movsx --llvm-args=--disable-bswap; do
  FLAGS="$FLAGS, \"-Clink-arg=$a\""
done

# Cargo does not track the linker: after a toolchain change, make it link the program again.
TOOLCHAIN_ID=$(cat "$CACHE"/stamps/* | sha256sum | cut -c1-16)
if [ "$(cat "$CARGO_TARGET_DIR/.toolchain-id" 2>/dev/null)" != "$TOOLCHAIN_ID" ]; then
  rm -rf "$CARGO_TARGET_DIR"/sbpf-solana-solana/release/.fingerprint/{ballast,pyth-localnet}-*
  mkdir -p "$CARGO_TARGET_DIR"
  echo "$TOOLCHAIN_ID" >"$CARGO_TARGET_DIR/.toolchain-id"
fi

cd "$WS"
LOG=$CACHE/build-$ARCH.log
echo "== sbf build ($ARCH): cargo build -p ballast (log: $LOG)" >&2
# A deploy build also builds the localnet's Pyth stand-in; a measurement build only the program.
PACKAGES=(-p ballast -p pyth-localnet)
if [ -n "$FEATURES" ]; then PACKAGES=(-p ballast --features "$FEATURES"); fi
if ! "$CACHE/rust/usr/bin/cargo" build --release "${PACKAGES[@]}" \
  -Zjson-target-spec -Zbuild-std=std,panic_abort \
  --target "$SPEC_DIR/sbpf-solana-solana.json" \
  --config "patch.crates-io.solana-compiler-builtins.path='$SCB'" \
  --config "target.sbpf-solana-solana.rustflags=[$FLAGS]" >"$LOG" 2>&1; then
  grep -E '^error|ERROR llvm' "$LOG" | grep -v 'linking with' | cut -c1-400 | head -20 >&2 || true
  echo "== sbf build ($ARCH): FAILED (full log: $LOG)" >&2
  exit 1
fi
mkdir -p "$OUT"
if [ -z "$FEATURES" ]; then
  cp "$CARGO_TARGET_DIR/sbpf-solana-solana/release/libpyth_localnet.so" "$OUT/pyth_localnet.so"
fi
cp "$CARGO_TARGET_DIR/sbpf-solana-solana/release/libballast.so" "$OUT/ballast.so.tmp"
mv "$OUT/ballast.so.tmp" "$OUT/ballast.so"
echo "$HASH" >"$OUT/ballast.so.inputs"
echo "== sbf build ($ARCH): done in $(($(date +%s) - t0))s, $(stat -c %s "$OUT/ballast.so") bytes" >&2
echo "$OUT/ballast.so"
