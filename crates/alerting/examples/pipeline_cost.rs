//! Measures one `AlertManager::process` call over 10,000 firing alerts on 1,000 hosts
//! (ten rules per host), first with an empty notification log and then in steady state.

use std::collections::BTreeMap;
use std::time::Instant;

use hostpulse_alerting::AlertingConfig;
use hostpulse_alerting::{AlertManager, NotificationLog};
use hostpulse_core::{Alert, AlertState, Labels, Severity, alert_fingerprint};

fn alerts(hosts: usize, rules: usize) -> Vec<Alert> {
    let mut out = Vec::with_capacity(hosts * rules);
    for h in 0..hosts {
        for r in 0..rules {
            let (rule, host) = (format!("rule_{r}"), format!("host-{h:04}"));
            let mut labels = Labels::new();
            labels.insert("mount".into(), "/".into());
            out.push(Alert {
                id: alert_fingerprint(&rule, &host, &labels),
                rule,
                host,
                labels,
                severity: Severity::Warning,
                state: AlertState::Firing,
                value: 95.0,
                threshold: Some(90.0),
                summary: "value above threshold".into(),
                description: String::new(),
                annotations: BTreeMap::new(),
                active_since_ms: 0,
                firing_since_ms: Some(0),
                resolved_ms: None,
                last_eval_ms: 0,
                ack: None,
                dry_run: false,
            });
        }
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let alerts = alerts(1_000, 10);
    let mut manager = AlertManager::new(
        &AlertingConfig::default(),
        &BTreeMap::new(),
        NotificationLog::new(),
    )?;
    let started = Instant::now();
    let first = manager.process(60_000, &alerts, &[]);
    let first_time = started.elapsed();
    let changes = manager.log_changes()?.len();
    let started = Instant::now();
    let steady = manager.process(65_000, &alerts, &[]);
    let steady_time = started.elapsed();
    println!(
        "{} alerts: first process() {:?} ({} notifications, {} log entries); steady state {:?} ({} notifications)",
        alerts.len(),
        first_time,
        first.len(),
        changes,
        steady_time,
        steady.len()
    );
    Ok(())
}
