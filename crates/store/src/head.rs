//! In-memory head of one series: for each resolution the points not yet on disk
//! (the tail of the open chunk and of chunks closed since the last checkpoint), where
//! the open chunk's row ends, and the unfinished minute and hour rollup buckets.
//!
//! Backend-neutral: it knows chunks only as (start, end, count) of a stored row
//! ([`StoredChunk`]) and points as [`crate::codec::ChunkData`], so any backend that keeps
//! chunks in rows (SQLite, PostgreSQL) can reuse it with [`crate::series_index`] and
//! [`crate::codec`].

pub use crate::tier_head::{PendingChunk, StoredChunk, TierHead};
use hostpulse_core::SeriesKey;

/// Width of a minute rollup bucket, ms.
pub const MINUTE_MS: i64 = 60_000;
/// Width of an hour rollup bucket, ms.
pub const HOUR_MS: i64 = 3_600_000;
/// A chunk is closed once it holds this many points.
pub const MAX_CHUNK_POINTS: usize = 720;
/// A raw chunk is closed once it spans this long.
const MAX_RAW_SPAN_MS: i64 = 2 * HOUR_MS;

/// Stored resolutions, with their code in the `chunks.resolution` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tier {
    /// Samples as received.
    Raw = 0,
    /// One-minute rollups (min, max, sum, count).
    Minute = 1,
    /// One-hour rollups (min, max, sum, count).
    Hour = 2,
}

impl Tier {
    /// Every resolution, finest first.
    pub const ALL: [Tier; 3] = [Tier::Raw, Tier::Minute, Tier::Hour];

    /// Stable numeric code of the resolution (stored with each chunk).
    pub fn code(self) -> i64 {
        self as i64
    }

    /// Value columns: raw has one, rollups have min, max, sum, count.
    pub fn columns(self) -> usize {
        if self == Tier::Raw { 1 } else { 4 }
    }

    /// Width of one point's bucket (0 for raw samples).
    pub fn bucket_ms(self) -> i64 {
        match self {
            Tier::Raw => 0,
            Tier::Minute => MINUTE_MS,
            Tier::Hour => HOUR_MS,
        }
    }

    /// Longest time one chunk of this resolution spans.
    pub fn max_span_ms(self) -> i64 {
        match self {
            Tier::Raw => MAX_RAW_SPAN_MS,
            _ => self.bucket_ms() * MAX_CHUNK_POINTS as i64,
        }
    }
}

/// An aggregate of the samples in one time bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Start of the bucket, Unix ms.
    pub start_ms: i64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Sum of the values.
    pub sum: f64,
    /// Number of samples.
    pub count: f64,
}

impl Bucket {
    /// A bucket holding one sample.
    pub fn of_sample(start_ms: i64, value: f64) -> Self {
        Self::of_values(start_ms, [value, value, value, 1.0])
    }

    /// From a `[min, max, sum, count]` row.
    pub fn of_values(start_ms: i64, values: [f64; 4]) -> Self {
        let [min, max, sum, count] = values;
        Self {
            start_ms,
            min,
            max,
            sum,
            count,
        }
    }

    /// Folds `other` into this bucket.
    pub fn merge(&mut self, other: &Bucket) {
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.sum += other.sum;
        self.count += other.count;
    }

    /// As a `[min, max, sum, count]` row.
    pub fn values(&self) -> [f64; 4] {
        [self.min, self.max, self.sum, self.count]
    }
}

/// The in-memory part of one series.
#[derive(Debug, Clone)]
pub struct SeriesHead {
    /// The backend's id of the series.
    pub id: i64,
    /// Host (agent name) the series belongs to.
    pub host: String,
    /// Metric name and labels.
    pub key: SeriesKey,
    /// Whether the `series` row exists on disk.
    pub persisted: bool,
    /// Whether anything changed since the last checkpoint.
    pub dirty: bool,
    /// In-memory chunks of each resolution, by [`Tier`] index.
    pub tiers: [TierHead; 3],
    /// Newest sample and unfinished rollup buckets.
    pub state: HeadState,
}

/// Scalar head state, saved in `series.head_state` at each checkpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HeadState {
    /// Newest accepted sample.
    pub last: Option<(i64, f64)>,
    /// The unfinished minute bucket.
    pub minute: Option<Bucket>,
    /// The unfinished hour bucket (finished minutes only).
    pub hour: Option<Bucket>,
}

impl SeriesHead {
    /// An empty head of a series not yet persisted.
    pub fn new(id: i64, host: String, key: SeriesKey) -> Self {
        Self {
            id,
            host,
            key,
            persisted: false,
            dirty: false,
            tiers: Tier::ALL.map(TierHead::new),
            state: HeadState::default(),
        }
    }

