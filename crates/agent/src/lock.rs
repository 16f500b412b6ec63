//! One agent process per spool directory: an exclusive `flock` on `<spool_dir>/lock`,
//! held for the life of the process, with the holder's PID written in the file.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Name of the lock file in the spool directory.
pub const LOCK_FILE: &str = "lock";

/// Why the spool directory could not be locked.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another live agent holds the lock.
    #[error(
        "spool directory {dir} is in use by another hostpulse-agent (pid {pid}); \
         each agent needs its own --spool-dir"
    )]
    Busy {
        /// The spool directory.
        dir: PathBuf,
        /// The pid written in the lock file by the holder.
        pid: String,
    },
    /// The lock file could not be opened or locked.
    #[error("locking {path}: {source}")]
    Io {
        /// The lock file.
        path: PathBuf,
        /// What the system reported.
        #[source]
        source: io::Error,
    },
}

/// The held lock; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct SpoolLock {
    _file: File,
}

impl SpoolLock {
    /// Takes the lock on `dir` (which must exist) or says which process holds it.
    pub fn acquire(dir: &Path) -> Result<Self, LockError> {
        let path = dir.join(LOCK_FILE);
        let io_error = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(io_error)?;
        // SAFETY: flock(2) on a descriptor this function owns; no memory is shared.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            let error = io::Error::last_os_error();
            if error.kind() == io::ErrorKind::WouldBlock {
                return Err(LockError::Busy {
                    dir: dir.to_path_buf(),
                    pid: holder_pid(&mut file),
                });
            }
            return Err(io_error(error));
        }
        let write_pid = |file: &mut File| -> io::Result<()> {
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            writeln!(file, "{}", std::process::id())?;
            file.sync_all()
        };
        write_pid(&mut file).map_err(io_error)?;
        Ok(Self { _file: file })
    }
}

fn holder_pid(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.read_to_string(&mut text);
    let pid = text.trim();
    if !pid.is_empty() && pid.len() <= 20 && pid.bytes().all(|b| b.is_ascii_digit()) {
        pid.to_owned()
    } else {
        "unknown".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_directory_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let held = SpoolLock::acquire(dir.path()).unwrap();
        let err = SpoolLock::acquire(dir.path()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(&format!("pid {}", std::process::id())),
            "{text}"
        );
        drop(held);
        SpoolLock::acquire(dir.path()).unwrap();
    }
}
