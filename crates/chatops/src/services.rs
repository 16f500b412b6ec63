//! The hub services commands read and change: metrics store, alert store, engine, clock.

use hostpulse_core::Clock;
use hostpulse_engine::Engine;
use hostpulse_store::{AlertStore, Store};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What the bot needs from the hub.
#[derive(Clone)]
pub struct BotDeps {
    pub store: Arc<dyn Store>,
    pub alert_store: Arc<dyn AlertStore>,
    pub engine: Arc<Engine>,
    pub clock: Arc<dyn Clock>,
    /// Host groups from the rules configuration: name → host names or globs.
    pub host_groups: BTreeMap<String, Vec<String>>,
}

/// The services handed to command handlers.
pub type Services = BotDeps;
