//! The conformance suite run against [`crate::SqliteStore`].

use crate::conformance::Fixture;
use crate::{SqliteOptions, SqliteStore, StoreError};
use hostpulse_core::Clock;
use std::sync::Arc;

async fn sqlite(clock: Arc<dyn Clock>) -> Result<Fixture, StoreError> {
    let dir = tempfile::tempdir()?;
    let options = SqliteOptions {
        synchronous_full: false,
        ..SqliteOptions::new(dir.path().join("hostpulse.db"))
    };
    let store = SqliteStore::open(options, clock).await?;
    Ok(Fixture::new(store, dir))
}

crate::conformance_tests!(sqlite);
