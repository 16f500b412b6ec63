//! Storage for hostpulse: the traits every backend implements (one per concern, bundled
//! by [`Store`], [`AlertStore`] and [`Backend`]), the backend-neutral building blocks
//! ([`head`], [`series_index`], [`codec`]), the conformance suite every backend must pass
//! ([`conformance`], feature `conformance`), and the embedded SQLite backend used by
//! default ([`SqliteStore`]).

mod accounts;
mod alerts;
mod checkpoint;
mod checkpoint_run;
pub mod codec;
#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
pub mod head;
mod head_state;
mod instances;
mod maintenance;
mod memory;
mod options;
mod persist;
mod query;
mod readers;
mod rows;
mod schema;
pub mod series_index;
mod sqlite;
mod sqlite_traits;
mod tier_head;
mod traits;
mod types;
mod writer;

pub use accounts::ApiToken;
pub use alerts::*;
pub use instances::{format_utc, is_live, live_window_ms};
pub use options::SqliteOptions;
pub use sqlite::SqliteStore;
pub use traits::*;
pub use types::*;

/// Every storage trait, for calling their methods on a concrete backend
/// (`use hostpulse_store::prelude::*;`).
pub mod prelude {
    pub use crate::traits::{
        AgentStore, AlertHistoryStore, AlertStateStore, AlertStore, ApiTokenStore, AuditStore,
        Backend, HostStore, OutboxAdminStore, OutboxStore, SampleStore, SilenceStore,
        StateBlobStore, Store, StoreLifecycle,
    };
}

#[cfg(test)]
mod conformance_sqlite;
#[cfg(test)]
mod slice_tests;
#[cfg(test)]
mod tests;
