//! Alerting in the hub process: starting the alert engine and reloading its rules on SIGHUP.

use anyhow::{Result, anyhow};
use hostpulse_config::{HubConfig, HubOverrides};
use hostpulse_core::Clock;
use hostpulse_engine::{Engine, EngineDeps};
use hostpulse_service::{Actor, Service};
use hostpulse_store::{AlertStore, Store};
use std::path::PathBuf;
use std::sync::Arc;

/// Where the hub configuration comes from, so that it can be read again on reload.
#[derive(Debug, Clone, Default)]
pub struct ConfigSource {
    pub file: Option<PathBuf>,
    pub env: Vec<(String, String)>,
    pub overrides: HubOverrides,
}

impl ConfigSource {
    /// Reads and checks the configuration again, as at start; errors as printable text.
    pub fn load(&self) -> Result<HubConfig, String> {
        crate::hub_config::load_checked(self.file.as_deref(), &self.env, &self.overrides)
            .map_err(|e| e.to_string())
    }
}

/// Starts the engine over the store; invalid rules stop the hub with every error.
pub async fn start_engine(
    config: &HubConfig,
    source: ConfigSource,
    store: Arc<dyn Store>,
    alert_store: Arc<dyn AlertStore>,
    clock: Arc<dyn Clock>,
) -> Result<Arc<Engine>> {
    let deps = EngineDeps {
        store,
        alert_store,
        clock,
    };
    let file = source.file.clone();
    Engine::start(deps, config, file, Box::new(move || source.load()))
        .await
        .map_err(|e| anyhow!("cannot start alerting:\n{e}"))
}

/// The actor of reloads on SIGHUP.
const SIGHUP: Actor = Actor::System { cause: "SIGHUP" };

/// Reloads rules on every SIGHUP through `service`, keeping the old ones on error; the
/// service audits each reload.
pub fn reload_on_sighup(service: Arc<Service>) -> Option<tokio::task::JoinHandle<()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hangups = match signal(SignalKind::hangup()) {
        Ok(stream) => stream,
        Err(error) => {
            tracing::warn!(%error, "cannot listen for SIGHUP; reload rules through the API");
            return None;
        }
    };
    Some(tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            match service.reload(&SIGHUP).await {
                Ok(report) => {
                    tracing::info!(rules = report.rules, "rules reloaded on SIGHUP");
                }
                Err(error) => {
                    tracing::error!(%error, "rules reload on SIGHUP failed; old rules keep running");
                }
            }
        }
    }))
}
