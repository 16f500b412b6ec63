//! `/graph`: a PNG chart sent with sendPhoto, and usage on bad arguments.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "test code: a failed step stops the test loudly (clippy.toml allows this in #[test] functions, not in their helpers)"
)]

mod common;

use common::fake::message;
use common::{Rig, VIEWER, rig};
use hostpulse_core::{Clock, HostFacts, Sample};
use hostpulse_proto::{AgentIdentity, Frame, IngestBatch, PROTOCOL_VERSION};
use hostpulse_store::prelude::*;

/// Five-second samples of `host` for five minutes, after the rig's first one.
async fn ingest_samples(rig: &Rig, host: &str) {
    for seq in 2..62u64 {
        rig.clock.advance(5_000);
        let cpu = 30.0 + (seq % 10) as f64 * 5.0;
        let batch = IngestBatch {
            version: PROTOCOL_VERSION,
            agent: AgentIdentity {
                hostname: host.into(),
                display_name: None,
                agent_version: "0.1.0".into(),
                interval_ms: 5000,
                instance_id: "test-instance".into(),
                run_id: "test-run".into(),
                previous_run_id: None,
            },
            seq,
            facts: Some(HostFacts {
                hostname: host.into(),
                ips: vec!["10.0.0.7".into()],
                agent_version: "0.1.0".into(),
                ..HostFacts::default()
            }),
            frames: vec![Frame {
                ts_ms: rig.clock.now_ms(),
                samples: vec![
                    Sample::new("cpu.usage_percent", cpu),
                    Sample::new("mem.used_percent", 41.0),
                    Sample::new("cpu.usage_percent", cpu).with_label("cpu", "0"),
                    Sample::new("cpu.usage_percent", 100.0 - cpu).with_label("cpu", "1"),
                ],
                ..Frame::default()
            }],
        };
        rig.store.ingest(host, batch).await.unwrap();
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
        .unwrap_or_else(|| panic!("{:?} not found", String::from_utf8_lossy(needle)))
}

/// The content of the multipart/form-data part `name`.
fn part(body: &[u8], name: &str) -> Vec<u8> {
    let boundary = &body[..find(body, b"\r\n")];
    let delimiter = [b"\r\n".as_slice(), boundary].concat();
    let header = find(body, format!("name=\"{name}\"").as_bytes());
    let start = header + find(&body[header..], b"\r\n\r\n") + 4;
    let length = find(&body[start..], &delimiter);
    body[start..start + length].to_vec()
}

#[tokio::test]
async fn graph_sends_a_png_photo_with_a_caption() {
    let rig = rig().await;
    ingest_samples(&rig, "web-1").await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/graph web-1 cpu 1h"));
    rig.fake.wait_calls("sendPhoto", 1).await;
    let body = rig.fake.raw_bodies("sendPhoto").remove(0);
    assert_eq!(part(&body, "chat_id"), VIEWER.to_string().as_bytes());
    let caption = String::from_utf8(part(&body, "caption")).unwrap();
    assert!(caption.contains("<b>web-1</b> (10.0.0.7)"), "{caption}");
    assert!(
        caption.contains("CPU") && caption.contains("last 1h"),
        "{caption}"
    );

    let png = part(&body, "photo");
    let decoder = png::Decoder::new(std::io::Cursor::new(png.as_slice()));
    let info = decoder.read_info().expect("a decodable PNG").info().clone();
    assert_eq!(
        (info.width, info.height),
        (
            hostpulse_charts::DEFAULT_WIDTH,
            hostpulse_charts::DEFAULT_HEIGHT
        )
    );
    assert!(
        rig.fake.sent_to(VIEWER).is_empty(),
        "{:?}",
        rig.fake.sent_to(VIEWER)
    );
    bot.shutdown().await;
}

/// The caption of the `index`th sendPhoto call.
fn caption(rig: &Rig, index: usize) -> String {
    let body = rig.fake.raw_bodies("sendPhoto").remove(index);
    String::from_utf8(part(&body, "caption")).unwrap()
}

#[tokio::test]
async fn defaults_metric_names_and_other_charts() {
    let rig = rig().await;
    ingest_samples(&rig, "web-1").await;
    let bot = rig.bot().await;
    let commands = [
        ("/graph web-1", "CPU and memory · last 1h"),
        // as the Graph button under an alert sends it
        ("/graph web-1 cpu.usage_percent 6h", "CPU · last 6h"),
        ("/graph web-1 cores 6h", "CPU per core · last 6h"),
        ("/graph 30d mem front", "memory · last 30d"),
        ("/graph web-1 load 15m", "load · last 15m"),
        (
            "/graph web-1 disk.inodes_used_percent",
            "disk.inodes_used_percent · last 1h",
        ),
    ];
    for (index, (text, expected)) in commands.iter().enumerate() {
        rig.fake.queue(message(index as i64 + 1, VIEWER, text));
        rig.fake.wait_calls("sendPhoto", index + 1).await;
        let caption = caption(&rig, index);
        assert!(caption.starts_with("<b>web-1</b>"), "{text}: {caption}");
        assert!(caption.ends_with(expected), "{text}: {caption}");
    }
    bot.shutdown().await;
}

#[tokio::test]
async fn the_caption_names_a_configured_time_zone() {
    let rig = rig().await;
    ingest_samples(&rig, "web-1").await;
    let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let bot = rig.bot_in(berlin).await;
    rig.fake.queue(message(1, VIEWER, "/graph web-1 cpu 6h"));
    rig.fake.wait_calls("sendPhoto", 1).await;
    let caption = caption(&rig, 0);
    assert!(
        caption.ends_with("CPU · last 6h · times in Europe/Berlin"),
        "{caption}"
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn bad_arguments_get_the_usage_line() {
    let rig = rig().await;
    let bot = rig.bot().await;
    let cases = [
        "/graph",                // three hosts: which one?
        "/graph web-1 cpu 5m",   // shorter than 15m
        "/graph web-1 cpu 60d",  // longer than 30d
        "/graph web-1 cpu mem",  // two metrics
        "/graph web-1 web-2 1h", // two hosts
    ];
    for (index, text) in cases.iter().enumerate() {
        rig.fake.queue(message(index as i64 + 1, VIEWER, text));
        let sent = rig.fake.wait_sent(VIEWER, index + 1).await;
        assert!(
            sent[index].starts_with("Usage: /graph"),
            "{text}: {}",
            sent[index]
        );
    }
    rig.fake.queue(message(10, VIEWER, "/graph nosuch"));
    let sent = rig.fake.wait_sent(VIEWER, cases.len() + 1).await;
    assert_eq!(sent[cases.len()], "No host matches nosuch.");
    assert!(rig.fake.calls("sendPhoto").is_empty());
    bot.shutdown().await;
}
