//! Agent instances: per agent token, every instance (installation) seen, with its host,
//! run, first/last seen and last seq. Dedup is per (agent, instance), and only one
//! instance — and one process of it — may be live on a token at a time.

use crate::InstanceRecord;
use hostpulse_core::utc_datetime;
use hostpulse_proto::{IngestBatch, MAX_SEQ_STEP};

/// An instance is live while it was seen within this many of its intervals...
pub const LIVE_INTERVALS: u64 = 3;
/// ...and at least this long, milliseconds.
pub const MIN_LIVE_WINDOW_MS: i64 = 30_000;

/// What to do with one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    Store,
    Duplicate,
    /// Another live instance or process sends on this token (answered 409).
    Conflict(String),
    /// The seq jumps too far over the instance's last seq (answered 422).
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
    let last_seq = match known {
        Some(current) => {
            if current.run_id != id.run_id && is_live(current, now_ms) && !succeeds(current, batch)
            {
                return Admission::Conflict(format!(
                    "agent {agent:?}: instance {} is live in another process: {}; refused \
                     a second process of it on host {:?}. Two agents share one instance id \
                     (a copied spool directory?); give the copy an empty spool directory",
                    current.instance_id,
                    describe(current, now_ms),
                    id.hostname,
                ));
            }
            current.last_seq
        }
        None => 0,
    };
    if batch.seq <= last_seq && known.is_some() {
        return Admission::Duplicate;
    }
    let step = batch.seq - last_seq;
    if step > MAX_SEQ_STEP {
        return Admission::SeqStep(format!(
            "seq: {} is {step} above the last seq {last_seq} of instance {}; the limit is {MAX_SEQ_STEP}",
            batch.seq, id.instance_id
        ));
    }
    Admission::Store
}

/// A restarted process names the run it replaced, on the same host.
fn succeeds(current: &InstanceRecord, batch: &IngestBatch) -> bool {
    batch.agent.previous_run_id.as_deref() == Some(current.run_id.as_str())
        && batch.agent.hostname == current.hostname
}

/// Host, instance and times; never the run id, which only the process itself and admins
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
    let t = utc_datetime(ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
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
}

#[cfg(test)]
mod tests;
