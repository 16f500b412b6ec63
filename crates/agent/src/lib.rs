//! hostpulse agent: collects Linux vitals every interval and pushes them to the hub,
//! keeping a bounded on-disk spool while the hub is unreachable.

pub mod backoff;
pub mod batch;
pub mod commands;
pub mod encode;
pub mod instance;
pub mod lock;
pub mod memory;
pub mod push;
pub mod run;
pub mod schedule;
pub mod source;
pub mod spool;

pub use batch::BatchBuilder;
pub use commands::CommandChannel;
pub use commands::link::HubLink;
pub use instance::InstanceState;
pub use lock::{LockError, SpoolLock};
pub use push::{PushConfig, PushOutcome, PushSetupError, Pusher};
pub use run::{FACTS_REFRESH, FrameSource, RunSettings, RunStats, Runner};
pub use schedule::install_shutdown_handler;
pub use source::collector_config;
pub use spool::{DEFAULT_SPOOL_MAX_BYTES, Eviction, Spool, SpoolError};

/// Version reported to the hub.
pub const AGENT_VERSION: &str = env!("CARGO_PKG_VERSION");
