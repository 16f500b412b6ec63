//! The conformance suite every storage backend must pass: one generic check per contract
//! of the storage traits, run against a fresh backend each.
//!
//! A backend's tests instantiate it with [`crate::conformance_tests!`] (one `#[tokio::test]`
//! per check) or call [`run_all`]. The factory gets the clock the backend must read
//! (checks move it, e.g. to expire silences) and returns a [`Fixture`]:
//!
//! ```ignore
//! async fn sqlite(clock: Arc<dyn Clock>) -> Result<Fixture, StoreError> {
//!     let dir = tempfile::tempdir()?;
//!     let store = SqliteStore::open(SqliteOptions::new(dir.path().join("db")), clock).await?;
//!     Ok(Fixture::new(store, dir))
//! }
//! hostpulse_store::conformance_tests!(sqlite);
//! ```

mod accounts;
mod alerting;
mod fixtures;
mod outbox;
mod samples;

use crate::{Backend, StoreError};
use hostpulse_core::{Clock, ManualClock};
use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Start time of every check's clock (hour-aligned), Unix ms.
pub const T0: i64 = 1_699_999_200_000;

/// A backend under test, with whatever must live as long as it (e.g. a temporary directory).
pub struct Fixture {
    /// The backend.
    pub backend: Arc<dyn Backend>,
    _keep: Box<dyn Any + Send + Sync>,
}

impl Fixture {
    /// A fixture of `backend` that keeps `keep` alive until the check ends.
    pub fn new(backend: Arc<dyn Backend>, keep: impl Any + Send + Sync) -> Self {
        Self {
            backend,
            _keep: Box::new(keep),
        }
    }
}

/// What a check gets: a fresh backend and the clock it reads.
pub struct Ctx {
    /// The backend under test, empty.
    pub backend: Arc<dyn Backend>,
    /// The backend's clock, at [`T0`].
    pub clock: ManualClock,
}

/// Why a check failed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Fail(pub String);

impl From<StoreError> for Fail {
    fn from(error: StoreError) -> Self {
        Fail(format!("unexpected store error: {error}"))
    }
}

/// The result of a check.
pub type Outcome = Result<(), Fail>;

/// A boxed check future.
pub type CheckFuture = Pin<Box<dyn Future<Output = Outcome> + Send>>;

/// One named check.
pub struct Case {
    /// The check's name (also the test's name in [`crate::conformance_tests!`]).
    pub name: &'static str,
    /// Runs the check on a fresh backend.
    pub run: fn(Ctx) -> CheckFuture,
}

/// Every check of the suite.
pub fn cases() -> Vec<Case> {
    let mut all = samples::cases();
    all.extend(accounts::cases());
    all.extend(alerting::cases());
    all.extend(outbox::cases());
    all
}

/// Runs the check named `name` on a backend made by `make`.
pub async fn run_case<F, Fut>(name: &str, make: F) -> Result<(), Fail>
where
    F: Fn(Arc<dyn Clock>) -> Fut,
    Fut: Future<Output = Result<Fixture, StoreError>>,
{
    let case = cases()
        .into_iter()
        .find(|case| case.name == name)
        .ok_or_else(|| Fail(format!("no conformance check named {name}")))?;
    run(&case, &make).await
}

/// Runs every check, each on its own backend; returns how many passed, or every failure.
pub async fn run_all<F, Fut>(make: F) -> Result<usize, Vec<Fail>>
where
    F: Fn(Arc<dyn Clock>) -> Fut,
    Fut: Future<Output = Result<Fixture, StoreError>>,
{
    let mut failures = Vec::new();
    let all = cases();
    for case in &all {
        if let Err(failure) = run(case, &make).await {
            failures.push(failure);
        }
    }
    if failures.is_empty() {
        Ok(all.len())
    } else {
        Err(failures)
    }
}

async fn run<F, Fut>(case: &Case, make: &F) -> Result<(), Fail>
where
    F: Fn(Arc<dyn Clock>) -> Fut,
    Fut: Future<Output = Result<Fixture, StoreError>>,
{
    let clock = ManualClock::new(T0);
    let fixture = make(Arc::new(clock.clone()))
        .await
        .map_err(|e| Fail(format!("{}: cannot open the backend: {e}", case.name)))?;
    let ctx = Ctx {
        backend: fixture.backend.clone(),
        clock,
    };
    let outcome = (case.run)(ctx).await;
    let _ = fixture.backend.shutdown().await;
    drop(fixture);
    outcome.map_err(|Fail(message)| Fail(format!("{}: {message}", case.name)))
}

/// Fails with `message` unless `condition` holds.
pub fn ensure(condition: bool, message: impl FnOnce() -> String) -> Outcome {
    if condition {
        Ok(())
    } else {
        Err(Fail(message()))
    }
}

/// Fails unless `got == want`, naming `what`.
pub fn same<T: PartialEq + std::fmt::Debug>(got: T, want: T, what: &str) -> Outcome {
    ensure(got == want, || {
        format!("{what}: got {got:?}, want {want:?}")
    })
}

/// One `#[tokio::test]` per conformance check, for the backend made by the factory `$make`
/// (`async fn(Arc<dyn Clock>) -> Result<Fixture, StoreError>`), plus a test that the list
/// below names every check of [`cases`].
#[macro_export]
macro_rules! conformance_tests {
    ($make:path) => {
        $crate::conformance_tests!(@cases $make;
            ingest_is_visible_to_reads,
            repeated_seq_is_a_duplicate,
            range_start_is_inclusive_and_end_exclusive,
            invalid_ranges_are_refused,
            range_size_counts_matching_series_and_steps,
            unknown_hosts_read_empty,
            instances_are_recorded,
            closed_backend_refuses_writes,
            agents_register_list_and_revoke,
            api_tokens_resolve_to_name_and_role,
            alert_changes_round_trip,
            state_blobs_round_trip,
            history_pages_newest_first,
            silences_expire,
            audit_is_append_only_newest_first,
            prune_keeps_queued_notifications,
            outbox_ids_rise_and_pending_is_oldest_first,
            delivery_updates_are_atomic_and_idempotent,
            receiver_queue_pages_after_id,
            requeue_takes_only_dead_notifications,
            thread_anchor_is_newest_sent_firing,
            outbox_stats_and_dead_letters,
        );
    };
    (@cases $make:path; $($case:ident),* $(,)?) => {
        $(
            #[::tokio::test]
            async fn $case() {
                if let Err(failure) =
                    $crate::conformance::run_case(stringify!($case), $make).await
                {
                    panic!("{failure}");
                }
            }
        )*

        #[test]
        fn conformance_list_names_every_check() {
            let listed = [$(stringify!($case)),*];
            let all: Vec<&str> = $crate::conformance::cases().iter().map(|c| c.name).collect();
            assert_eq!(listed.to_vec(), all);
        }
    };
}
