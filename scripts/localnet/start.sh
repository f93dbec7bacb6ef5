#!/usr/bin/env bash
# Ballast on a local validator, in one command:
#
#   scripts/localnet/start.sh               # runs until Ctrl-C
#   scripts/localnet/start.sh --background  # returns once it is up; scripts/localnet/stop.sh ends it
#
# 1. builds what it runs, each step skipped when up to date: solana-test-validator 3.1.12
#    (install-validator.sh; about 40 minutes the first time), the program and the Pyth stand-in
#    to SBF (scripts/sbf/build.sh), and the workspace's binaries (ballast, ballast-keeper,
#    ballast-localnet);
# 2. writes the genesis accounts (ballast-localnet genesis: the authority's SOL, one Pyth
#    PriceUpdateV2 per asset at its sponsored-feed address, owned by the receiver's address);
# 3. starts solana-test-validator on 127.0.0.1 (JSON-RPC :8899, websocket :8900) with Ballast as
#    an upgradeable program (the authority may upgrade it), the Pyth stand-in at the receiver's
#    address, and SPL Token, Token-2022 and the associated token program from its own genesis;
# 4. applies the deployment (ballast-localnet setup: mints, migrations/sandbox.toml through
#    deploy::apply, a liquidity provider's deposits) and starts the price publisher (every
#    price re-posted every 20 s at the cluster's clock, so that none goes stale).
#
# Files: $BALLAST_LOCALNET_DIR (default .localnet): keypairs, accounts/, state.json, ledger/,
# validator.log, publisher.log. The ledger starts empty on every start (--reset); the keypairs,
# and so the group's address, stay.
# Ports: BALLAST_LOCALNET_RPC_PORT (8899; the websocket is the next port), the validator's
# dynamic ports from BALLAST_LOCALNET_PORT_RANGE (21000-21200), the faucet's at RPC + 1001.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BACKGROUND=0
[ "${1:-}" = --background ] && BACKGROUND=1
DIR=${BALLAST_LOCALNET_DIR:-$ROOT/.localnet}
mkdir -p "$DIR" && DIR=$(cd "$DIR" && pwd)
export BALLAST_LOCALNET_DIR=$DIR
CONFIG=${BALLAST_LOCALNET_CONFIG:-$ROOT/migrations/sandbox.toml}
RPC_PORT=${BALLAST_LOCALNET_RPC_PORT:-8899}
PORT_RANGE=${BALLAST_LOCALNET_PORT_RANGE:-21000-21200}
URL=http://127.0.0.1:$RPC_PORT
CACHE=${BALLAST_LOCALNET_CACHE:-$HOME/.cache/ballast-localnet}

if [ -f "$DIR/validator.pid" ] && kill -0 "$(cat "$DIR/validator.pid")" 2>/dev/null; then
  echo "== localnet: already running (pid $(cat "$DIR/validator.pid")); scripts/localnet/stop.sh first" >&2
  exit 1
fi
# Another validator (or anything) on the port would answer for ours: setup would run on it.
if (exec 3<>"/dev/tcp/127.0.0.1/$RPC_PORT") 2>/dev/null; then
  echo "== localnet: something already listens on 127.0.0.1:$RPC_PORT (BALLAST_LOCALNET_RPC_PORT picks another port)" >&2
  exit 1
fi
"$HERE/install-validator.sh"
SO_DIR=$(dirname "$("$ROOT/scripts/sbf/build.sh")")
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/debug
# BALLAST_LOCALNET_PREBUILT=1: the binaries in $BIN are current (ci.sh has just built them with
# the workspace's test build, whose features differ from a plain `cargo build` of these three).
if [ -z "${BALLAST_LOCALNET_PREBUILT:-}" ]; then
  echo "== localnet: building ballast, ballast-keeper, ballast-localnet" >&2
  (cd "$ROOT" && cargo build --locked -q -p ballast-cli -p ballast-keeper -p ballast-localnet --bins)
fi
LOCALNET="$BIN/ballast-localnet --dir $DIR --url $URL"

$LOCALNET genesis --config "$CONFIG" >&2
PROGRAM_ID=$(sed -n 's/^declare_id!("\(.*\)");/\1/p' "$ROOT/programs/ballast/src/lib.rs")
RECEIVER_ID=rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ
echo "== localnet: starting solana-test-validator on $URL (log: $DIR/validator.log)" >&2
"$CACHE/bin/solana-test-validator" --ledger "$DIR/ledger" --reset --quiet \
  --bind-address 127.0.0.1 --rpc-port "$RPC_PORT" --faucet-port $((RPC_PORT + 1001)) \
  --dynamic-port-range "$PORT_RANGE" \
  --upgradeable-program "$PROGRAM_ID" "$SO_DIR/ballast.so" "$DIR/authority.json" \
  --bpf-program "$RECEIVER_ID" "$SO_DIR/pyth_localnet.so" \
  --account-dir "$DIR/accounts" >"$DIR/validator.log" 2>&1 &
echo $! >"$DIR/validator.pid"
stop() { "$HERE/stop.sh" >&2; }
# Interrupted from here on, nothing is left running.
trap 'stop; exit 130' INT TERM
if ! $LOCALNET wait >&2 || ! kill -0 "$(cat "$DIR/validator.pid")" 2>/dev/null; then
  tail -20 "$DIR/validator.log" >&2
  stop
  exit 1
fi
if ! $LOCALNET setup --config "$CONFIG" >"$DIR/setup.log" 2>&1; then
  cat "$DIR/setup.log" >&2
  stop
  exit 1
fi
cat "$DIR/setup.log" >&2
$LOCALNET publish --every 20 >"$DIR/publisher.log" 2>&1 &
echo $! >"$DIR/publisher.pid"
GROUP=$($LOCALNET show | sed -n 's/.*"group": "\(.*\)".*/\1/p')
cat >&2 <<MSG
== localnet: up. JSON-RPC $URL, websocket ws://127.0.0.1:$((RPC_PORT + 1))
   export BALLAST_GROUP=$GROUP
   export BALLAST_LOCALNET_DIR=$DIR
   $BIN/ballast-localnet fund <WALLET> SOL=100 USDC=5000     # SOL for fees and tokens
   $BIN/ballast-localnet price SOL 100                        # move a price
MSG
if [ "$BACKGROUND" = 1 ]; then
  trap - INT TERM
  exit 0
fi
trap 'stop; exit 0' INT TERM
# The validator exiting by itself stops the publisher too.
wait "$(cat "$DIR/validator.pid")" || true
stop
