//! A fleet of hosts in a real SQLite store: one agent frame of about 180 series per host.

use hostpulse_collector::tcp::TCP_STATES;
use hostpulse_core::{HostFacts, ProcessInfo, ProcessSnapshot, Sample};
use hostpulse_engine::Engine;
use hostpulse_proto::{AgentIdentity, Frame, IngestBatch, PROTOCOL_VERSION};
use hostpulse_store::prelude::*;
use std::error::Error;

const LOGICAL_CPUS: usize = 16;
const MOUNTS: [&str; 8] = [
    "/", "/boot", "/home", "/var", "/var/log", "/srv", "/opt", "/data",
];
const BLOCK_DEVICES: [&str; 8] = ["sda", "sda1", "sda2", "sdb", "sdb1", "dm-0", "dm-1", "md0"];
const INTERFACES: [&str; 7] = ["eth0", "eth1", "bond0", "docker0", "br-1", "veth1", "tun0"];

/// The samples of one collection cycle of host number `index`.
pub fn samples(index: usize) -> Vec<Sample> {
    let x = index as f64;
    let mut out = vec![Sample::new("cpu.usage_percent", 10.0 + x % 80.0)];
    for name in ["user", "system", "iowait", "steal"] {
        out.push(Sample::new(format!("cpu.{name}_percent"), 1.0 + x % 7.0));
    }
    for (name, value) in [
        ("cores_logical", 16.0),
        ("cores_physical", 8.0),
        ("frequency_mhz", 2900.0),
    ] {
        out.push(Sample::new(format!("cpu.{name}"), value));
    }
    for cpu in 0..LOGICAL_CPUS {
        out.push(
            Sample::new("cpu.usage_percent", (x + cpu as f64) % 100.0)
                .with_label("cpu", cpu.to_string()),
        );
    }
    for (name, value) in [("1", 0.5), ("5", 0.4), ("15", 0.3)] {
        out.push(Sample::new(format!("load.{name}"), value + x / 100.0));
    }
    for name in [
        "total_bytes",
        "available_bytes",
        "used_bytes",
        "used_percent",
        "cached_bytes",
        "buffers_bytes",
    ] {
        out.push(Sample::new(format!("mem.{name}"), 1e9 + x));
    }
    for name in [
        "total_bytes",
        "used_bytes",
        "used_percent",
        "in_pages_per_sec",
        "out_pages_per_sec",
    ] {
        out.push(Sample::new(format!("swap.{name}"), x));
    }
    for mount in MOUNTS {
        for name in [
            "total_bytes",
            "free_bytes",
            "used_percent",
            "inodes_used_percent",
        ] {
            out.push(
                Sample::new(format!("disk.{name}"), 40.0 + x % 50.0).with_label("mount", mount),
            );
        }
    }
    for device in BLOCK_DEVICES {
        for name in [
            "read_bytes_per_sec",
            "write_bytes_per_sec",
            "read_ops_per_sec",
            "write_ops_per_sec",
            "busy_percent",
        ] {
            out.push(Sample::new(format!("disk.{name}"), x * 1000.0).with_label("device", device));
        }
    }
    for iface in INTERFACES {
        for dir in ["rx", "tx"] {
            for name in ["bytes", "packets", "errors", "drops"] {
                out.push(
                    Sample::new(format!("net.{dir}_{name}_per_sec"), x * 100.0)
                        .with_label("iface", iface),
                );
            }
        }
    }
    for state in TCP_STATES {
        out.push(Sample::new("tcp.connections", x % 13.0).with_label("state", state));
    }
    for name in [
        "proc.count",
        "proc.running",
        "proc.blocked",
        "users.logged_in",
        "system.uptime_seconds",
        "system.boot_time_seconds",
    ] {
        out.push(Sample::new(name, 100.0 + x));
    }
    out
}

/// One batch of host `index`, named `host-NNN`, with a frame at `ts_ms`.
pub fn batch(index: usize, ts_ms: i64) -> IngestBatch {
    let name = format!("host-{index:03}");
    let process = ProcessInfo {
        pid: 1,
        name: "systemd".into(),
        user: "root".into(),
        cpu_percent: 0.1,
        rss_bytes: 12_000_000,
    };
    IngestBatch {
        version: PROTOCOL_VERSION,
        agent: AgentIdentity {
            hostname: name.clone(),
            display_name: None,
            agent_version: "0.1.0".into(),
            interval_ms: 5000,
            instance_id: "test-instance".into(),
            run_id: "test-run".into(),
            previous_run_id: None,
        },
        seq: 1,
        facts: Some(HostFacts {
            hostname: name,
            ips: vec![format!("10.0.{}.{}", index / 250, index % 250 + 1)],
            agent_version: "0.1.0".into(),
            ..HostFacts::default()
        }),
        frames: vec![Frame {
            ts_ms,
            samples: samples(index),
            processes: Some(ProcessSnapshot {
                top_cpu: vec![process.clone()],
                top_memory: vec![process],
            }),
            users: Some(vec![]),
            containers: None,
            errors: None,
        }],
    }
}

/// Ingests one frame of each of `hosts` hosts the way the hub does: engine windows, store,
/// rule evaluation.
pub async fn ingest(
    store: &dyn Store,
    engine: &Engine,
    hosts: usize,
    ts_ms: i64,
) -> Result<(), Box<dyn Error>> {
    for index in 0..hosts {
        let batch = batch(index, ts_ms);
        let host = batch.agent.hostname.clone();
        let observation = engine.observe_batch(&host, &batch);
        store.ingest(&host, batch).await?;
        engine.commit_observation(observation);
    }
    engine.evaluate_dirty().await;
    Ok(())
}
