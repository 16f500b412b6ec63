//! Agent instances: per agent token, every instance (installation) seen, with its host,
//! first/last seen and last seq, and the agent processes (runs) it was seen from. Dedup is
//! per (agent, instance, run); only one instance, and one process of it, may be live on a
//! token at a time.
//!
//! A new process that names the live process as its previous run on the same host is a
//! restart and takes over. If the process it replaced is heard from again afterwards, the
//! newcomer was a copy (a cloned spool directory), not a restart: it is refused from then
//! on, and the original goes on.

use crate::{InstanceRecord, RunRecord};
use hostpulse_core::utc_datetime;
use hostpulse_proto::{IngestBatch, MAX_SEQ_STEP};

/// An instance is live while it was seen within this many of its intervals...
pub const LIVE_INTERVALS: u64 = 3;
/// ...and at least this long, milliseconds.
pub const MIN_LIVE_WINDOW_MS: i64 = 30_000;
/// Most runs remembered per instance (the oldest are forgotten).
pub const MAX_RUNS: usize = 8;

/// What to do with one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    Store,
    Duplicate,
    /// Another live instance or process sends on this token (answered 409).
    Conflict(String),
    /// The seq jumps too far over the last seq (answered 422).
    SeqStep(String),
}

/// How long after it was last seen an instance with `interval_ms` still counts as live.
pub fn live_window_ms(interval_ms: u64) -> i64 {
    let intervals = interval_ms.saturating_mul(LIVE_INTERVALS);
    i64::try_from(intervals)
        .unwrap_or(i64::MAX)
        .max(MIN_LIVE_WINDOW_MS)
}

/// Whether `instance` counts as live at `now_ms`.
pub fn is_live(instance: &InstanceRecord, now_ms: i64) -> bool {
    now_ms.saturating_sub(instance.last_seen_ms) <= live_window_ms(instance.interval_ms)
}

fn run_is_live(instance: &InstanceRecord, run: &RunRecord, now_ms: i64) -> bool {
    now_ms.saturating_sub(run.last_seen_ms) <= live_window_ms(instance.interval_ms)
}

/// A run is a copy when the run it claimed to replace was heard from after it appeared.
fn is_copy(instance: &InstanceRecord, run: &RunRecord) -> bool {
    let Some(previous) = &run.previous_run_id else {
        return false;
    };
    instance
        .runs
        .iter()
        .any(|r| &r.run_id == previous && r.last_seen_ms > run.first_seen_ms)
}

/// Decides on `batch` from `agent`, given the agent's known `instances`, at `now_ms`.
pub fn admit(
    agent: &str,
    instances: &[InstanceRecord],
    batch: &IngestBatch,
    now_ms: i64,
) -> Admission {
    let id = &batch.agent;
    let known = instances.iter().find(|i| i.instance_id == id.instance_id);
    let live_other = instances
        .iter()
        .filter(|i| i.instance_id != id.instance_id && is_live(i, now_ms))
        .max_by_key(|i| i.last_seen_ms);
    if let Some(other) = live_other {
        return Admission::Conflict(format!(
            "agent {agent:?} already has a live instance: {}; refused {}. \
             Each host needs its own agent token (the other instance counts as gone \
             {} s after it was last seen)",
            describe(other, now_ms),
            describe_newcomer(batch, known),
            live_window_ms(other.interval_ms) / 1000,
        ));
    }
    let Some(instance) = known else {
        return check_step(batch, 0, "the new instance");
    };
    if let Some(why) = process_conflict(instance, batch, now_ms) {
        return Admission::Conflict(format!(
            "agent {agent:?}: instance {} is live in another process: {}; refused {why} \
             on host {:?}. Two agents share one instance id (a copied spool directory?); \
             give the copy an empty spool directory",
            instance.instance_id,
            describe(instance, now_ms),
            id.hostname,
        ));
    }
    match instance.runs.iter().find(|r| r.run_id == id.run_id) {
        Some(run) if batch.seq <= run.last_seq => Admission::Duplicate,
        Some(run) => check_step(batch, run.last_seq, "this process"),
        None => check_step(batch, instance.last_seq, "the instance"),
    }
}

