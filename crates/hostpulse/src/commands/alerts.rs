//! `hostpulse alerts`, `hostpulse alerts history` and `hostpulse ack ID`.

use crate::cli::{AckArgs, AlertsArgs, AlertsCommand, HistoryArgs};
use crate::client::{ApiClient, encode, query_string};
use crate::commands::status::{format_ago, format_time};
use anyhow::Result;
use hostpulse_core::{Alert, DeliveryStatus, Labels};
use hostpulse_store::{HistoryEntry, HistoryPage};
use std::fmt::Write as _;
use std::process::ExitCode;

/// Runs `alerts` or `alerts history`.
pub fn run(args: AlertsArgs) -> Result<ExitCode> {
    match args.command {
        Some(AlertsCommand::History(history)) => run_history(history),
        None => {
            let client = ApiClient::from_args(&args.api)?;
            let alerts: Vec<Alert> = client.get("/api/v1/alerts")?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&alerts)?);
            } else {
                print!("{}", alerts_table(&alerts, crate::commands::now_ms()));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `k=v,k2=v2`, or `-` when empty.
pub fn format_labels(labels: &Labels) -> String {
    if labels.is_empty() {
        return "-".into();
    }
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// A value with at most two decimals, without trailing zeros.
pub fn format_value(value: f64) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

/// Renders the active alerts table.
pub fn alerts_table(alerts: &[Alert], now_ms: i64) -> String {
    let mut out = format!(
        "{:<16} {:<8} {:<8} {:<20} {:<16} {:<24} {:>10} {:<10} {}\n",
        "ID", "STATE", "SEVERITY", "RULE", "HOST", "LABELS", "VALUE", "SINCE", "ACK"
    );
    for a in alerts {
        let since = a.firing_since_ms.unwrap_or(a.active_since_ms);
        let ack = a
            .ack
            .as_ref()
            .map_or_else(|| "-".to_string(), |ack| ack.by.clone());
        let _ = writeln!(
            out,
            "{:<16} {:<8} {:<8} {:<20} {:<16} {:<24} {:>10} {:<10} {}",
            a.id,
            a.state.as_str(),
            a.severity.as_str(),
            a.rule,
            a.host,
            format_labels(&a.labels),
            format_value(a.value),
            format_ago(now_ms - since),
            ack
        );
    }
    if alerts.is_empty() {
        out.push_str("(no alerts pending or firing)\n");
    }
    out
}

fn run_history(args: HistoryArgs) -> Result<ExitCode> {
    let client = ApiClient::from_args(&args.page.api)?;
    let limit = args.page.limit.to_string();
    let query = query_string(&[
        ("host", args.host.as_deref()),
        ("rule", args.rule.as_deref()),
        ("since", args.page.since.as_deref()),
        ("cursor", args.page.cursor.as_deref()),
        ("limit", Some(&limit)),
    ]);
    let page: HistoryPage = client.get(&format!("/api/v1/alerts/history{query}"))?;
    if args.page.json {
        println!("{}", serde_json::to_string_pretty(&page)?);
    } else {
        print!("{}", history_table(&page));
    }
    if let Some(cursor) = &page.next_cursor {
        eprintln!("more: hostpulse alerts history --cursor {cursor} (same filters)");
    }
    Ok(ExitCode::SUCCESS)
}

/// Lowercase name of a delivery status, as in the API.
pub fn status_text(status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Pending => "pending",
        DeliveryStatus::Sending => "sending",
        DeliveryStatus::Sent => "sent",
        DeliveryStatus::DryRun => "dry_run",
        DeliveryStatus::Dead => "dead",
    }
}

/// Renders one history page.
pub fn history_table(page: &HistoryPage) -> String {
    let mut out = format!(
        "{:<21} {:<12} {:<20} {:<16} {}\n",
        "TIME", "KIND", "RULE", "HOST", "DETAIL"
    );
    for entry in &page.entries {
        let line = match entry {
            HistoryEntry::Transition { transition: t, .. } => {
                let from = t.from.map_or("new", |s| s.as_str());
                let detail = format!(
                    "{from} -> {} value={} {} {}",
                    t.to.as_str(),
                    format_value(t.value),
                    format_labels(&t.labels),
                    t.summary
                );
                (
                    t.at_ms,
                    "transition",
                    t.rule.clone(),
                    t.host.clone(),
                    detail,
                )
            }
            HistoryEntry::Notification {
                notification: n, ..
            } => {
                let first = n.alerts.first();
                let detail = format!(
                    "{:?} to {} [{}] {} alert(s), {}",
                    n.kind,
                    n.receiver,
                    n.severity,
                    n.alerts.len(),
                    status_text(n.status)
                );
                let rule = first.map_or_else(String::new, |a| a.rule.clone());
                let host = first.map_or_else(String::new, |a| a.host.clone());
                (n.created_ms, "notification", rule, host, detail)
            }
        };
        let (at, kind, rule, host, detail) = line;
        let _ = writeln!(
            out,
            "{:<21} {kind:<12} {rule:<20} {host:<16} {detail}",
            format_time(at)
        );
    }
    if page.entries.is_empty() {
        out.push_str("(no history)\n");
    }
    out
}

/// Runs `ack ID [--comment C]`.
pub fn run_ack(args: AckArgs) -> Result<ExitCode> {
    let client = ApiClient::from_args(&args.api)?;
    let body = serde_json::json!({ "comment": args.comment.unwrap_or_default() });
    let alert: Alert = client.post(&format!("/api/v1/alerts/{}/ack", encode(&args.id)), &body)?;
    let by = alert.ack.as_ref().map_or("?", |a| a.by.as_str());
    println!(
        "acknowledged {} ({} on {}) as {by}",
        alert.id, alert.rule, alert.host
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hostpulse_core::{Ack, AlertState, Severity};

    #[test]
    fn table_shows_every_column() {
        let alert = Alert {
            id: "0123456789abcdef".into(),
            rule: "disk_almost_full".into(),
            host: "web-1".into(),
            labels: [("mount".to_string(), "/var".to_string())].into(),
            severity: Severity::Critical,
            state: AlertState::Firing,
            value: 93.456,
            threshold: Some(90.0),
            summary: String::new(),
            description: String::new(),
            annotations: Default::default(),
            active_since_ms: 0,
            firing_since_ms: Some(60_000),
            resolved_ms: None,
            last_eval_ms: 0,
            ack: Some(Ack {
                by: "alice".into(),
                at_ms: 0,
                comment: String::new(),
            }),
            dry_run: false,
        };
        let table = alerts_table(&[alert], 360_000);
        let row = table.lines().nth(1).unwrap();
        for part in ["0123456789abcdef", "firing", "critical", "disk_almost_full"] {
            assert!(row.contains(part), "{row}");
        }
        for part in ["mount=/var", "93.46", "5m ago", "alice"] {
            assert!(row.contains(part), "{row}");
        }
        assert!(alerts_table(&[], 0).contains("no alerts"));
    }

    #[test]
    fn values_are_short() {
        assert_eq!(format_value(85.0), "85");
        assert_eq!(format_value(0.126), "0.13");
        assert_eq!(format_value(-0.001), "0");
    }
}
