//! The database and its -wal/-shm files are readable by the hub's user only, also when an
//! older database was created with a wider mode.
#![allow(
    clippy::panic,
    reason = "test code: a failed step stops the test loudly (clippy.toml allows this in #[test] functions, not in their helpers)"
)]

mod common;

use common::{batch, frame, open};
use hostpulse_core::{ManualClock, Sample};
use hostpulse_store::prelude::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

const T0: i64 = 1_790_000_000_000;

fn mode(path: &Path) -> u32 {
    let metadata = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    metadata.permissions().mode() & 0o777
}

fn assert_private(dir: &Path) {
    for file in ["hostpulse.db", "hostpulse.db-wal", "hostpulse.db-shm"] {
        let found = mode(&dir.join(file));
        assert_eq!(found, 0o600, "{file} has mode {found:o}");
    }
}

#[tokio::test]
async fn database_files_are_created_private() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    let samples = vec![Sample::new("load.1", 0.5)];
    store
        .ingest("web-1", batch(1, vec![frame(T0, samples)]))
        .await
        .unwrap();
    assert_private(dir.path());
    store.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_database_with_a_wide_mode_is_narrowed() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    store.shutdown().await.unwrap();
    drop(store);
    for file in ["hostpulse.db", "hostpulse.db-wal", "hostpulse.db-shm"] {
        let path = dir.path().join(file);
        if path.exists() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
    let store = open(dir.path(), &clock).await;
    assert_eq!(mode(&dir.path().join("hostpulse.db")), 0o600);
    store.shutdown().await.unwrap();
}
