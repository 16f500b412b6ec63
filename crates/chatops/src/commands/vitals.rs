//! `/cpu`, `/ram` and `/uptime`, plus the helpers every per-host vitals command shares:
//! host selection, a section header naming the host and its IP, sample lookups and tables.

use super::failed;
use crate::format::{age, escape, number, zoned_time};
use crate::registry::{CommandContext, CommandError, Reply};
use crate::select::select_hosts;
use hostpulse_service::HostView;
use hostpulse_store::{HostLatest, LatestSample};
use jiff::tz::TimeZone;

/// The hosts an optional argument selects, with their latest values, sorted by name.
pub(super) async fn selected(ctx: &CommandContext) -> Result<Vec<HostLatest>, CommandError> {
    if ctx.args.len() > 1 {
        return Err(CommandError::Usage);
    }
    let store = &ctx.services.store;
    let hosts = store.hosts().await.map_err(failed)?;
    let wanted = ctx.args.first().map(String::as_str);
    let names = select_hosts(&hosts, wanted, &ctx.services.host_groups);
    if names.is_empty() {
        return Err(CommandError::Failed(match wanted {
            Some(w) => format!("No host matches {w}. Try /hosts."),
            None => "No host has reported yet.".into(),
        }));
    }
    let mut latest = Vec::new();
    for name in names {
        if let Some(host) = store.latest(&name).await.map_err(failed)? {
            latest.push(host);
        }
    }
    Ok(latest)
}

/// Builds one reply of a titled section per selected host; `section` renders the body.
pub(super) async fn per_host(
    ctx: &CommandContext,
    title: &str,
    section: impl Fn(&HostLatest, i64) -> String,
) -> Result<Reply, CommandError> {
    let now = ctx.services.clock.now_ms();
    let mut text = format!("<b>{}</b>\n", escape(title));
    for latest in selected(ctx).await? {
        text.push_str(&header(&latest, now));
        text.push_str(section(&latest, now).trim_end());
        text.push_str("\n\n");
    }
    Ok(Reply::html(text.trim_end().to_string()))
}

/// `<b>name</b> · ip` (and `· down` for a silent host), HTML, ending with a newline.
pub(super) fn header(latest: &HostLatest, now_ms: i64) -> String {
    let host = &latest.host;
    let ip = host
        .facts
        .as_ref()
        .and_then(|f| f.ips.first())
        .map_or("no IP", String::as_str);
    let down = if HostView::new(latest, now_ms).status == "down" {
        " · 🔴 down"
    } else {
        ""
    };
    format!("<b>{}</b> · {}{down}\n", escape(&host.name), escape(ip))
}

/// Value of the series `name` without labels.
pub(super) fn value(samples: &[LatestSample], name: &str) -> Option<f64> {
    samples
        .iter()
        .find(|s| s.name == name && s.labels.is_empty())
        .map(|s| s.value)
}

/// A percentage with at most two decimals: `37.5%`.
pub(super) fn pct(value: f64) -> String {
    format!("{}%", number(value))
}

/// A byte count in binary units: `512B`, `1.5K`, `7.8G`.
pub(super) fn size(bytes: f64) -> String {
    let units = [
        ("T", 1u64 << 40),
        ("G", 1 << 30),
        ("M", 1 << 20),
        ("K", 1 << 10),
    ];
    for (suffix, unit) in units {
        let unit = unit as f64;
        if bytes >= unit {
            return format!("{:.1}{suffix}", bytes / unit);
        }
    }
    format!("{bytes:.0}B")
}

/// At most `max` characters of `text`, the last one `…` when cut.
pub(super) fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Left-aligned columns separated by two spaces, escaped and wrapped in `<pre>`.
pub(super) fn pre_table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; columns];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let lines: Vec<String> = rows
        .iter()
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            cells.join("  ").trim_end().to_string()
        })
        .collect();
    format!("<pre>{}</pre>", escape(&lines.join("\n")))
}

