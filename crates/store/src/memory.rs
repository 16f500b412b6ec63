//! Everything the store keeps in memory: series heads indexed by host and key,
//! and per-host state with the latest snapshots.

use crate::head::SeriesHead;
use crate::series_index::SeriesIndex;
use crate::{HostLatest, HostState, InstanceRecord, LatestSample};
use hostpulse_core::{Labels, ProcessSnapshot, Sample, SeriesKey, UserSession};
use hostpulse_proto::IngestBatch;
use rustc_hash::FxHashMap;
use std::collections::HashSet;

/// A host's state plus its latest snapshots.
#[derive(Debug, Clone)]
pub struct HostMemory {
    pub state: HostState,
    pub processes: Option<(i64, ProcessSnapshot)>,
    pub users: Option<(i64, Vec<UserSession>)>,
    /// Every instance of the agent seen so far.
    pub instances: Vec<InstanceRecord>,
    /// Whether the `hosts` row (and its instance rows) are behind.
    pub dirty: bool,
}

/// In-memory index and heads.
#[derive(Debug, Default)]
pub struct Memory {
    pub series: FxHashMap<i64, SeriesHead>,
    pub index: FxHashMap<String, SeriesIndex>,
    pub hosts: FxHashMap<String, HostMemory>,
    pub next_series_id: i64,
}

impl Memory {
    /// Registers a series head (loaded or new).
    pub fn insert_series(&mut self, head: SeriesHead) {
        self.next_series_id = self.next_series_id.max(head.id + 1);
        self.index
            .entry(head.host.clone())
            .or_default()
            .insert(&head.key, head.id);
        self.series.insert(head.id, head);
    }

    /// Series of `host` that a batch would add, beyond `already_new` ones.
    pub fn new_series_keys(
        &self,
        host: &str,
        batch: &IngestBatch,
        already_new: &HashSet<SeriesKey>,
    ) -> HashSet<SeriesKey> {
        let known = self.index.get(host);
        let mut fresh = HashSet::new();
        for sample in batch.frames.iter().flat_map(|f| &f.samples) {
            if known.is_some_and(|k| k.get(&sample.name, &sample.labels).is_some()) {
                continue;
            }
            let key = sample.series_key();
            if !already_new.contains(&key) {
                fresh.insert(key);
            }
        }
        fresh
    }

    pub fn series_count(&self, host: &str) -> usize {
        self.index.get(host).map_or(0, SeriesIndex::len)
    }

    /// The known instances of `agent`.
    pub fn instances(&self, agent: &str) -> &[InstanceRecord] {
        self.hosts.get(agent).map_or(&[], |h| &h.instances)
    }

    /// Applies a committed batch: host state, snapshots and samples.
    pub fn apply(&mut self, agent: &str, batch: &IngestBatch, received_ms: i64) {
        let host = self.host_entry(agent, received_ms);
        host.state.last_seen_ms = host.state.last_seen_ms.max(received_ms);
        host.state.interval_ms = batch.agent.interval_ms;
        host.state.last_seq = batch.seq;
        crate::instances::record(&mut host.instances, batch, received_ms);
        if batch.facts.is_some() {
            host.state.facts.clone_from(&batch.facts);
        }
        host.dirty = true;
        for frame in &batch.frames {
            if let Some(processes) = &frame.processes {
                host.processes = Some((frame.ts_ms, processes.clone()));
            }
            if let Some(users) = &frame.users {
                host.users = Some((frame.ts_ms, users.clone()));
            }
            if let Some(errors) = &frame.errors {
                host.state.collector_errors.clone_from(errors);
            }
        }
        for frame in &batch.frames {
            for sample in &frame.samples {
                let id = self.series_id(agent, sample);
                if let Some(head) = self.series.get_mut(&id) {
                    head.append(frame.ts_ms, sample.value);
                }
            }
        }
    }

    fn host_entry(&mut self, agent: &str, now_ms: i64) -> &mut HostMemory {
        self.hosts
            .entry(agent.to_string())
            .or_insert_with(|| HostMemory {
                state: HostState {
                    name: agent.to_string(),
                    facts: None,
                    first_seen_ms: now_ms,
                    last_seen_ms: now_ms,
                    interval_ms: 0,
                    last_seq: 0,
                    collector_errors: Vec::new(),
                },
                processes: None,
                users: None,
                instances: Vec::new(),
                dirty: true,
            })
    }

    /// The series of a sample, created when new; looked up without allocating.
    fn series_id(&mut self, host: &str, sample: &Sample) -> i64 {
        let known = self.index.get(host);
        if let Some(id) = known.and_then(|k| k.get(&sample.name, &sample.labels)) {
            return id;
        }
        let id = self.next_series_id;
        self.insert_series(SeriesHead::new(id, host.to_string(), sample.series_key()));
        id
    }

    /// Newest value of every series of `host`, plus its snapshots.
    pub fn latest(&self, host: &str) -> Option<HostLatest> {
        let memory = self.hosts.get(host)?;
        let mut samples: Vec<LatestSample> = self
            .index
            .get(host)
            .into_iter()
            .flat_map(SeriesIndex::ids)
            .filter_map(|id| self.series.get(&id))
            .filter_map(|head| {
                let (ts_ms, value) = head.state.last?;
                Some(LatestSample {
                    name: head.key.name.clone(),
                    labels: head.key.labels.clone(),
                    value,
                    ts_ms,
                })
            })
            .collect();
        samples.sort_by(|a, b| (&a.name, &a.labels).cmp(&(&b.name, &b.labels)));
        Some(HostLatest {
            host: memory.state.clone(),
            samples,
            processes: memory.processes.as_ref().map(|(_, p)| p.clone()),
            processes_ts_ms: memory.processes.as_ref().map(|(ts, _)| *ts),
            users: memory.users.as_ref().map(|(_, u)| u.clone()),
            users_ts_ms: memory.users.as_ref().map(|(ts, _)| *ts),
        })
    }

    /// Ids of the series of `host` named `metric` whose labels include `labels`.
    pub fn matching_series(&self, host: &str, metric: &str, labels: &Labels) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .index
            .get(host)
            .into_iter()
            .flat_map(|index| index.named(metric))
            .filter(|(series_labels, _)| {
                labels.iter().all(|(k, v)| series_labels.get(k) == Some(v))
            })
            .map(|(_, id)| id)
            .collect();
        ids.sort_unstable();
        ids
    }
}
