//! `/disk` (filesystems, fullest first, and block device I/O) and `/net` (interface rates,
//! errors, drops and TCP connections by state).

use super::vitals::{clip, pct, per_host, pre_table, row, size};
use crate::format::{number, rate};
use crate::registry::{CommandContext, CommandError, Reply};
use hostpulse_store::LatestSample;
use std::collections::BTreeMap;

/// Longest mount point, device or interface name shown, characters.
const MAX_NAME: usize = 14;

/// Values of the metrics whose name starts with `prefix`, grouped by the label `key`:
/// label value → (metric name without the prefix → value).
fn by_label(
    samples: &[LatestSample],
    prefix: &str,
    key: &str,
) -> BTreeMap<String, BTreeMap<String, f64>> {
    let mut groups: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for sample in samples {
        let (Some(metric), Some(label)) =
            (sample.name.strip_prefix(prefix), sample.labels.get(key))
        else {
            continue;
        };
        groups
            .entry(label.clone())
            .or_default()
            .insert(metric.to_string(), sample.value);
    }
    groups
}

/// `/disk [host]`: per mount used %, free, total and inodes %, fullest first; then I/O rates.
pub async fn disk(ctx: CommandContext) -> Result<Reply, CommandError> {
    per_host(&ctx, "Disks", |latest, _| disk_section(&latest.samples)).await
}

fn disk_section(samples: &[LatestSample]) -> String {
    let mut mounts: Vec<(String, BTreeMap<String, f64>)> = by_label(samples, "disk.", "mount")
        .into_iter()
        .filter(|(_, m)| m.contains_key("used_percent") || m.contains_key("total_bytes"))
        .collect();
    mounts.sort_by(|a, b| {
        let used = |m: &BTreeMap<String, f64>| m.get("used_percent").copied().unwrap_or(-1.0);
        used(&b.1)
            .total_cmp(&used(&a.1))
            .then_with(|| a.0.cmp(&b.0))
    });
    let mut text = String::new();
    if mounts.is_empty() {
        text.push_str("<i>no filesystem data</i>\n");
    } else {
        let mut rows = vec![row(["MOUNT", "USED", "FREE", "TOTAL", "INODES"])];
        for (mount, m) in &mounts {
            let cell =
                |key: &str, show: fn(f64) -> String| m.get(key).map_or("-".into(), |v| show(*v));
            rows.push(vec![
                clip(mount, MAX_NAME),
                cell("used_percent", pct),
                cell("free_bytes", size),
                cell("total_bytes", size),
                cell("inodes_used_percent", pct),
            ]);
        }
        text.push_str(&pre_table(&rows));
        text.push('\n');
    }
    text.push_str(&disk_io(samples));
    text
}

fn disk_io(samples: &[LatestSample]) -> String {
    let devices = by_label(samples, "disk.", "device");
    let rows: Vec<Vec<String>> = devices
        .iter()
        .filter(|(_, m)| {
            m.contains_key("read_bytes_per_sec") || m.contains_key("write_bytes_per_sec")
        })
        .map(|(device, m)| {
            let rate_of = |key: &str| m.get(key).map_or("-".into(), |v| rate(*v));
            vec![
                clip(device, MAX_NAME),
                rate_of("read_bytes_per_sec"),
                rate_of("write_bytes_per_sec"),
                m.get("busy_percent").map_or("-".into(), |v| pct(*v)),
            ]
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let mut table = vec![row(["DEVICE", "READ/s", "WRITE/s", "BUSY"])];
    table.extend(rows);
    format!("{}\n", pre_table(&table))
}

/// `/net [host]`: per interface receive/send rates, errors and drops; TCP connections.
pub async fn net(ctx: CommandContext) -> Result<Reply, CommandError> {
    per_host(&ctx, "Network", |latest, _| net_section(&latest.samples)).await
}

fn net_section(samples: &[LatestSample]) -> String {
    let mut interfaces = by_label(samples, "net.", "iface");
    interfaces.extend(by_label(samples, "net.", "interface"));
    interfaces.remove("lo");
    let mut text = String::new();
    if interfaces.is_empty() {
        text.push_str("<i>no interface data</i>\n");
    } else {
        let mut rows = vec![row(["IFACE", "RX/s", "TX/s", "ERR/s", "DROP/s"])];
        for (name, m) in &interfaces {
            let get = |key: &str| m.get(key).copied();
            let pair = |rx: Option<f64>, tx: Option<f64>| match (rx, tx) {
                (None, None) => "-".to_string(),
                (rx, tx) => number(rx.unwrap_or(0.0) + tx.unwrap_or(0.0)),
            };
            rows.push(vec![
                clip(name, MAX_NAME),
                get("rx_bytes_per_sec").map_or("-".into(), rate),
                get("tx_bytes_per_sec").map_or("-".into(), rate),
                pair(get("rx_errors_per_sec"), get("tx_errors_per_sec")),
                pair(get("rx_drops_per_sec"), get("tx_drops_per_sec")),
            ]);
        }
        text.push_str(&pre_table(&rows));
        text.push('\n');
    }
    text.push_str(&tcp(samples));
    text
}

/// TCP connections by state, busiest first; states with no connection are left out.
fn tcp(samples: &[LatestSample]) -> String {
    let mut states: Vec<(&str, f64)> = samples
        .iter()
        .filter(|s| s.name == "tcp.connections")
        .filter_map(|s| Some((s.labels.get("state")?.as_str(), s.value)))
        .collect();
    if states.is_empty() {
        return String::new();
    }
    let total: f64 = states.iter().map(|(_, v)| v).sum();
    states.retain(|(_, v)| *v > 0.0);
    states.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let mut rows = vec![row(["TCP", &number(total)])];
    rows.extend(states.iter().map(|(state, v)| row([*state, &number(*v)])));
    format!("{}\n", pre_table(&rows))
}
