#!/usr/bin/env bash
# Command round trip through the command channel: a real hub and N real hostpulse-agent
# processes on loopback, each long-polling for commands; the time from
# `POST /api/v1/hosts/{h}/actions/noop` (a named command running /bin/true) to its answer,
# sequentially and with every agent asked at once. Also the idle cost of one agent with the
# channel open against an agent whose hub has no channel (a hub answering 404 to the poll,
# as an older hub does), both with collection at the same interval.
#
# Usage:  bash bench/command_latency.sh [agents] [requests]   (default 100 agents, 300 requests)
# Environment: BUILD=0 uses the release binaries as they are; TARGET_DIR (default target) is
# where they are; IDLE_SECS (default 60) for the idle cost.
# Loopback only; every process started here is stopped and the temp dir removed on exit.
set -euo pipefail

AGENTS=${1:-100}
REQUESTS=${2:-300}
BUILD=${BUILD:-1}
IDLE_SECS=${IDLE_SECS:-60}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/hostpulse-command-latency.XXXXXX)
PIDS=()

source "$ROOT/bench/lib.sh"
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$BUILD" = 1 ]; then
    echo "== building hostpulse and hostpulse-agent (release)"
    (cd "$ROOT" && CARGO_TARGET_DIR="${TARGET_DIR:-$ROOT/target}" cargo build --release -q -p hostpulse -p hostpulse-agent)
fi
HUB_BIN="${TARGET_DIR:-$ROOT/target}/release/hostpulse"
AGENT_BIN="${TARGET_DIR:-$ROOT/target}/release/hostpulse-agent"
HUB_PORT=$(free_port)
HUB_URL="http://127.0.0.1:$HUB_PORT"
cat >"$WORK/hub.yaml" <<EOF
listen: 127.0.0.1:$HUB_PORT
data_dir: $WORK/hub
local_agent:
  enabled: false
log:
  level: warn
EOF
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== starting the hub on $HUB_URL"
"$HUB_BIN" hub --config "$WORK/hub.yaml" >"$WORK/hub.log" 2>&1 &
PIDS+=($!)
wait_http "$HUB_URL/healthz" 30

# agent_config NAME TOKEN_FILE: an agent file with one allowed named command.
agent_config() {
    cat <<EOF
hub: $HUB_URL
token_file: $2
interval: 10s
spool_dir: $WORK/agents/$1/spool
actions:
  allow: [noop]
  commands:
    noop: [/bin/true]
EOF
}

echo "== starting $AGENTS agents"
mkdir -p "$WORK/agents"
for i in $(seq 1 "$AGENTS"); do
    name="bench-$i"
    mkdir -p "$WORK/agents/$name"
    "$HUB_BIN" agents add "$name" --hub "$HUB_URL" --data-dir "$WORK/hub" \
        >"$WORK/agents/$name/token" 2>>"$WORK/hub.log"
    agent_config "$name" "$WORK/agents/$name/token" >"$WORK/agents/$name/agent.yaml"
    "$AGENT_BIN" --config "$WORK/agents/$name/agent.yaml" >"$WORK/agents/$name/log" 2>&1 &
    PIDS+=($!)
done

cat >"$WORK/measure.py" <<'PY'
import concurrent.futures, http.client, json, statistics, sys, time

port, token_file, agents, requests = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
admin = open(token_file).read().strip()

def call(method, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request(method, path, headers={"Authorization": f"Bearer {admin}"})
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, body

deadline = time.time() + 120
while time.time() < deadline:
    connected = sum(
        json.loads(call("GET", f"/api/v1/hosts/bench-{i}/actions")[1] or b"{}").get("connected", False)
        for i in range(1, agents + 1))
    if connected == agents:
        break
    time.sleep(1)
print(f"connected agents: {connected} of {agents}")

def run(host):
    started = time.perf_counter()
    status, body = call("POST", f"/api/v1/hosts/{host}/actions/noop")
    ms = (time.perf_counter() - started) * 1000
    ok = status == 200 and json.loads(body)["status"] == "ok"
    return ms, ok

def report(label, results):
    ms = sorted(m for m, ok in results if ok)
    failed = sum(1 for _, ok in results if not ok)
    p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]
    print(f"{label}: n={len(ms)} failed={failed} p50={p(0.5):.1f} ms p99={p(0.99):.1f} ms "
          f"max={ms[-1]:.1f} ms mean={statistics.mean(ms):.1f} ms")

sequential = [run(f"bench-{1 + i % agents}") for i in range(requests)]
report("sequential, one at a time", sequential)
with concurrent.futures.ThreadPoolExecutor(max_workers=agents) as pool:
    burst = []
    for _ in range(3):
        burst += list(pool.map(run, [f"bench-{i}" for i in range(1, agents + 1)]))
report(f"burst, {agents} hosts at once (x3)", burst)
PY
python3 "$WORK/measure.py" "$HUB_PORT" "$WORK/hub/admin.token" "$AGENTS" "$REQUESTS"
echo "== hub after the run: $(ps -o rss=,pcpu= -p "${PIDS[0]}" | awk '{printf "RSS %.1f MiB, CPU %s%% since start", $1/1024, $2}')"

# ---------------------------------------------------------------- idle cost of one agent
# cpu_pss PID SECS: CPU % over SECS and PSS (MiB) at the end.
cpu_pss() {
    local ticks hz before after
    hz=$(getconf CLK_TCK)
    before=$(awk '{print $14+$15}' "/proc/$1/stat")
    sleep "$2"
    after=$(awk '{print $14+$15}' "/proc/$1/stat")
    ticks=$((after - before))
    local pss rss
    pss=$(awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup")
    rss=$(awk '/^Rss:/ {print $2}' "/proc/$1/smaps_rollup")
    awk -v t="$ticks" -v hz="$hz" -v s="$2" -v pss="$pss" -v rss="$rss" \
        'BEGIN {printf "CPU %.3f%%, RSS %.2f MiB, PSS %.2f MiB", 100*t/hz/s, rss/1024, pss/1024}'
}
echo "== idle cost of agent bench-1 with the channel open (${IDLE_SECS}s, collection every 10s)"
FIRST_AGENT_PID=${PIDS[1]}
echo "   channel open: $(cpu_pss "$FIRST_AGENT_PID" "$IDLE_SECS")"

# A hub without the channel: ingest answered 200, the poll endpoint 404 (an older hub).
OLD_PORT=$(free_port)
cat >"$WORK/old_hub.py" <<'PY'
import http.server, json, sys
class Old(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0)); self.rfile.read(length)
        if self.path == "/api/v1/ingest":
            body = json.dumps({"seq": 0, "duplicate": False, "samples": 0}).encode()
            self.send_response(200)
        else:
            body = b'{"error":"not_found"}'
            self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers(); self.wfile.write(body)
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Old).serve_forever()
PY
python3 "$WORK/old_hub.py" "$OLD_PORT" &
PIDS+=($!)
mkdir -p "$WORK/agents/old"
printf 'token' >"$WORK/agents/old/token"
HUB_URL="http://127.0.0.1:$OLD_PORT" agent_config old "$WORK/agents/old/token" \
    | sed "s#^hub: .*#hub: http://127.0.0.1:$OLD_PORT#" >"$WORK/agents/old/agent.yaml"
"$AGENT_BIN" --config "$WORK/agents/old/agent.yaml" >"$WORK/agents/old/log" 2>&1 &
OLD_AGENT=$!
PIDS+=($OLD_AGENT)
sleep 5
echo "   no channel (hub answers 404): $(cpu_pss "$OLD_AGENT" "$IDLE_SECS")"
