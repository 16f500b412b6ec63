//! The alert engine at run time: keeps recent samples of the metrics rules use, evaluates
//! rules when data arrives and on a timer, runs the alert lifecycle and the alert manager
//! pipeline, persists every change and hands notifications to their receivers.

mod api_types;
mod backfill;
mod backtest;
mod cycle;
mod heal;
mod operations;
mod restart;
mod source;
mod state;
mod status;
mod tasks;
mod window;

pub use api_types::*;
pub use heal::{HEAL_ANNOTATION, HealRequest};

use hostpulse_alerting::{AlertManager, LOG_NAMESPACE, NotificationLog};
use hostpulse_config::HubConfig;
use hostpulse_core::{Alert, Clock};
use hostpulse_delivery::Delivery;
use hostpulse_rules::{Lifecycle, load_rule_set, required_windows};
use hostpulse_store::{AlertStore, Store};
use state::State;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::Notify;
use window::WindowCache;

/// Re-reads the hub configuration (for reloads); errors are printable text.
pub type ConfigLoader = Box<dyn Fn() -> Result<HubConfig, String> + Send + Sync>;

/// What the engine runs on.
#[derive(Clone)]
pub struct EngineDeps {
    /// The metric store: the host list and the history read to fill the rule windows after
    /// a start or reload and for backtests.
    pub store: Arc<dyn Store>,
    /// Where alerts, silences, notifications and the engine's own state are persisted, so
    /// that a restarted hub resumes them.
    pub alert_store: Arc<dyn AlertStore>,
    /// The time evaluations, silences and acknowledgements are stamped with (Unix ms).
    pub clock: Arc<dyn Clock>,
}

/// What the API reads without waiting for an evaluation.
#[derive(Debug, Default)]
struct View {
    alerts: Vec<Alert>,
    rules: Vec<RuleStatus>,
}

/// The running engine. Share it behind an `Arc`.
pub struct Engine {
    deps: EngineDeps,
    loader: ConfigLoader,
    config_file: Option<PathBuf>,
    windows: RwLock<WindowCache>,
    state: tokio::sync::Mutex<State>,
    dirty: Mutex<HashSet<String>>,
    eval_wake: Notify,
    stop: Notify,
    stopping: std::sync::atomic::AtomicBool,
    view: RwLock<View>,
    tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    last_cycle: Mutex<CycleStats>,
    last_prune_ms: std::sync::atomic::AtomicI64,
    delivery: Arc<Delivery>,
    heals: heal::HealQueue,
}

impl Engine {
    /// Loads rules and saved alert state, backfills windows from the store and starts the
    /// evaluation and delivery tasks. Invalid rules fail the start with every error.
    pub async fn start(
        deps: EngineDeps,
        config: &HubConfig,
        config_file: Option<PathBuf>,
        loader: ConfigLoader,
    ) -> Result<Arc<Engine>, EngineError> {
        let engine = Self::build(deps, config, config_file, loader, true).await?;
        tasks::spawn(&engine);
        Ok(engine)
    }

    /// Like [`Engine::start`] but without background tasks: the caller drives evaluation
    /// with [`Engine::evaluate_all`] and delivery with [`Engine::deliver_now`] (tests,
    /// benchmarks, virtual clocks).
    pub async fn start_manual(
        deps: EngineDeps,
        config: &HubConfig,
        config_file: Option<PathBuf>,
        loader: ConfigLoader,
    ) -> Result<Arc<Engine>, EngineError> {
        Self::build(deps, config, config_file, loader, false).await
    }

