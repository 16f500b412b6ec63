//! A real crash: a child process ingests batches and is killed with SIGKILL at an
//! arbitrary moment; on reopen every acknowledged batch is present exactly once.

mod common;

use common::{batch, frame};
use hostpulse_core::{Clock, Labels, Sample, SystemClock};
use hostpulse_store::prelude::*;
use hostpulse_store::{RangeQuery, SqliteOptions, SqliteStore};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;

const DIR_VAR: &str = "HOSTPULSE_STORE_CRASH_DIR";
const BASE_VAR: &str = "HOSTPULSE_STORE_CRASH_BASE_MS";

fn crash_options(dir: &str) -> SqliteOptions {
    SqliteOptions {
        checkpoint_interval_ms: 20,
        // Small slices and a small log limit, so that kills land between slices.
        checkpoint_slice_series: 4,
        checkpoint_log_bytes: 4096,
        ..SqliteOptions::new(std::path::Path::new(dir).join("hostpulse.db"))
    }
}

fn batch_for(base_ms: i64, seq: u64) -> hostpulse_proto::IngestBatch {
    let samples = (0..20)
        .map(|i| Sample::new("load.1", seq as f64).with_label("i", i.to_string()))
        .collect();
    batch(seq, vec![frame(base_ms + seq as i64 * 1_000, samples)])
}

/// Runs in the child: ingests forever, printing each acknowledged sequence number.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "child process of sigkill_keeps_every_acknowledged_batch"]
async fn crash_child() {
    let (Ok(dir), Ok(base)) = (std::env::var(DIR_VAR), std::env::var(BASE_VAR)) else {
        return;
    };
    let base_ms: i64 = base.parse().unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = SqliteStore::open(crash_options(&dir), clock).await.unwrap();
    let mut stdout = std::io::stdout();
    for seq in 1.. {
        store
            .ingest("web-1", batch_for(base_ms, seq))
            .await
            .unwrap();
        writeln!(stdout, "acked {seq}").unwrap();
        stdout.flush().unwrap();
    }
}

#[tokio::test]
async fn sigkill_keeps_every_acknowledged_batch() {
    let dir = tempfile::tempdir().unwrap();
    let dir_text = dir.path().to_str().unwrap().to_string();
    // Samples are stamped from recent real time so that queries read raw data.
    let base_ms = SystemClock.now_ms() - 3_600_000;
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(DIR_VAR, &dir_text)
        .env(BASE_VAR, base_ms.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acked = 0u64;
    while acked < 300 {
        let line = lines.next().unwrap().unwrap();
        if let Some(seq) = line.strip_prefix("acked ") {
            acked = seq.trim().parse().unwrap();
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = SqliteStore::open(crash_options(&dir_text), clock)
        .await
        .unwrap();
    let last_seq = store.host("web-1").await.unwrap().unwrap().last_seq;
    assert!(
        last_seq >= acked,
        "last_seq {last_seq} < acknowledged {acked}"
    );
    for i in [0, 19] {
        let mut labels = Labels::new();
        labels.insert("i".into(), i.to_string());
        let query = RangeQuery {
            host: "web-1".into(),
            metric: "load.1".into(),
            labels,
            start_ms: base_ms,
            end_ms: base_ms + (last_seq as i64 + 1) * 1_000,
            step_ms: 1_000,
        };
        let result = store.query_range(query).await.unwrap();
        let points = &result.series[0].points;
        assert_eq!(points.len() as u64, last_seq, "one point per stored batch");
        for (index, point) in points.iter().enumerate() {
            assert_eq!(point.count, 1, "sample stored twice");
            assert_eq!(point.avg, (index + 1) as f64);
        }
    }
    store.shutdown().await.unwrap();
}
