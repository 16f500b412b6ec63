//! Shared state of the API handlers.

use crate::error::ApiError;
use hostpulse_core::Clock;
use hostpulse_engine::Engine;
use hostpulse_proto::Limits;
use hostpulse_service::Service;
use hostpulse_store::{AlertStore, Store};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::Semaphore;

/// Request limits of the API.
#[derive(Debug, Clone)]
pub struct ApiLimits {
    /// Largest accepted request body (compressed, as sent), bytes.
    pub max_body_bytes: usize,
    /// Largest accepted inflated ingest body, bytes.
    pub max_inflated_bytes: usize,
    /// Most memory a decoded batch may take (estimated before decoding), bytes.
    pub max_decoded_bytes: usize,
    /// Most ingest requests read, decoded and stored at once.
    pub max_concurrent_ingests: usize,
    /// How long an ingest request waits for a free slot before 503.
    pub ingest_wait: Duration,
    /// Most points (over all series) in one `query_range` answer.
    pub max_points_per_answer: usize,
    /// Most series in one `query_range` answer.
    pub max_series_per_answer: usize,
    /// Per-batch semantic limits.
    pub batch: Limits,
}

impl Default for ApiLimits {
    fn default() -> Self {
        Self {
            max_body_bytes: 4 << 20,
            max_inflated_bytes: 16 << 20,
            max_decoded_bytes: 8 << 20,
            max_concurrent_ingests: 4,
            ingest_wait: Duration::from_secs(5),
            max_points_per_answer: 250_000,
            max_series_per_answer: 1_000,
            batch: Limits::default(),
        }
    }
}

/// State handed to every handler.
#[derive(Clone)]
pub struct AppState {
    /// Samples, hosts, agents and API tokens.
    pub store: Arc<dyn Store>,
    /// The hub's clock: every handler's "now" (relative query times, liveness, silences).
    pub clock: Arc<dyn Clock>,
    /// Caps on request bodies, concurrent ingests and answer sizes.
    pub limits: Arc<ApiLimits>,
    /// The alert engine; alerting routes that need it answer 503 without it.
    pub engine: Option<Arc<Engine>>,
    /// Alerting persistence (history, outbox, silences, audit); 503 without it.
    pub alert_store: Option<Arc<dyn AlertStore>>,
    /// The hub's services: ingest and every state-changing call go through them.
    pub service: Arc<Service>,
    /// Token hash → agent name, for agents already authenticated (cleared on revoke).
    pub(crate) agent_cache: Arc<RwLock<HashMap<String, String>>>,
    /// Slots for ingest requests in progress (`max_concurrent_ingests`).
    pub(crate) ingest_slots: Arc<Semaphore>,
}

impl AppState {
    /// State over a store, a clock and limits.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, limits: ApiLimits) -> Self {
        let slots = limits.max_concurrent_ingests.max(1);
        let service =
            Service::new(store.clone(), clock.clone()).with_batch_limits(limits.batch.clone());
        Self {
            service: Arc::new(service),
            store,
            clock,
            limits: Arc::new(limits),
            engine: None,
            alert_store: None,
            agent_cache: Arc::default(),
            ingest_slots: Arc::new(Semaphore::new(slots)),
        }
    }

    /// Adds the alert engine and the alerting store behind it.
    pub fn with_alerting(mut self, engine: Arc<Engine>, alert_store: Arc<dyn AlertStore>) -> Self {
        let service = (*self.service).clone();
        self.service = Arc::new(service.with_alerting(engine.clone(), alert_store.clone()));
        self.engine = Some(engine);
        self.alert_store = Some(alert_store);
        self
    }

    /// Uses `service` (shared with the bot, the local agent and SIGHUP) for every call that
    /// changes state, and its engine and alerting store for reads.
    pub fn with_service(mut self, service: Arc<Service>) -> Self {
        self.engine = service.engine().cloned();
        self.alert_store = service.alert_store().cloned();
        self.service = service;
        self
    }

    /// Adds only the alerting store: history, notifications and silences work, the rest answers 503.
    pub fn with_alert_store(mut self, alert_store: Arc<dyn AlertStore>) -> Self {
        let service = (*self.service).clone();
        self.service = Arc::new(service.with_alert_store(alert_store.clone()));
        self.alert_store = Some(alert_store);
        self
    }

    /// The engine, or 503 `unavailable`.
    pub(crate) fn engine(&self) -> Result<&Arc<Engine>, ApiError> {
        self.engine
            .as_ref()
            .ok_or_else(|| ApiError::Unavailable("alerting is not running on this hub".into()))
    }

    /// The alerting store, or 503 `unavailable`.
    pub(crate) fn alert_store(&self) -> Result<&Arc<dyn AlertStore>, ApiError> {
        self.alert_store
            .as_ref()
            .ok_or_else(|| ApiError::Unavailable("alerting is not running on this hub".into()))
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
