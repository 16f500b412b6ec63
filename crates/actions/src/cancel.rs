//! Cancellation shared between the thread that polls the hub and the one that runs
//! commands: the ids the hub cancelled, and the agent's own shutdown.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Most cancelled ids remembered; the oldest are forgotten beyond it.
const MAX_CANCELLED: usize = 1024;

/// Why a command must stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The hub cancelled it.
    Cancelled,
    /// The agent is shutting down.
    Shutdown,
}

/// Cancelled command ids and the shutdown flag.
#[derive(Debug, Default)]
pub struct Cancels {
    ids: Mutex<VecDeque<String>>,
    shutdown: AtomicBool,
}

impl Cancels {
    /// No command cancelled, not shutting down.
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks command `id` cancelled: it stops if running and does not start if queued.
    pub fn cancel(&self, id: &str) {
        let mut ids = self.ids.lock().unwrap_or_else(|e| e.into_inner());
        if !ids.iter().any(|known| known == id) {
            if ids.len() >= MAX_CANCELLED {
                ids.pop_front();
            }
            ids.push_back(id.to_owned());
        }
    }

    /// Asks every running command to stop because the agent is shutting down.
    pub fn shut_down(&self) {
        self.shutdown.store(true, Ordering::SeqCst);
    }

    /// True once [`Cancels::shut_down`] was called.
    pub fn is_shutting_down(&self) -> bool {
        self.shutdown.load(Ordering::SeqCst)
    }

    /// Whether command `id` must stop, and why.
    pub fn stop_reason(&self, id: &str) -> Option<StopReason> {
        if self.is_shutting_down() {
            return Some(StopReason::Shutdown);
        }
        let ids = self.ids.lock().unwrap_or_else(|e| e.into_inner());
        ids.iter()
            .any(|known| known == id)
            .then_some(StopReason::Cancelled)
    }
}
