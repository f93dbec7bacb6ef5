#!/usr/bin/env bash
# Builds the SBF toolchain into the cache (never into the repo), from Debian packages and crates.io
# only: Solana's `cargo build-sbf` downloads its platform tools from a host these machines cannot
# reach. Idempotent: every step leaves a stamp naming its inputs and is skipped when it matches.
#
#   1. Debian bookworm-security rustc-web 1.96 + rust-web-src + cargo-web, unpacked privately;
#      std patched to build for a target whose target_os is "solana" (patch-std-solana.py).
#   2. libLLVM 23 and its runtime from Debian sid, unpacked privately (system apt untouched).
#   3. sbpf-linker (crates.io) built against that LLVM; bpf-linker gets LLVM's lower-atomic pass;
#      solana-compiler-builtins' i128 helpers (multiply, and signed and unsigned divide/remainder)
#      get LLVM's libcall ABI.
#
# Cache: ${BALLAST_SBF_CACHE:-$HOME/.cache/ballast-sbf} (about 3 GB). Cold: about 15 minutes.
# Installs one system package: libgit2-1.5 (Debian's cargo links it).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
source "$HERE/versions.env"
CACHE=${BALLAST_SBF_CACHE:-$HOME/.cache/ballast-sbf}
mkdir -p "$CACHE"/{debs,debs-sid,src,bin,stamps}
cd "$CACHE"
t0=$(date +%s)
step() { echo "== sbf toolchain [$(($(date +%s) - t0))s] $*"; }
stamp_ok() { [ -f "stamps/$1" ] && [ "$(cat "stamps/$1")" = "$2" ]; }
stamp_set() { echo "$2" >"stamps/$1"; }

# apt-get download pkg=version, falling back to the current candidate when the pin is gone.
download_pinned() {
  local dir=$1
  shift
  local -a apt_opts=()
  while [ "$1" != -- ]; do apt_opts+=("$1"); shift; done
  shift
  for spec in "$@"; do
    local name=${spec%%=*}
    if ls "$dir/${name}_"*.deb >/dev/null 2>&1; then continue; fi
    if ! (cd "$dir" && apt-get "${apt_opts[@]}" download -qq "$spec" >/dev/null 2>&1); then
      echo "!! WARNING: $spec is no longer on the mirror; taking the current $name. Update scripts/sbf/versions.env." >&2
      (cd "$dir" && apt-get "${apt_opts[@]}" download -qq "$name")
    fi
  done
}

# ---- 1. rustc 1.96 + std sources -------------------------------------------------------------
KEY1="$RUST_DEB_VERSION $LLVM22_DEB_VERSION $(sha256sum "$HERE/patch-std-solana.py" | cut -c1-16)"
if ! dpkg -s libgit2-1.5 >/dev/null 2>&1; then
  step "installing libgit2-1.5 (Debian's cargo needs it)"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends libgit2-1.5 >/dev/null
fi
if stamp_ok rust "$KEY1"; then
  step "1. rustc $RUST_DEB_VERSION: cached"
else
  step "1. Debian rustc-web $RUST_DEB_VERSION + rust-src -> $CACHE/rust"
  apt-get update -qq
  V=$RUST_DEB_VERSION
  download_pinned debs -- rustc-web=$V libstd-rust-web-1.96=$V libstd-rust-web-dev=$V rust-web-src=$V \
    cargo-web=$V "libllvm22=$LLVM22_DEB_VERSION"
  rm -rf rust && mkdir rust
  for f in debs/*.deb; do dpkg -x "$f" rust; done
  python3 "$HERE/patch-std-solana.py" "$CACHE/rust/usr/lib/rustlib/src/rust"
  stamp_set rust "$KEY1"
fi

# ---- 2. libLLVM 23 from sid --------------------------------------------------------------------
KEY2="$SID_DEBS"
SIDLIB=$CACHE/sid/usr/lib/x86_64-linux-gnu
if stamp_ok sid "$KEY2"; then
  step "2. sid libLLVM 23: cached"
else
  step "2. libLLVM 23 + its runtime from Debian sid (private apt state)"
  mkdir -p sidapt/lists/partial sidapt/cache/archives/partial
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main" \
    >sidapt/sources.list
  APT_SID=(-o Dir::Etc::sourcelist="$CACHE/sidapt/sources.list" -o Dir::Etc::sourceparts=-
    -o Dir::State::Lists="$CACHE/sidapt/lists" -o Dir::Cache="$CACHE/sidapt/cache")
  apt-get "${APT_SID[@]}" update -qq
  # shellcheck disable=SC2086
  download_pinned debs-sid "${APT_SID[@]}" -- $SID_DEBS
  rm -rf sid && mkdir sid
  for f in debs-sid/*.deb; do dpkg -x "$f" sid; done
  stamp_set sid "$KEY2"
fi

# ---- 3. crate sources, patched ----------------------------------------------------------------
SCB=$CACHE/src/solana-compiler-builtins-$COMPILER_BUILTINS_VERSION
LINKER_SRC=$CACHE/src/sbpf-linker-$SBPF_LINKER_VERSION
# Bump a *_PATCH_REV when its patch below changes.
LINKER_PATCH_REV=2
BUILTINS_PATCH_REV=2
KEY3="$SBPF_LINKER_VERSION $BPF_LINKER_VERSION linker-patch$LINKER_PATCH_REV"
KEY3B="$COMPILER_BUILTINS_VERSION builtins-patch$BUILTINS_PATCH_REV"
if stamp_ok linker-src "$KEY3" && stamp_ok builtins-src "$KEY3B"; then
  step "3. crate sources: cached"
else
  step "3. fetch sbpf-linker $SBPF_LINKER_VERSION, bpf-linker $BPF_LINKER_VERSION, solana-compiler-builtins $COMPILER_BUILTINS_VERSION"
  rm -rf fetch && mkdir -p fetch/src && touch fetch/src/lib.rs
  cat >fetch/Cargo.toml <<EOF
[package]
name = "fetch"
version = "0.0.0"
edition = "2021"
[dependencies]
sbpf-linker = { version = "=$SBPF_LINKER_VERSION", default-features = false }
bpf-linker = { version = "=$BPF_LINKER_VERSION", default-features = false }
solana-compiler-builtins = "=$COMPILER_BUILTINS_VERSION"
EOF
  (cd fetch && cargo +stable fetch -q)
  REG=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/index.crates.io-*/ | head -1)
