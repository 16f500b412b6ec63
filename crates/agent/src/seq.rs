//! Batch sequence numbers, strictly increasing across restarts even if the state file is lost.
//!
//! The state file `<spool_dir>/seq` holds a ceiling: every seq handed out is at most the
//! persisted value, and it is rewritten (atomically) only once per [`SEQ_RESERVATION`]
//! batches. On start, seq = max(persisted + 1, unix micros now).

use crate::spool::{SpoolError, write_atomically};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// How many seqs are reserved by one write of the state file.
pub const SEQ_RESERVATION: u64 = 1000;

const SEQ_FILE: &str = "seq";

/// Hands out the agent's batch sequence numbers.
#[derive(Debug)]
pub struct SeqState {
    path: PathBuf,
    next: u64,
    reserved_until: u64,
}

impl SeqState {
    /// Loads the state from `dir`; `now_micros` is the current Unix time in microseconds.
    /// A missing or unreadable state file counts as 0 (the clock then keeps seq increasing).
    pub fn open(dir: &Path, now_micros: u64) -> Self {
        let path = dir.join(SEQ_FILE);
        let persisted = read_persisted(&path);
        let next = persisted.saturating_add(1).max(now_micros);
        Self {
            path,
            next,
            reserved_until: next.saturating_sub(1),
        }
    }

    /// The next sequence number. Persists a new reservation when the current one is used up;
    /// a failed write is logged and the seq still handed out.
    pub fn next_seq(&mut self) -> u64 {
        let seq = self.next;
        if seq > self.reserved_until {
            let ceiling = seq.saturating_add(SEQ_RESERVATION);
            match write_atomically(&self.path, ceiling.to_string().as_bytes()) {
                Ok(()) => self.reserved_until = ceiling,
                Err(e) => tracing::warn!(error = %e, "could not persist the batch sequence"),
            }
        }
        self.next = seq.saturating_add(1);
        seq
    }

    /// The seq the next call to [`SeqState::next_seq`] returns.
    pub fn peek(&self) -> u64 {
        self.next
    }
}

fn read_persisted(path: &Path) -> u64 {
    match fs::read_to_string(path) {
        Ok(text) => text.trim().parse().unwrap_or_else(|_| {
            tracing::warn!(path = %path.display(), "ignoring an unreadable seq state file");
            0
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => 0,
        Err(e) => {
            let e = SpoolError::from_io("read", path, e);
            tracing::warn!(error = %e, "ignoring the seq state file");
            0
        }
    }
}

/// Current Unix time in microseconds.
pub fn unix_micros_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn increases_within_a_run() {
        let dir = tempfile::tempdir().unwrap();
        let mut seq = SeqState::open(dir.path(), 5_000);
        assert_eq!(seq.next_seq(), 5_000);
        assert_eq!(seq.next_seq(), 5_001);
        assert_eq!(seq.peek(), 5_002);
    }

    #[test]
    fn increases_across_restart_even_if_the_clock_goes_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut first = SeqState::open(dir.path(), 1_000_000);
        let mut last = 0;
        for _ in 0..(SEQ_RESERVATION + 5) {
            last = first.next_seq();
        }
        drop(first);
        let mut second = SeqState::open(dir.path(), 10);
        assert!(second.next_seq() > last);
    }

    #[test]
    fn lost_state_file_falls_back_to_the_clock() {
        let dir = tempfile::tempdir().unwrap();
        let mut first = SeqState::open(dir.path(), 1_000);
        let last = first.next_seq();
        fs::remove_file(dir.path().join(SEQ_FILE)).unwrap();
        let mut second = SeqState::open(dir.path(), 2_000_000);
        let next = second.next_seq();
        assert!(next > last);
        assert_eq!(next, 2_000_000);
    }

    #[test]
    fn garbage_state_file_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(SEQ_FILE), b"not a number").unwrap();
        let mut seq = SeqState::open(dir.path(), 42);
        assert_eq!(seq.next_seq(), 42);
        let persisted: u64 = fs::read_to_string(dir.path().join(SEQ_FILE))
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(persisted, 42 + SEQ_RESERVATION);
    }
}
