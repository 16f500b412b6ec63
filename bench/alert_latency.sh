#!/usr/bin/env bash
# End-to-end alert latency: from a sample that crosses a `for: 0s` threshold being sent to
# the hub until its notification record is in the outbox (GET /api/v1/notifications),
# against Prometheus + Alertmanager (Debian packages) with their default timing settings
# (scrape 1m, evaluation 1m, group_wait 30s), from a gauge flip to the webhook arrival.
#
# Usage:  bash bench/alert_latency.sh [samples]      (default 20 hub samples)
# Environment: PEER=0 skips Prometheus + Alertmanager; PEER_SAMPLES (default 3) gauges
# flipped in parallel at random moments of a 60 s span; BUILD=0 uses target/release as is.
# Loopback only; every process started here is stopped and the temp dir removed on exit.
set -euo pipefail

SAMPLES=${1:-20}
PEER=${PEER:-1}
PEER_SAMPLES=${PEER_SAMPLES:-3}
BUILD=${BUILD:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/hostpulse-alert-latency.XXXXXX)
PIDS=()

source "$ROOT/bench/lib.sh"
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- hostpulse hub
if [ "$BUILD" = 1 ]; then
    echo "== building hostpulse (release)"
    (cd "$ROOT" && cargo build --release -q -p hostpulse)
fi
HUB_BIN="$ROOT/target/release/hostpulse"
HUB_PORT=$(free_port)
cat >"$WORK/hub.yaml" <<EOF
listen: 127.0.0.1:$HUB_PORT
data_dir: $WORK/hub
local_agent:
  enabled: false
log:
  level: info
rules:
  - name: bench_cpu_high
    expr: cpu.usage_percent > 90
    for: 0s
    severity: warning
alerting:
  evaluation_interval: 5s
  defaults:
    group_wait: 0s
receivers:
  - name: log
    type: log
EOF
echo "== starting hostpulse hub on 127.0.0.1:$HUB_PORT"
"$HUB_BIN" hub --config "$WORK/hub.yaml" >"$WORK/hub.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$HUB_PORT/healthz" 30

cat >"$WORK/hub_latency.py" <<'PY'
import gzip, http.client, json, random, statistics, sys, time

port, token_file, samples, out = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
admin = open(token_file).read().strip()
api = http.client.HTTPConnection("127.0.0.1", port)
ingest = http.client.HTTPConnection("127.0.0.1", port)

def call(conn, method, path, token, body=None, headers=None):
    h = {"Authorization": f"Bearer {token}", **(headers or {})}
    conn.request(method, path, body=body, headers=h)
    reply = conn.getresponse()
    data = reply.read()
    if reply.status >= 300:
        raise SystemExit(f"{method} {path}: {reply.status} {data[:200]!r}")
    return json.loads(data) if data else None

def push(host, token, cpu):
    now = int(time.time() * 1000)
    batch = {"version": 1, "seq": now,
             "agent": {"hostname": host, "agent_version": "bench", "interval_ms": 5000},
             "frames": [{"ts_ms": now, "samples": [{"name": "cpu.usage_percent", "value": cpu}]}]}
    body = gzip.compress(json.dumps(batch).encode())
    call(ingest, "POST", "/api/v1/ingest", token, body,
         {"Content-Type": "application/json", "Content-Encoding": "gzip"})

def recorded(host):
    page = call(api, "GET", "/api/v1/notifications?limit=50", admin)
    return any(n["kind"] == "firing" and any(a.get("host") == host for a in n["alerts"])
               for n in page["notifications"])

latencies, acks = [], []
for i in range(samples):
    host = f"latency-{i:03d}"
    token = call(api, "POST", "/api/v1/agents", admin, json.dumps({"name": host}),
                 {"Content-Type": "application/json"})["token"]
    push(host, token, 12.0)                       # known host, value below the threshold
    time.sleep(0.2 + random.random() * 0.8)       # random phase against the 5 s timer
    start = time.monotonic()
    push(host, token, 97.0)                       # crosses `> 90`
    acks.append((time.monotonic() - start) * 1000)
    while not recorded(host):
        if time.monotonic() - start > 30:
            raise SystemExit(f"no notification for {host} within 30 s")
        time.sleep(0.01)
    latencies.append((time.monotonic() - start) * 1000)
    print(f"   {host}: ingest ack {acks[-1]:.1f} ms, notification recorded after {latencies[-1]:.1f} ms")

q = statistics.quantiles(latencies, n=10, method="inclusive")
result = {"n": len(latencies), "p50": statistics.median(latencies), "p90": q[8],
          "max": max(latencies), "ack_p50": statistics.median(acks)}
json.dump(result, open(out, "w"))
PY
echo "== hub: $SAMPLES alerts, each from a fresh host (poll every 10 ms)"
python3 "$WORK/hub_latency.py" "$HUB_PORT" "$WORK/hub/admin.token" "$SAMPLES" "$WORK/hub.json"
HUB_NOTIFIED=$(grep -c "bench_cpu_high" "$WORK/hub.log" || true)
echo "   log receiver lines naming the rule: $HUB_NOTIFIED"

