//! `hostpulse status [HOST]`: the fleet table, or every latest metric of one host.

use crate::cli::ApiArgs;
use crate::client::{ApiClient, encode};
use anyhow::Result;
use hostpulse_api::HostView;
use std::fmt::Write as _;
use std::process::ExitCode;

/// Prints the fleet table or one host's detail.
pub fn run(host: Option<&str>, api: &ApiArgs, json: bool) -> Result<ExitCode> {
    let client = ApiClient::from_args(api)?;
    match host {
        None => {
            let hosts: Vec<HostView> = client.get("/api/v1/hosts")?;
            if json {
                println!("{}", serde_json::to_string_pretty(&hosts)?);
            } else {
                print!("{}", fleet_table(&hosts, now_ms()));
            }
        }
        Some(name) => {
            let latest: serde_json::Value =
                client.get(&format!("/api/v1/hosts/{}/latest", encode(name)))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&latest)?);
            } else {
                print!("{}", host_detail(&latest));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn now_ms() -> i64 {
    use hostpulse_core::Clock;
    hostpulse_core::SystemClock.now_ms()
}

fn opt(value: Option<f64>, suffix: &str) -> String {
    value.map_or_else(|| "-".to_string(), |v| format!("{v:.1}{suffix}"))
}

/// Renders the fleet table.
pub fn fleet_table(hosts: &[HostView], now_ms: i64) -> String {
    let mut out = format!(
        "{:<24} {:<5} {:<10} {:>6} {:>6} {:>16} {:>6}\n",
        "HOST", "STATE", "LAST SEEN", "CPU", "MEM", "FULLEST DISK", "LOAD1"
    );
    for h in hosts {
        let s = &h.summary;
        let disk = match (&s.fullest_disk_mount, s.fullest_disk_used_percent) {
            (Some(m), Some(p)) => format!("{m} {p:.0}%"),
            _ => "-".into(),
        };
        let _ = writeln!(
            out,
            "{:<24} {:<5} {:<10} {:>6} {:>6} {:>16} {:>6}",
            h.display_name.as_deref().unwrap_or(&h.name),
            h.status,
            format_ago(now_ms - h.last_seen_ms),
            opt(s.cpu_percent, "%"),
            opt(s.mem_used_percent, "%"),
            disk,
            opt(s.load1, ""),
        );
    }
    if hosts.is_empty() {
        out.push_str("(no hosts yet: start an agent, see `hostpulse agents add`)\n");
    }
    out
}

/// Renders one host's latest metrics and snapshots.
pub fn host_detail(latest: &serde_json::Value) -> String {
    let h = &latest["host"];
    let mut out = format!(
        "{} ({}) {} — {} {} {}\n",
        h["name"].as_str().unwrap_or("?"),
        h["hostname"].as_str().unwrap_or("?"),
        h["status"].as_str().unwrap_or("?"),
        h["os"].as_str().unwrap_or(""),
        h["kernel"].as_str().unwrap_or(""),
        h["ips"]
            .as_array()
            .map(|ips| ips
                .iter()
                .filter_map(|i| i.as_str())
                .collect::<Vec<_>>()
                .join(","))
            .unwrap_or_default(),
    );
    for s in latest["samples"].as_array().into_iter().flatten() {
        let labels = s["labels"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default();
        let name = if labels.is_empty() {
            s["name"].as_str().unwrap_or("").to_string()
        } else {
            format!("{}{{{labels}}}", s["name"].as_str().unwrap_or(""))
        };
        let value = s["value"]
            .as_f64()
            .map_or_else(|| "-".to_string(), |v| v.to_string());
        let _ = writeln!(out, "  {name:<56} {value}");
    }
    append_processes(&mut out, &latest["processes"]);
    out
}

fn append_processes(out: &mut String, snapshot: &serde_json::Value) {
    for (title, key) in [("top by CPU", "top_cpu"), ("top by memory", "top_memory")] {
        let Some(list) = snapshot[key].as_array() else {
            continue;
        };
        let _ = writeln!(out, "{title}:");
        for p in list {
            let rss_mib = p["rss_bytes"].as_f64().unwrap_or(0.0) / 1_048_576.0;
            let _ = writeln!(
                out,
                "  {:>7} {:<20} {:<12} {:>6.1}% {:>9.1} MiB",
                p["pid"],
                p["name"].as_str().unwrap_or(""),
                p["user"].as_str().unwrap_or(""),
                p["cpu_percent"].as_f64().unwrap_or(0.0),
                rss_mib
            );
        }
    }
}

/// `12s ago`, `5m ago`, `3h ago`, `2d ago`.
pub fn format_ago(delta_ms: i64) -> String {
    let s = (delta_ms / 1000).max(0);
    match s {
        0..60 => format!("{s}s ago"),
        60..3600 => format!("{}m ago", s / 60),
        3600..86400 => format!("{}h ago", s / 3600),
        _ => format!("{}d ago", s / 86400),
    }
}

/// UTC `YYYY-MM-DD HH:MM:SSZ` of Unix milliseconds.
pub fn format_time(ms: i64) -> String {
    let t = hostpulse_core::utc_datetime(ms);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_times() {
        assert_eq!(format_time(0), "1970-01-01 00:00:00Z");
        assert_eq!(format_time(1_795_437_296_000), "2026-11-23 12:34:56Z");
        assert_eq!(format_ago(61_000), "1m ago");
        assert_eq!(format_ago(-5), "0s ago");
    }
}