fi
if ! stamp_ok linker-src "$KEY3"; then
  for c in sbpf-linker-$SBPF_LINKER_VERSION bpf-linker-$BPF_LINKER_VERSION; do
    rm -rf "src/$c"
    cp -r "$REG/$c" src/
  done
  # bpf-linker: run LLVM's lower-atomic pass (SBPF is single threaded and has no atomics).
  python3 - "$CACHE/src/bpf-linker-$BPF_LINKER_VERSION/src/llvm/mod.rs" <<'EOF'
import sys; p=sys.argv[1]; s=open(p).read()
old='        // NB: This seems to be included in most default pipelines'
assert old in s; s=s.replace(old,'        "lower-atomic",\n'+old,1); open(p,'w').write(s)
EOF
  # sbpf-linker, SBPF v0: a call's stack arguments (a function of more than 5 arguments) are
  # stored just above the caller's frame and read from the bottom of the callee's. v0 frames have
  # a gap of one frame between them (the runtime always enables stack frame gaps for v0), so the
  # caller must store one frame further up; the linker assumed adjacent frames, and a v0 program
  # died with "Access violation in stack frame 1". v3 (dynamic frames) is left as it was.
  python3 - "$CACHE/src/sbpf-linker-$SBPF_LINKER_VERSION" <<'EOF'
import sys; root=sys.argv[1]
p=root+'/src/fuse_args_stack.rs'; s=open(p).read()
old='pub fn rewrite_r11_stack_args(\n    ast: &mut AST,\n    stack_frame_size: i32,\n)'
assert old in s; s=s.replace(old,'pub fn rewrite_r11_stack_args(\n    ast: &mut AST,\n    stack_frame_size: i32,\n    frame_gaps: bool,\n)',1)
old='            let Some(new_off) = off.checked_neg() else {'
assert old in s
s=s.replace(old,'            let gap: i32 = if frame_gaps { stack_frame_size } else { 0 };\n            let Some(new_off) = i16::try_from(gap - i32::from(off)).ok() else {',1)
open(p,'w').write(s)
p=root+'/src/byteparser.rs'; s=open(p).read()
old='rewrite_r11_stack_args(&mut ast, stack_frame_size)'
assert old in s; s=s.replace(old,'rewrite_r11_stack_args(&mut ast, stack_frame_size, !arch.is_v3())',1)
open(p,'w').write(s)
EOF
  stamp_set linker-src "$KEY3"
  rm -f stamps/linker
fi
if ! stamp_ok builtins-src "$KEY3B"; then
  rm -rf "$SCB"
  cp -r "$REG/solana-compiler-builtins-$COMPILER_BUILTINS_VERSION" src/
  python3 "$HERE/patch-compiler-builtins.py" "$SCB/src/lib.rs"
  stamp_set builtins-src "$KEY3B"
fi

# ---- 4. sbpf-linker against sid's libLLVM 23 --------------------------------------------------
if stamp_ok linker "$KEY3" && [ -x "$LINKER_SRC/target/release/sbpf-linker" ]; then
  step "4. sbpf-linker: cached"
else
  step "4. build sbpf-linker against sid's libLLVM 23"
  (cd "$LINKER_SRC" && rm -f rust-toolchain.toml &&
    RUSTFLAGS="-C link-arg=$SIDLIB/libLLVM.so.23.1 -C link-arg=-Wl,--allow-shlib-undefined" \
      cargo +stable build -q --release --no-default-features \
      --features bpf-linker/llvm-23,bpf-linker/no-llvm-linking \
      --config "patch.crates-io.bpf-linker.path='$CACHE/src/bpf-linker-$BPF_LINKER_VERSION'" --bin sbpf-linker)
  stamp_set linker "$KEY3"
fi
cat >bin/sbpf-linker <<EOF
#!/bin/sh
exec env -u LD_LIBRARY_PATH "$SIDLIB/ld-linux-x86-64.so.2" --library-path "$SIDLIB" "$LINKER_SRC/target/release/sbpf-linker" "\$@"
EOF
chmod +x bin/sbpf-linker
bin/sbpf-linker --version
touch stamps/toolchain-ready
step "toolchain ready in $CACHE"
