//! Persistence of the alerting state in SQLite: the tables behind the traits of
//! [`crate::AlertStore`], and the value types they exchange.

mod changes;
pub(crate) mod codec;
mod delivery;
mod history;
mod outbox;
mod outbox_stats;
#[cfg(test)]
mod plan_tests;
mod records;
pub(crate) mod schema;
mod sqlite_impl;
mod types;

pub use codec::parse_status as parse_delivery_status;
pub use types::*;
