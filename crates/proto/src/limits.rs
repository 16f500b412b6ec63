//! Semantic checks on a decoded batch, so that a bad batch is refused whole.

use crate::batch::IngestBatch;
use crate::fields::{FieldError, FieldLimits, check_fields};
use crate::version::VersionRange;
use hostpulse_core::validate_metric_name;
use std::collections::HashSet;

/// Bounds a batch must respect.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Most distinct series in one batch.
    pub max_series_per_batch: usize,
    /// Most frames in one batch.
    pub max_frames: usize,
    /// Most samples over all frames of one batch.
    pub max_samples_per_batch: usize,
    /// How far in the past a sample may be, milliseconds.
    pub max_age_ms: i64,
    /// How far in the future a sample may be, milliseconds.
    pub max_future_ms: i64,
    /// Longest label key or value, bytes.
    pub max_label_len: usize,
    /// Most labels on one sample.
    pub max_labels: usize,
    /// Bounds on identity, facts and snapshot fields.
    pub fields: FieldLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_series_per_batch: 10_000,
            max_frames: 10_000,
            max_samples_per_batch: 10_000,
            max_age_ms: 14 * 24 * 3600 * 1000,
            max_future_ms: 5 * 60 * 1000,
            max_label_len: 256,
            max_labels: 16,
            fields: FieldLimits::default(),
        }
    }
}

/// The first reason a batch was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BatchError {
    /// The batch's version is outside the range this hub reads.
    #[error(
        "version: unsupported protocol version {got}; this hub reads {}",
        VersionRange::supported()
    )]
    Version {
        /// The version the batch carries.
        got: u32,
    },
    /// More frames than `max_frames`.
    #[error("frames: batch has {got} frames; the limit is {limit}")]
    TooManyFrames {
        /// Frames in the batch.
        got: usize,
        /// The most frames allowed.
        limit: usize,
    },
    /// More samples over all frames than `max_samples_per_batch`.
    #[error("frames: batch has {got} samples; the limit is {limit} (ingest.max_samples_per_batch)")]
    TooManySamples {
        /// Samples in the batch.
        got: usize,
        /// The most samples allowed.
        limit: usize,
    },
    /// More distinct series (name plus labels) than `max_series_per_batch`.
    #[error("frames: batch has {got} distinct series; the limit is {limit}")]
    TooManySeries {
        /// Distinct series in the batch.
        got: usize,
        /// The most series allowed.
        limit: usize,
    },
    /// A frame's timestamp is too far in the past or the future of the hub's clock.
    #[error("frames[{frame}].ts_ms: {ts_ms} is {reason}")]
    Timestamp {
        /// Index of the frame.
        frame: usize,
        /// Its timestamp, epoch milliseconds.
        ts_ms: i64,
        /// Which bound it breaks.
        reason: &'static str,
    },
    /// A sample's value is NaN or infinite.
    #[error("frames[{frame}].samples[{sample}].value: {name:?} has a non-finite value")]
    NonFinite {
        /// Index of the frame.
        frame: usize,
        /// Index of the sample in the frame.
        sample: usize,
        /// The sample's metric name.
        name: String,
    },
    /// A sample's metric name is empty, too long or not a valid metric name.
    #[error("frames[{frame}].samples[{sample}].name: {detail}")]
    Name {
        /// Index of the frame.
        frame: usize,
        /// Index of the sample in the frame.
        sample: usize,
        /// What is wrong with the name.
        detail: String,
    },
    /// A sample's labels break a bound (count, key or value).
    #[error("frames[{frame}].samples[{sample}].labels: sample {name:?}: {reason}")]
    Label {
        /// Index of the frame.
        frame: usize,
        /// Index of the sample in the frame.
        sample: usize,
        /// The sample's metric name.
        name: String,
        /// What is wrong with the labels.
        reason: String,
    },
    /// A field of the identity, facts or snapshots breaks its bound.
    #[error(transparent)]
    Field(#[from] FieldError),
}

/// Checks a whole batch against `limits` at hub time `now_ms`.
pub fn validate_batch(batch: &IngestBatch, now_ms: i64, limits: &Limits) -> Result<(), BatchError> {
    if !VersionRange::supported().contains(batch.version) {
        return Err(BatchError::Version { got: batch.version });
    }
    if batch.frames.len() > limits.max_frames {
        return Err(BatchError::TooManyFrames {
            got: batch.frames.len(),
            limit: limits.max_frames,
        });
    }
    let samples = batch.sample_count();
    if samples > limits.max_samples_per_batch {
        return Err(BatchError::TooManySamples {
            got: samples,
            limit: limits.max_samples_per_batch,
        });
    }
    check_fields(batch, &limits.fields, limits.max_label_len)?;
    let mut series = HashSet::new();
    for (i, frame) in batch.frames.iter().enumerate() {
        check_timestamp(i, frame.ts_ms, now_ms, limits)?;
        for (j, s) in frame.samples.iter().enumerate() {
            check_sample((i, j), s, limits)?;
            if series.len() <= limits.max_series_per_batch {
                series.insert((&s.name, &s.labels));
            }
        }
    }
    if series.len() > limits.max_series_per_batch {
        return Err(BatchError::TooManySeries {
            got: series.len(),
            limit: limits.max_series_per_batch,
        });
    }
    Ok(())
}

