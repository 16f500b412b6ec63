//! The chunks of one resolution of a series that still have points in memory:
//! only points not yet on disk are kept, plus where the open chunk's row ends.

use crate::codec::ChunkData;
use crate::head::{MAX_CHUNK_POINTS, Tier};

/// Where a chunk row on disk ends: enough to continue it without its points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredChunk {
    /// First timestamp of the row.
    pub start_ms: i64,
    /// Last timestamp of the row.
    pub end_ms: i64,
    /// Points in the row.
    pub count: usize,
}

/// A chunk whose newest points are only in memory: `tail` continues the row
/// `stored` on disk, or starts a new chunk when `stored` is `None`.
#[derive(Debug, Clone)]
pub struct PendingChunk {
    /// The row on disk this chunk continues, if any.
    pub stored: Option<StoredChunk>,
    /// Points not yet written (all newer than `stored.end_ms`).
    pub tail: ChunkData,
}

impl PendingChunk {
    /// A chunk continuing `stored` with an empty tail of `columns` columns.
    pub fn new(stored: Option<StoredChunk>, columns: usize) -> Self {
        Self {
            stored,
            tail: ChunkData::with_columns(columns),
        }
    }

    /// First timestamp of the whole chunk (disk and memory).
    pub fn start_ms(&self) -> Option<i64> {
        self.stored
            .map(|s| s.start_ms)
            .or_else(|| self.tail.timestamps.first().copied())
    }

    /// Points of the whole chunk (disk and memory).
    pub fn len(&self) -> usize {
        self.stored.map_or(0, |s| s.count) + self.tail.len()
    }

    /// Whether the chunk has no points at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether points are waiting to be written.
    pub fn is_dirty(&self) -> bool {
        !self.tail.is_empty()
    }
}

/// One resolution of a series: the open chunk and the chunks closed since the
/// last checkpoint, each holding in memory only what is not on disk yet.
#[derive(Debug, Clone)]
pub struct TierHead {
    /// The resolution.
    pub tier: Tier,
    /// The open chunk; new points are appended to its tail.
    pub open: PendingChunk,
    /// Chunks closed since the last checkpoint with points not on disk yet.
    pub closed: Vec<PendingChunk>,
}

impl TierHead {
    /// An empty head of `tier`.
    pub fn new(tier: Tier) -> Self {
        Self {
            tier,
            open: PendingChunk::new(None, tier.columns()),
            closed: Vec::new(),
        }
    }

    /// Appends a point, closing the open chunk first when it is full or spans too long.
    pub fn append(&mut self, ts_ms: i64, values: &[f64]) {
        if let Some(start) = self.open.start_ms() {
            let span = ts_ms.saturating_sub(start);
            if self.open.len() >= MAX_CHUNK_POINTS || span >= self.tier.max_span_ms() {
                let fresh = PendingChunk::new(None, self.tier.columns());
                let full = std::mem::replace(&mut self.open, fresh);
                if full.is_dirty() {
                    self.closed.push(full);
                }
            }
        }
        self.open.tail.push(ts_ms, values);
    }

    /// Every chunk with points in memory (closed ones first).
    pub fn pending(&self) -> impl Iterator<Item = &PendingChunk> {
        self.closed.iter().chain(std::iter::once(&self.open))
    }

    /// Points held in memory.
    pub fn points_in_memory(&self) -> usize {
        self.pending().map(|c| c.tail.len()).sum()
    }

    /// Records that the open chunk's row on disk now ends as `written`, and
    /// drops every point that is on disk.
    pub fn mark_clean(&mut self, written: Option<StoredChunk>) {
        if written.is_some() {
            // The tail's allocations are reused by the next points.
            self.open.stored = written;
            self.open.tail.clear();
        }
        self.closed = Vec::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(start_ms: i64, end_ms: i64, count: usize) -> Option<StoredChunk> {
        Some(StoredChunk {
            start_ms,
            end_ms,
            count,
        })
    }

    #[test]
    fn tail_continues_the_stored_row_until_the_chunk_is_full() {
        let mut head = TierHead::new(Tier::Raw);
        head.mark_clean(stored(0, 700 * 5_000, 701));
        for i in 701..721 {
            head.append(i * 5_000, &[i as f64]);
        }
        assert_eq!(head.closed.len(), 1, "720 points close the chunk");
        assert_eq!(head.closed[0].stored, stored(0, 700 * 5_000, 701));
        assert_eq!(head.closed[0].tail.len(), 19);
        assert_eq!(head.open.stored, None);
        assert_eq!(head.open.tail.timestamps, vec![720 * 5_000]);
        assert_eq!(head.points_in_memory(), 20);
        head.mark_clean(stored(720 * 5_000, 720 * 5_000, 1));
        assert_eq!(head.points_in_memory(), 0);
        assert_eq!(head.open.len(), 1);
    }

    #[test]
    fn a_clean_open_chunk_is_dropped_when_its_span_is_reached() {
        let mut head = TierHead::new(Tier::Minute);
        head.mark_clean(stored(0, 60_000, 2));
        head.append(Tier::Minute.max_span_ms(), &[1.0, 1.0, 1.0, 1.0]);
        assert!(
            head.closed.is_empty(),
            "nothing of the old chunk is in memory"
        );
        assert_eq!(head.open.start_ms(), Some(Tier::Minute.max_span_ms()));
        head.mark_clean(None);
        assert_eq!(head.points_in_memory(), 1, "an unwritten tail is kept");
    }
}
