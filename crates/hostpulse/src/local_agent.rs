//! The agent `hostpulse up` runs inside the hub: collects this host and stores frames directly.

use crate::local_actions::LocalActions;
use anyhow::{Context, Result};
use hostpulse_agent_config::CollectSettings;
use hostpulse_collector::{Collector, CollectorConfig};
use hostpulse_config::LocalAgentConfig;
use hostpulse_core::{Clock, HostFacts};
use hostpulse_proto::{AgentIdentity, Frame, IngestBatch, PROTOCOL_VERSION};
use hostpulse_service::{Actor, IngestError, Service, tokens};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// How often host facts are re-read.
const FACTS_REFRESH_MS: i64 = 60_000;

/// A running in-process agent.
pub struct LocalAgent {
    stop: mpsc::Sender<()>,
    thread: std::thread::JoinHandle<()>,
    actions: LocalActions,
}

/// Collector settings from the shared collect settings.
pub fn collector_config(settings: &CollectSettings) -> CollectorConfig {
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    CollectorConfig {
        proc_path: settings.paths.proc.clone(),
        sys_path: settings.paths.sys.clone(),
        rootfs_path: settings.paths.rootfs.clone(),
        utmp_path: settings.paths.utmp.clone(),
        etc_passwd_path: settings.paths.rootfs.join("etc/passwd"),
        display_name: settings.display_name.clone(),
        process_interval_ms: ms(settings.process_interval),
        users_interval_ms: ms(settings.users_interval),
        top_n: settings.top_n,
        families: settings.families.iter().map(|f| (*f).to_owned()).collect(),
        containers: hostpulse_collector::containers::configure(
            settings.containers.endpoint.as_deref(),
            settings.containers.stats_interval,
            settings.families.contains(&"containers"),
        ),
    }
}

/// The actor the local agent registers itself as.
const LOCAL_AGENT: Actor = Actor::System {
    cause: "local agent",
};

struct Worker {
    service: Arc<Service>,
    clock: Arc<dyn Clock>,
    runtime: tokio::runtime::Handle,
    name: String,
    interval_ms: i64,
    seq: u64,
    /// Instance, run and previous run ids stamped on every batch.
    ids: (String, String, Option<String>),
    collector: Collector,
    sent_facts: Option<HostFacts>,
    facts_read_ms: i64,
}

impl LocalAgent {
    /// Registers the local agent (if new) and starts collecting; frames are ingested
    /// through `service` like an agent's batches (checked against its batch limits).
    pub async fn start(
        service: Arc<Service>,
        config: &LocalAgentConfig,
        state_dir: &Path,
    ) -> Result<Self> {
        let store = service.store().clone();
        let clock = service.clock().clone();
        let settings = collector_config(&config.collect);
        let engine = settings.containers.endpoint.clone();
        let collector = Collector::new(settings);
        let name = config
            .name
            .clone()
            .unwrap_or_else(|| collector.facts().hostname);
        service
            .ensure_agent(&LOCAL_AGENT, &name)
            .await
            .context("cannot register the local agent")?;
        let interval_ms = i64::try_from(config.collect.interval.as_millis())
            .unwrap_or(5000)
            .max(1000);
        // The local agent continues the instance it was before this start, as its successor.
        let previous = store
            .instances(&name)
            .await?
            .into_iter()
            .max_by_key(|i| i.last_seen_ms);
        let new_id = || tokens::generate("")[..32].to_owned();
        let (instance_id, seq, previous_run) = match previous {
            Some(p) => (p.instance_id, p.last_seq, Some(p.run_id)),
            None => (new_id(), 0, None),
        };
        let actions = LocalActions::start(
            service.clone(),
            name.clone(),
            config.actions.clone(),
            state_dir,
            engine,
        )?;
        let worker = Worker {
            seq,
            ids: (instance_id, new_id(), previous_run),
            service,
            clock,
            runtime: tokio::runtime::Handle::current(),
            name: name.clone(),
            interval_ms,
            collector,
            sent_facts: None,
            facts_read_ms: 0,
        };
        let (stop, stop_rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("local-agent".into())
            .spawn(move || worker.run(&stop_rx))
            .context("cannot start the local agent thread")?;
        tracing::info!(agent = %name, interval_ms, "local agent collecting this host");
        Ok(Self {
            stop,
            thread,
            actions,
        })
    }

    /// Stops collecting and waits for the last frame to be stored.
    pub async fn stop(self) {
        self.actions.stop().await;
        let _ = self.stop.send(());
        let _ = tokio::task::spawn_blocking(move || self.thread.join()).await;
    }
}

impl Worker {
    fn run(mut self, stop: &mpsc::Receiver<()>) {
        loop {
            let now = self.clock.now_ms();
            let wait = self.interval_ms - now.rem_euclid(self.interval_ms);
            match stop.recv_timeout(Duration::from_millis(u64::try_from(wait).unwrap_or(1000))) {
                Err(RecvTimeoutError::Timeout) => self.cycle(),
                Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    fn cycle(&mut self) {
        let now = self.clock.now_ms();
        let frame = self.collector.collect(now);
        let batch = self.batch(now, frame);
        let ingest = self.service.ingest(&self.name, batch, None);
        match self.runtime.block_on(ingest) {
            Ok(_) => {}
            Err(IngestError::Invalid(e)) => {
                tracing::warn!(error = %e, "local agent produced an invalid batch; dropped");
            }
            Err(IngestError::Store(e)) => {
                tracing::warn!(error = %e, "local agent could not store a frame");
            }
        }
    }

    fn batch(&mut self, now: i64, frame: Frame) -> IngestBatch {
        if now - self.facts_read_ms >= FACTS_REFRESH_MS {
            self.collector.refresh_facts();
            self.facts_read_ms = now;
        }
        let facts = self.collector.facts();
        let changed = self.sent_facts.as_ref() != Some(&facts);
        self.seq += 1;
        IngestBatch {
            version: PROTOCOL_VERSION,
            agent: AgentIdentity {
                hostname: facts.hostname.clone(),
                display_name: facts.display_name.clone(),
                agent_version: facts.agent_version.clone(),
                interval_ms: u64::try_from(self.interval_ms).unwrap_or(5000),
                instance_id: self.ids.0.clone(),
                run_id: self.ids.1.clone(),
                previous_run_id: self.ids.2.clone(),
            },
            seq: self.seq,
            facts: changed.then(|| {
                self.sent_facts = Some(facts.clone());
                facts
            }),
            frames: vec![frame],
        }
    }
}
