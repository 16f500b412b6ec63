//! Hub ingest benchmark: simulated agents with realistic host shapes push frames to a
//! running hub over HTTP in closed loops; the figures are acknowledged samples per
//! second, ingest latency percentiles and bytes on disk per stored sample. The delivery
//! benchmark's pieces (outbox seeding, webhook sink, process watching) live here too.

pub mod am_post;
pub mod client;
pub mod cpu;
pub mod disk;
pub mod frames;
pub mod model;
pub mod notify_report;
pub mod outbox;
pub mod proc_watch;
pub mod remote_write;
pub mod report;
pub mod run;
pub mod shape;
pub mod sink;
pub mod stats;
pub mod watch;

pub use disk::{DiskReport, measure};
pub use frames::SimulatedAgent;
pub use run::{LoadConfig, RunReport, run_load};