    /// The in-memory chunks of one resolution.
    pub fn tier(&self, tier: Tier) -> &TierHead {
        &self.tiers[tier as usize]
    }

    /// Appends a sample; samples not newer than the last one are ignored (returns false).
    pub fn append(&mut self, ts_ms: i64, value: f64) -> bool {
        if self.state.last.is_some_and(|(last, _)| ts_ms <= last) {
            return false;
        }
        self.state.last = Some((ts_ms, value));
        self.tiers[Tier::Raw as usize].append(ts_ms, &[value]);
        let minute_start = ts_ms - ts_ms.rem_euclid(MINUTE_MS);
        match &mut self.state.minute {
            Some(bucket) if bucket.start_ms == minute_start => {
                bucket.merge(&Bucket::of_sample(minute_start, value));
            }
            slot => {
                if let Some(finished) = slot.replace(Bucket::of_sample(minute_start, value)) {
                    self.finish_minute(finished);
                }
            }
        }
        self.dirty = true;
        true
    }

    fn finish_minute(&mut self, minute: Bucket) {
        self.tiers[Tier::Minute as usize].append(minute.start_ms, &minute.values());
        let hour_start = minute.start_ms - minute.start_ms.rem_euclid(HOUR_MS);
        let as_hour = Bucket {
            start_ms: hour_start,
            ..minute
        };
        match &mut self.state.hour {
            Some(bucket) if bucket.start_ms == hour_start => bucket.merge(&as_hour),
            slot => {
                if let Some(finished) = slot.replace(as_hour) {
                    self.tiers[Tier::Hour as usize].append(finished.start_ms, &finished.values());
                }
            }
        }
    }

    /// The unfinished bucket of a rollup tier, folded with the finer unfinished one.
    pub fn pending_bucket(&self, tier: Tier) -> Option<Bucket> {
        match tier {
            Tier::Raw => None,
            Tier::Minute => self.state.minute,
            Tier::Hour => {
                let mut hour = self.state.hour;
                if let Some(minute) = self.state.minute {
                    let start = minute.start_ms - minute.start_ms.rem_euclid(HOUR_MS);
                    match &mut hour {
                        Some(h) if h.start_ms == start => h.merge(&minute),
                        _ => {
                            hour = Some(Bucket {
                                start_ms: start,
                                ..minute
                            })
                        }
                    }
                }
                hour
            }
        }
    }

    /// Marks everything as written to disk; `written[tier]` is the new end of
    /// the open chunk's row where it was written.
    pub fn mark_clean(&mut self, written: [Option<StoredChunk>; 3]) {
        self.persisted = true;
        self.dirty = false;
        for (tier, written) in self.tiers.iter_mut().zip(written) {
            tier.mark_clean(written);
        }
    }

    /// Points of every resolution held in memory.
    pub fn points_in_memory(&self) -> usize {
        self.tiers.iter().map(TierHead::points_in_memory).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minute_and_hour_rollups_follow_samples() {
        let mut head = SeriesHead::new(1, "h".into(), SeriesKey::new("cpu.usage_percent"));
        for i in 0..(2 * 720) {
            assert!(head.append(i * 5_000, (i % 12) as f64));
        }
        assert!(!head.append(0, 1.0), "old samples are ignored");
        let minute = head.tier(Tier::Minute);
        assert_eq!(
            minute.points_in_memory(),
            119,
            "the 120th minute is still open"
        );
        let first = &minute.pending().next().unwrap().tail;
        assert_eq!(first.timestamps[0], 0);
        assert_eq!(first.columns[0][0], 0.0);
        assert_eq!(first.columns[1][0], 11.0);
        assert_eq!(first.columns[2][0], 66.0);
        assert_eq!(first.columns[3][0], 12.0);
        let hour = head.tier(Tier::Hour);
        assert_eq!(hour.open.tail.timestamps, vec![0]);
        assert_eq!(hour.open.tail.columns[3], vec![720.0]);
        assert_eq!(head.pending_bucket(Tier::Hour).unwrap().count, 720.0);
        assert_eq!(head.tier(Tier::Raw).closed.len(), 1);
    }

    #[test]
    fn head_state_round_trips() {
        let state = HeadState {
            last: Some((5, -0.5)),
            minute: Some(Bucket::of_values(60_000, [1.0, 2.0, 3.0, 2.0])),
            hour: None,
        };
        assert_eq!(HeadState::decode(&state.encode()), Some(state));
        assert_eq!(HeadState::decode(&[1, 2]), None);
    }
}
