#!/usr/bin/env bash
# Outbox delivery: the hub's memory (VmRSS and PSS) with N notifications queued for an
# unreachable receiver (against the same hub with an empty outbox), then how fast it drains
# them to a local webhook sink (notifications/s, CPU per 1,000, VmRSS and PSS) with every one
# delivered exactly once (a fault-free run); against Alertmanager (Debian's
# prometheus-alertmanager) delivering N alerts posted through its API to the same kind of sink.
#
# Usage:  bash bench/notify.sh [N]      (default 100000; `bash bench/notify.sh 5000` is a quick check)
# Environment: PEER=0 skips Alertmanager; BUILD=0 uses target/release as is;
# QUEUED_SECONDS (default 30) is the length of each memory window; DRAIN_TIMEOUT (default
# 1800) the most seconds one drain may take.
# Loopback only; every process started here is stopped and the temp dir removed on exit.
set -euo pipefail

N=${1:-100000}
PEER=${PEER:-1}
BUILD=${BUILD:-1}
QUEUED_SECONDS=${QUEUED_SECONDS:-30}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-1800}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/hostpulse-notify.XXXXXX)
PIDS=()

source "$ROOT/bench/lib.sh"
trap cleanup EXIT
trap 'exit 130' INT TERM

HUB_BIN="$ROOT/target/release/hostpulse"
BENCH="$ROOT/target/release/hostpulse-notify-bench"

# stop PID: stops one process started here and forgets it.
stop() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    local kept=()
    for pid in "${PIDS[@]}"; do
        [ "$pid" = "$1" ] || kept+=("$pid")
    done
    PIDS=("${kept[@]+"${kept[@]}"}")
}

# hub_config FILE URL: the benchmark's hub configuration, one webhook receiver at URL.
hub_config() {
    cat >"$1" <<EOF
local_agent:
  enabled: false
receivers:
  - name: sink
    type: webhook
    url: $2
routes:
  - receivers: [sink]
EOF
}

# start_hub DATA_DIR CONFIG NAME: starts a hub in the background; sets HUB_PID.
start_hub() {
    HUB_PORT=$(free_port)
    "$HUB_BIN" hub --data-dir "$1" --listen "127.0.0.1:$HUB_PORT" --config "$2" \
        >"$WORK/$3.log" 2>&1 &
    HUB_PID=$!
    PIDS+=("$HUB_PID")
}

# start_sink: starts a fresh webhook sink; sets SINK_PID and SINK_URL.
start_sink() {
    local port
    port=$(free_port)
    "$BENCH" sink --listen "127.0.0.1:$port" &
    SINK_PID=$!
    PIDS+=("$SINK_PID")
    SINK_URL="http://127.0.0.1:$port"
    wait_http "$SINK_URL/stats" 30
}

# rss_window DATA_DIR NAME: VmRSS and PSS of a hub whose receiver is unreachable, sampled every
# 0.5 s for QUEUED_SECONDS, into WORK/NAME.json.
rss_window() {
    start_hub "$1" "$WORK/closed.yaml" "$2"
    wait_http "http://127.0.0.1:$HUB_PORT/healthz" 60
    "$BENCH" sample-memory --pid "$HUB_PID" --seconds "$QUEUED_SECONDS" --interval-ms 500 \
        --json-out "$WORK/$2.json"
    stop "$HUB_PID"
}

# ---------------------------------------------------------------- build and seed
if [ "$BUILD" = 1 ]; then
    echo "== building hostpulse and hostpulse-notify-bench (release)"
    (cd "$ROOT" && cargo build --release -q -p hostpulse -p hostpulse-bench)
fi
echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== seeding $N notifications into a fresh outbox"
"$BENCH" seed-outbox --data-dir "$WORK/hub" --count "$N"
hub_config "$WORK/closed.yaml" "http://127.0.0.1:$(free_port)/hook"

