//! The growable wire format end to end. A real hub reads a batch of a newer agent (a
//! higher `version`, a `min_version` in its range, fields it does not know) and refuses one
//! it cannot read with 426 and its range, storing nothing of it. A real agent refused by an
//! older hub keeps every batch in its spool and delivers all of them once the hub is
//! upgraded: the regression test of "a newer agent talking to an older hub loses data".
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::old_hub::OldHub;
use common::{AgentProc, Hub, Mode, Point, latest_value, now_ms, range_points, try_get, wait_for};
use flate2::Compression;
use flate2::write::GzEncoder;
use hostpulse_proto::{MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, decode_batch};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

const INGEST: &str = "/api/v1/ingest";

/// The hub's range as its replies and refusals announce it.
fn hub_range() -> Value {
    json!({"min": MIN_PROTOCOL_VERSION, "max": PROTOCOL_VERSION})
}

/// JSON gzipped, as the agent sends its batches (`Content-Encoding: gzip`).
fn gzip(value: &Value) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(&serde_json::to_vec(value).unwrap()).unwrap();
    enc.finish().unwrap()
}

/// A batch as a newer agent writes it: `version`/`min_version` as given and, at the top
/// level, in the identity, the frame and the samples, fields no hub of this build knows.
fn newer_batch(version: u32, min_version: u32, seq: u64, ts_ms: i64, load: f64) -> Value {
    json!({
        "version": version,
        "min_version": min_version,
        "seq": seq,
        "shard_hint": "eu-1",
        "future": {"nested": [1, {"deep": true}], "empty": null},
        "agent": {
            "hostname": "newer-host", "agent_version": "99.0.0", "interval_ms": 1000,
            "instance_id": "0123456789abcdef0123456789abcdef",
            "run_id": "fedcba9876543210fedcba9876543210",
            "zone": "eu-west", "capabilities": ["compression:zstd", "commands"]
        },
        "frames": [{
            "ts_ms": ts_ms,
            "annotations": [{"kind": "deploy"}],
            "samples": [
                {"name": "load.1", "value": load, "unit": "ratio", "exemplar": {"trace": "ab12"}},
                {"name": "disk.used_percent", "labels": {"mount": "/"}, "value": 41.5,
                 "quality": 3}
            ]
        }]
    })
}

/// The `Upgrade` header of the hub's answer to `body` (the harness's client hides headers).
fn upgrade_header(hub: &Hub, token: &str, body: &[u8]) -> Option<String> {
    let addr = hub.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let head = format!(
        "POST {INGEST} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Encoding: gzip\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 426"), "{answer}");
    answer.lines().find_map(|l| {
        let lower = l.to_ascii_lowercase();
        lower.strip_prefix("upgrade: ").map(str::to_string)
    })
}

/// Posts a newer agent's batch (version above the hub's, `min_version` its newest) and
/// checks it is read as the hub's newest version and its samples are queryable.
fn store_a_newer_batch(hub: &Hub, token: &str, ts: i64) -> Vec<Point> {
    let newer = newer_batch(PROTOCOL_VERSION + 1, PROTOCOL_VERSION, 1, ts, 0.75);
    let reply = hub.post(INGEST, Some(token), &gzip(&newer), true);
    assert_eq!(reply.status, 200, "{}", reply.json);
    let expected = json!({"seq": 1, "duplicate": false, "samples": 2,
        "version": PROTOCOL_VERSION, "versions": hub_range(), "commands": []});
    assert_eq!(reply.json, expected, "read as the hub's newest version");
    let latest = hub.get("/api/v1/hosts/newer/latest");
    assert_eq!(latest.status, 200, "{}", latest.json);
    assert_eq!(latest_value(&latest.json, "load.1", &[]), Some(0.75));
    let disk = latest_value(&latest.json, "disk.used_percent", &[("mount", "/")]);
    assert_eq!(disk, Some(41.5), "{}", latest.json);
    let points = range_points(hub, "newer", "load.1", ts - 5000);
    let stored = vec![Point {
        ts_ms: ts,
        avg: 0.75,
        count: 1,
    }];
    assert_eq!(points, stored);
    points
}

/// Posts, as seq 2, a batch readable only above the hub's newest version and one below its
/// oldest: both refused whole with 426, `unsupported_version` and the hub's range.
fn refuse_unreadable_batches(hub: &Hub, token: &str, ts: i64) {
    let unreadable = || {
        let (version, min) = (PROTOCOL_VERSION + 2, PROTOCOL_VERSION + 1);
        let mut batch = newer_batch(version, min, 2, ts + 1000, 9.0);
        batch["frames"][0]["samples"][1]["name"] = json!("future.metric");
        gzip(&batch)
    };
    let refused = hub.post(INGEST, Some(token), &unreadable(), true);
    assert_eq!(refused.status, 426, "{}", refused.json);
    assert_eq!(
        refused.json["error"], "unsupported_version",
        "{}",
        refused.json
    );
    assert_eq!(refused.json["versions"], hub_range(), "{}", refused.json);
    let detail = refused.json["detail"].as_str().unwrap_or_default();
    let expected = format!("protocol version {}", PROTOCOL_VERSION + 2);
    assert!(detail.contains(&expected), "{detail}");
    let upgrade = upgrade_header(hub, token, &unreadable());
    assert_eq!(
        upgrade,
        Some(format!("hostpulse-ingest/{PROTOCOL_VERSION}"))
    );
    let oldest = MIN_PROTOCOL_VERSION - 1;
    let old = newer_batch(oldest, oldest, 2, ts + 1000, 9.0);
    let too_old = hub.post(INGEST, Some(token), &gzip(&old), true);
    assert_eq!(too_old.status, 426, "{}", too_old.json);
    assert_eq!(too_old.json["versions"], hub_range(), "{}", too_old.json);
}

