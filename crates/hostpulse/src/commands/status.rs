//! `hostpulse status [HOST]`: the fleet table, or every latest metric of one host.

use crate::cli::ApiArgs;
use crate::client::{ApiClient, encode};
use crate::table::{self, Align};
use anyhow::Result;
use hostpulse_api::HostView;
use hostpulse_core::human_bytes;
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
    use Align::{Left, Right};
    let header = [
        ("HOST", Left),
        ("STATE", Left),
        ("LAST SEEN", Left),
        ("CPU", Right),
        ("MEM", Right),
        ("FULLEST DISK", Right),
        ("LOAD1", Right),
    ];
    let rows: Vec<Vec<String>> = hosts
        .iter()
        .map(|h| {
            let s = &h.summary;
            let disk = match (&s.fullest_disk_mount, s.fullest_disk_used_percent) {
                (Some(m), Some(p)) => format!("{m} {p:.0}%"),
                _ => "-".into(),
            };
            vec![
                h.display_name.clone().unwrap_or_else(|| h.name.clone()),
                h.status.to_string(),
                format_ago(now_ms - h.last_seen_ms),
                opt(s.cpu_percent, "%"),
                opt(s.mem_used_percent, "%"),
                disk,
                opt(s.load1, ""),
            ]
        })
        .collect();
    let mut out = table::render(&header, &rows);
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
    let rows: Vec<Vec<String>> = latest["samples"]
        .as_array()
        .into_iter()
        .flatten()
        .map(sample_row)
        .collect();
    let header = [("METRIC", Align::Left), ("VALUE", Align::Right)];
    out.push_str(&indent(&table::render(&header, &rows)));
    append_processes(&mut out, &latest["processes"]);
    out
}

/// `name{label=value,...}` and the value in the metric's unit.
fn sample_row(sample: &serde_json::Value) -> Vec<String> {
    let name = sample["name"].as_str().unwrap_or("");
    let labels = sample["labels"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    let series = if labels.is_empty() {
        name.to_string()
    } else {
        format!("{name}{{{labels}}}")
    };
    let value = sample["value"]
        .as_f64()
        .map_or_else(|| "-".to_string(), |v| metric_value(name, v));
    vec![series, value]
}

/// A value in the unit its metric name ends with: bytes humanised, percentages with `%`.
pub fn metric_value(name: &str, value: f64) -> String {
    if name.ends_with("_bytes_per_sec") {
        format!("{}/s", human_bytes(value))
    } else if name.ends_with("_bytes") {
        human_bytes(value)
    } else if name.ends_with("_percent") {
        format!("{value:.1}%")
    } else {
        let text = format!("{value:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|line| format!("  {line}\n")).collect()
}

fn append_processes(out: &mut String, snapshot: &serde_json::Value) {
    use Align::{Left, Right};
    let header = [
        ("PID", Right),
        ("NAME", Left),
        ("USER", Left),
        ("CPU", Right),
        ("RSS", Right),
    ];
    for (title, key) in [("top by CPU", "top_cpu"), ("top by memory", "top_memory")] {
        let Some(list) = snapshot[key].as_array() else {
            continue;
        };
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|p| {
                vec![
                    p["pid"].to_string(),
                    p["name"].as_str().unwrap_or("").to_string(),
                    p["user"].as_str().unwrap_or("").to_string(),
                    format!("{:.1}%", p["cpu_percent"].as_f64().unwrap_or(0.0)),
                    human_bytes(p["rss_bytes"].as_f64().unwrap_or(0.0)),
                ]
            })
            .collect();
        let _ = writeln!(out, "{title}:");
        out.push_str(&indent(&table::render(&header, &rows)));
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
    hostpulse_core::utc_datetime(ms)
        .strftime("%Y-%m-%d %H:%M:%SZ")
        .to_string()
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

    #[test]
    fn values_are_shown_in_their_units() {
        assert_eq!(
            metric_value("mem.total_bytes", 16_743_829_504.0),
            "15.6 GiB"
        );
        assert_eq!(metric_value("net.rx_bytes_per_sec", 2048.0), "2 KiB/s");
        assert_eq!(metric_value("disk.used_percent", 41.25), "41.2%");
        assert_eq!(metric_value("load.1", 0.5), "0.5");
        assert_eq!(metric_value("proc.count", 312.0), "312");
    }
}
