//! Runs one named command: the argv from the agent's configuration (no shell, nothing from
//! the request), stdin empty, stdout and stderr captured together into an [`Output`], killed
//! (with its process group) at the timeout, the command's deadline, a cancel or shutdown.

use std::io::{self, Read};
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStderr, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

use crate::cancel::StopReason;
use crate::output::Output;

/// Size of one read from the command's pipes.
const READ_BYTES: usize = 8 * 1024;
/// Reads in flight between the pipe readers and the output (backpressure beyond it).
const CHANNEL_READS: usize = 16;
/// How often the limits are checked.
const TICK: Duration = Duration::from_millis(50);
/// How often pending output is sent while the command runs.
const FLUSH_EVERY: Duration = Duration::from_millis(500);
/// How long output is still read after the command exited (a child it left may hold the
/// pipes open).
const AFTER_EXIT: Duration = Duration::from_secs(2);

/// How a named command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// It exited by itself.
    Exited(ExitStatus),
    /// It ran past the timeout and was killed.
    TimedOut,
    /// It ran past the command's deadline and was killed.
    DeadlinePassed,
    /// It was stopped for `StopReason`.
    Stopped(StopReason),
}

/// When a running command must be stopped.
pub struct Limits<'a> {
    /// Longest run.
    pub timeout: Duration,
    /// True once the command's deadline has passed.
    pub deadline_passed: &'a dyn Fn() -> bool,
    /// Set when the hub cancelled it or the agent shuts down.
    pub stop: &'a dyn Fn() -> Option<StopReason>,
}

/// Runs `argv` (program first) under `limits`, streaming its output into `output`.
/// Fails only when the program cannot be started.
pub fn run(argv: &[String], limits: &Limits<'_>, output: &mut Output<'_>) -> io::Result<Ended> {
    let Some((program, args)) = argv.split_first() else {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "empty command"));
    };
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()?;
    let (sender, receiver) = mpsc::sync_channel(CHANNEL_READS);
    spawn_readers(child.stdout.take(), child.stderr.take(), sender);
    Ok(watch(&mut child, &receiver, limits, output))
}

fn spawn_readers(
    stdout: Option<ChildStdout>,
    stderr: Option<ChildStderr>,
    sender: SyncSender<Vec<u8>>,
) {
    let readers: [Option<Box<dyn Read + Send>>; 2] = [
        stdout.map(|s| Box::new(s) as Box<dyn Read + Send>),
        stderr.map(|s| Box::new(s) as Box<dyn Read + Send>),
    ];
    for mut reader in readers.into_iter().flatten() {
        let sender = sender.clone();
        std::thread::spawn(move || {
            let mut buffer = vec![0u8; READ_BYTES];
            loop {
                match reader.read(&mut buffer) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        if sender.send(buffer[..n].to_vec()).is_err() {
                            return;
                        }
                    }
                }
            }
        });
    }
}

/// Moves output along and enforces the limits until the command ended and its pipes closed.
fn watch(
    child: &mut Child,
    receiver: &Receiver<Vec<u8>>,
    limits: &Limits<'_>,
    output: &mut Output<'_>,
) -> Ended {
    let started = Instant::now();
    let mut flushed = Instant::now();
    let mut exited: Option<(ExitStatus, Instant)> = None;
    let mut pipes_open = true;
    loop {
        if pipes_open {
            match receiver.recv_timeout(TICK) {
                Ok(bytes) => output.push_bytes(&bytes),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => pipes_open = false,
            }
        } else {
            std::thread::sleep(TICK);
        }
        if flushed.elapsed() >= FLUSH_EVERY {
            output.flush();
            flushed = Instant::now();
        }
        if let Some((status, at)) = exited {
            if !pipes_open || at.elapsed() >= AFTER_EXIT {
                return Ended::Exited(status);
            }
            continue;
        }
        if let Ok(Some(status)) = child.try_wait() {
            exited = Some((status, Instant::now()));
            continue;
        }
        let ended = if let Some(reason) = (limits.stop)() {
            Ended::Stopped(reason)
        } else if (limits.deadline_passed)() {
            Ended::DeadlinePassed
        } else if started.elapsed() >= limits.timeout {
            Ended::TimedOut
        } else {
            continue;
        };
        kill_group(child);
        drain(receiver, output);
        return ended;
    }
}

/// Kills the command and everything it started in its process group, and reaps it.
fn kill_group(child: &mut Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals the process group the child leads
        // (it was started with process_group(0)); no memory is involved.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Reads what the killed command had written, for a short while.
fn drain(receiver: &Receiver<Vec<u8>>, output: &mut Output<'_>) {
    let until = Instant::now() + Duration::from_millis(500);
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        match receiver.recv_timeout(left) {
            Ok(bytes) => output.push_bytes(&bytes),
            Err(_) => return,
        }
    }
}
