#!/usr/bin/env bash
# Hub restarts under load, on the real binaries: a hub with an always-firing rule and a
# webhook receiver, one agent at a 1 s interval, three SIGKILLs of the hub (each kept down
# DOWN seconds, well over 3 × the interval) and one OUTAGE-second stop (SIGTERM). Reports
#   - samples lost and duplicated: every 1 s collection time of the agent, from its first to
#     its last stored sample, must be in query_range exactly once;
#   - notifications beyond the first FIRING of the always-firing alert (RESOLVED, repeated
#     FIRING, host_down) — target 0;
#   - the agent's reconnect time after each restart: from the hub answering /healthz to the
#     first batch it receives from the agent.
#
# Usage:  bash bench/restart_chaos.sh
# Environment: BUILD=0 uses the binaries as they are; PROFILE (release) picks target/PROFILE;
# DOWN (10) seconds per SIGKILL; OUTAGE (180) seconds of the long stop; KILLS (3).
# Loopback only; every process started here is stopped and the temp dir removed on exit.
set -euo pipefail

BUILD=${BUILD:-1}
PROFILE=${PROFILE:-release}
DOWN=${DOWN:-10}
OUTAGE=${OUTAGE:-180}
KILLS=${KILLS:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/hostpulse-chaos.XXXXXX)
PIDS=()

source "$ROOT/bench/lib.sh"
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$BUILD" = 1 ]; then
    flag=()
    [ "$PROFILE" = release ] && flag=(--release)
    cargo build "${flag[@]}" -p hostpulse -p hostpulse-agent --manifest-path "$ROOT/Cargo.toml"
fi
HUB_BIN="$ROOT/target/$PROFILE/hostpulse"
AGENT_BIN="$ROOT/target/$PROFILE/hostpulse-agent"
DATA="$WORK/data"
AGENT_NAME=chaos-agent

now_ms() { date +%s%3N; }

# A webhook receiver that appends one JSON line per request (arrival time, status, rules).
start_sink() {
    SINK_PORT=$(free_port)
    python3 - "$SINK_PORT" "$WORK/sink.jsonl" <<'EOF' &
import http.server, json, sys, time
port, out = int(sys.argv[1]), sys.argv[2]
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
        line = {"t": int(time.time() * 1000), "status": body.get("status"),
                "rules": sorted({a["labels"].get("alertname") for a in body.get("alerts", [])})}
        with open(out, "a") as f:
            f.write(json.dumps(line) + "\n")
        self.send_response(200); self.send_header("content-length", "2"); self.end_headers()
        self.wfile.write(b"{}")
    def do_GET(self):
        self.send_response(200); self.send_header("content-length", "0"); self.end_headers()
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), Hook).serve_forever()
EOF
    PIDS+=("$!")
    touch "$WORK/sink.jsonl"
    wait_http "http://127.0.0.1:$SINK_PORT/" 30
}

write_config() {
    cat >"$WORK/hub.yaml" <<EOF
local_agent:
  enabled: false
alerting:
  evaluation_interval: 1s
receivers:
  - name: sink
    type: webhook
    url: http://127.0.0.1:$SINK_PORT/hook
routes:
  - receivers: [sink]
    group_wait: 0s
    group_interval: 1s
rules:
  - name: always_on
    expr: system.uptime_seconds > 0
    severity: warning
EOF
}

# start_hub: starts the hub on HUB_PORT and waits for /healthz; sets HUB_PID and UP_MS.
start_hub() {
    "$HUB_BIN" hub --data-dir "$DATA" --listen "127.0.0.1:$HUB_PORT" --config "$WORK/hub.yaml" \
        >>"$WORK/hub.log" 2>&1 &
    HUB_PID=$!
    PIDS+=("$HUB_PID")
    wait_http "http://127.0.0.1:$HUB_PORT/healthz" 60
    UP_MS=$(now_ms)
}

# stop_hub SIGNAL: stops the hub and waits for it to exit.
stop_hub() {
    kill "-$1" "$HUB_PID"
    wait "$HUB_PID" 2>/dev/null || true
}

api() {
    curl -sf -H "Authorization: Bearer $(cat "$DATA/admin.token")" "http://127.0.0.1:$HUB_PORT$1"
}

last_seen_ms() {
    api "/api/v1/hosts/$AGENT_NAME" | python3 -c 'import json,sys; print(json.load(sys.stdin)["last_seen_ms"])'
}

# reconnect_ms: waits until the hub received a batch after UP_MS; prints the delay.
reconnect_ms() {
    local deadline=$(( $(now_ms) + 300000 ))
    while [ "$(now_ms)" -lt "$deadline" ]; do
        local seen
        seen=$(last_seen_ms 2>/dev/null || echo 0)
        if [ "$seen" -ge "$UP_MS" ]; then
            echo $(( seen - UP_MS ))
            return 0
        fi
        sleep 0.2
    done
    echo "the agent did not reconnect within 300 s" >&2
    return 1
}

