//! `/hosts` (up or down, last seen, IP, agent version) and `/status` (vitals per host).

use super::failed;
use super::vitals::selected;
use crate::format::{age, escape, number, percent, rate};
use crate::registry::{CommandContext, CommandError, Reply};
use hostpulse_service::HostView;
use hostpulse_service::host_names::{NameCollision, name_collisions};
use hostpulse_store::LatestSample;

/// `/hosts`: one line per host.
pub async fn hosts(ctx: CommandContext) -> Result<Reply, CommandError> {
    let now = ctx.services.clock.now_ms();
    let mut text = String::from("<b>Hosts</b>\n");
    let all = ctx.services.store.hosts().await.map_err(failed)?;
    let mut collisions = name_collisions(&all);
    for latest in selected(&ctx).await? {
        let view = HostView::new(&latest, now);
        let mark = if view.status == "up" { "🟢" } else { "🔴" };
        let ip = view.ips.first().map_or("-", String::as_str);
        text.push_str(&format!(
            "{mark} <b>{}</b> {} · {} · seen {} ago · agent {}\n",
            escape(&view.name),
            view.status,
            escape(ip),
            age(now - view.last_seen_ms),
            escape(&view.agent_version)
        ));
        for collision in collisions.remove(&view.name).unwrap_or_default() {
            text.push_str(&format!("   ⚠️ {}\n", escape(&collision_text(&collision))));
        }
    }
    Ok(Reply::html(text))
}

/// `hostname "vm" is also the agent name of vm: "vm" means vm, name this host box`.
fn collision_text(c: &NameCollision) -> String {
    let meaning = match &c.resolves_to {
        Some(host) => format!("commands read {:?} as {host}", c.name),
        None => format!("{:?} names several hosts; use agent names", c.name),
    };
    format!(
        "{} {:?} is also the {} of {}: {meaning}",
        c.kind.describe(),
        c.name,
        c.other_kind.describe(),
        c.other_host
    )
}

/// `/status [host|glob|group]`: a compact table, one line per host.
pub async fn status(ctx: CommandContext) -> Result<Reply, CommandError> {
    let now = ctx.services.clock.now_ms();
    let alerts = ctx.services.engine.active_alerts();
    let mut rows =
        vec![["HOST", "CPU", "LOAD", "MEM", "DISK", "RX/TX", "UP", "AL"].map(String::from)];
    for latest in selected(&ctx).await? {
        let view = HostView::new(&latest, now);
        let s = &view.summary;
        let active = alerts.iter().filter(|a| a.host == view.name).count();
        let up = match (view.status.as_str(), s.uptime_seconds) {
            ("down", _) => "down".to_string(),
            (_, Some(secs)) => age((secs * 1000.0) as i64),
            _ => "-".to_string(),
        };
        rows.push([
            view.name.clone(),
            percent(s.cpu_percent),
            s.load1.map_or_else(|| "-".into(), number),
            percent(s.mem_used_percent),
            percent(s.fullest_disk_used_percent),
            network(&latest.samples),
            up,
            active.to_string(),
        ]);
    }
    Ok(Reply::html(format!(
        "<b>Status</b>\n<pre>{}</pre>",
        escape(&table(&rows))
    )))
}

/// Received/sent bytes per second over every interface but loopback.
fn network(samples: &[LatestSample]) -> String {
    let total = |name: &str| -> Option<f64> {
        let values: Vec<f64> = samples
            .iter()
            .filter(|s| s.name == name)
            .filter(|s| s.labels.get("iface").is_none_or(|i| i != "lo"))
            .map(|s| s.value)
            .collect();
        (!values.is_empty()).then(|| values.iter().sum())
    };
    match (total("net.rx_bytes_per_sec"), total("net.tx_bytes_per_sec")) {
        (None, None) => "-".into(),
        (rx, tx) => format!("{}/{}", rate(rx.unwrap_or(0.0)), rate(tx.unwrap_or(0.0))),
    }
}

/// Left-aligned columns separated by one space.
fn table<const N: usize>(rows: &[[String; N]]) -> String {
    let mut widths = [0usize; N];
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
                .zip(widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            cells.join(" ").trim_end().to_string()
        })
        .collect();
    lines.join("\n")
}