# ---------------------------------------------- Prometheus + Alertmanager (defaults)
run_peer() {
    if ! command -v prometheus >/dev/null || ! command -v prometheus-alertmanager >/dev/null; then
        echo "== installing prometheus and prometheus-alertmanager"
        DEBIAN_FRONTEND=noninteractive apt-get install -y prometheus prometheus-alertmanager >/dev/null
    fi
    echo "   $(prometheus --version 2>&1 | head -1)"
    echo "   $(prometheus-alertmanager --version 2>&1 | head -1)"
    local exporter_port webhook_port am_port prom_port
    exporter_port=$(free_port)
    webhook_port=$(free_port)
    am_port=$(free_port)
    prom_port=$(free_port)
    cat >"$WORK/peer.py" <<'PY'
import json, random, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

exporter_port, webhook_port, count, out = map(str, sys.argv[1:5])
count = int(count)
start = time.time() + 5
flips = {str(i): start + random.random() * 60 for i in range(count)}
arrivals = {}

class Exporter(BaseHTTPRequestHandler):
    def do_GET(self):
        now = time.time()
        lines = ["# TYPE bench_gauge gauge"]
        lines += [f'bench_gauge{{sample="{s}"}} {100 if now >= t else 0}' for s, t in flips.items()]
        body = ("\n".join(lines) + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass

class Webhook(BaseHTTPRequestHandler):
    def do_POST(self):
        now = time.time()
        payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        for alert in payload.get("alerts", []):
            sample = alert["labels"].get("sample")
            if alert.get("status") == "firing" and sample in flips and sample not in arrivals:
                arrivals[sample] = now
                print(f"   gauge {sample}: flipped, webhook after {now - flips[sample]:.1f} s", flush=True)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass

for port, handler in ((exporter_port, Exporter), (webhook_port, Webhook)):
    server = ThreadingHTTPServer(("127.0.0.1", int(port)), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
deadline = start + 60 + 240
while len(arrivals) < count and time.time() < deadline:
    time.sleep(0.2)
latencies = sorted((arrivals[s] - flips[s]) * 1000 for s in arrivals)
json.dump({"n": len(latencies), "latencies": latencies, "expected": count}, open(out, "w"))
PY
    cat >"$WORK/prometheus.yml" <<EOF
# No scrape_interval / evaluation_interval: the defaults (1m) apply.
rule_files: [$WORK/rules.yml]
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["127.0.0.1:$am_port"]
scrape_configs:
  - job_name: bench
    static_configs:
      - targets: ["127.0.0.1:$exporter_port"]
EOF
    cat >"$WORK/rules.yml" <<'EOF'
groups:
  - name: bench
    rules:
      - alert: BenchGaugeHigh
        expr: bench_gauge > 90
        for: 0s
EOF
    cat >"$WORK/alertmanager.yml" <<EOF
# No group_wait / group_interval / repeat_interval: the defaults (30s, 5m, 4h) apply.
# group_by only splits the gauges into their own groups, as hostpulse groups by rule+host.
route:
  receiver: webhook
  group_by: [alertname, sample]
receivers:
  - name: webhook
    webhook_configs:
      - url: http://127.0.0.1:$webhook_port/
EOF
    python3 "$WORK/peer.py" "$exporter_port" "$webhook_port" "$PEER_SAMPLES" "$WORK/peer.json" &
    local peer_pid=$!
    PIDS+=("$peer_pid")
    prometheus-alertmanager --config.file="$WORK/alertmanager.yml" \
        --storage.path="$WORK/am" --web.listen-address="127.0.0.1:$am_port" \
        --cluster.listen-address= >"$WORK/am.log" 2>&1 &
    PIDS+=($!)
    prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prom" \
        --web.listen-address="127.0.0.1:$prom_port" >"$WORK/prom.log" 2>&1 &
    PIDS+=($!)
    wait_http "http://127.0.0.1:$am_port/-/ready" 30
    wait_http "http://127.0.0.1:$prom_port/-/ready" 30
    echo "== peer: $PEER_SAMPLES gauges flip 0 -> 100 at random moments of the next 60 s (up to ~5 min)"
    wait "$peer_pid" || true
}

if [ "$PEER" = 1 ]; then
    run_peer
fi

# ---------------------------------------------------------------- summary
python3 - "$WORK/hub.json" "$WORK/peer.json" <<'PY'
import json, os, statistics, sys

hub = json.load(open(sys.argv[1]))
print()
print("| system | samples | p50 | p90 | max |")
print("|--------|---------|-----|-----|-----|")
print(f"| hostpulse hub (for: 0s, group_wait: 0s) | {hub['n']} | {hub['p50']:.0f} ms | {hub['p90']:.0f} ms | {hub['max']:.0f} ms |")
if os.path.exists(sys.argv[2]):
    peer = json.load(open(sys.argv[2]))
    lat = peer["latencies"]
    if lat:
        p50 = statistics.median(lat)
        print(f"| Prometheus + Alertmanager (defaults) | {peer['n']} of {peer['expected']} | {p50 / 1000:.1f} s | - | {max(lat) / 1000:.1f} s |")
        print()
        print(f"hub ingest acknowledgement p50: {hub['ack_p50']:.1f} ms")
        print(f"peer / hub (p50): {p50 / hub['p50']:.0f}x; target: hub p50 <= 1 s -> {'met' if hub['p50'] <= 1000 else 'MISSED'}")
    else:
        print("| Prometheus + Alertmanager (defaults) | 0 | no webhook arrived | | |")
else:
    print(f"hub ingest acknowledgement p50: {hub['ack_p50']:.1f} ms; target: p50 <= 1 s -> {'met' if hub['p50'] <= 1000 else 'MISSED'}")
PY
