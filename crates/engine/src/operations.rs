//! Calls from the API and ingest: observe batches, acknowledge alerts, manage silences,
//! reload rules.

use crate::api_types::{EngineError, NewSilence, Observation, ReloadReport};
use crate::{Engine, compile_rules};
use hostpulse_alerting::AlertManager;
use hostpulse_core::{Ack, Alert, AlertState, Silence};
use hostpulse_proto::IngestBatch;
use hostpulse_rules::required_windows;
use hostpulse_store::AlertChanges;

/// Longest silence accepted.
const MAX_SILENCE_MS: i64 = 366 * 86_400_000;

impl Engine {
    /// Samples of `batch` that rules need, taken before the batch is stored.
    pub fn observe_batch(&self, host: &str, batch: &IngestBatch) -> Observation {
        let extract = self
            .windows
            .read()
            .map(|w| w.extract(batch))
            .unwrap_or_default();
        Observation {
            host: host.to_string(),
            extract,
        }
    }

    /// Applies an observation once its batch is durably stored; evaluates that host soon.
    pub fn commit_observation(&self, observation: Observation) {
        if let Ok(mut windows) = self.windows.write() {
            windows.apply(&observation.host, observation.extract);
        }
        if let Ok(mut dirty) = self.dirty.lock() {
            dirty.insert(observation.host);
        }
        self.eval_wake.notify_one();
    }

    /// Acknowledges an alert: stops its reminders and escalation.
    pub async fn ack(&self, id: &str, by: &str, comment: &str) -> Result<Alert, EngineError> {
        let now = self.deps.clock.now_ms();
        let mut state = self.state.lock().await;
        let ack = Ack {
            by: by.to_string(),
            at_ms: now,
            comment: comment.to_string(),
        };
        let current = state
            .lifecycle
            .get(id)
            .ok_or_else(|| EngineError::NotFound(format!("no active alert {id:?}")))?;
        if current.state != AlertState::Firing {
            return Err(EngineError::Conflict(not_firing(current)));
        }
        let alert = state
            .lifecycle
            .set_ack(id, ack)
            .ok_or_else(|| EngineError::NotFound(format!("no active alert {id:?}")))?;
        let changes = AlertChanges {
            upsert: vec![alert.clone()],
            ..AlertChanges::default()
        };
        self.save(&mut state, changes).await;
        self.publish(&state);
        tracing::info!(alert = %id, by, "alert acknowledged");
        Ok(alert)
    }

    /// Every silence that has not ended yet (active or scheduled).
    pub async fn silences(&self) -> Result<Vec<Silence>, EngineError> {
        let now = self.deps.clock.now_ms();
        let state = self.state.lock().await;
        Ok(state
            .silences
            .iter()
            .filter(|s| s.ends_ms > now)
            .cloned()
            .collect())
    }

    /// Creates a silence; it applies from the next evaluation (started at once).
    pub async fn add_silence(&self, new: NewSilence) -> Result<Silence, EngineError> {
        let now = self.deps.clock.now_ms();
        let silence = validate_silence(new, now)?;
        self.deps.alert_store.put_silence(&silence).await?;
        self.state.lock().await.silences.push(silence.clone());
        self.eval_wake.notify_one();
        Ok(silence)
    }

