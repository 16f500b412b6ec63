#!/usr/bin/env bash
# Hub memory under hostile ingest: RSS growth from one maximal valid batch, the refusal of
# the 1,000,000-sample body, and a flood of maximal batches from many agent tokens, with
# VmRSS, PSS (/proc/PID/smaps_rollup) and the load average sampled while it runs.
#
# Usage:  bash bench/memory.sh [seconds] [tokens]        (defaults: 60 s, 10 tokens)
#   BUILD=0            use the release binary already built
#   HUB_BIN            path of another hub binary (e.g. target/debug/hostpulse)
#   FRESH=1            flood batches name new series each time (up to ingest.max_series_per_host)
#   LABELS=4           labels per sample of the maximal batches
# Target: one request grows RSS by at most 32 MiB; the flood stays under the documented bound.
set -euo pipefail

SECONDS_FLOOD=${1:-60}
TOKENS=${2:-10}
BUILD=${BUILD:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/hostpulse-memory-bench.XXXXXX)
PIDS=()
source "$ROOT/bench/lib.sh"
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ "$BUILD" != 0 && -z "${HUB_BIN:-}" ]]; then
    echo "== building the release binary"
    (cd "$ROOT" && cargo build --release --quiet -p hostpulse)
fi
TARGET_DIR=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
HUB=${HUB_BIN:-"$TARGET_DIR/release/hostpulse"}

PORT=$(free_port)
cat >"$WORK/hub.yaml" <<YAML
local_agent:
  enabled: false
storage:
  sqlite:
    synchronous: normal
YAML
echo "== hub: $HUB on 127.0.0.1:$PORT (default limits)"
"$HUB" hub --data-dir "$WORK/data" --listen "127.0.0.1:$PORT" --config "$WORK/hub.yaml" \
    >"$WORK/hub.out" 2>"$WORK/hub.err" &
HUB_PID=$!
PIDS+=("$HUB_PID")
wait_http "http://127.0.0.1:$PORT/healthz" 60
for n in $(seq 0 "$TOKENS"); do
    "$HUB" agents add "bench-$n" --data-dir "$WORK/data" | tail -n 1 >>"$WORK/tokens"
done
PROTOCOL_VERSION=$(sed -n 's/^pub const PROTOCOL_VERSION: u32 = \([0-9]*\);/\1/p' "$ROOT/crates/proto/src/batch.rs")
export PROTOCOL_VERSION
echo "== load: 1 maximal batch, the 1,000,000-sample body, then $TOKENS tokens for ${SECONDS_FLOOD}s"
python3 "$ROOT/bench/memory_load.py" "http://127.0.0.1:$PORT" "$HUB_PID" "$WORK/tokens" "$SECONDS_FLOOD"
if ! kill -0 "$HUB_PID" 2>/dev/null; then
    echo "the hub died:" >&2
    tail -n 20 "$WORK/hub.err" >&2
    exit 1
fi
