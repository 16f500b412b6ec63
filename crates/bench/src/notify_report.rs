//! The delivery benchmark's summary: memory (VmRSS and PSS) of the hub with a full outbox
//! against an empty one, then throughput, CPU per 1,000 notifications and memory of the hub
//! and the peer, their ratios, and whether each delivered every notification exactly once.

use crate::am_post::PostReport;
use crate::proc_watch::{DrainReport, KibSummary, MemorySummary};
use std::fmt::Write;

/// RSS growth over the queued window still counted as flat: 2 % or 1 MiB, whichever is more.
pub fn is_flat(rss: &KibSummary) -> bool {
    let allowed = (rss.first_kib / 50).max(1024);
    rss.last_kib <= rss.first_kib + allowed && rss.max_kib <= rss.first_kib + allowed
}

/// One side of the drain comparison.
#[derive(Debug, Clone)]
pub struct DrainSide {
    /// The system's name in the tables, e.g. `hostpulse hub`.
    pub label: String,
    /// What watching its drain measured.
    pub drain: DrainReport,
    /// How the peer's alerts were posted; its span starts with the first post. `None`
    /// (the hub): the span starts with the sink's first request.
    pub post: Option<PostReport>,
}

impl DrainSide {
    /// The hub: its outbox was full before it started.
    pub fn hub(label: &str, drain: DrainReport) -> Self {
        Self {
            label: label.to_string(),
            drain,
            post: None,
        }
    }

    /// The peer: its span starts with the first post of alerts.
    pub fn peer(label: &str, drain: DrainReport, post: PostReport) -> Self {
        Self {
            label: label.to_string(),
            drain,
            post: Some(post),
        }
    }

    /// Seconds from the start of the span to the expected request.
    pub fn seconds(&self) -> f64 {
        let stats = &self.drain.at_expected;
        let start = self
            .post
            .map(|p| p.started_ms)
            .or(stats.first_ms)
            .unwrap_or(0);
        let end = stats.last_ms.unwrap_or(start);
        (end - start).max(1) as f64 / 1000.0
    }

    /// Notifications per second over the span.
    pub fn throughput(&self) -> f64 {
        self.drain.at_expected.requests.min(self.drain.expected) as f64 / self.seconds()
    }

    /// CPU seconds per 1,000 notifications.
    pub fn cpu_per_thousand(&self) -> f64 {
        self.drain.cpu_seconds * 1000.0 / self.drain.expected.max(1) as f64
    }

    /// VmRSS and PSS over the drain.
    pub fn memory(&self) -> &MemorySummary {
        &self.drain.memory
    }

    /// Every expected notification arrived once and nothing else arrived.
    pub fn exactly_once(&self) -> bool {
        let s = &self.drain.settled;
        self.drain.complete && s.requests == self.drain.expected && s.distinct == s.requests
    }
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// Markdown table of the queued-phase memory (hub with a full outbox, hub with an empty one).
pub fn queued_text(count: u64, queued: &MemorySummary, baseline: &MemorySummary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| hub (receiver unreachable) | samples | RSS min | median | max | last - first \
         | PSS median | PSS max |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
    for (label, memory) in [
        (format!("{count} queued"), queued),
        ("empty outbox".to_string(), baseline),
    ] {
        let rss = &memory.rss;
        let growth = rss.last_kib as i64 - rss.first_kib as i64;
        let _ = writeln!(
            out,
            "| {label} | {} | {} | {} | {} | {:+.1} MiB | {} | {} |",
            rss.samples,
            mib(rss.min_kib),
            mib(rss.median_kib),
            mib(rss.max_kib),
            growth as f64 / 1024.0,
            mib(memory.pss.median_kib),
            mib(memory.pss.max_kib)
        );
    }
    let verdict = if is_flat(&queued.rss) {
        "flat"
    } else {
        "GROWING"
    };
    let _ = writeln!(
        out,
        "\nqueued hub RSS over the window: {verdict}; median vs empty outbox: RSS {:+.1} MiB, \
         PSS {:+.1} MiB",
        (queued.rss.median_kib as f64 - baseline.rss.median_kib as f64) / 1024.0,
        (queued.pss.median_kib as f64 - baseline.pss.median_kib as f64) / 1024.0
    );
    out
}

/// Markdown table of the drains, the ratios against the peer and the exactly-once checks.
pub fn drain_text(hub: &DrainSide, peer: Option<&DrainSide>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| system | delivered (distinct) | span | notifications/s | CPU s per 1,000 | RSS max \
         | PSS max |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for side in std::iter::once(hub).chain(peer) {
        let s = &side.drain.settled;
        let _ = writeln!(
            out,
            "| {} | {} ({}) | {:.1} s | {:.0} | {:.3} | {} | {} |",
            side.label,
            s.requests,
            s.distinct,
            side.seconds(),
            side.throughput(),
            side.cpu_per_thousand(),
            mib(side.drain.memory.rss.max_kib),
            mib(side.drain.memory.pss.max_kib)
        );
    }
    out.push('\n');
    if let Some(peer) = peer {
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        let _ = writeln!(
            out,
            "hostpulse / peer: throughput {:.2}x, RSS max {:.2}x, PSS max {:.2}x, \
             CPU per 1,000 {:.2}x",
            ratio(hub.throughput(), peer.throughput()),
            ratio(
                hub.memory().rss.max_kib as f64,
                peer.memory().rss.max_kib as f64
            ),
            ratio(
                hub.memory().pss.max_kib as f64,
                peer.memory().pss.max_kib as f64
            ),
            ratio(hub.cpu_per_thousand(), peer.cpu_per_thousand())
        );
    }
    for side in std::iter::once(hub).chain(peer) {
        let _ = writeln!(out, "{}", timing_line(side));
    }
    for side in std::iter::once(hub).chain(peer) {
        let _ = writeln!(out, "{}", exactly_once_line(side));
    }
    out
}

/// Where the span went: the hub's start-up before its first delivery, or the peer's posting.
fn timing_line(side: &DrainSide) -> String {
    let stats = &side.drain.at_expected;
    let seconds =
        |from: i64, to: Option<i64>| to.map_or(f64::NAN, |to| (to - from) as f64 / 1000.0);
    match side.post {
        Some(post) => format!(
            "{}: {} alerts posted in {:.1} s; the last request arrived {:.1} s after the last post",
            side.label,
            post.posted,
            (post.finished_ms - post.started_ms) as f64 / 1000.0,
            seconds(post.finished_ms, stats.last_ms)
        ),
        None => format!(
            "{}: first delivery {:.1} s after the process started",
            side.label,
            seconds(side.drain.watch_started_ms, stats.first_ms)
        ),
    }
}

fn exactly_once_line(side: &DrainSide) -> String {
    let s = &side.drain.settled;
    let verdict = if side.exactly_once() { "ok" } else { "FAIL" };
    format!(
        "{verdict}: {} exactly once: expected {}, requests {}, distinct {}{}",
        side.label,
        side.drain.expected,
        s.requests,
        s.distinct,
        if side.drain.complete {
            ""
        } else {
            " (timed out)"
        }
    )
}

/// What each side guarantees about a notification when it is delivered.
pub const GUARANTEES: &str = "guarantees: hostpulse writes a durable record per notification \
before and after each attempt (SQLite outbox: pending -> sending -> sent), so a crash loses \
none and repeats at most the one attempt in flight (with the same idempotency key); \
Alertmanager keeps the queue in memory and snapshots its notification \
log periodically (a crash loses queued notifications and may repeat recent ones).";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::SinkStats;

