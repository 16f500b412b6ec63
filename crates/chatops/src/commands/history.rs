//! `/history [host|glob|group]`: alert transitions and notifications, newest first, ten per
//! page, with "◀ Prev" / "Next ▶" buttons that page through the same message.

use super::failed;
use crate::format::{escape, local_time, number, zone_abbreviation};
use crate::pages::{HistoryPages, PageRef, callback_data};
use crate::registry::{CommandContext, CommandError, Reply};
use crate::select::select_hosts;
use crate::services::Services;
use crate::types::Button;
use hostpulse_core::{AlertState, AlertTransition, DeliveryStatus, Notification, NotificationKind};
use hostpulse_store::{HistoryEntry, HistoryQuery};
use jiff::tz::TimeZone;
use std::collections::HashMap;

/// Entries per page.
pub const PAGE_SIZE: usize = 10;

/// `/history [host|glob|group]`: the newest page of the history of the selected hosts.
pub async fn history(ctx: CommandContext) -> Result<Reply, CommandError> {
    if ctx.args.len() > 1 {
        return Err(CommandError::Usage);
    }
    let scope = ctx.args.first().cloned();
    let hosts = match &scope {
        Some(wanted) => selected_hosts(&ctx, wanted).await?,
        None => Vec::new(),
    };
    let page = PageRef {
        scope,
        hosts,
        cursor: None,
        prev: None,
        number: 1,
    };
    let token = ctx.pages.register(page.clone());
    render_page(&ctx.services, &ctx.pages, token, &page).await
}

/// Names of the hosts `wanted` selects; an error reply when it selects none.
async fn selected_hosts(ctx: &CommandContext, wanted: &str) -> Result<Vec<String>, CommandError> {
    let known = ctx.services.store.hosts().await.map_err(failed)?;
    let names = select_hosts(&known, Some(wanted), &ctx.services.host_groups);
    if names.is_empty() {
        return Err(CommandError::Failed(format!(
            "No host matches {wanted}. Try /hosts."
        )));
    }
    Ok(names)
}

/// The text and buttons of the page `token` names.
pub async fn render_page(
    services: &Services,
    pages: &HistoryPages,
    token: u64,
    page: &PageRef,
) -> Result<Reply, CommandError> {
    let query = HistoryQuery {
        hosts: page.hosts.clone(),
        rule: None,
        since_ms: None,
        cursor: page.cursor.clone(),
        limit: PAGE_SIZE,
    };
    let result = services
        .alert_store
        .alert_history(query)
        .await
        .map_err(failed)?;
    let scope = page
        .scope
        .as_deref()
        .map(|h| format!(" of <b>{}</b>", escape(h)))
        .unwrap_or_default();
    if result.entries.is_empty() && page.cursor.is_none() {
        return Ok(Reply::html(format!("No alert history{scope} yet.")));
    }
    let ips = host_ips(services).await;
    let zone = &services.timezone;
    let mut text = format!("<b>Alert history</b>{scope} · page {}\n", page.number);
    if let Some(first) = result.entries.first() {
        let abbreviation = zone_abbreviation(entry_time(first), zone);
        if abbreviation != "UTC" {
            text.push_str(&format!("Times in {abbreviation}\n"));
        }
    }
    for entry in &result.entries {
        text.push_str(&entry_line(entry, &ips, zone));
    }
    let mut row = Vec::new();
    if let Some(prev) = page.prev {
        row.push(button("◀ Prev", prev));
    }
    if let Some(cursor) = result.next_cursor {
        let next = pages.register(PageRef {
            scope: page.scope.clone(),
            hosts: page.hosts.clone(),
            cursor: Some(cursor),
            prev: Some(token),
            number: page.number.saturating_add(1),
        });
        row.push(button("Next ▶", next));
    }
    let mut reply = Reply::html(text);
    if !row.is_empty() {
        reply.buttons = Some(vec![row]);
    }
    Ok(reply)
}

fn button(text: &str, token: u64) -> Button {
    Button {
        text: text.into(),
        callback_data: callback_data(token),
    }
}

/// First IP address of every host that reported one; empty when the store fails.
async fn host_ips(services: &Services) -> HashMap<String, String> {
    let hosts = services.store.hosts().await.unwrap_or_default();
    hosts
        .into_iter()
        .filter_map(|h| Some((h.name, h.facts?.ips.into_iter().next()?)))
        .collect()
}

fn entry_time(entry: &HistoryEntry) -> i64 {
    match entry {
        HistoryEntry::Transition { transition, .. } => transition.at_ms,
        HistoryEntry::Notification { notification, .. } => notification.created_ms,
    }
}

fn entry_line(entry: &HistoryEntry, ips: &HashMap<String, String>, zone: &TimeZone) -> String {
    let (at_ms, mark, host, rule, what) = match entry {
        HistoryEntry::Transition { transition, .. } => transition_parts(transition),
        HistoryEntry::Notification { notification, .. } => notification_parts(notification),
    };
    let host_text = if host.is_empty() {
        "-".to_string()
    } else {
        let ip = ips
            .get(&host)
            .map(|ip| format!(" ({})", escape(ip)))
            .unwrap_or_default();
        format!("<b>{}</b>{ip}", escape(&host))
    };
    format!(
        "{mark} {} · {host_text} · {} · {what}\n",
        local_time(at_ms, zone),
        escape(&rule)
    )
}

type Parts = (i64, &'static str, String, String, String);

fn transition_parts(t: &AlertTransition) -> Parts {
    let (mark, what) = match t.to {
        AlertState::Pending => ("🟡", "pending".to_string()),
        AlertState::Firing => ("🔴", format!("firing, value {}", number(t.value))),
        AlertState::Resolved => ("✅", "resolved".to_string()),
    };
    (t.at_ms, mark, t.host.clone(), t.rule.clone(), what)
}

fn notification_parts(n: &Notification) -> Parts {
    let first = n.alerts.first();
    let host = first.map(|a| a.host.clone()).unwrap_or_default();
    let mut rule = first.map(|a| a.rule.clone()).unwrap_or_default();
    if n.alerts.len() > 1 {
        rule.push_str(&format!(" +{}", n.alerts.len() - 1));
    }
    let what = format!(
        "{} notice → {}: {}",
        kind_name(n.kind),
        escape(&n.receiver),
        status_name(n.status)
    );
    (n.created_ms, "✉️", host, rule, what)
}

fn kind_name(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::Firing => "firing",
        NotificationKind::Repeat => "reminder",
        NotificationKind::Escalation => "escalation",
        NotificationKind::Resolved => "resolved",
        NotificationKind::Test => "test",
    }
}

fn status_name(status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Pending => "pending",
        DeliveryStatus::Sending => "sending",
        DeliveryStatus::Sent => "sent",
        DeliveryStatus::DryRun => "dry run",
        DeliveryStatus::Dead => "failed",
    }
}
