#!/usr/bin/env bash
# Agent cost benchmark: steady RSS, PSS and CPU of hostpulse-agent (pushing every 1 s) against
# prometheus-node-exporter (scraped every 1 s), side by side.
#
# Usage:  bash bench/agent_cost.sh [window_seconds]     (default 120; WARMUP=15 by default;
#         BUILD=0 uses target/release/hostpulse-agent as it is)
#
# The agent pushes to the real hub when target/release/hostpulse exists and runs
# `hostpulse hub`; otherwise to a minimal local HTTP sink (python3) answering 200.
# Targets: agent RSS and PSS <= 1/4 of node_exporter's, agent CPU <= 1/5 of node_exporter's.
# PSS (/proc/PID/smaps_rollup) is printed beside VmRSS because the agent releases its start-up
# code pages with madvise(MADV_DONTNEED), which lowers VmRSS; PSS also splits shared pages
# (libc, page cache of the executable) between the processes mapping them.
set -euo pipefail

WINDOW=${1:-120}
WARMUP=${WARMUP:-15}
BUILD=${BUILD:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/hostpulse-bench.XXXXXX)
PIDS=()

source "$ROOT/bench/lib.sh"
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$BUILD" = 1 ]; then
    echo "== building hostpulse-agent (release)"
    (cd "$ROOT" && cargo build --release -q -p hostpulse-agent)
fi
AGENT_BIN="$ROOT/target/release/hostpulse-agent"

if [ ! -x /usr/bin/prometheus-node-exporter ]; then
    echo "== installing prometheus-node-exporter"
    apt-get install -y prometheus-node-exporter >/dev/null
fi

start_real_hub() {
    local bin="$ROOT/target/release/hostpulse" port
    [ -x "$bin" ] && "$bin" hub --help >/dev/null 2>&1 || return 1
    port=$(free_port)
    "$bin" hub --data-dir "$WORK/hub" --listen "127.0.0.1:$port" >"$WORK/hub.log" 2>&1 &
    PIDS+=($!)
    wait_http "http://127.0.0.1:$port/" 20 || return 1
    TOKEN=$("$bin" agents add bench-agent --hub "http://127.0.0.1:$port" --data-dir "$WORK/hub" 2>>"$WORK/hub.log") || return 1
    [ -n "$TOKEN" ] || return 1
    HUB_URL="http://127.0.0.1:$port"
    SINK_KIND="hostpulse hub ($bin)"
}

start_python_sink() {
    local port
    port=$(free_port)
    cat >"$WORK/sink.py" <<'PY'
import gzip, json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

count_file = sys.argv[2]
acked = 0

class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        global acked
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        batch = json.loads(gzip.decompress(body))
        samples = sum(len(f["samples"]) for f in batch["frames"])
        reply = json.dumps({"seq": batch["seq"], "duplicate": False, "samples": samples}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)
        acked += 1
        with open(count_file, "w") as f:
            f.write(f"{acked} {samples}\n")
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
PY
    python3 "$WORK/sink.py" "$port" "$WORK/acked" &
    PIDS+=($!)
    wait_http "http://127.0.0.1:$port/" 10
    HUB_URL="http://127.0.0.1:$port"
    TOKEN="bench-token"
    SINK_KIND="minimal python3 HTTP sink (200 {seq,duplicate,samples})"
}

echo "== starting the ingest endpoint"
start_real_hub || start_python_sink
echo "   using: $SINK_KIND"

echo "== starting hostpulse-agent --interval 1s"
"$AGENT_BIN" --hub "$HUB_URL" --token-file <(printf '%s' "$TOKEN") --interval 1s \
    --spool-dir "$WORK/spool" >"$WORK/agent.log" 2>&1 &
AGENT_PID=$!
PIDS+=("$AGENT_PID")

echo "== starting prometheus-node-exporter, scraped every 1 s"
NE_PORT=$(free_port)
/usr/bin/prometheus-node-exporter --web.listen-address="127.0.0.1:$NE_PORT" >"$WORK/ne.log" 2>&1 &
NE_PID=$!
PIDS+=("$NE_PID")
wait_http "http://127.0.0.1:$NE_PORT/metrics" 10
(while :; do curl -s -o /dev/null "http://127.0.0.1:$NE_PORT/metrics"; sleep 1; done) &
PIDS+=($!)

echo "== warm-up ${WARMUP}s, then measuring for ${WINDOW}s"
sleep "$WARMUP"
python3 - "$AGENT_PID" "$NE_PID" "$WINDOW" <<'PY'
import os, sys, time

agent, exporter, window = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
tck = os.sysconf("SC_CLK_TCK")

def cpu_ticks(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime

def proc_kib(pid, name, key):
    """The value in KiB of the `key:` line of /proc/PID/<name> (0 when absent)."""
    for line in open(f"/proc/{pid}/{name}"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0

pids = {"agent": agent, "exporter": exporter}
start = {k: cpu_ticks(p) for k, p in pids.items()}
mem = {(k, m): [] for k in pids for m in ("rss", "pss")}
t0 = time.monotonic()
while time.monotonic() - t0 < window:
    for k, p in pids.items():
        mem[(k, "rss")].append(proc_kib(p, "status", "VmRSS"))
        mem[(k, "pss")].append(proc_kib(p, "smaps_rollup", "Pss"))
    time.sleep(1)
elapsed = time.monotonic() - t0
cpu = {k: (cpu_ticks(p) - start[k]) / tck / elapsed * 100 for k, p in pids.items()}
avg = {key: sum(v) / len(v) / 1024 for key, v in mem.items()}
mx = {key: max(v) / 1024 for key, v in mem.items()}

def ratio(a, b):
    return a / b if b else float("inf")

print()
print(f"window {elapsed:.0f}s, VmRSS and PSS (smaps_rollup) sampled every 1s, "
      f"CPU = (utime+stime) delta / window, % of one core")
print(f"{'':22}{'hostpulse-agent':>17}{'node_exporter':>15}{'ratio':>9}{'target':>9}  ok")
rows = [
    ("RSS avg (MiB)", avg[("agent", "rss")], avg[("exporter", "rss")], 0.25),
    ("RSS max (MiB)", mx[("agent", "rss")], mx[("exporter", "rss")], 0.25),
    ("PSS avg (MiB)", avg[("agent", "pss")], avg[("exporter", "pss")], 0.25),
    ("PSS max (MiB)", mx[("agent", "pss")], mx[("exporter", "pss")], 0.25),
    ("CPU (% of a core)", cpu["agent"], cpu["exporter"], 0.20),
]
for name, a, e, target in rows:
    r = ratio(a, e)
    ok = "yes" if r <= target else "NO"
    print(f"{name:22}{a:17.3f}{e:15.3f}{r:9.3f}{'<= ' + format(target, '.2f'):>9}  {ok}")
PY
if [ -f "$WORK/acked" ]; then
    read -r ACKED SAMPLES <"$WORK/acked"
    echo "sink acknowledged $ACKED batches (last one: $SAMPLES samples)"
fi
SPOOLED=$(find "$WORK/spool" -name '*.batch' | wc -l)
WARNINGS=$(grep -c -E 'WARN|ERROR' "$WORK/agent.log" || true)
echo "agent: ${SPOOLED} batches spooled at the end, ${WARNINGS} warning/error log lines; ingest: $SINK_KIND"