#[test]
fn hub_reads_a_newer_batch_and_refuses_one_it_cannot_read_storing_nothing() {
    let hub = Hub::start(Mode::Hub);
    let token = hub.add_agent("newer");
    let ts = now_ms().div_euclid(1000) * 1000 - 10_000;
    let stored = store_a_newer_batch(&hub, &token, ts);
    refuse_unreadable_batches(&hub, &token, ts);

    // Nothing of the refused batches was stored: values, series and seq are as before.
    let latest = hub.get("/api/v1/hosts/newer/latest");
    assert_eq!(latest_value(&latest.json, "load.1", &[]), Some(0.75));
    assert_eq!(latest_value(&latest.json, "future.metric", &[]), None);
    assert!(range_points(&hub, "newer", "future.metric", ts - 5000).is_empty());
    assert_eq!(range_points(&hub, "newer", "load.1", ts - 5000), stored);
    // The hub keeps serving, and seq 2 is still new to it.
    let healthy = try_get(&format!("{}/healthz", hub.url), None).expect("healthz");
    assert_eq!(healthy.status, 200);
    let next = newer_batch(PROTOCOL_VERSION, PROTOCOL_VERSION, 2, ts + 1000, 0.5);
    let reply = hub.post(INGEST, Some(&token), &gzip(&next), true);
    assert_eq!(reply.status, 200, "{}", reply.json);
    assert_eq!(reply.json["duplicate"], false, "{}", reply.json);
    assert_eq!(range_points(&hub, "newer", "load.1", ts - 5000).len(), 2);
    let logs = hub.logs();
    assert!(logs.contains("ingest batch refused"), "{logs}");
}

/// Seq and frame timestamps of every batch in the spool now (decoded as the hub would).
fn spool_contents(dir: &Path) -> BTreeMap<u64, Vec<i64>> {
    let mut batches = BTreeMap::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(seq) = name.strip_suffix(".batch").and_then(|s| s.parse().ok()) else {
            continue;
        };
        // A batch may be replaced or removed between the listing and the read.
        let Ok(body) = std::fs::read(entry.path()) else {
            continue;
        };
        let batch = decode_batch(&body, true, 64 << 20).expect("a spooled batch decodes");
        assert_eq!(batch.seq, seq, "spool file {name}");
        batches.insert(seq, batch.frames.iter().map(|f| f.ts_ms).collect());
    }
    batches
}

/// The real hub's 426 body for a batch it cannot read, with the range and detail of a hub
/// whose newest version is one below this build's. The agent always writes
/// [`PROTOCOL_VERSION`] and cannot be made newer without code changes, so an older hub
/// answering with a range that excludes that version is the faithful simulation of a newer
/// agent talking to an older hub.
fn older_hub_refusal(hub: &Hub, token: &str) -> Value {
    let batch = newer_batch(PROTOCOL_VERSION + 1, PROTOCOL_VERSION + 1, 1, now_ms(), 1.0);
    let mut body = hub.post(INGEST, Some(token), &gzip(&batch), true).json;
    assert_eq!(body["error"], "unsupported_version", "{body}");
    assert!(
        body["versions"].is_object() && body["detail"].is_string(),
        "{body}"
    );
    let older = PROTOCOL_VERSION - 1;
    body["versions"] = json!({"min": 1, "max": older});
    body["detail"] = json!(format!(
        "batch is in protocol version {PROTOCOL_VERSION}; this hub reads {older}; \
         the agent keeps the batch until a hub reads it"
    ));
    body
}

const AGENT: &str = "e2e-agent";
const METRIC: &str = "system.uptime_seconds";
/// Batches the agent must have spooled while refused before the hub is upgraded.
const REFUSED_BATCHES: usize = 8;
/// Longest wait for the spool to drain after the upgrade (the back-off is capped at 60 s).
const CATCH_UP: Duration = Duration::from_secs(240);

/// Every event the agent logged (at any level) whose message contains `text`.
fn logged(agent: &AgentProc, text: &str) -> Vec<Value> {
    let lines = agent.log();
    let events = lines
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok());
    events
        .filter(|e| {
            e["fields"]["message"]
                .as_str()
                .is_some_and(|m| m.contains(text))
        })
        .collect()
}

