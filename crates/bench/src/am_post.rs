//! Loading Alertmanager (the peer): N firing alerts with distinct labels posted through
//! `POST /api/v2/alerts` in batches, back to back over one kept-alive connection.

use crate::sink::epoch_ms;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::time::Duration;

/// Why posting to Alertmanager failed.
#[derive(Debug, thiserror::Error)]
pub enum PostError {
    /// Alertmanager could not be reached (refused, reset, timed out).
    #[error("cannot reach Alertmanager: {0}")]
    Transport(#[from] ureq::Error),
    /// Alertmanager answered with a status other than 2xx.
    #[error("Alertmanager answered {status}: {body}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The body of the answer.
        body: String,
    },
}

/// When the alerts were posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostReport {
    /// Alerts posted.
    pub posted: u64,
    /// Start of the first post, milliseconds since the Unix epoch.
    pub started_ms: i64,
    /// End of the last post, milliseconds since the Unix epoch.
    pub finished_ms: i64,
}

/// Alert number `index` in Alertmanager's v2 API shape: same labels as a hostpulse
/// notification (alertname, host, severity, team), a distinct host per alert.
pub fn alert_json(index: usize) -> Value {
    let host = format!("bench-{index:06}");
    json!({
        "labels": {
            "alertname": crate::outbox::SEED_RULE,
            "host": host,
            "severity": "critical",
            "team": "ops",
        },
        "annotations": {
            "summary": format!("CPU usage on {host} is 97% (threshold 90%)"),
            "description": "cpu.usage_percent > 90 for 1m",
        },
    })
}

/// The JSON body of the batch holding alerts `start..end`.
pub fn batch_body(start: usize, end: usize) -> String {
    Value::Array((start..end).map(alert_json).collect()).to_string()
}

/// Posts `count` alerts to the Alertmanager at `base_url` in batches of `batch` (≥ 1).
pub fn post_alerts(base_url: &str, count: usize, batch: usize) -> Result<PostReport, PostError> {
    let url = format!("{}/api/v2/alerts", base_url.trim_end_matches('/'));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .http_status_as_error(false)
        .build()
        .into();
    let bodies: Vec<String> = (0..count)
        .step_by(batch.max(1))
        .map(|start| batch_body(start, (start + batch.max(1)).min(count)))
        .collect();
    let started_ms = epoch_ms();
    for body in bodies {
        let mut reply = agent
            .post(&url)
            .header("Content-Type", "application/json")
            .send(body)?;
        let status = reply.status().as_u16();
        if status != 200 {
            let body = reply.body_mut().read_to_string().unwrap_or_default();
            return Err(PostError::Status { status, body });
        }
    }
    Ok(PostReport {
        posted: count as u64,
        started_ms,
        finished_ms: epoch_ms(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_hold_distinct_alerts_in_order() {
        let body: Vec<Value> = serde_json::from_str(&batch_body(5, 8)).unwrap();
        let hosts: Vec<&str> = body
            .iter()
            .map(|a| a["labels"]["host"].as_str().unwrap())
            .collect();
        assert_eq!(hosts, ["bench-000005", "bench-000006", "bench-000007"]);
        assert_eq!(body[0]["labels"]["alertname"], crate::outbox::SEED_RULE);
    }

    #[test]
    fn an_unreachable_alertmanager_is_an_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        assert!(matches!(
            post_alerts(&url, 3, 2),
            Err(PostError::Transport(_))
        ));
    }
}
