//! Backtest: replays stored history through a rule file and reports when each rule would
//! have fired, per host, so a rule can be tuned before it pages anyone.

use crate::Engine;
use crate::api_types::{
    BacktestFiring, BacktestReport, BacktestRequest, BacktestRuleHost, EngineError,
};
use hostpulse_rules::{MemorySource, compile_rule_text, required_windows};
use std::path::Path;

/// Most evaluation steps in one backtest.
const MAX_STEPS: i64 = 20_000;
/// Longest range a backtest may cover.
const MAX_RANGE_MS: i64 = 90 * 86_400_000;
/// Metric whose samples mark when a host sent data (for `absent()`).
const HEARTBEAT_METRIC: &str = "system.uptime_seconds";

impl Engine {
    /// Replays stored history through the rules of `request.rules_yaml`.
    pub async fn backtest(&self, request: BacktestRequest) -> Result<BacktestReport, EngineError> {
        let (from_ms, to_ms) = (request.from_ms, request.to_ms);
        if to_ms <= from_ms || to_ms - from_ms > MAX_RANGE_MS {
            return Err(EngineError::Invalid(
                "backtest range must be positive and at most 90 days".into(),
            ));
        }
        let groups = self.state.lock().await.host_groups.clone();
        let rules = compile_rule_text(&request.rules_yaml, Path::new("backtest"), &groups)
            .map_err(|errors| EngineError::Invalid(errors.join("\n")))?;
        let hosts: Vec<_> = self
            .deps
            .store
            .hosts()
            .await?
            .into_iter()
            .filter(|h| request.host.as_ref().is_none_or(|want| &h.name == want))
            .collect();
        if hosts.is_empty() {
            return Err(EngineError::NotFound("no matching host has data".into()));
        }
        let mut source = MemorySource::new();
        let mut windows = required_windows(&rules);
        windows.entry(HEARTBEAT_METRIC.to_string()).or_insert(0);
        for host in &hosts {
            source.set_interval(&host.name, i64::try_from(host.interval_ms).unwrap_or(5000));
            for (metric, window_ms) in &windows {
                let extract = self.history(host, metric, from_ms - window_ms, to_ms).await;
                for (name, labels, ts, value) in extract.points {
                    source.push(&host.name, &name, &labels, ts, value);
                    if name == HEARTBEAT_METRIC {
                        source.touch(&host.name, ts);
                    }
                }
            }
        }
        let step_ms = ((to_ms - from_ms) / MAX_STEPS).max(5_000);
        let names: Vec<String> = hosts.iter().map(|h| h.name.clone()).collect();
        let results = hostpulse_rules::backtest(&rules, &names, &source, from_ms, to_ms, step_ms);
        Ok(BacktestReport {
            from_ms,
            to_ms,
            step_ms,
            results: results.into_iter().map(|r| convert(r, to_ms)).collect(),
        })
    }
}

fn convert(result: hostpulse_rules::BacktestResult, to_ms: i64) -> BacktestRuleHost {
    let total_firing_ms = result.total_firing_ms(to_ms);
    BacktestRuleHost {
        rule: result.rule,
        host: result.host,
        firings: result
            .firings
            .into_iter()
            .map(|f| BacktestFiring {
                labels: f.labels,
                from_ms: f.from_ms,
                to_ms: f.to_ms,
                peak_value: f.peak,
            })
            .collect(),
        total_firing_ms,
    }
}
