//! Background tasks: the evaluation loop (on ingest and on a timer); delivery runs its own
//! per-receiver workers.

use crate::Engine;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How often old alert history is pruned.
const PRUNE_EVERY_MS: i64 = 3_600_000;

/// Starts the evaluation loop of `engine`.
pub fn spawn(engine: &Arc<Engine>) {
    let eval = tokio::spawn(evaluation_loop(Arc::clone(engine)));
    if let Ok(mut tasks) = engine.tasks.lock() {
        tasks.push(eval);
    }
}

async fn evaluation_interval(engine: &Engine) -> Duration {
    engine
        .state
        .lock()
        .await
        .alerting
        .evaluation_interval
        .max(Duration::from_millis(100))
}

/// Evaluates hosts with new data as soon as it is stored, and every host on each tick
/// (for `for` timers, `absent()` and hosts that went quiet).
async fn evaluation_loop(engine: Arc<Engine>) {
    let mut next_full = tokio::time::Instant::now();
    loop {
        if engine.stopping.load(Ordering::SeqCst) {
            return;
        }
        let interval = evaluation_interval(&engine).await;
        let dirty: Vec<String> = engine
            .dirty
            .lock()
            .map(|mut d| d.drain().collect())
            .unwrap_or_default();
        if tokio::time::Instant::now() >= next_full {
            engine.trim_windows();
            engine.prune_history_if_due().await;
            engine.evaluate(None).await;
            next_full = tokio::time::Instant::now() + interval;
        } else if !dirty.is_empty() {
            engine.evaluate(Some(dirty)).await;
        }
        tokio::select! {
            () = engine.eval_wake.notified() => {}
            () = tokio::time::sleep_until(next_full) => {}
            () = engine.stop.notified() => return,
        }
    }
}

impl Engine {
    /// Stops the background tasks; delivery workers finish their current attempt.
    pub async fn shutdown(&self) {
        self.delivery.shutdown().await;
        self.stopping.store(true, Ordering::SeqCst);
        self.stop.notify_waiters();
        let handles: Vec<_> = self
            .tasks
            .lock()
            .map(|mut t| t.drain(..).collect())
            .unwrap_or_default();
        for handle in handles {
            let _ = handle.await;
        }
        let mut state = self.state.lock().await;
        self.save(&mut state, Default::default()).await;
    }

    /// Deletes alert history older than `alerting.history_retention`, at most hourly.
    async fn prune_history_if_due(&self) {
        let now = self.deps.clock.now_ms();
        let retention = {
            let state = self.state.lock().await;
            i64::try_from(state.alerting.history_retention.as_millis()).unwrap_or(i64::MAX)
        };
        let due = self
            .last_prune_ms
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |last| {
                (now - last >= PRUNE_EVERY_MS).then_some(now)
            })
            .is_ok();
        if !due {
            return;
        }
        match self
            .deps
            .alert_store
            .prune_alert_history(now.saturating_sub(retention))
            .await
        {
            Ok(report) if report.history_rows + report.notifications > 0 => {
                tracing::info!(?report, "pruned alert history");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot prune alert history"),
        }
    }

    fn trim_windows(&self) {
        let now = self.deps.clock.now_ms();
        if let Ok(mut windows) = self.windows.write() {
            windows.trim(now);
        }
    }
}
