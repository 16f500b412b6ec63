//! Shared state of the API handlers.

use hostpulse_core::Clock;
use hostpulse_proto::Limits;
use hostpulse_store::Store;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Request limits of the API.
#[derive(Debug, Clone)]
pub struct ApiLimits {
    /// Largest accepted request body (compressed, as sent), bytes.
    pub max_body_bytes: usize,
    /// Largest accepted inflated ingest body, bytes.
    pub max_inflated_bytes: usize,
    /// Per-batch semantic limits.
    pub batch: Limits,
}

impl Default for ApiLimits {
    fn default() -> Self {
        Self {
            max_body_bytes: 8 * 1024 * 1024,
            max_inflated_bytes: 64 * 1024 * 1024,
            batch: Limits::default(),
        }
    }
}

/// State handed to every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub limits: Arc<ApiLimits>,
    /// Token hash → agent name, for agents already authenticated (cleared on revoke).
    pub(crate) agent_cache: Arc<RwLock<HashMap<String, String>>>,
}

impl AppState {
    /// State over a store, a clock and limits.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, limits: ApiLimits) -> Self {
        Self {
            store,
            clock,
            limits: Arc::new(limits),
            agent_cache: Arc::default(),
        }
    }

    pub(crate) fn cached_agent(&self, token_hash: &str) -> Option<String> {
        let cache = self.agent_cache.read().ok()?;
        cache.get(token_hash).cloned()
    }

    pub(crate) fn remember_agent(&self, token_hash: String, name: String) {
        if let Ok(mut cache) = self.agent_cache.write() {
            cache.insert(token_hash, name);
        }
    }

    pub(crate) fn forget_agent(&self, name: &str) {
        if let Ok(mut cache) = self.agent_cache.write() {
            cache.retain(|_, agent| agent != name);
        }
    }
}
