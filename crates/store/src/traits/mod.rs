//! The storage traits, one per concern, and the umbrellas that bundle them: [`Store`]
//! (samples, hosts, accounts, lifecycle), [`AlertStore`] (alerting state, history,
//! silences, outbox, audit) and [`Backend`] (both).
//!
//! Each umbrella has a blanket implementation: a backend implements the small traits and
//! gets the umbrellas for free. Code that holds an `Arc<dyn Store>` (or a generic
//! `S: Store`) calls every method of the small traits without importing them; code that
//! calls them on a concrete backend imports [`crate::prelude`].

mod alerting;
mod metrics;

pub use alerting::{
    AlertHistoryStore, AlertStateStore, AlertStore, AuditStore, OutboxAdminStore, OutboxStore,
    SilenceStore, StateBlobStore,
};
pub use metrics::{AgentStore, ApiTokenStore, HostStore, SampleStore, Store, StoreLifecycle};

/// A complete backend: everything the hub stores. Implemented for every type that
/// implements [`Store`] and [`AlertStore`].
pub trait Backend: Store + AlertStore {}

impl<T: Store + AlertStore + ?Sized> Backend for T {}
