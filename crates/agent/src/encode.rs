//! Batch encoding with reused buffers and a reused deflate state: the wire format is the
//! same as `hostpulse_proto::encode_batch` (JSON in gzip), without allocating and zeroing
//! a fresh compressor for every batch.

use flate2::{Compress, Compression, Crc, FlushCompress, Status};
use hostpulse_proto::{IngestBatch, encode_batch};

/// gzip member header: magic, deflate, no flags, no mtime, "fastest" hint, unknown OS.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 255];

/// Reusable batch encoder; one per agent.
pub struct BatchEncoder {
    json: Vec<u8>,
    deflate: Compress,
}

impl Default for BatchEncoder {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for BatchEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchEncoder").finish_non_exhaustive()
    }
}

impl BatchEncoder {
    /// An encoder at the fastest compression level, like the protocol's own encoder.
    pub fn new() -> Self {
        Self {
            json: Vec::with_capacity(16 * 1024),
            deflate: Compress::new(Compression::fast(), false),
        }
    }

    /// gzip-compressed JSON of `batch`, decodable by `hostpulse_proto::decode_batch`.
    pub fn encode(&mut self, batch: &IngestBatch) -> Vec<u8> {
        self.json.clear();
        if serde_json::to_writer(&mut self.json, batch).is_err() {
            return encode_batch(batch);
        }
        match self.gzip_json() {
            Some(body) => body,
            None => encode_batch(batch),
        }
    }

    fn gzip_json(&mut self) -> Option<Vec<u8>> {
        self.deflate.reset();
        let mut out = Vec::with_capacity(self.json.len() / 4 + 64);
        out.extend_from_slice(&GZIP_HEADER);
        loop {
            let consumed = usize::try_from(self.deflate.total_in()).ok()?;
            let input = self.json.get(consumed..)?;
            let status = self
                .deflate
                .compress_vec(input, &mut out, FlushCompress::Finish)
                .ok()?;
            if status == Status::StreamEnd {
                break;
            }
            out.reserve(out.capacity().max(1024));
        }
        let mut crc = Crc::new();
        crc.update(&self.json);
        out.extend_from_slice(&crc.sum().to_le_bytes());
        out.extend_from_slice(&crc.amount().to_le_bytes());
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hostpulse_core::Sample;
    use hostpulse_proto::{AgentIdentity, Frame, PROTOCOL_VERSION, decode_batch};
    use std::io::Read;

    fn batch(seq: u64, samples: usize) -> IngestBatch {
        IngestBatch {
            version: PROTOCOL_VERSION,
            agent: AgentIdentity {
                hostname: "web-1".into(),
                display_name: None,
                agent_version: "0.1.0".into(),
                interval_ms: 1000,
                instance_id: "test-instance".into(),
                run_id: "test-run".into(),
                previous_run_id: None,
            },
            seq,
            facts: None,
            frames: vec![Frame {
                ts_ms: 1_700_000_000_000,
                samples: (0..samples)
                    .map(|i| {
                        Sample::new("disk.used_percent", i as f64 * 1.37)
                            .with_label("mount", format!("/m{i}"))
                    })
                    .collect(),
                ..Frame::default()
            }],
        }
    }

    #[test]
    fn round_trips_repeatedly_with_one_encoder() {
        let mut encoder = BatchEncoder::new();
        for (seq, samples) in [(1, 0), (2, 5), (3, 20_000), (4, 3)] {
            let b = batch(seq, samples);
            let body = encoder.encode(&b);
            assert_eq!(&body[..2], &[0x1f, 0x8b]);
            let mut json = Vec::new();
            flate2::read::GzDecoder::new(&body[..])
                .read_to_end(&mut json)
                .unwrap();
            assert!(
                json == serde_json::to_vec(&b).unwrap(),
                "seq {seq}: JSON differs"
            );
            let decoded = decode_batch(&body, true, 64 << 20).unwrap();
            assert_eq!(decoded.seq, seq);
            assert_eq!(decoded.sample_count(), samples);
        }
    }
}