/// Why the batch's process may not send as this instance now, if it may not.
fn process_conflict(
    instance: &InstanceRecord,
    batch: &IngestBatch,
    now_ms: i64,
) -> Option<&'static str> {
    let id = &batch.agent;
    let own = instance.runs.iter().find(|r| r.run_id == id.run_id);
    let others_live: Vec<&RunRecord> = instance
        .runs
        .iter()
        .filter(|r| r.run_id != id.run_id && run_is_live(instance, r, now_ms))
        .filter(|r| !is_copy(instance, r))
        .collect();
    match own {
        // A copy waits until the process it copied is gone.
        Some(run) if is_copy(instance, run) => (!others_live.is_empty()).then_some("a copy of it"),
        // The original, heard from again after a process claimed to replace it: that one
        // was a copy, and this one goes on.
        Some(run) => others_live
            .iter()
            .any(|o| o.previous_run_id.as_deref() != Some(run.run_id.as_str()))
            .then_some("a second process of it"),
        None => {
            let restart = others_live.len() == 1
                && id.previous_run_id.as_deref() == Some(others_live[0].run_id.as_str())
                && id.hostname == instance.hostname;
            (!others_live.is_empty() && !restart).then_some("a second process of it")
        }
    }
}

fn check_step(batch: &IngestBatch, last_seq: u64, of: &str) -> Admission {
    let step = batch.seq.saturating_sub(last_seq);
    if step > MAX_SEQ_STEP {
        return Admission::SeqStep(format!(
            "seq: {} is {step} above the last seq {last_seq} of {of} ({}); the limit is {MAX_SEQ_STEP}",
            batch.seq, batch.agent.instance_id
        ));
    }
    Admission::Store
}

/// Host, instance and times; never a run id, which only the process itself and admins
/// know (naming it as `previous_run_id` is what lets a restart take over).
fn describe(instance: &InstanceRecord, now_ms: i64) -> String {
    format!(
        "host {:?}, instance {}, first seen {}, last seen {} s ago",
        instance.hostname,
        instance.instance_id,
        format_utc(instance.first_seen_ms),
        now_ms.saturating_sub(instance.last_seen_ms).max(0) / 1000,
    )
}

fn describe_newcomer(batch: &IngestBatch, known: Option<&InstanceRecord>) -> String {
    let first_seen = known.map_or_else(|| "now".to_owned(), |k| format_utc(k.first_seen_ms));
    format!(
        "host {:?}, instance {}, first seen {first_seen}",
        batch.agent.hostname, batch.agent.instance_id
    )
}

/// `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_utc(ms: i64) -> String {
    utc_datetime(ms).strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Records a stored batch received at `received_ms` in `instances`.
pub fn record(instances: &mut Vec<InstanceRecord>, batch: &IngestBatch, received_ms: i64) {
    let id = &batch.agent;
    let index = match instances
        .iter()
        .position(|i| i.instance_id == id.instance_id)
    {
        Some(index) => index,
        None => {
            instances.push(InstanceRecord {
                instance_id: id.instance_id.clone(),
                hostname: String::new(),
                run_id: String::new(),
                first_seen_ms: received_ms,
                last_seen_ms: received_ms,
                last_seq: 0,
                interval_ms: id.interval_ms,
                runs: Vec::new(),
            });
            instances.len() - 1
        }
    };
    let instance = &mut instances[index];
    instance.hostname.clone_from(&id.hostname);
    instance.run_id.clone_from(&id.run_id);
    instance.interval_ms = id.interval_ms;
    instance.last_seen_ms = instance.last_seen_ms.max(received_ms);
    instance.last_seq = instance.last_seq.max(batch.seq);
    record_run(&mut instance.runs, batch, received_ms);
}

fn record_run(runs: &mut Vec<RunRecord>, batch: &IngestBatch, received_ms: i64) {
    let id = &batch.agent;
    match runs.iter_mut().find(|r| r.run_id == id.run_id) {
        Some(run) => {
            run.last_seen_ms = run.last_seen_ms.max(received_ms);
            run.last_seq = run.last_seq.max(batch.seq);
        }
        None => runs.push(RunRecord {
            run_id: id.run_id.clone(),
            previous_run_id: id.previous_run_id.clone(),
            first_seen_ms: received_ms,
            last_seen_ms: received_ms,
            last_seq: batch.seq,
        }),
    }
    if runs.len() > MAX_RUNS {
        runs.sort_by_key(|r| std::cmp::Reverse(r.last_seen_ms));
        runs.truncate(MAX_RUNS);
    }
}

#[cfg(test)]
mod tests;