/// A row of text cells.
pub(super) fn row<const N: usize>(cells: [&str; N]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

/// `/cpu [host]`: usage and its split, load averages and cores.
pub async fn cpu(ctx: CommandContext) -> Result<Reply, CommandError> {
    per_host(&ctx, "CPU", |latest, _| cpu_section(&latest.samples)).await
}

fn cpu_section(samples: &[LatestSample]) -> String {
    let mut rows = Vec::new();
    let parts = [
        ("usage", "cpu.usage_percent"),
        ("user", "cpu.user_percent"),
        ("system", "cpu.system_percent"),
        ("iowait", "cpu.iowait_percent"),
        ("steal", "cpu.steal_percent"),
    ];
    for (label, metric) in parts {
        if let Some(v) = value(samples, metric) {
            rows.push(row([label, &pct(v)]));
        }
    }
    let loads: Vec<Option<f64>> = ["load.1", "load.5", "load.15"]
        .iter()
        .map(|m| value(samples, m))
        .collect();
    if loads.iter().any(Option::is_some) {
        let text: Vec<String> = loads
            .iter()
            .map(|l| l.map_or_else(|| "-".into(), number))
            .collect();
        rows.push(row(["load 1/5/15", &text.join(" ")]));
    }
    if let Some(logical) = value(samples, "cpu.cores_logical") {
        let mut cores = number(logical);
        if let Some(physical) = value(samples, "cpu.cores_physical") {
            cores.push_str(&format!(" ({} physical)", number(physical)));
        }
        rows.push(row(["cores", &cores]));
    }
    rows_or_none(rows, "no CPU data")
}

/// `/ram [host]`: memory and swap.
pub async fn ram(ctx: CommandContext) -> Result<Reply, CommandError> {
    per_host(&ctx, "Memory", |latest, _| ram_section(&latest.samples)).await
}

fn ram_section(samples: &[LatestSample]) -> String {
    let mut rows = Vec::new();
    let total = value(samples, "mem.total_bytes");
    if let Some(total) = total {
        rows.push(row(["total", &size(total)]));
    }
    let share = |bytes: f64| total.filter(|t| *t > 0.0).map(|t| bytes / t * 100.0);
    if let Some(used) = value(samples, "mem.used_bytes") {
        let percent = value(samples, "mem.used_percent").or_else(|| share(used));
        rows.push(row(["used", &with_percent(used, percent)]));
    } else if let Some(percent) = value(samples, "mem.used_percent") {
        rows.push(row(["used", &pct(percent)]));
    }
    if let Some(available) = value(samples, "mem.available_bytes") {
        rows.push(row([
            "available",
            &with_percent(available, share(available)),
        ]));
    }
    let swap_total = value(samples, "swap.total_bytes");
    match (swap_total, value(samples, "swap.used_bytes")) {
        (Some(t), _) if t <= 0.0 => rows.push(row(["swap", "none"])),
        (Some(t), Some(used)) => {
            let percent = value(samples, "swap.used_percent");
            let text = format!("{} of {}", with_percent(used, percent), size(t));
            rows.push(row(["swap used", &text]));
        }
        _ => {}
    }
    rows_or_none(rows, "no memory data")
}

fn with_percent(bytes: f64, percent: Option<f64>) -> String {
    match percent {
        Some(p) => format!("{} ({})", size(bytes), pct(p)),
        None => size(bytes),
    }
}

/// `/uptime [host]`: uptime, boot time and when the host last reported.
pub async fn uptime(ctx: CommandContext) -> Result<Reply, CommandError> {
    let zone = ctx.services.timezone.clone();
    per_host(&ctx, "Uptime", |latest, now| {
        uptime_section(latest, now, &zone)
    })
    .await
}

fn uptime_section(latest: &HostLatest, now_ms: i64, zone: &TimeZone) -> String {
    let samples = &latest.samples;
    let host = &latest.host;
    let up = value(samples, "system.uptime_seconds");
    let boot_ms = value(samples, "system.boot_time_seconds")
        .map(|s| (s * 1000.0) as i64)
        .or_else(|| {
            host.facts
                .as_ref()
                .map(|f| f.boot_time_ms)
                .filter(|b| *b > 0)
        })
        .or_else(|| up.map(|u| host.last_seen_ms - (u * 1000.0) as i64));
    let rows = vec![
        row(["up", &up.map_or_else(|| "-".into(), |u| duration(u as i64))]),
        row([
            "booted",
            &boot_ms.map_or_else(|| "-".into(), |b| zoned_time(b, zone)),
        ]),
        row([
            "last seen",
            &format!("{} ago", age(now_ms - host.last_seen_ms)),
        ]),
    ];
    pre_table(&rows)
}

/// Whole seconds as `3d 4h 12m`, `4h 0m`, `12m 5s`.
pub(super) fn duration(seconds: i64) -> String {
    let s = seconds.max(0);
    let (days, hours, minutes) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60);
    match (days, hours) {
        (0, 0) => format!("{minutes}m {}s", s % 60),
        (0, _) => format!("{hours}h {minutes}m"),
        _ => format!("{days}d {hours}h {minutes}m"),
    }
}

/// The rows as a table, or `none` in italics when there are none.
pub(super) fn rows_or_none(rows: Vec<Vec<String>>, none: &str) -> String {
    if rows.is_empty() {
        format!("<i>{}</i>", escape(none))
    } else {
        pre_table(&rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_durations_and_clipping() {
        assert_eq!(size(512.0), "512B");
        assert_eq!(size(8_374_181_888.0), "7.8G");
        assert_eq!(duration(273_120), "3d 3h 52m");
        assert_eq!(duration(65), "1m 5s");
        assert_eq!(clip("/var/lib/postgresql", 10), "/var/lib/…");
        assert_eq!(clip("/var", 10), "/var");
    }

    #[test]
    fn tables_align_and_escape() {
        let table = pre_table(&[row(["a", "<1>"]), row(["long", "2"])]);
        assert_eq!(table, "<pre>a     &lt;1&gt;\nlong  2</pre>");
    }
}