    async fn build(
        deps: EngineDeps,
        config: &HubConfig,
        config_file: Option<PathBuf>,
        loader: ConfigLoader,
        background: bool,
    ) -> Result<Arc<Engine>, EngineError> {
        let rule_set = compile_rules(config, config_file.as_deref())?;
        let log_rows = deps.alert_store.load_state(LOG_NAMESPACE).await?;
        let log = NotificationLog::from_state(log_rows)
            .map_err(|e| EngineError::Invalid(e.to_string()))?;
        let manager = AlertManager::new(&config.alerting, &config.rules.host_groups, log)
            .map_err(|e| EngineError::Invalid(e.to_string()))?;
        let started_ms = deps.clock.now_ms();
        let known_hosts = deps.store.hosts().await?;
        let state = State {
            lifecycle: Lifecycle::restore(deps.alert_store.load_alerts().await?),
            silences: deps.alert_store.silences(false).await?,
            rules: rule_set.rules,
            rule_files: rule_set.files,
            host_groups: config.rules.host_groups.clone(),
            alerting: config.alerting.clone(),
            manager,
            unsaved: Default::default(),
            host_evaluated_ms: Default::default(),
            rule_evaluated_ms: Default::default(),
            restart: restart::RestartGrace::new(
                started_ms,
                config.alerting.restart_grace,
                known_hosts.into_iter().map(|h| h.name),
            ),
            heal: Default::default(),
        };
        let keep = required_windows(&state.rules);
        let delivery = Delivery::start(
            Arc::clone(&deps.alert_store),
            Arc::clone(&deps.clock),
            config.external_url.clone(),
            &config.alerting.effective_receivers(),
            background,
        )
        .await;
        let engine = Arc::new(Engine {
            deps,
            loader,
            config_file,
            windows: RwLock::new(WindowCache::new(keep)),
            state: tokio::sync::Mutex::new(state),
            dirty: Mutex::default(),
            eval_wake: Notify::new(),
            stop: Notify::new(),
            stopping: std::sync::atomic::AtomicBool::new(false),
            view: RwLock::default(),
            tasks: Mutex::default(),
            last_cycle: Mutex::default(),
            last_prune_ms: std::sync::atomic::AtomicI64::new(i64::MIN / 2),
            delivery,
            heals: heal::HealQueue::default(),
        });
        engine.backfill(None).await;
        engine.publish(&*engine.state.lock().await);
        Ok(engine)
    }

    /// Evaluates every known host now.
    pub async fn evaluate_all(&self) {
        self.evaluate(None).await;
    }

    /// Evaluates the hosts that received data since the last evaluation.
    pub async fn evaluate_dirty(&self) {
        let dirty: Vec<String> = self
            .dirty
            .lock()
            .map(|mut d| d.drain().collect())
            .unwrap_or_default();
        if !dirty.is_empty() {
            self.evaluate(Some(dirty)).await;
        }
    }

    /// Runs one delivery pass of every receiver now; returns the earliest time (engine
    /// clock, ms) a receiver has more to do.
    pub async fn deliver_now(&self) -> Option<i64> {
        self.delivery.deliver_now().await
    }

    /// The notification delivery workers (receiver status, test messages, requeue).
    pub fn delivery(&self) -> &Arc<Delivery> {
        &self.delivery
    }

    /// Figures of the last evaluation cycle.
    pub fn last_cycle(&self) -> CycleStats {
        self.last_cycle.lock().map(|c| *c).unwrap_or_default()
    }

    /// Points held in the window cache.
    pub fn window_points(&self) -> usize {
        self.windows.read().map(|w| w.point_count()).unwrap_or(0)
    }

    /// Alerts currently pending or firing, most severe and newest first.
    pub fn active_alerts(&self) -> Vec<Alert> {
        self.view
            .read()
            .map(|v| v.alerts.clone())
            .unwrap_or_default()
    }

    /// Every loaded rule with its current state.
    pub fn rules(&self) -> Vec<RuleStatus> {
        self.view
            .read()
            .map(|v| v.rules.clone())
            .unwrap_or_default()
    }
}

/// Renders rule errors one per line.
fn render_errors(errors: &[hostpulse_rules::RuleError]) -> String {
    errors
        .iter()
        .map(|e| e.render())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Used at start and by reload: compiles rules for a configuration; rules that read a
/// metric no agent sends are logged as warnings (as `hostpulse rules check` prints them).
fn compile_rules(
    config: &HubConfig,
    file: Option<&std::path::Path>,
) -> Result<hostpulse_rules::RuleSet, EngineError> {
    let rule_set = load_rule_set(&config.rules, file)
        .map_err(|errors| EngineError::Invalid(render_errors(&errors)))?;
    for warning in hostpulse_rules::unknown_metric_warnings(&rule_set.rules) {
        tracing::warn!("{warning}");
    }
    Ok(rule_set)
}
