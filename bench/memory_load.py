#!/usr/bin/env python3
"""Load for bench/memory.sh: maximal valid ingest batches, the 1,000,000-sample body, and a
flood from many agent tokens, while sampling the hub's VmRSS, VmHWM, PSS and the load average.

Usage: memory_load.py URL PID TOKENS_FILE SECONDS
TOKENS_FILE holds one agent token per line (the first is used for the single requests)."""

import json, os, sys, threading, time, urllib.request, urllib.error, zlib

MAX_SAMPLES = 10_000                  # ingest.max_samples_per_batch (default)
MAX_DECODED = 8 << 20                 # ingest.max_decoded_bytes (default)
LABELS = int(os.environ.get("LABELS", "4"))
# FRESH=1: every flood batch names new series, until each host reaches ingest.max_series_per_host.
FRESH = os.environ.get("FRESH", "0") == "1"


def estimate(name, labels):
    """The hub's estimate of one sample's decoded size (crates/proto/src/scan.rs)."""
    cost = 64 + 56 + len(name) + 16
    if labels:
        cost += 560 * ((len(labels) + 10) // 11)
    return cost + sum(112 + len(k) + len(v) for k, v in labels)


def sample(host, i):
    return f"bench.metric_{i % 50}", [(f"k{j}", f"{host}-{i:05}-{j}") for j in range(LABELS)]


def maximal_count(host):
    """Most samples of this shape that fit the decoded-size and sample caps (2% margin)."""
    total, n = 4096, 0
    while n < MAX_SAMPLES:
        total += estimate(*sample(host, n))
        if total > MAX_DECODED * 0.98:
            break
        n += 1
    return n


def proc_kib(pid, path, key):
    with open(f"/proc/{pid}/{path}") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def memory(pid):
    return {"rss": proc_kib(pid, "status", "VmRSS"), "hwm": proc_kib(pid, "status", "VmHWM"),
            "pss": proc_kib(pid, "smaps_rollup", "Pss")}


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def samples_json(host):
    """The samples of a maximal valid frame: as many series with LABELS labels as fit."""
    parts = []
    for i in range(maximal_count(host)):
        name, labels = sample(host, i)
        pairs = ",".join(f'"{k}":"{v}"' for k, v in labels)
        parts.append(f'{{"name":"{name}","labels":{{{pairs}}},"value":{i}.5}}')
    return "[" + ",".join(parts) + "]"


def identity(host):
    return {"hostname": host, "agent_version": "bench", "interval_ms": 5000,
            "instance_id": f"{host}-instance", "run_id": f"{host}-run"}


VERSION = int(os.environ.get("PROTOCOL_VERSION", "1"))


def body(host, seq, samples):
    head = json.dumps({"version": VERSION, "agent": identity(host), "seq": seq})[:-1]
    ts = int(time.time() * 1000)
    text = f'{head},"frames":[{{"ts_ms":{ts},"samples":{samples}}}]}}'
    return zlib.compress(text.encode(), 1, wbits=31)  # gzip framing, fast level


def million_body(host):
    samples = "[" + ",".join(f'{{"name":"load.1","value":{i * 0.37:.2f}}}' for i in range(1_000_000)) + "]"
    return body(host, 1, samples)


def post(url, token, data):
    request = urllib.request.Request(url + "/api/v1/ingest", data=data, method="POST", headers={
        "Authorization": "Bearer " + token, "Content-Encoding": "gzip",
        "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def growth(pid, before):
    now = memory(pid)
    return (now["hwm"] - before["rss"]) / 1024, (now["rss"] - before["rss"]) / 1024


def single(url, pid, token, name, data):
    before = memory(pid)
    start = time.time()
    status, reply = post(url, token, data)
    took = time.time() - start
    time.sleep(1)
    peak, kept = growth(pid, before)
    print(f"{name}: {len(data)} bytes gzip -> HTTP {status} in {took:.2f}s; "
          f"peak RSS growth {peak:.1f} MiB, kept {kept:.1f} MiB; {reply[:160]!r}")


def flood(url, pid, tokens, seconds):
    stop = time.time() + seconds
    counts, lock = {}, threading.Lock()
    figures = {"rss": 0, "pss": 0, "load": 0.0}

    def agent(n, token):
        host = f"flood-{n}"
        samples = samples_json(host)
        seq = 1
        while time.time() < stop:
            if FRESH:
                samples = samples_json(f"{host}-{seq}")
            status, _ = post(url, token, body(host, seq, samples))
            seq += 1
            with lock:
                counts[status] = counts.get(status, 0) + 1
            if status in (429, 503):
                time.sleep(1)

    def sampler():
        while time.time() < stop + 1:
            m = memory(pid)
            figures["rss"] = max(figures["rss"], m["rss"])
            figures["pss"] = max(figures["pss"], m["pss"])
            figures["load"] = max(figures["load"], loadavg())
            time.sleep(0.5)

    before = memory(pid)
    threads = [threading.Thread(target=agent, args=(n, t)) for n, t in enumerate(tokens)]
    threads.append(threading.Thread(target=sampler))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    time.sleep(5)
    after = memory(pid)
    kind = "fresh series every batch" if FRESH else "the same series every batch"
    print(f"flood: {len(tokens)} tokens x {seconds}s of maximal batches ({maximal_count('flood-0')} "
          f"samples, {LABELS} labels each, {kind}); answers {counts}")
    print(f"flood: RSS before {before['rss'] / 1024:.1f} MiB, peak {figures['rss'] / 1024:.1f} MiB, "
          f"5 s after {after['rss'] / 1024:.1f} MiB; PSS peak {figures['pss'] / 1024:.1f} MiB, "
          f"after {after['pss'] / 1024:.1f} MiB; load average (1 min) peak {figures['load']:.2f}")


def main():
    url, pid, tokens_file, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    tokens = [t.strip() for t in open(tokens_file) if t.strip()]
    m = memory(pid)
    print(f"idle hub: RSS {m['rss'] / 1024:.1f} MiB, PSS {m['pss'] / 1024:.1f} MiB")
    warm = samples_json("single")
    single(url, pid, tokens[0], "maximal batch (new series)", body("single", 1, warm))
    single(url, pid, tokens[0], "maximal batch (same series)", body("single", 2, warm))
    single(url, pid, tokens[0], "1,000,000-sample body", million_body("single"))
    flood(url, pid, tokens[1:], seconds)


if __name__ == "__main__":
    main()
