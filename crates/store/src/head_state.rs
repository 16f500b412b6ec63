//! Binary form of [`HeadState`], saved in `series.head_state` at each checkpoint.

use crate::head::{Bucket, HeadState};

impl HeadState {
    /// Fixed binary form: presence byte plus 8-byte little-endian fields.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(100);
        out.push(u8::from(self.last.is_some()));
        let (ts, value) = self.last.unwrap_or_default();
        out.extend_from_slice(&ts.to_le_bytes());
        out.extend_from_slice(&value.to_le_bytes());
        for bucket in [self.minute, self.hour] {
            out.push(u8::from(bucket.is_some()));
            let bucket = bucket.unwrap_or(Bucket::of_values(0, [0.0; 4]));
            out.extend_from_slice(&bucket.start_ms.to_le_bytes());
            for v in bucket.values() {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out
    }

    /// Inverse of [`HeadState::encode`]; `None` if the bytes are malformed.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let mut reader = FieldReader { bytes, position: 0 };
        let has_last = reader.flag()?;
        let last = (reader.i64()?, reader.f64()?);
        let mut buckets = [None, None];
        for slot in &mut buckets {
            let present = reader.flag()?;
            let start = reader.i64()?;
            let values = [reader.f64()?, reader.f64()?, reader.f64()?, reader.f64()?];
            *slot = present.then(|| Bucket::of_values(start, values));
        }
        Some(Self {
            last: has_last.then_some(last),
            minute: buckets[0],
            hour: buckets[1],
        })
    }
}

struct FieldReader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl FieldReader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let slice = self.bytes.get(self.position..self.position + N)?;
        self.position += N;
        slice.try_into().ok()
    }
    fn flag(&mut self) -> Option<bool> {
        Some(self.take::<1>()?[0] != 0)
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take()?))
    }
    fn f64(&mut self) -> Option<f64> {
        Some(f64::from_le_bytes(self.take()?))
    }
}
