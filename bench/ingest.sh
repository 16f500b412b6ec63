#!/usr/bin/env bash
# Hub ingest benchmark: sustained samples/s from many simulated agents over HTTP on
# loopback, ingest latency percentiles, and bytes on disk per stored sample.
#
# Usage:  bash bench/ingest.sh [seconds] [agents]        (defaults: 60 s, 100 agents)
#
# For each setting a fresh hub starts in a temporary data directory, the generator
# (hostpulse-ingest-bench) registers the agents through the API and pushes for a 5 s
# warm-up plus the measured window, the hub is stopped with SIGTERM (so it checkpoints),
# and the database is measured. Settings, overridable through the environment:
#   SETTINGS="normal:1 full:1 normal:10"   synchronous mode : frames per batch
#   CHECKPOINT=60s                          storage.checkpoint_interval of the hub
#   BUILD=0                                 use the release binaries already built
#   HUB_BIN, BENCH_BIN                      paths of other hub / generator binaries (e.g. a
#                                           copy of an earlier build, to compare)
#   PEER=1                                  also load Prometheus (remote-write receiver) with
#                                           the same series; installs the Debian package
#                                           `prometheus` when missing (PEER=0 skips it)
# Targets: >= 150,000 samples/s on a 2-core machine; <= 4 bytes per sample on disk.
set -euo pipefail

WINDOW=${1:-60}
AGENTS=${2:-100}
SETTINGS=${SETTINGS:-"normal:1 full:1 normal:10"}
CHECKPOINT=${CHECKPOINT:-60s}
WARMUP=${WARMUP:-5}
BUILD=${BUILD:-1}
PEER=${PEER:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/hostpulse-ingest-bench.XXXXXX)
# free_port; the cleanup defined below replaces the library one.
source "$ROOT/bench/lib.sh"
HUB_PID=""
PEER_PID=""

cleanup() {
    for pid in "$HUB_PID" "$PEER_PID"; do
        if [[ -n "$pid" ]]; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ "$BUILD" != 0 ]]; then
    echo "== building release binaries"
    (cd "$ROOT" && cargo build --release --quiet -p hostpulse -p hostpulse-bench)
fi
TARGET_DIR=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
HUB=${HUB_BIN:-"$TARGET_DIR/release/hostpulse"}
BENCH=${BENCH_BIN:-"$TARGET_DIR/release/hostpulse-ingest-bench"}

write_config() { # $1 file, $2 synchronous mode
    cat >"$1" <<EOF
listen: 127.0.0.1:0
storage:
  sqlite:
    synchronous: $2
  checkpoint_interval: $CHECKPOINT
local_agent:
  enabled: false
log:
  level: warn
EOF
}

wait_for_hub() { # $1 data dir
    for _ in $(seq 1 200); do
        if [[ -s "$1/hub.url" && -s "$1/admin.token" ]] && \
            curl -fsS "$(cat "$1/hub.url")/healthz" >/dev/null 2>&1; then
            return 0
        fi
        if ! kill -0 "$HUB_PID" 2>/dev/null; then
            echo "hub exited during start-up" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "hub did not start within 20 s" >&2
    return 1
}

stop_hub() {
    kill -TERM "$HUB_PID"
    local started=$SECONDS
    while kill -0 "$HUB_PID" 2>/dev/null; do
        if ((SECONDS - started > 120)); then
            echo "hub did not stop within 120 s; killing it" >&2
            kill -KILL "$HUB_PID" 2>/dev/null || true
        fi
        sleep 0.2
    done
    wait "$HUB_PID" 2>/dev/null || true
    echo "hub stopped after $((SECONDS - started)) s (SIGTERM, final checkpoint)"
    HUB_PID=""
}

run_setting() { # $1 synchronous mode, $2 frames per batch
    local label="sync=$1,frames=$2"
    local dir="$WORK/$1-$2"
    mkdir -p "$dir"
    write_config "$dir/hub.yaml" "$1"
    echo
    echo "== $label: $AGENTS agents, ${WARMUP} s warm-up + ${WINDOW} s window," \
        "storage.synchronous=$1, checkpoint_interval=$CHECKPOINT," \
        "load average $(cut -d' ' -f1-3 /proc/loadavg)"
    "$HUB" hub --config "$dir/hub.yaml" --data-dir "$dir/data" >"$dir/hub.log" 2>&1 &
    HUB_PID=$!
    wait_for_hub "$dir/data"
    "$BENCH" run --data-dir "$dir/data" --agents "$AGENTS" --frames-per-batch "$2" \
        --warmup "$WARMUP" --duration "$WINDOW" --server-pid "$HUB_PID" --json-out "$dir/run.json"
    stop_hub
    "$BENCH" disk --db "$dir/data/hostpulse.db" --json-out "$dir/disk.json"
    if grep -qiE "error|panic" "$dir/hub.log"; then
        echo "hub log has errors:"
        grep -iE "error|panic" "$dir/hub.log" | head -5
    fi
    SUMMARY+=("$label=$dir")
}


# Prometheus with its remote-write receiver, loaded with the same series and frames.
run_peer() {
    local dir="$WORK/prometheus" port
    port=$(free_port)
    mkdir -p "$dir"
    printf 'global:\n  scrape_interval: 1h\n' >"$dir/prometheus.yml"
    echo
    echo "== peer: Prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}')," \
        "remote-write receiver, $AGENTS agents, ${WARMUP} s warm-up + ${WINDOW} s window," \
        "load average $(cut -d' ' -f1-3 /proc/loadavg)"
    prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
        --web.listen-address="127.0.0.1:$port" --web.enable-remote-write-receiver \
        --log.level=warn >"$dir/prometheus.log" 2>&1 &
    PEER_PID=$!
    for _ in $(seq 1 200); do
        curl -fsS "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1 && break
        sleep 0.1
    done
    "$BENCH" run --prometheus-url "http://127.0.0.1:$port" --agents "$AGENTS" \
        --warmup "$WARMUP" --duration "$WINDOW" --server-pid "$PEER_PID" --json-out "$dir/run.json"
    local appended
    appended=$(curl -fsS "http://127.0.0.1:$port/metrics" |
        awk '/^prometheus_tsdb_head_samples_appended_total/ {sum += $2} END {printf "%d", sum}')
    kill -TERM "$PEER_PID"
    wait "$PEER_PID" 2>/dev/null || true
    PEER_PID=""
    "$BENCH" disk --prometheus-dir "$dir/data" --samples "$appended" --json-out "$dir/disk.json"
    SUMMARY+=("prometheus-remote-write=$dir")
}

echo "== machine: $(nproc) cores, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
SUMMARY=()
for setting in $SETTINGS; do
    run_setting "${setting%%:*}" "${setting##*:}"
done
if [[ "$PEER" != 0 ]]; then
    if ! command -v prometheus >/dev/null; then
        echo "== installing the Debian package prometheus for the peer run"
        apt-get install -y prometheus >/dev/null 2>&1 || echo "could not install prometheus; no peer run"
    fi
    if command -v prometheus >/dev/null; then
        run_peer
    fi
fi
echo
echo "== summary ($AGENTS agents, ${WINDOW} s window each; B/sample = database files after WAL truncate / raw samples stored)"
"$BENCH" summary "${SUMMARY[@]}"
