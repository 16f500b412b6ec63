//! Parser tests on replies captured from podman 4.3's Docker-compatible service
//! (crates/collector/tests/fixtures/containers/) and on hand-written Docker shapes.

use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/containers/");
    std::fs::read(format!("{dir}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn the_list_names_every_container_running_or_not() {
    let list = parse_list(&fixture("list.json")).expect("parses");
    let mut rows: Vec<(&str, &str)> = list
        .iter()
        .map(|e| (e.name.as_str(), e.state.as_str()))
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            ("cr", "created"),
            ("ex", "exited"),
            ("hc", "running"),
            ("rs", "exited"),
            ("t1", "running")
        ]
    );
    assert!(
        list.iter()
            .all(|e| e.id.len() == 64 && e.image == "localhost/bb:latest")
    );
}

#[test]
fn inspect_gives_health_restarts_exit_code_and_start() {
    let hc = parse_inspect(&fixture("inspect_healthy.json")).expect("parses");
    assert_eq!(
        (hc.name.as_str(), hc.state.as_str(), hc.health.as_str()),
        ("hc", "running", "healthy")
    );
    assert!(
        hc.started_at.starts_with("2026-12-08T"),
        "{}",
        hc.started_at
    );
    let ex = parse_inspect(&fixture("inspect_exited.json")).expect("parses");
    assert_eq!(
        (ex.state.as_str(), ex.exit_code, ex.health.as_str()),
        ("exited", 3, "")
    );
    let rs = parse_inspect(&fixture("inspect_restarted.json")).expect("parses");
    assert_eq!(
        (rs.restart_count, rs.exit_code, rs.image.as_str()),
        (2, 1, "localhost/bb:latest")
    );
    let cr = parse_inspect(&fixture("inspect_created.json")).expect("parses");
    assert_eq!((cr.state.as_str(), cr.started_at.as_str()), ("created", ""));
    assert!(!cr.oom_killed);
}

#[test]
fn stats_give_cpu_memory_and_network_counters() {
    let s = parse_stats(&fixture("stats_running.json")).expect("parses");
    assert!(
        s.cpu_total_ns > 0 && s.mem_bytes > 0 && s.mem_limit_bytes > s.mem_bytes,
        "{s:?}"
    );
    let docker = br#"{"cpu_stats":{"cpu_usage":{"total_usage":5}},
        "memory_stats":{"usage":1000,"limit":4000,"stats":{"inactive_file":300}},
        "networks":{"eth0":{"rx_bytes":7,"tx_bytes":1},"eth1":{"rx_bytes":3,"tx_bytes":2}},
        "blkio_stats":{"io_service_bytes_recursive":[{"major":8,"op":"Read","value":10},
          {"op":"Write","value":4},{"op":"read","value":1},{"op":"Total","value":15}]}}"#;
    let d = parse_stats(docker).expect("parses");
    assert_eq!(
        (d.cpu_total_ns, d.mem_bytes, d.mem_limit_bytes),
        (5, 700, 4000)
    );
    assert_eq!(
        (
            d.net_rx_bytes,
            d.net_tx_bytes,
            d.blkio_read_bytes,
            d.blkio_write_bytes
        ),
        (10, 3, 11, 4)
    );
    assert!(parse_stats(b"{\"cpu_stats\": 3}").is_err());
}

#[test]
fn events_keep_die_oom_and_health_in_time_order() {
    let events = parse_events(&fixture("events.jsonl")).expect("parses");
    assert!(
        events
            .iter()
            .all(|e| ["die", "oom", "health_status"].contains(&e.action.as_str()))
    );
    let ex = events
        .iter()
        .find(|e| e.container == "ex" && e.action == "die")
        .expect("ex died");
    assert_eq!(ex.detail, "3");
    let hc = events
        .iter()
        .find(|e| e.action == "health_status")
        .expect("a health event");
    assert_eq!(
        (hc.container.as_str(), hc.detail.as_str()),
        ("hc", "starting")
    );
    assert!(events.windows(2).all(|w| w[0].ts_ms <= w[1].ts_ms));
    let docker = br#"{"Type":"container","Action":"health_status: unhealthy","Actor":{"ID":"ab","Attributes":{"name":"web"}},"time":10}
{"Type":"container","Action":"oom","Actor":{"ID":"ab","Attributes":{"name":"web"}},"time":11,"timeNano":11000000001}
{"Type":"network","Action":"die","Actor":{"ID":"n"},"time":12}"#;
    let d = parse_events(docker).expect("parses");
    assert_eq!(d.len(), 2);
    assert_eq!(
        (d[0].action.as_str(), d[0].detail.as_str(), d[0].ts_ms),
        ("health_status", "unhealthy", 10_000)
    );
    assert_eq!((d[1].action.as_str(), d[1].ts_ms), ("oom", 11_000));
    assert!(parse_events(b"{not json").is_err());
}

#[test]
fn logs_are_unframed_and_tty_logs_kept_as_they_are() {
    assert_eq!(demux_logs(&fixture("logs_multiplexed.bin")), "hello\nerr\n");
    assert_eq!(demux_logs(&fixture("logs_tty.bin")), "tty-line\r\n");
    let cut = [1u8, 0, 0, 0, 0, 0, 0, 9, b'a', b'b'];
    assert_eq!(
        demux_logs(&cut),
        "ab",
        "a frame cut by the cap keeps what arrived"
    );
}

#[test]
fn version_and_prune_replies() {
    assert!(parse_is_podman(&fixture("version.json")));
    assert!(!parse_is_podman(br#"{"Components":[{"Name":"Engine"}]}"#));
    assert_eq!(
        parse_prune(br#"{"ContainersDeleted":["a"],"SpaceReclaimed":24}"#).ok(),
        Some(24)
    );
    assert_eq!(parse_prune(br#"{"ImagesDeleted":null}"#).ok(), Some(0));
}
