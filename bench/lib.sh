#!/usr/bin/env bash
# Helpers shared by the benchmark scripts: process cleanup, free ports, waiting for HTTP.
# Source it after setting WORK (a temp dir) and PIDS=() (processes to stop on exit).

# Stops every process in PIDS and removes WORK; installed as the EXIT trap.
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}

# A TCP port on 127.0.0.1 that is free right now.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_http URL SECONDS: succeeds once URL answers, fails (with a message) after SECONDS.
wait_http() {
    for _ in $(seq 1 $(($2 * 10))); do
        curl -s -o /dev/null "$1" && return 0
        sleep 0.1
    done
    echo "timed out waiting for $1" >&2
    return 1
}
