//! This agent installation's identity and batch sequence, kept in `<spool_dir>/instance`:
//! a random instance id made once, seqs that only grow within it, and a random id for
//! each process (run) so the hub can tell a restart from a second copy running.
//!
//! The state file holds a seq ceiling: every seq handed out is at most the persisted
//! value, rewritten (atomically) once per [`SEQ_RESERVATION`] batches. If the file is lost
//! or unreadable, a new instance starts (its seqs above any batch still spooled), because
//! reusing an instance id without its seq would make the hub take new batches as repeats.

use crate::spool::{SpoolError, write_atomically};
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// How many seqs are reserved by one write of the state file.
pub const SEQ_RESERVATION: u64 = 1000;

/// Name of the state file in the spool directory.
pub const INSTANCE_FILE: &str = "instance";

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Persisted {
    instance_id: String,
    run_id: String,
    seq_ceiling: u64,
}

/// Hands out the instance's batch sequence numbers and names the instance and the run.
#[derive(Debug)]
pub struct InstanceState {
    path: PathBuf,
    instance_id: String,
    run_id: String,
    previous_run_id: Option<String>,
    next: u64,
    reserved_until: u64,
}

impl InstanceState {
    /// Loads the state from `dir` and records a new run in it. `min_seq` is one more than
    /// the highest seq still spooled, so that new batches queue behind spooled ones.
    pub fn open(dir: &Path, min_seq: u64) -> Result<Self, SpoolError> {
        let path = dir.join(INSTANCE_FILE);
        let (instance_id, previous_run_id, next) = match read_persisted(&path) {
            Some(p) => (
                p.instance_id,
                Some(p.run_id),
                p.seq_ceiling.saturating_add(1),
            ),
            None => (random_id()?, None, 1),
        };
        let mut state = Self {
            path,
            instance_id,
            run_id: random_id()?,
            previous_run_id,
            next: next.max(min_seq).max(1),
            reserved_until: 0,
        };
        state.reserve(state.next)?;
        Ok(state)
    }

    /// The next sequence number. Persists a new reservation when the current one is used up;
    /// a failed write is logged and the seq still handed out.
    pub fn next_seq(&mut self) -> u64 {
        let seq = self.next;
        if seq > self.reserved_until
            && let Err(e) = self.reserve(seq)
        {
            tracing::warn!(error = %e, "could not persist the batch sequence");
        }
        self.next = seq.saturating_add(1);
        seq
    }

    fn reserve(&mut self, from: u64) -> Result<(), SpoolError> {
        let ceiling = from.saturating_add(SEQ_RESERVATION);
        let persisted = Persisted {
            instance_id: self.instance_id.clone(),
            run_id: self.run_id.clone(),
            seq_ceiling: ceiling,
        };
        let text = serde_json::to_vec(&persisted).unwrap_or_default();
        write_atomically(&self.path, &text)?;
        self.reserved_until = ceiling;
        Ok(())
    }

    /// The seq the next call to [`InstanceState::next_seq`] returns.
    pub fn peek(&self) -> u64 {
        self.next
    }

    /// The random id of this agent installation.
    pub fn instance_id(&self) -> &str {
        &self.instance_id
    }

    /// The random id of this process.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The run that used this spool directory before this one, if any.
    pub fn previous_run_id(&self) -> Option<&str> {
        self.previous_run_id.as_deref()
    }
}

fn read_persisted(path: &Path) -> Option<Persisted> {
    let text = match fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            tracing::info!(path = %path.display(), "no instance state yet; starting a new agent instance");
            return None;
        }
        Err(e) => {
            let e = SpoolError::from_io("read", path, e);
            tracing::warn!(error = %e, "starting a new agent instance");
            return None;
        }
    };
    match serde_json::from_slice::<Persisted>(&text) {
        Ok(p) if is_valid_id(&p.instance_id) && is_valid_id(&p.run_id) => Some(p),
        _ => {
            tracing::warn!(path = %path.display(), "unreadable instance state; starting a new agent instance");
            None
        }
    }
}

/// The kernel's random source, read for ids.
const RANDOM_SOURCE: &str = "/dev/urandom";

/// 128 random bits from the kernel as 32 lowercase hex digits.
fn random_id() -> Result<String, SpoolError> {
    let mut bytes = [0u8; 16];
    fs::File::open(RANDOM_SOURCE)
        .and_then(|mut source| source.read_exact(&mut bytes))
        .map_err(|e| SpoolError::from_io("read", Path::new(RANDOM_SOURCE), e))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn is_valid_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests;