    fn drain(requests: u64, distinct: u64, first: i64, last: i64) -> DrainReport {
        let stats = SinkStats {
            requests,
            distinct,
            first_ms: Some(first),
            last_ms: Some(last),
        };
        DrainReport {
            expected: 1000,
            complete: requests >= 1000,
            watch_started_ms: first - 500,
            at_expected: stats.clone(),
            settled: stats,
            cpu_seconds: 2.0,
            memory: MemorySummary {
                rss: KibSummary::of(&[10_240, 20_480]),
                pss: KibSummary::of(&[8_192, 16_384]),
            },
        }
    }

    #[test]
    fn figures_use_the_sink_span_or_the_post_start() {
        let hub = DrainSide::hub("hostpulse", drain(1000, 1000, 10_000, 12_000));
        assert_eq!(hub.seconds(), 2.0);
        assert_eq!(hub.throughput(), 500.0);
        assert_eq!(hub.cpu_per_thousand(), 2.0);
        assert!(hub.exactly_once());
        let post = PostReport {
            posted: 1000,
            started_ms: 9_000,
            finished_ms: 9_500,
        };
        let peer = DrainSide::peer("am", drain(1000, 1000, 10_000, 13_000), post);
        assert_eq!(peer.seconds(), 4.0);
        let text = drain_text(&hub, Some(&peer));
        assert!(text.contains("throughput 2.00x"), "{text}");
        assert!(text.contains("| 20.0 MiB | 16.0 MiB |"), "{text}");
        assert!(text.contains("PSS max 1.00x"), "{text}");
        assert!(text.contains("first delivery 0.5 s after"), "{text}");
        assert!(
            text.contains("posted in 0.5 s; the last request arrived 3.5 s after"),
            "{text}"
        );
        assert!(!text.contains("FAIL"), "{text}");
    }

    #[test]
    fn duplicates_or_missing_deliveries_fail() {
        let doubled = DrainSide::hub("hostpulse", drain(1001, 1000, 0, 1000));
        assert!(!doubled.exactly_once());
        let short = DrainSide::hub("hostpulse", drain(999, 999, 0, 1000));
        assert!(!short.exactly_once());
        assert!(drain_text(&short, None).contains("FAIL: hostpulse"));
    }

    #[test]
    fn flat_allows_small_noise_only() {
        assert!(is_flat(&KibSummary::of(&[40_000, 40_500, 40_200])));
        assert!(!is_flat(&KibSummary::of(&[40_000, 45_000, 50_000])));
        let memory = |rss: &[u64], pss: &[u64]| MemorySummary {
            rss: KibSummary::of(rss),
            pss: KibSummary::of(pss),
        };
        let text = queued_text(
            100,
            &memory(&[40_000, 41_024], &[30_720, 31_744]),
            &memory(&[38_976], &[29_696]),
        );
        assert!(text.contains("| 100 queued | 2 |"), "{text}");
        assert!(text.contains("| 31.0 MiB | 31.0 MiB |"), "{text}");
        assert!(text.contains("PSS +2.0 MiB"), "{text}");
        assert!(text.contains("flat"), "{text}");
    }
}