fn check_timestamp(
    frame: usize,
    ts_ms: i64,
    now_ms: i64,
    limits: &Limits,
) -> Result<(), BatchError> {
    let reason = if ts_ms > now_ms.saturating_add(limits.max_future_ms) {
        "too far in the future"
    } else if ts_ms < now_ms.saturating_sub(limits.max_age_ms) {
        "too far in the past"
    } else {
        return Ok(());
    };
    Err(BatchError::Timestamp {
        frame,
        ts_ms,
        reason,
    })
}

/// Checks sample `(frame, sample)` of a batch.
fn check_sample(
    (frame, sample): (usize, usize),
    s: &hostpulse_core::Sample,
    limits: &Limits,
) -> Result<(), BatchError> {
    validate_metric_name(&s.name).map_err(|e| BatchError::Name {
        frame,
        sample,
        detail: e.to_string(),
    })?;
    if !s.value.is_finite() {
        return Err(BatchError::NonFinite {
            frame,
            sample,
            name: s.name.clone(),
        });
    }
    let label_err = |reason: String| BatchError::Label {
        frame,
        sample,
        name: s.name.clone(),
        reason,
    };
    let (count, max) = (s.labels.len(), limits.max_labels);
    if count > max {
        return Err(label_err(format!("has {count} labels; the limit is {max}")));
    }
    let max_len = limits.max_label_len;
    for (k, v) in &s.labels {
        if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(label_err(format!(
                "label key {k:?} must be non-empty [A-Za-z0-9_]"
            )));
        }
        if k.len() > max_len || v.len() > max_len {
            return Err(label_err(format!(
                "label {k:?} is longer than {max_len} bytes (key or value)"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{AgentIdentity, Frame};
    use crate::version::PROTOCOL_VERSION;
    use hostpulse_core::Sample;

    const NOW: i64 = 1_700_000_000_000;

    fn batch_with(samples: Vec<Sample>, ts_ms: i64) -> IngestBatch {
        IngestBatch {
            version: PROTOCOL_VERSION,
            agent: AgentIdentity::for_tests(),
            seq: 1,
            facts: None,
            frames: vec![Frame {
                ts_ms,
                samples,
                ..Frame::default()
            }],
        }
    }

    #[test]
    fn good_batch_passes() {
        let b = batch_with(vec![Sample::new("load.1", 1.0)], NOW);
        assert_eq!(validate_batch(&b, NOW, &Limits::default()), Ok(()));
    }

    #[test]
    fn refuses_nan_and_infinity() {
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let b = batch_with(vec![Sample::new("load.1", v)], NOW);
            assert!(matches!(
                validate_batch(&b, NOW, &Limits::default()),
                Err(BatchError::NonFinite { .. })
            ));
        }
    }

    #[test]
    fn refuses_far_timestamps() {
        let limits = Limits::default();
        for ts in [NOW + 3_600_000, NOW - 30 * 24 * 3_600_000] {
            let b = batch_with(vec![Sample::new("load.1", 1.0)], ts);
            assert!(matches!(
                validate_batch(&b, NOW, &limits),
                Err(BatchError::Timestamp { .. })
            ));
        }
    }

    #[test]
    fn caps_series_count() {
        let samples = (0..20)
            .map(|i| Sample::new("x.y", 1.0).with_label("i", i.to_string()))
            .collect();
        let limits = Limits {
            max_series_per_batch: 10,
            ..Limits::default()
        };
        let err = validate_batch(&batch_with(samples, NOW), NOW, &limits).unwrap_err();
        assert!(matches!(err, BatchError::TooManySeries { limit: 10, .. }));
    }

    #[test]
    fn refuses_wrong_version_and_bad_names() {
        let mut b = batch_with(vec![Sample::new("load.1", 1.0)], NOW);
        b.version = 99;
        assert!(matches!(
            validate_batch(&b, NOW, &Limits::default()),
            Err(BatchError::Version { got: 99 })
        ));
        let b = batch_with(vec![Sample::new("BAD", 1.0)], NOW);
        assert!(matches!(
            validate_batch(&b, NOW, &Limits::default()),
            Err(BatchError::Name { .. })
        ));
    }
}
