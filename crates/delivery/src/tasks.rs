//! The background loop of a receiver's worker: a pass, then sleep until woken by new
//! notifications, until the next retry or rate-limit slot, or a periodic check.

use crate::worker::Worker;
use std::sync::Arc;
use std::time::Duration;

/// Longest sleep between two passes when nothing wakes the worker.
const IDLE_POLL_MS: i64 = 10_000;

/// Runs `worker` until it is asked to stop.
pub(crate) async fn run(worker: Arc<Worker>) {
    loop {
        if worker.is_stopping() {
            return;
        }
        let next = worker.pass().await;
        let now = worker.now_ms();
        let sleep_ms = next.map_or(IDLE_POLL_MS, |at| (at - now).clamp(0, IDLE_POLL_MS));
        let sleep = Duration::from_millis(u64::try_from(sleep_ms).unwrap_or(0));
        tokio::select! {
            () = worker.wake.notified() => {}
            () = tokio::time::sleep(sleep) => {}
            () = worker.stop.notified() => return,
        }
    }
}
