//! The executed-ids journal: one command id per line in the agent's state directory,
//! appended and synced to disk *before* the command runs, so a command the hub hands over
//! again (a lost answer, an agent restart) runs at most once. Bounded: the newest
//! [`JOURNAL_KEEP`] ids are kept, the file is rewritten when it holds twice as many.

use std::collections::{HashSet, VecDeque};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use hostpulse_proto::command::is_command_id;

/// File name of the journal inside the state (spool) directory.
pub const JOURNAL_FILE: &str = "executed-commands";
/// Ids kept after a compaction.
pub const JOURNAL_KEEP: usize = 10_000;

/// The journal could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("command journal {path}: {source}")]
pub struct JournalError {
    /// The journal file.
    pub path: PathBuf,
    /// What the file system reported.
    #[source]
    pub source: io::Error,
}

/// The ids of commands this agent has started.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    ids: HashSet<String>,
    order: VecDeque<String>,
    lines: usize,
    keep: usize,
}

impl Journal {
    /// Opens (or creates) the journal in `dir`, keeping [`JOURNAL_KEEP`] ids.
    pub fn open(dir: &Path) -> Result<Self, JournalError> {
        Self::open_keeping(dir, JOURNAL_KEEP)
    }

    /// Opens the journal keeping the newest `keep` ids (at least 1). A line cut short by a
    /// crash while it was written is dropped: its command had not started.
    pub fn open_keeping(dir: &Path, keep: usize) -> Result<Self, JournalError> {
        let path = dir.join(JOURNAL_FILE);
        let fail = |source| JournalError {
            path: path.clone(),
            source,
        };
        let text = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(fail(e)),
        };
        let complete = text.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let file = open_append(&path).map_err(fail)?;
        if complete < text.len() {
            file.set_len(complete as u64).map_err(fail)?;
        }
        let mut journal = Self {
            path: path.clone(),
            file,
            ids: HashSet::new(),
            order: VecDeque::new(),
            lines: 0,
            keep: keep.max(1),
        };
        for line in String::from_utf8_lossy(&text[..complete]).lines() {
            journal.lines += 1;
            if is_command_id(line) {
                journal.remember(line.to_owned());
            }
        }
        Ok(journal)
    }

    /// True when a command with `id` has started here before.
    pub fn contains(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    /// Ids remembered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// True when no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Records `id` and syncs it to disk; only then may the command run.
    pub fn record(&mut self, id: &str) -> Result<(), JournalError> {
        let line = format!("{id}\n");
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.sync_data())
            .map_err(|source| self.error(source))?;
        self.lines += 1;
        self.remember(id.to_owned());
        if self.lines >= self.keep.saturating_mul(2) {
            self.compact()?;
        }
        Ok(())
    }

    fn remember(&mut self, id: String) {
        if self.ids.insert(id.clone()) {
            self.order.push_back(id);
        }
        while self.order.len() > self.keep {
            if let Some(old) = self.order.pop_front() {
                self.ids.remove(&old);
            }
        }
    }

    /// Rewrites the file with the remembered ids only (write, sync, rename, sync the dir).
    fn compact(&mut self) -> Result<(), JournalError> {
        let tmp = self.path.with_extension("tmp");
        let mut text = String::with_capacity(self.order.len() * 24);
        for id in &self.order {
            text.push_str(id);
            text.push('\n');
        }
        let written = (|| {
            let mut file = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&tmp)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&tmp, &self.path)?;
            if let Some(dir) = self.path.parent() {
                File::open(dir)?.sync_all()?;
            }
            open_append(&self.path)
        })();
        self.file = written.map_err(|source| self.error(source))?;
        self.lines = self.order.len();
        Ok(())
    }

    fn error(&self, source: io::Error) -> JournalError {
        JournalError {
            path: self.path.clone(),
            source,
        }
    }
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)
}
