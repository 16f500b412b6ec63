//! Bounded on-disk FIFO of encoded batches: one file per batch, named by zero-padded
//! seq, written atomically, oldest dropped first when full, surviving restarts.
//! The directory is private to the agent's user (0700) and so is every file in it (0600).

use std::collections::VecDeque;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Default cap on the bytes the spool may hold (the agent configuration's default).
pub use hostpulse_agent_config::DEFAULT_SPOOL_MAX_BYTES;

const BATCH_SUFFIX: &str = ".batch";
const TMP_SUFFIX: &str = ".tmp";

/// A spool operation that failed on the file system.
#[derive(Debug, thiserror::Error)]
#[error("spool {action} {path}: {source}")]
pub struct SpoolError {
    action: &'static str,
    path: PathBuf,
    #[source]
    source: io::Error,
}

impl SpoolError {
    pub(crate) fn from_io(action: &'static str, path: &Path, source: io::Error) -> Self {
        Self::new(action, path, source)
    }

    fn new(action: &'static str, path: &Path, source: io::Error) -> Self {
        Self {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    seq: u64,
    bytes: u64,
}

/// Batches dropped to make room, oldest first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Eviction {
    /// Batches dropped.
    pub count: u64,
    /// Sequence number of the first one dropped.
    pub first_seq: u64,
    /// Sequence number of the last one dropped.
    pub last_seq: u64,
}

/// The spool directory and an in-memory index of its batch files, oldest first.
#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    max_bytes: u64,
    entries: VecDeque<Entry>,
    total_bytes: u64,
    evicted_total: u64,
}

impl Spool {
    /// Opens (creating if needed) the spool in `dir`, indexing batches left by a previous
    /// run and deleting half-written temporary files.
    pub fn open(dir: &Path, max_bytes: u64) -> Result<Self, SpoolError> {
        prepare_dir(dir)?;
        let mut entries = Vec::new();
        let listing = fs::read_dir(dir).map_err(|e| SpoolError::new("read", dir, e))?;
        for item in listing {
            let item = item.map_err(|e| SpoolError::new("read", dir, e))?;
            let name = item.file_name();
            let name = name.to_string_lossy();
            if name.ends_with(TMP_SUFFIX) {
                let _ = fs::remove_file(item.path());
            } else if let Some(seq) = parse_batch_name(&name) {
                let bytes = item.metadata().map(|m| m.len()).unwrap_or(0);
                entries.push(Entry { seq, bytes });
            }
        }
        entries.sort_by_key(|e| e.seq);
        let total_bytes = entries.iter().map(|e| e.bytes).sum();
        Ok(Self {
            dir: dir.to_path_buf(),
            max_bytes,
            entries: entries.into(),
            total_bytes,
            evicted_total: 0,
        })
    }

    /// Appends a batch, first dropping the oldest batches if it would not fit.
    /// A batch larger than the whole cap is itself dropped (reported as evicted).
    pub fn push(&mut self, seq: u64, body: &[u8]) -> Result<Eviction, SpoolError> {
        let size = body.len() as u64;
        if size > self.max_bytes {
            self.evicted_total += 1;
            let dropped = Eviction {
                count: 1,
                first_seq: seq,
                last_seq: seq,
            };
            log_eviction(&dropped);
            return Ok(dropped);
        }
        let eviction = self.make_room(size)?;
        let path = self.batch_path(seq);
        write_atomically(&path, body)?;
        self.entries.push_back(Entry { seq, bytes: size });
        self.total_bytes += size;
        Ok(eviction)
    }

    fn make_room(&mut self, incoming: u64) -> Result<Eviction, SpoolError> {
        let mut eviction = Eviction::default();
        while self.total_bytes + incoming > self.max_bytes {
            let Some(seq) = self.oldest_seq() else { break };
            self.remove_oldest()?;
            if eviction.count == 0 {
                eviction.first_seq = seq;
            }
            eviction.last_seq = seq;
            eviction.count += 1;
        }
        if eviction.count > 0 {
            self.evicted_total += eviction.count;
            log_eviction(&eviction);
        }
        Ok(eviction)
    }

    /// Seq of the oldest spooled batch.
    pub fn oldest_seq(&self) -> Option<u64> {
        self.entries.front().map(|e| e.seq)
    }

    /// Seq of the newest spooled batch.
    pub fn newest_seq(&self) -> Option<u64> {
        self.entries.back().map(|e| e.seq)
    }

    /// Reads the oldest spooled batch.
    pub fn read_oldest(&self) -> Option<Result<(u64, Vec<u8>), SpoolError>> {
        let seq = self.oldest_seq()?;
        let path = self.batch_path(seq);
        Some(
            fs::read(&path)
                .map(|body| (seq, body))
                .map_err(|e| SpoolError::new("read", &path, e)),
        )
    }

    /// Deletes the oldest spooled batch (a missing file counts as deleted).
    pub fn remove_oldest(&mut self) -> Result<(), SpoolError> {
        let Some(entry) = self.entries.front().copied() else {
            return Ok(());
        };
        let path = self.batch_path(entry.seq);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(SpoolError::new("delete", &path, e)),
        }
        self.entries.pop_front();
        self.total_bytes -= entry.bytes;
        Ok(())
    }

    /// Number of spooled batches.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no batch is waiting.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes held on disk by spooled batches.
    pub fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    /// Batches dropped for lack of room since this spool was opened.
    pub fn evicted_total(&self) -> u64 {
        self.evicted_total
    }

    /// Directory holding the batches.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn batch_path(&self, seq: u64) -> PathBuf {
        self.dir.join(format!("{seq:020}{BATCH_SUFFIX}"))
    }
}

fn parse_batch_name(name: &str) -> Option<u64> {
    let digits = name.strip_suffix(BATCH_SUFFIX)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn log_eviction(eviction: &Eviction) {
    tracing::warn!(
        dropped = eviction.count,
        first_seq = eviction.first_seq,
        last_seq = eviction.last_seq,
        "spool full: dropped the oldest batches"
    );
}

/// Creates the spool directory (and its parents) if needed and makes it private (0700).
pub fn prepare_dir(dir: &Path) -> Result<(), SpoolError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| SpoolError::new("create", dir, e))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
        .map_err(|e| SpoolError::new("chmod", dir, e))
}

/// Writes `body` to `path` (mode 0600) via a temporary file, fsync and rename, then syncs
/// the directory.
pub(crate) fn write_atomically(path: &Path, body: &[u8]) -> Result<(), SpoolError> {
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(TMP_SUFFIX);
    let tmp = PathBuf::from(tmp_name);
    let write = |tmp: &Path| -> io::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(tmp)?;
        file.write_all(body)?;
        file.sync_all()
    };
    if let Err(e) = write(&tmp) {
        let _ = fs::remove_file(&tmp);
        return Err(SpoolError::new("write", &tmp, e));
    }
    fs::rename(&tmp, path).map_err(|e| SpoolError::new("rename", path, e))?;
    if let Some(dir) = path.parent() {
        // Best effort: makes the rename itself durable.
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
