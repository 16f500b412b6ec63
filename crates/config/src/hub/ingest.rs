//! The `ingest:` section: limits on what agents may push.

use std::time::Duration;

use serde::Deserialize;

use crate::scalar::Scalar;
use crate::validate::{Validator, join};

/// Limits applied to every ingest request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestConfig {
    /// Largest accepted request body (compressed), in bytes.
    pub max_body_bytes: u64,
    /// Largest inflated (decompressed) body, in bytes.
    pub max_inflated_bytes: u64,
    /// Most memory a decoded batch may take (estimated before decoding), in bytes.
    pub max_decoded_bytes: u64,
    /// Most samples over all frames of one batch.
    pub max_samples_per_batch: usize,
    /// Most series in one batch.
    pub max_series_per_batch: usize,
    /// Most distinct series one host may own.
    pub max_series_per_host: usize,
    /// Samples older than this are dropped.
    pub max_sample_age: Duration,
    /// Samples further than this in the future are dropped.
    pub max_future: Duration,
    /// Most ingest requests read, decoded and stored at once.
    pub max_concurrent: usize,
    /// How long a request waits for one of the `max_concurrent` slots before 503.
    pub max_wait: Duration,
}

impl Default for IngestConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 4 << 20,
            max_inflated_bytes: 16 << 20,
            max_decoded_bytes: 8 << 20,
            max_samples_per_batch: 10_000,
            max_series_per_batch: 10_000,
            max_series_per_host: 20_000,
            max_sample_age: Duration::from_secs(14 * 86_400),
            max_future: Duration::from_secs(300),
            max_concurrent: 4,
            max_wait: Duration::from_secs(5),
        }
    }
}

/// The `ingest:` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIngest {
    max_body_bytes: Option<Scalar>,
    max_inflated_bytes: Option<Scalar>,
    max_decoded_bytes: Option<Scalar>,
    max_samples_per_batch: Option<Scalar>,
    max_series_per_batch: Option<Scalar>,
    max_series_per_host: Option<Scalar>,
    max_sample_age: Option<Scalar>,
    max_future: Option<Scalar>,
    max_concurrent: Option<Scalar>,
    max_wait: Option<Scalar>,
}

impl RawIngest {
    pub(crate) fn validate(self, v: &mut Validator, path: &str) -> IngestConfig {
        let defaults = IngestConfig::default();
        IngestConfig {
            max_body_bytes: v.size(
                &join(path, "max_body_bytes"),
                self.max_body_bytes,
                defaults.max_body_bytes,
                64 << 10,
            ),
            max_inflated_bytes: v.size(
                &join(path, "max_inflated_bytes"),
                self.max_inflated_bytes,
                defaults.max_inflated_bytes,
                64 << 10,
            ),
            max_decoded_bytes: v.size(
                &join(path, "max_decoded_bytes"),
                self.max_decoded_bytes,
                defaults.max_decoded_bytes,
                1 << 20,
            ),
            max_samples_per_batch: v.count(
                &join(path, "max_samples_per_batch"),
                self.max_samples_per_batch,
                defaults.max_samples_per_batch,
                1..=10_000_000,
            ),
            max_series_per_batch: v.count(
                &join(path, "max_series_per_batch"),
                self.max_series_per_batch,
                defaults.max_series_per_batch,
                1..=1_000_000,
            ),
            max_series_per_host: v.count(
                &join(path, "max_series_per_host"),
                self.max_series_per_host,
                defaults.max_series_per_host,
                1..=10_000_000,
            ),
            max_sample_age: v.duration(
                &join(path, "max_sample_age"),
                self.max_sample_age,
                defaults.max_sample_age,
                Duration::from_secs(60),
            ),
            max_future: v.duration(
                &join(path, "max_future"),
                self.max_future,
                defaults.max_future,
                Duration::ZERO,
            ),
            max_concurrent: v.count(
                &join(path, "max_concurrent"),
                self.max_concurrent,
                defaults.max_concurrent,
                1..=10_000,
            ),
            max_wait: v.duration(
                &join(path, "max_wait"),
                self.max_wait,
                defaults.max_wait,
                Duration::ZERO,
            ),
        }
    }
}
