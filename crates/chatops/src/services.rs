//! The hub services commands read and change: metrics store, alert store, engine, clock, and
//! the time zone replies are written in.

use hostpulse_core::Clock;
use hostpulse_engine::Engine;
use hostpulse_service::Service;
use hostpulse_store::{AlertStore, Store};
use jiff::tz::TimeZone;
use std::collections::BTreeMap;
use std::ops::Deref;
use std::sync::Arc;

/// What the bot needs from the hub.
#[derive(Clone)]
pub struct BotDeps {
    /// Samples, hosts and agents (`/status`, `/graph`, ...).
    pub store: Arc<dyn Store>,
    /// Alert history, silences and the notification outbox.
    pub alert_store: Arc<dyn AlertStore>,
    /// The alert engine: live alerts, acks and silences.
    pub engine: Arc<Engine>,
    /// The hub's clock: "now" of every reply and relative time.
    pub clock: Arc<dyn Clock>,
    /// Host groups from the rules configuration: name → host names or globs.
    pub host_groups: BTreeMap<String, Vec<String>>,
    /// The hub's service layer, shared with the API and the local agent, so the bot's
    /// operations reach the same command queue the agents poll.
    pub service: Service,
}

/// The services handed to command handlers: the hub's, and the bot's time zone.
#[derive(Clone)]
pub struct Services {
    /// The hub's services; their fields are also reachable directly through `Deref`.
    pub deps: BotDeps,
    /// Every state-changing command goes through these: role check and audit record.
    pub service: Service,
    /// Times in replies and chart axes are shown in this zone.
    pub timezone: TimeZone,
}

impl Deref for Services {
    type Target = BotDeps;

    fn deref(&self) -> &BotDeps {
        &self.deps
    }
}
