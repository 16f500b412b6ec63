//! `hostpulse notifications [--status S] [--receiver R]`: the outbox, newest first.

use crate::cli::NotificationsArgs;
use crate::client::{ApiClient, query_string};
use crate::commands::alerts::status_text;
use crate::commands::status::format_time;
use anyhow::Result;
use hostpulse_store::NotificationPage;
use std::fmt::Write as _;
use std::process::ExitCode;

/// Prints one page of notifications and the cursor of the next.
pub fn run(args: NotificationsArgs) -> Result<ExitCode> {
    let client = ApiClient::from_args(&args.page.api)?;
    let limit = args.page.limit.to_string();
    let query = query_string(&[
        ("status", args.status.as_deref()),
        ("receiver", args.receiver.as_deref()),
        ("since", args.page.since.as_deref()),
        ("cursor", args.page.cursor.as_deref()),
        ("limit", Some(&limit)),
    ]);
    let page: NotificationPage = client.get(&format!("/api/v1/notifications{query}"))?;
    if args.page.json {
        println!("{}", serde_json::to_string_pretty(&page)?);
    } else {
        print!("{}", notifications_table(&page));
    }
    if let Some(cursor) = &page.next_cursor {
        eprintln!("more: hostpulse notifications --cursor {cursor} (same filters)");
    }
    Ok(ExitCode::SUCCESS)
}

/// Renders one page of notifications.
pub fn notifications_table(page: &NotificationPage) -> String {
    let mut out = format!(
        "{:>7} {:<21} {:<12} {:<10} {:<8} {:<8} {:>8} {:<32} {}\n",
        "ID", "CREATED", "RECEIVER", "KIND", "SEVERITY", "STATUS", "ATTEMPTS", "GROUP", "ALERTS"
    );
    for n in &page.notifications {
        let kind = serde_json::to_value(n.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let alerts: Vec<String> = n
            .alerts
            .iter()
            .map(|a| format!("{}@{}", a.rule, a.host))
            .collect();
        let mut status = status_text(n.status).to_string();
        if let Some(error) = &n.last_error {
            let _ = write!(status, " ({error})");
        }
        let _ = writeln!(
            out,
            "{:>7} {:<21} {:<12} {kind:<10} {:<8} {:<8} {:>8} {:<32} {}",
            n.id,
            format_time(n.created_ms),
            n.receiver,
            n.severity.as_str(),
            status,
            n.attempts,
            n.group_key,
            alerts.join(",")
        );
    }
    if page.notifications.is_empty() {
        out.push_str("(no notifications)\n");
    }
    out
}