/// The agent's one warning about the hub not reading its version.
const WARNED: &str = "hub cannot read this agent's protocol version";

/// Watches the spool while the old hub refuses until it holds [`REFUSED_BATCHES`]: the
/// oldest batch never leaves and no seq is missing. Returns every batch seen, by seq.
fn watch_spool_while_refused(agent: &mut AgentProc, old_hub: &OldHub) -> BTreeMap<u64, Vec<i64>> {
    let mut seen: BTreeMap<u64, Vec<i64>> = BTreeMap::new();
    wait_for(
        "batches kept while refused",
        Duration::from_secs(120),
        || {
            agent.assert_running();
            let now = spool_contents(&agent.spool_dir());
            if let (Some(first), Some(oldest)) = (seen.keys().next(), now.keys().next()) {
                assert_eq!(oldest, first, "the oldest refused batch left the spool");
            }
            seen.extend(now);
            let seqs: Vec<u64> = seen.keys().copied().collect();
            assert!(
                seqs.windows(2).all(|w| w[1] == w[0] + 1),
                "a seq was lost: {seqs:?}"
            );
            let refusals = old_hub.refusals();
            (agent.spooled() >= REFUSED_BATCHES && refusals >= 2).then_some(())
        },
    );
    seen
}

/// The agent warned, naming the old hub's range, and dropped nothing.
fn assert_warned_about_the_version(agent: &AgentProc) {
    let warning = wait_for("the agent's warning", Duration::from_secs(30), || {
        logged(agent, WARNED).into_iter().next()
    });
    assert_eq!(warning["level"], "WARN", "{warning}");
    let older = (PROTOCOL_VERSION - 1).to_string();
    assert_eq!(
        warning["fields"]["hub_versions"],
        older.as_str(),
        "{warning}"
    );
    assert!(logged(agent, "dropping it").is_empty(), "{}", agent.log());
}

#[test]
fn agent_refused_by_an_older_hub_keeps_every_batch_and_delivers_them_after_the_upgrade() {
    let hub = Hub::start(Mode::Hub);
    let token = hub.add_agent(AGENT);
    let old_hub = OldHub::start(&hub.url, &older_hub_refusal(&hub, &token));
    let since_ms = now_ms() - 2000;
    let mut agent = AgentProc::start(&old_hub.url, &token);
    let seen = watch_spool_while_refused(&mut agent, &old_hub);
    assert_warned_about_the_version(&agent);
    let nothing = range_points(&hub, AGENT, METRIC, since_ms);
    assert!(nothing.is_empty(), "the real hub got nothing yet");

    old_hub.upgrade();
    let upgraded_ms = now_ms();
    wait_for("the spool to drain into the upgraded hub", CATCH_UP, || {
        agent.assert_running();
        if agent.spooled() > 0 {
            return None;
        }
        let newest = range_points(&hub, AGENT, METRIC, since_ms).last()?.ts_ms;
        (newest >= upgraded_ms).then_some(())
    });
    let status = agent.terminate(Duration::from_secs(30));
    let log = agent.log();
    assert!(
        status.is_some_and(|s| s.success()),
        "agent exit: {status:?}\n{log}"
    );
    assert!(old_hub.forwarded() >= seen.len());
    assert_eq!(logged(&agent, WARNED).len(), 1, "warned once:\n{log}");
    assert!(
        !logged(&agent, "protocol version again").is_empty(),
        "{log}"
    );
    assert_every_refused_sample_arrived(&hub, &agent, &seen, since_ms);
}

/// Every frame seen in the spool while refused is stored exactly once, and the series has
/// no gap from the first collected frame on but the ticks the agent reports skipping.
fn assert_every_refused_sample_arrived(
    hub: &Hub,
    agent: &AgentProc,
    seen: &BTreeMap<u64, Vec<i64>>,
    since_ms: i64,
) {
    let points = range_points(hub, AGENT, METRIC, since_ms);
    let logs = format!("{}\n--- agent ---\n{}", hub.logs(), agent.log());
    let stored: BTreeMap<i64, u64> = points.iter().map(|p| (p.ts_ms, p.count)).collect();
    let refused: Vec<i64> = seen.values().flatten().copied().collect();
    assert!(refused.len() >= REFUSED_BATCHES, "{refused:?}");
    for ts in &refused {
        assert_eq!(
            stored.get(ts),
            Some(&1),
            "frame {ts} refused, then not stored once\n{logs}"
        );
    }
    assert_eq!(
        points.first().map(|p| p.ts_ms),
        refused.first().copied(),
        "{logs}"
    );
    let missing: i64 = points
        .windows(2)
        .map(|w| (w[1].ts_ms - w[0].ts_ms) / 1000 - 1)
        .sum();
    let skipped = i64::try_from(agent.skipped_ticks()).unwrap();
    assert_eq!(
        missing, skipped,
        "missing seconds vs ticks the agent skipped\n{logs}"
    );
}
