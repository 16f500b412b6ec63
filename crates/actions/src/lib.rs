//! Runs the hub's commands on an agent, in plain threads (no async runtime): the agent's
//! poller and the hub's local agent both use it.
//!
//! Every command is checked again against the agent's own `actions:` settings, which the hub
//! cannot widen; named commands run without a shell, with a timeout and an output cap; the
//! ids of commands that ran are written to a journal before they run, so a command handed
//! over twice (even across a restart) runs at most once.

pub mod cancel;
pub mod containers;
pub mod execute;
pub mod journal;
pub mod output;
pub mod process;

pub use cancel::Cancels;
pub use execute::Executor;
pub use journal::{JOURNAL_FILE, JOURNAL_KEEP, Journal, JournalError};
pub use output::Output;
