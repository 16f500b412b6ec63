//! Users family: logged-in sessions from the binary utmp file (glibc layout of x86_64 and
//! aarch64: 384-byte records).

use crate::error::CollectError;
use crate::family::{Cycle, Family};
use hostpulse_core::{Sample, UserSession};
use std::path::{Path, PathBuf};

/// Size of one `struct utmp` record.
pub const UTMP_RECORD_BYTES: usize = 384;
/// `ut_type` of a normal login session.
const USER_PROCESS: i16 = 7;
const LINE_AT: usize = 8;
const LINE_LEN: usize = 32;
const USER_AT: usize = 44;
const USER_LEN: usize = 32;
const HOST_AT: usize = 76;
const HOST_LEN: usize = 256;
const TV_SEC_AT: usize = 340;
const TV_USEC_AT: usize = 344;

/// A NUL-padded C string field as text.
fn c_string(field: &[u8]) -> String {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

fn read_i32(record: &[u8], at: usize) -> i32 {
    let mut bytes = [0u8; 4];
    bytes.copy_from_slice(&record[at..at + 4]);
    i32::from_le_bytes(bytes)
}

/// Sessions of the `USER_PROCESS` records of a utmp file; a trailing partial record is ignored.
pub fn parse_utmp(data: &[u8]) -> Vec<UserSession> {
    data.chunks_exact(UTMP_RECORD_BYTES)
        .filter(|r| i16::from_le_bytes([r[0], r[1]]) == USER_PROCESS)
        .map(|r| UserSession {
            user: c_string(&r[USER_AT..USER_AT + USER_LEN]),
            tty: c_string(&r[LINE_AT..LINE_AT + LINE_LEN]),
            from: c_string(&r[HOST_AT..HOST_AT + HOST_LEN]),
            login_time_ms: i64::from(read_i32(r, TV_SEC_AT)) * 1000
                + i64::from(read_i32(r, TV_USEC_AT)) / 1000,
        })
        .filter(|s| !s.user.is_empty())
        .collect()
}

/// Reads utmp every `interval_ms` and remembers the session count between reads.
#[derive(Debug)]
pub struct UsersCollector {
    path: PathBuf,
    interval_ms: u64,
    last_read_ms: Option<i64>,
    logged_in: usize,
    buf: Vec<u8>,
}

impl UsersCollector {
    /// A collector reading the utmp file at `utmp_path` at most every `interval_ms`.
    pub fn new(utmp_path: &Path, interval_ms: u64) -> Self {
        Self {
            path: utmp_path.to_path_buf(),
            interval_ms,
            last_read_ms: None,
            logged_in: 0,
            buf: Vec::new(),
        }
    }

    /// Emits `users.logged_in`; returns the sessions on cycles where utmp was read.
    fn emit(
        &mut self,
        now_ms: i64,
        out: &mut Vec<Sample>,
    ) -> Result<Option<Vec<UserSession>>, CollectError> {
        let due = self
            .last_read_ms
            .is_none_or(|last| now_ms < last || (now_ms - last) as u64 >= self.interval_ms);
        let mut sessions = None;
        if due {
            self.last_read_ms = Some(now_ms);
            let read = self.read_sessions();
            let found = read?;
            self.logged_in = found.len();
            sessions = Some(found);
        }
        out.push(Sample::new("users.logged_in", self.logged_in as f64));
        Ok(sessions)
    }

    /// A missing utmp file means no sessions.
    fn read_sessions(&mut self) -> Result<Vec<UserSession>, CollectError> {
        use std::io::Read;
        self.buf.clear();
        match std::fs::File::open(&self.path) {
            Ok(mut file) => {
                file.read_to_end(&mut self.buf)
                    .map_err(|e| CollectError::io(&self.path, e))?;
                Ok(parse_utmp(&self.buf))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(CollectError::io(&self.path, e)),
        }
    }
}

impl Family for UsersCollector {
    fn name(&self) -> &'static str {
        "users"
    }

    /// Emits `users.logged_in` and, on cycles where utmp was read, the sessions.
    fn collect(&mut self, cycle: &mut Cycle<'_>) -> Result<(), CollectError> {
        let now_ms = cycle.now_ms();
        cycle.frame.users = self.emit(now_ms, cycle.samples())?;
        Ok(())
    }
}
