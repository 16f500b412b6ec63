//! `/top` (top processes by CPU and by memory) and `/users` (logged-in sessions), both from
//! the latest snapshots the hub keeps per host.

use super::vitals::{clip, per_host, pre_table, row, size};
use crate::format::{age, escape, number, zone_abbreviation, zoned_time};
use crate::registry::{CommandContext, CommandError, Reply};
use hostpulse_core::{ProcessInfo, UserSession};
use hostpulse_store::HostLatest;
use jiff::tz::TimeZone;

/// Processes shown per list.
const TOP: usize = 10;
/// Longest user name shown, characters.
const MAX_USER: usize = 8;
/// Longest tty shown, characters.
const MAX_TTY: usize = 6;
/// Longest remote host shown, characters.
const MAX_FROM: usize = 15;

/// `/top [host]`: the top processes by CPU and by memory.
pub async fn top(ctx: CommandContext) -> Result<Reply, CommandError> {
    per_host(&ctx, "Top processes", top_section).await
}

fn top_section(latest: &HostLatest, now_ms: i64) -> String {
    let Some(snapshot) = &latest.processes else {
        return "<i>no process snapshot yet</i>".into();
    };
    let mut text = snapshot_age("snapshot", latest.processes_ts_ms, now_ms);
    text.push_str("By CPU\n");
    text.push_str(&process_table(&snapshot.top_cpu, "CPU", |p| {
        format!("{}%", number(p.cpu_percent))
    }));
    text.push_str("\nBy memory\n");
    text.push_str(&process_table(&snapshot.top_memory, "RSS", |p| {
        size(p.rss_bytes as f64)
    }));
    text
}

fn process_table(
    processes: &[ProcessInfo],
    heading: &str,
    measure: fn(&ProcessInfo) -> String,
) -> String {
    if processes.is_empty() {
        return "<i>none</i>".into();
    }
    let mut rows = vec![row(["PID", "USER", heading, "NAME"])];
    for process in processes.iter().take(TOP) {
        rows.push(vec![
            process.pid.to_string(),
            clip(&process.user, MAX_USER),
            measure(process),
            process.name.clone(),
        ]);
    }
    pre_table(&rows)
}

/// `/users [host]`: logged-in sessions with user, tty, remote host and login time.
pub async fn users(ctx: CommandContext) -> Result<Reply, CommandError> {
    let zone = ctx.services.timezone.clone();
    per_host(&ctx, "Logged-in users", |latest, now| {
        users_section(latest, now, &zone)
    })
    .await
}

fn users_section(latest: &HostLatest, now_ms: i64, zone: &TimeZone) -> String {
    let Some(sessions) = &latest.users else {
        return "<i>no session snapshot yet</i>".into();
    };
    let mut text = snapshot_age("sessions", latest.users_ts_ms, now_ms);
    if sessions.is_empty() {
        text.push_str("<i>nobody is logged in</i>");
        return text;
    }
    let mut sorted: Vec<&UserSession> = sessions.iter().collect();
    sorted.sort_by_key(|s| s.login_time_ms);
    let since = format!("SINCE ({})", zone_abbreviation(now_ms, zone));
    let mut rows = vec![row(["USER", "TTY", "FROM", &since])];
    for session in sorted {
        let from = if session.from.is_empty() {
            "local"
        } else {
            &session.from
        };
        rows.push(vec![
            clip(&session.user, MAX_USER),
            clip(&session.tty, MAX_TTY),
            clip(from, MAX_FROM),
            short_time(session.login_time_ms, zone),
        ]);
    }
    text.push_str(&pre_table(&rows));
    text
}

/// `MM-DD HH:MM` in `zone`, without the zone's abbreviation (the column header has it).
fn short_time(ms: i64, zone: &TimeZone) -> String {
    let full = zoned_time(ms, zone);
    let without_zone = full
        .rsplit_once(' ')
        .map_or(full.as_str(), |(time, _)| time);
    without_zone.get(5..).unwrap_or(without_zone).to_string()
}

/// `<i>what from 12s ago</i>` and a newline, or nothing without a time.
fn snapshot_age(what: &str, ts_ms: Option<i64>, now_ms: i64) -> String {
    ts_ms.map_or_else(String::new, |ts| {
        format!("<i>{} from {} ago</i>\n", escape(what), age(now_ms - ts))
    })
}
