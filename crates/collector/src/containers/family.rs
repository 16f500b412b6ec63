//! The `containers` family: each cycle lists every container and reads the engine's events
//! since the previous cycle; inspects a container when it is new, changed or named by an
//! event (and every stats interval); reads the running ones' stats at most every stats
//! interval. Sends the per-container gauges every cycle, the stats metrics on stats
//! cycles, and a [`ContainerSnapshot`] when the inventory changed, with events, and on
//! stats cycles.

use super::client::Client;
use super::parse::{ListEntry, StatsReading};
use super::{ContainerError, metrics};
use crate::error::CollectError;
use crate::family::{Cycle, Family};
use crate::rate::PreviousReading;
use hostpulse_core::{ContainerEvent, ContainerInfo, ContainerSnapshot, Sample};
use std::collections::{HashMap, HashSet};

/// Most containers carried in one snapshot (the metrics cover them all).
const MAX_SNAPSHOT_CONTAINERS: usize = 1000;

/// Most events carried in one snapshot; the newest are kept.
const MAX_SNAPSHOT_EVENTS: usize = 256;

/// What the family remembers of one container between cycles.
#[derive(Debug)]
struct Known {
    status: String,
    info: ContainerInfo,
}

/// The `containers` family; without an endpoint it sends nothing.
#[derive(Debug)]
pub struct ContainersCollector {
    client: Option<Client>,
    stats_interval_ms: i64,
    known: HashMap<String, Known>,
    last_refresh_ms: Option<i64>,
    events_until_s: Option<i64>,
    last_event_ms: i64,
    podman: Option<bool>,
    sent: Vec<ContainerInfo>,
    oom_kills: HashMap<String, u64>,
    previous: PreviousReading<StatsReading>,
}

impl ContainersCollector {
    /// A family talking to `client` (none: off) that inspects every container and reads
    /// stats at most every `stats_interval_ms`.
    pub fn new(client: Option<Client>, stats_interval_ms: u64) -> Self {
        Self {
            client,
            stats_interval_ms: i64::try_from(stats_interval_ms).unwrap_or(i64::MAX),
            known: HashMap::new(),
            last_refresh_ms: None,
            events_until_s: None,
            last_event_ms: 0,
            podman: None,
            sent: Vec::new(),
            oom_kills: HashMap::new(),
            previous: PreviousReading::default(),
        }
    }

    /// The events from the end of the previous window to `now_s`, newer than the last seen.
    fn new_events(
        &mut self,
        client: &Client,
        now_s: i64,
    ) -> Result<Vec<ContainerEvent>, ContainerError> {
        let podman = match self.podman {
            Some(known) => known,
            None => *self.podman.insert(client.is_podman()?),
        };
        let since = self.events_until_s.unwrap_or(now_s);
        let mut events = client.events(since, (!podman).then_some(now_s))?;
        events.retain(|e| e.ts_ms > self.last_event_ms);
        if let Some(last) = events.last() {
            self.last_event_ms = last.ts_ms;
        }
        self.events_until_s = Some(now_s);
        Ok(events)
    }

