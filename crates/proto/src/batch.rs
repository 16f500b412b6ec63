//! Batch structure: identity, a per-instance sequence number and one frame per collection cycle.

//!
//! Wire types ignore fields they do not know (a newer agent may send more); see
//! [`crate::version`] for how versions are negotiated.

use crate::version::VersionRange;
use hostpulse_core::{
    CollectorError, ContainerSnapshot, HostFacts, ProcessSnapshot, Sample, UserSession,
};
use serde::{Deserialize, Serialize};

/// Largest step a batch's seq may make over the last seq stored for its instance (a new
/// instance starts from 0). Ample for any outage an agent can spool through, and it keeps
/// a single batch with a huge seq from making every later batch look like a repeat.
pub const MAX_SEQ_STEP: u64 = 1 << 32;

/// Who sent a batch, as the agent describes itself (the hub trusts the token, not this).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentIdentity {
    /// The host's name as the agent found it (or as configured); the host's key in the hub.
    pub hostname: String,
    /// A friendlier name to show instead of the host name, if configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Version of the agent build that made the batch.
    pub agent_version: String,
    /// Collection interval, milliseconds; the hub marks the host down after 3 missed.
    pub interval_ms: u64,
    /// Random id of this agent installation, made once and kept beside its spool.
    /// Sequence numbers are per instance.
    pub instance_id: String,
    /// Random id of the agent process that made this batch.
    pub run_id: String,
    /// The run that used the same spool directory before `run_id` (the process this one
    /// replaced), if any: lets the hub tell a restart from a second copy running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_run_id: Option<String>,
}

#[cfg(test)]
impl AgentIdentity {
    /// An identity that passes validation.
    pub(crate) fn for_tests() -> Self {
        Self {
            hostname: "web-1".into(),
            display_name: None,
            agent_version: "0.1.0".into(),
            interval_ms: 5000,
            instance_id: "0123456789abcdef0123456789abcdef".into(),
            run_id: "fedcba9876543210fedcba9876543210".into(),
            previous_run_id: None,
        }
    }
}

/// Everything collected in one cycle, stamped with one timestamp.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    /// Collection time, Unix epoch milliseconds.
    pub ts_ms: i64,
    /// The metric values collected at `ts_ms`.
    pub samples: Vec<Sample>,
    /// Top processes, present on cycles where the process scan ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processes: Option<ProcessSnapshot>,
    /// Logged-in sessions, present on cycles where the user scan ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<UserSession>>,
    /// The host's containers and recent container events, present on cycles where the
    /// `containers` family reached an engine (older hubs ignore the field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub containers: Option<ContainerSnapshot>,
    /// The full set of failing collector families, sent only on frames where that set
    /// changed (so each error is reported once); `Some(vec![])` means all recovered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<CollectorError>>,
}

/// One push from an agent: one or more frames (several after a spool replay).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IngestBatch {
    /// Protocol version the batch is written in; once decoded by a hub, the version it
    /// was read as. A batch may also carry `min_version`, the oldest version able to
    /// read it (see [`crate::version`]); decoding consumes it.
    pub version: u32,
    /// The agent that sent the batch.
    pub agent: AgentIdentity,
    /// Per instance, strictly increasing across restarts; the hub ignores repeats and
    /// refuses a step above [`MAX_SEQ_STEP`] over the instance's last seq.
    pub seq: u64,
    /// Host facts; sent at start and whenever they change, may be sent every batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts: Option<HostFacts>,
    /// The collection cycles carried, oldest first.
    pub frames: Vec<Frame>,
}

impl IngestBatch {
    /// Number of samples over all frames.
    pub fn sample_count(&self) -> usize {
        self.frames.iter().map(|f| f.samples.len()).sum()
    }
}

/// The hub's answer to an accepted batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestReply {
    /// The seq of the batch this answers; the agent drops it from its spool.
    pub seq: u64,
    /// `true` when this (agent, instance, seq) was already stored and the batch was ignored.
    pub duplicate: bool,
    /// Samples stored from the batch (0 for a duplicate).
    pub samples: u64,
    /// The protocol version the hub read the batch as (absent from hubs before ranges).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// The protocol versions the hub reads (absent from hubs before ranges).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versions: Option<VersionRange>,
    /// Reserved: instructions from the hub to the agent. Always empty for now; agents
    /// ignore entries they do not understand.
    #[serde(default)]
    pub commands: Vec<serde_json::Value>,
}

impl IngestReply {
    /// The reply to a batch stored with `samples` samples, read as `version`.
    pub fn stored(seq: u64, samples: u64, version: u32) -> Self {
        Self::new(seq, false, samples, version)
    }

    /// The reply to a batch that was already stored, read as `version`.
    pub fn duplicate(seq: u64, version: u32) -> Self {
        Self::new(seq, true, 0, version)
    }

    fn new(seq: u64, duplicate: bool, samples: u64, version: u32) -> Self {
        Self {
            seq,
            duplicate,
            samples,
            version: Some(version),
            versions: Some(VersionRange::supported()),
            commands: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_of_older_hubs_parse_and_commands_are_reserved() {
        let old: IngestReply =
            serde_json::from_str(r#"{"seq":4,"duplicate":false,"samples":3}"#).unwrap();
        assert_eq!((old.version, old.versions), (None, None));
        assert!(old.commands.is_empty());
        let reply = serde_json::to_value(IngestReply::stored(4, 3, 2)).unwrap();
        assert_eq!(reply["versions"], serde_json::json!({"min": 2, "max": 2}));
        assert_eq!(reply["version"], 2);
        assert_eq!(reply["commands"], serde_json::json!([]));
        let newer: IngestReply = serde_json::from_str(
            r#"{"seq":4,"duplicate":true,"samples":0,"commands":[{"kind":"x"}],"later":1}"#,
        )
        .unwrap();
        assert!(newer.duplicate && newer.commands.len() == 1);
    }
}
