//! Compressed chunk codec: timestamps as delta-of-delta and one or more value
//! columns, each stored as decimal-scaled integer deltas or Gorilla XOR.
//!
//! Layout: `version u8`, `count varint`, `columns varint`, one mode byte per column,
//! `first timestamp zigzag varint`, then one bit stream holding the timestamp
//! delta-of-deltas followed by every column in turn.

mod bits;
mod column;
#[doc(hidden)]
pub mod fuzz;

use bits::{
    BitReader, BitWriter, read_class, read_varint, unzigzag, write_class, write_varint, zigzag,
};

const FORMAT_VERSION: u8 = 1;
/// Most columns a chunk may declare (guards decoding of corrupt data).
const MAX_COLUMNS: u64 = 16;
/// Most points a chunk may declare (guards decoding of corrupt data).
const MAX_POINTS: u64 = 1 << 20;

/// Why chunk bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The bytes end before the chunk does.
    #[error("chunk data ends early")]
    Truncated,
    /// The bytes contradict the format (what is wrong).
    #[error("chunk data is malformed: {0}")]
    Malformed(&'static str),
}

/// Points of one series: timestamps plus parallel value columns of equal length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChunkData {
    /// Unix ms, strictly increasing.
    pub timestamps: Vec<i64>,
    /// Value columns, each as long as `timestamps`.
    pub columns: Vec<Vec<f64>>,
}

impl ChunkData {
    /// Empty data with `columns` value columns.
    pub fn with_columns(columns: usize) -> Self {
        Self {
            timestamps: Vec::new(),
            columns: vec![Vec::new(); columns],
        }
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }

    /// Removes every point, keeping the allocations.
    pub fn clear(&mut self) {
        self.timestamps.clear();
        self.columns.iter_mut().for_each(Vec::clear);
    }

    /// Appends one point; `values` must have one entry per column.
    pub fn push(&mut self, ts_ms: i64, values: &[f64]) {
        self.timestamps.push(ts_ms);
        for (column, value) in self.columns.iter_mut().zip(values) {
            column.push(*value);
        }
    }
}

/// Encodes `data`. Fails only if columns have different lengths.
pub fn encode(data: &ChunkData) -> Result<Vec<u8>, CodecError> {
    let count = data.timestamps.len();
    if data.columns.iter().any(|c| c.len() != count) {
        return Err(CodecError::Malformed("columns differ in length"));
    }
    let modes: Vec<u8> = data.columns.iter().map(|c| column::pick_mode(c)).collect();
    let mut out = vec![FORMAT_VERSION];
    write_varint(&mut out, count as u64);
    write_varint(&mut out, data.columns.len() as u64);
    out.extend_from_slice(&modes);
    write_varint(
        &mut out,
        zigzag(data.timestamps.first().copied().unwrap_or(0)),
    );
    let mut writer = BitWriter::default();
    write_timestamps(&mut writer, &data.timestamps);
    for (values, &mode) in data.columns.iter().zip(&modes) {
        column::write_column(&mut writer, values, mode)?;
    }
    out.extend_from_slice(&writer.finish());
    Ok(out)
}

/// Decodes bytes written by [`encode`].
pub fn decode(bytes: &[u8]) -> Result<ChunkData, CodecError> {
    if bytes.first() != Some(&FORMAT_VERSION) {
        return Err(CodecError::Malformed("unknown chunk format version"));
    }
    let mut position = 1;
    let count = read_varint(bytes, &mut position)?;
    let column_count = read_varint(bytes, &mut position)?;
    if count > MAX_POINTS || column_count > MAX_COLUMNS {
        return Err(CodecError::Malformed("implausible chunk header"));
    }
    let (count, column_count) = (count as usize, column_count as usize);
    let modes = bytes
        .get(position..position + column_count)
        .ok_or(CodecError::Truncated)?
        .to_vec();
    position += column_count;
    let first = unzigzag(read_varint(bytes, &mut position)?);
    let mut reader = BitReader::new(&bytes[position..]);
    let timestamps = read_timestamps(&mut reader, first, count)?;
    let columns = modes
        .iter()
        .map(|&mode| column::read_column(&mut reader, count, mode))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ChunkData {
        timestamps,
        columns,
    })
}

fn write_timestamps(writer: &mut BitWriter, timestamps: &[i64]) {
    let mut previous_delta = 0i64;
    for pair in timestamps.windows(2) {
        let delta = pair[1].wrapping_sub(pair[0]);
        write_class(writer, zigzag(delta.wrapping_sub(previous_delta)));
        previous_delta = delta;
    }
}

fn read_timestamps(
    reader: &mut BitReader<'_>,
    first: i64,
    count: usize,
) -> Result<Vec<i64>, CodecError> {
    let mut timestamps = Vec::with_capacity(count);
    if count == 0 {
        return Ok(timestamps);
    }
    timestamps.push(first);
    let (mut previous, mut delta) = (first, 0i64);
    for _ in 1..count {
        delta = delta.wrapping_add(unzigzag(read_class(reader)?));
        previous = previous.wrapping_add(delta);
        timestamps.push(previous);
    }
    Ok(timestamps)
}

#[cfg(test)]
mod tests;