spooled() { find "$WORK/spool" -name '*.batch' 2>/dev/null | wc -l; }

# wait_drained: the spool is empty and no notification is queued.
wait_drained() {
    for _ in $(seq 1 600); do
        if [ "$(spooled)" = 0 ]; then
            local queued
            queued=$(api "/api/v1/notifications?limit=500" | python3 -c \
                'import json,sys; print(sum(n["status"] in ("pending","sending") for n in json.load(sys.stdin)["notifications"]))')
            [ "$queued" = 0 ] && return 0
        fi
        sleep 0.5
    done
    echo "the spool or the outbox did not drain" >&2
    return 1
}

start_sink
write_config
HUB_PORT=$(free_port)
start_hub
TOKEN=$("$HUB_BIN" agents add "$AGENT_NAME" --data-dir "$DATA")
printf '%s\n' "$TOKEN" >"$WORK/agent.token"
START_S=$(( $(date +%s) - 2 ))
chmod 600 "$WORK/agent.token"
"$AGENT_BIN" --hub "http://127.0.0.1:$HUB_PORT" --token-file "$WORK/agent.token" \
    --interval 1s --spool-dir "$WORK/spool" --log-format json >"$WORK/agent.log" 2>&1 &
AGENT_PID=$!
PIDS+=("$AGENT_PID")

for _ in $(seq 1 600); do
    grep -q '"always_on"' "$WORK/sink.jsonl" && break
    sleep 0.1
done
grep -q '"always_on"' "$WORK/sink.jsonl" || { echo "no first FIRING" >&2; exit 1; }
echo "first FIRING received; $KILLS SIGKILLs of ${DOWN}s, then a ${OUTAGE}s outage" >&2

RECONNECTS=()
for round in $(seq 1 "$KILLS"); do
    sleep 10
    stop_hub KILL
    sleep "$DOWN"
    start_hub
    RECONNECTS+=("$(reconnect_ms)")
    echo "SIGKILL $round: agent back after ${RECONNECTS[-1]} ms" >&2
done
sleep 10
stop_hub TERM
sleep "$OUTAGE"
start_hub
OUTAGE_RECONNECT=$(reconnect_ms)
echo "outage: agent back after $OUTAGE_RECONNECT ms" >&2
wait_drained
sleep 10
kill -TERM "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null || true
sleep 2

api "/api/v1/query_range?host=$AGENT_NAME&metric=system.uptime_seconds&start=$START_S&end=now&step=1s" \
    >"$WORK/range.json"
python3 - "$WORK/range.json" "$WORK/sink.jsonl" "$WORK/agent.log" \
    "${RECONNECTS[*]}" "$OUTAGE_RECONNECT" "$KILLS" "$DOWN" "$OUTAGE" <<'EOF'
import json, sys
range_file, sink_file, agent_log, reconnects, outage_reconnect, kills, down, outage = sys.argv[1:]
series = [s for s in json.load(open(range_file))["series"] if not s.get("labels")]
points = series[0]["points"]
present = {p["ts_ms"] // 1000: p["count"] for p in points if p["count"] > 0}
first, last = min(present), max(present)
skipped = 0
for line in open(agent_log):
    try:
        event = json.loads(line)
    except ValueError:
        continue
    if "skipping collection ticks" in event.get("fields", {}).get("message", ""):
        skipped += int(event["fields"].get("skipped", 0))
expected = last - first + 1
lost = expected - skipped - len(present)
duplicates = sum(c - 1 for c in present.values() if c > 1)
sent = [json.loads(l) for l in open(sink_file) if l.strip()]
ours = [n for n in sent if set(n["rules"]) & {"always_on", "host_down"}]
assert ours and ours[0]["status"] == "firing" and "always_on" in ours[0]["rules"], ours[:3]
beyond = len(ours) - 1
resolved = sum(n["status"] == "resolved" for n in ours)
host_down = sum("host_down" in n["rules"] for n in ours)
report = {
    "kills": int(kills), "down_s": int(down), "outage_s": int(outage),
    "seconds_expected": expected, "ticks_skipped_by_agent": skipped,
    "samples_lost": lost, "duplicate_samples": duplicates,
    "notifications_beyond_first_firing": beyond, "resolved": resolved,
    "host_down": host_down,
    "other_notifications": len(sent) - len(ours),
    "reconnect_after_kill_ms": [int(x) for x in reconnects.split()],
    "reconnect_after_outage_ms": int(outage_reconnect),
}
print(json.dumps(report, indent=2))
EOF