# ---------------------------------------------------------------- queued phase
echo "== queued: hub with $N queued, receiver on a closed port, VmRSS and PSS every 0.5 s for ${QUEUED_SECONDS} s"
rss_window "$WORK/hub" queued
echo "== baseline: hub with an empty outbox, same configuration, ${QUEUED_SECONDS} s"
rss_window "$WORK/empty" baseline

# ---------------------------------------------------------------- drain phase
echo "== drain: hub delivering $N to a local sink"
start_sink
hub_config "$WORK/sink.yaml" "$SINK_URL/hook"
start_hub "$WORK/hub" "$WORK/sink.yaml" drain
# Watching starts with the hub process, so its CPU time is counted from its start.
"$BENCH" watch-drain --pid "$HUB_PID" --sink "$SINK_URL" --expected "$N" \
    --timeout-seconds "$DRAIN_TIMEOUT" --json-out "$WORK/hub_drain.json"
stop "$HUB_PID"
stop "$SINK_PID"

# ---------------------------------------------------------------- peer: Alertmanager
# am_config FILE GROUP_WAIT: the peer's configuration, one group per alert, at the sink.
am_config() {
    cat >"$1" <<EOF
global:
  resolve_timeout: 1h   # no alert resolves during the run
route:
  receiver: sink
  group_by: ['...']     # no aggregation: one notification per alert, as seeded for the hub
  group_wait: $2
  group_interval: 1m
  repeat_interval: 4h
receivers:
  - name: sink
    webhook_configs:
      - url: $SINK_URL/hook
EOF
}

run_peer() {
    if ! command -v prometheus-alertmanager >/dev/null; then
        echo "== installing prometheus-alertmanager"
        DEBIAN_FRONTEND=noninteractive apt-get install -y prometheus-alertmanager >/dev/null
    fi
    echo "== peer: $(prometheus-alertmanager --version 2>&1 | head -1)"
    start_sink
    am_config "$WORK/am.yml" 0s
    if command -v amtool >/dev/null && ! amtool check-config "$WORK/am.yml" >/dev/null 2>&1; then
        echo "   group_wait: 0s refused; using 1ms"
        am_config "$WORK/am.yml" 1ms
    fi
    local am_port am_pid watch_pid
    am_port=$(free_port)
    prometheus-alertmanager --config.file="$WORK/am.yml" --storage.path="$WORK/am" \
        --web.listen-address="127.0.0.1:$am_port" --cluster.listen-address= \
        >"$WORK/am.log" 2>&1 &
    am_pid=$!
    PIDS+=("$am_pid")
    wait_http "http://127.0.0.1:$am_port/-/ready" 30
    echo "== peer: posting $N alerts in batches of 1,000, waiting for $N webhook requests"
    "$BENCH" watch-drain --pid "$am_pid" --sink "$SINK_URL" --expected "$N" \
        --timeout-seconds "$DRAIN_TIMEOUT" --json-out "$WORK/peer_drain.json" &
    watch_pid=$!
    PIDS+=("$watch_pid")
    sleep 0.2
    "$BENCH" post-alerts --url "http://127.0.0.1:$am_port" --count "$N" --batch 1000 \
        --json-out "$WORK/peer_post.json"
    wait "$watch_pid"
    stop "$am_pid"
    stop "$SINK_PID"
}

PEER_ARGS=()
if [ "$PEER" = 1 ]; then
    run_peer
    PEER_ARGS=(--peer "$WORK/peer_drain.json" --peer-post "$WORK/peer_post.json"
        --peer-label "Alertmanager $(prometheus-alertmanager --version 2>&1 | head -1 | awk '{print $3}')")
fi

# ---------------------------------------------------------------- summary
echo
"$BENCH" report --count "$N" --queued "$WORK/queued.json" --baseline "$WORK/baseline.json" \
    --hub "$WORK/hub_drain.json" "${PEER_ARGS[@]+"${PEER_ARGS[@]}"}"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