    /// Expires a silence now; `NotFound` if unknown or already ended.
    pub async fn expire_silence(&self, id: &str) -> Result<Silence, EngineError> {
        let now = self.deps.clock.now_ms();
        let mut state = self.state.lock().await;
        if !state.silences.iter().any(|s| s.id == id && s.ends_ms > now) {
            return Err(EngineError::NotFound(format!(
                "no active or scheduled silence {id:?}"
            )));
        }
        let expired = self
            .deps
            .alert_store
            .expire_silence(id, now)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("no silence {id:?}")))?;
        state.silences.retain(|s| s.id != id);
        state.silences.push(expired.clone());
        drop(state);
        self.eval_wake.notify_one();
        Ok(expired)
    }

    /// Reloads rules and alert-manager settings; on any error the running ones stay.
    pub async fn reload(&self) -> Result<ReloadReport, EngineError> {
        let config = (self.loader)().map_err(EngineError::Invalid)?;
        let rule_set = compile_rules(&config, self.config_file.as_deref())?;
        let now = self.deps.clock.now_ms();
        let mut state = self.state.lock().await;
        let log = state.manager.log().clone();
        let manager = AlertManager::new(&config.alerting, &config.rules.host_groups, log)
            .map_err(|e| EngineError::Invalid(e.to_string()))?;
        let transitions = state.lifecycle.retain_rules(&rule_set.rules, now);
        state.manager = manager;
        self.delivery
            .reconfigure(&config.alerting.effective_receivers())
            .await;
        state.rules = rule_set.rules;
        state.rule_files = rule_set.files.clone();
        state.host_groups = config.rules.host_groups.clone();
        state.alerting = config.alerting.clone();
        let keep = required_windows(&state.rules);
        let new_metrics = self.set_window_keep(keep);
        let changes = self.manage(&mut state, transitions, now);
        self.save(&mut state, changes).await;
        self.publish(&state);
        let report = ReloadReport {
            rules: state.rules.len(),
            files: rule_set
                .files
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
        };
        drop(state);
        self.backfill(Some(new_metrics)).await;
        tracing::info!(rules = report.rules, "rules reloaded");
        Ok(report)
    }

    /// Updates what the window cache keeps; returns the metrics it did not keep before.
    fn set_window_keep(&self, keep: std::collections::HashMap<String, i64>) -> Vec<String> {
        let Ok(mut windows) = self.windows.write() else {
            return Vec::new();
        };
        let new: Vec<String> = keep
            .keys()
            .filter(|m| !windows.keep().contains_key(*m))
            .cloned()
            .collect();
        windows.set_keep(keep);
        new
    }
}

/// Why a pending alert cannot be acknowledged, and what to do instead.
fn not_firing(alert: &Alert) -> String {
    format!(
        "alert {} ({} on {}) is pending, not firing: only a firing alert can be acknowledged. \
         To keep it quiet, silence it instead: hostpulse silence add rule={} host={} --for 1h \
         (or /silence in Telegram)",
        alert.id, alert.rule, alert.host, alert.rule, alert.host
    )
}

fn validate_silence(new: NewSilence, now: i64) -> Result<Silence, EngineError> {
    let starts_ms = new.starts_ms.unwrap_or(now);
    let invalid = |m: &str| Err(EngineError::Invalid(m.to_string()));
    if new.matchers.is_empty() {
        return invalid("a silence needs at least one matcher");
    }
    if new.ends_ms <= starts_ms || new.ends_ms <= now {
        return invalid("a silence must end after it starts and in the future");
    }
    if new.ends_ms - starts_ms > MAX_SILENCE_MS {
        return invalid("a silence may last at most one year");
    }
    if new.author.trim().is_empty() {
        return invalid("a silence needs an author");
    }
    Ok(Silence {
        id: silence_id(now, &new.matchers),
        matchers: new.matchers,
        starts_ms,
        ends_ms: new.ends_ms,
        author: new.author,
        comment: new.comment,
        created_ms: now,
    })
}

/// A unique-enough silence id: creation time and a hash of the matchers and a counter.
fn silence_id(now: i64, matchers: &[hostpulse_core::Matcher]) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut labels = hostpulse_core::Labels::new();
    for (i, m) in matchers.iter().enumerate() {
        labels.insert(format!("{i}{}", m.name), format!("{:?}{}", m.op, m.value));
    }
    let hash = hostpulse_core::alert_fingerprint(&n.to_string(), &now.to_string(), &labels);
    format!("s{}-{}", now / 1000, &hash[..8])
}