    /// Brings the inventory up to date with `entries`; inspects what needs it.
    fn update(
        &mut self,
        client: &Client,
        entries: Vec<ListEntry>,
        touched: &HashSet<String>,
        refresh: bool,
    ) -> Result<(), ContainerError> {
        let ids: HashSet<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        self.known.retain(|id, _| ids.contains(id.as_str()));
        for entry in entries {
            let stale = match self.known.get(&entry.id) {
                None => true,
                Some(k) => {
                    refresh
                        || k.status != entry.status
                        || k.info.state != entry.state
                        || touched.contains(&k.info.name)
                }
            };
            if !stale {
                continue;
            }
            match client.inspect(&entry.id) {
                Ok(info) => {
                    let known = Known {
                        status: entry.status,
                        info,
                    };
                    self.known.insert(entry.id, known);
                }
                Err(ContainerError::Status { status: 404, .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Counts OOM kills: `oom` events, and `die` events of a container inspected as
    /// OOM-killed without an `oom` event in the same cycle.
    fn count_oom(&mut self, events: &[ContainerEvent]) {
        let oom: HashSet<&str> = events
            .iter()
            .filter(|e| e.action == "oom")
            .map(|e| e.container.as_str())
            .collect();
        for e in events {
            let killed = match e.action.as_str() {
                "oom" => true,
                "die" => {
                    !oom.contains(e.container.as_str())
                        && self
                            .known
                            .values()
                            .any(|k| k.info.name == e.container && k.info.oom_killed)
                }
                _ => false,
            };
            if killed {
                *self.oom_kills.entry(e.container.clone()).or_default() += 1;
            }
        }
    }

    /// One stats reading of every running container; a container gone meanwhile is skipped.
    fn read_stats(&self, client: &Client) -> Result<Vec<(String, StatsReading)>, ContainerError> {
        let mut out = Vec::new();
        for (id, known) in &self.known {
            if known.info.state != "running" {
                continue;
            }
            match client.stats(id) {
                Ok(reading) => out.push((id.clone(), reading)),
                Err(ContainerError::Status {
                    status: 404 | 409, ..
                }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Reads every running container's stats; sends memory and, against the previous
    /// reading, CPU and I/O rates.
    fn push_stats(
        &mut self,
        client: &Client,
        samples: &mut Vec<Sample>,
    ) -> Result<(), ContainerError> {
        let readings = self.read_stats(client)?;
        let known = &self.known;
        metrics::push_stats(samples, &readings, |id| known.get(id).map(|k| &k.info));
        self.previous.advance(readings, |id, before, now, secs| {
            if let Some(k) = known.get(id) {
                metrics::push_rates(samples, &k.info, before, now, secs);
            }
        });
        Ok(())
    }

    fn run(&mut self, client: &Client, cycle: &mut Cycle<'_>) -> Result<(), ContainerError> {
        let now_ms = cycle.now_ms();
        let entries = client.list_entries(true)?;
        let events = self.new_events(client, now_ms.div_euclid(1000))?;
        let touched: HashSet<String> = events.iter().map(|e| e.container.clone()).collect();
        let refresh = self
            .last_refresh_ms
            .is_none_or(|at| now_ms - at >= self.stats_interval_ms);
        self.update(client, entries, &touched, refresh)?;
        self.count_oom(&events);
        let mut containers: Vec<ContainerInfo> =
            self.known.values().map(|k| k.info.clone()).collect();
        containers.sort_by(|a, b| a.name.cmp(&b.name));
        let samples = cycle.samples();
        for info in &containers {
            metrics::push_state(
                samples,
                info,
                self.oom_kills.get(&info.name).copied().unwrap_or(0),
            );
        }
        if refresh {
            self.last_refresh_ms = Some(now_ms);
            self.push_stats(client, samples)?;
        }
        containers.truncate(MAX_SNAPSHOT_CONTAINERS);
        // The snapshot goes out when the inventory changed, with events, and every stats
        // interval; the gauges above go out every cycle.
        if refresh || !events.is_empty() || containers != self.sent {
            let mut events = events;
            events.drain(..events.len().saturating_sub(MAX_SNAPSHOT_EVENTS));
            self.sent.clone_from(&containers);
            cycle.frame.containers = Some(ContainerSnapshot { containers, events });
        }
        Ok(())
    }
}

impl Family for ContainersCollector {
    fn name(&self) -> &'static str {
        "containers"
    }

    fn collect(&mut self, cycle: &mut Cycle<'_>) -> Result<(), CollectError> {
        let Some(client) = self.client.clone() else {
            return Ok(());
        };
        self.run(&client, cycle)
            .map_err(|e| CollectError::Engine(format!("{}: {e}", client.endpoint())))
    }
}
