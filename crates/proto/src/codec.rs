//! Encoding and decoding of batches: JSON inside gzip, with a hard cap on inflated size.

use crate::batch::IngestBatch;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use std::io::{Read, Write};

/// Why a body could not be turned into a batch.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("body is not valid gzip: {0}")]
    Gzip(std::io::Error),
    #[error("inflated body exceeds the limit of {limit} bytes")]
    TooLarge { limit: usize },
    #[error("batch JSON is invalid: {0}")]
    Json(#[from] serde_json::Error),
}

/// Serialises and gzips a batch.
pub fn encode_batch(batch: &IngestBatch) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::with_capacity(4096), Compression::fast());
    // Writing into a Vec cannot fail, and serialising plain data cannot fail either.
    let json = serde_json::to_vec(batch).unwrap_or_default();
    let _ = enc.write_all(&json);
    enc.finish().unwrap_or_default()
}

/// Decodes a body; `gzip` says whether it is compressed. The inflated JSON may not
/// exceed `max_inflated` bytes (a guard against decompression bombs).
pub fn decode_batch(
    body: &[u8],
    gzip: bool,
    max_inflated: usize,
) -> Result<IngestBatch, CodecError> {
    if !gzip {
        if body.len() > max_inflated {
            return Err(CodecError::TooLarge {
                limit: max_inflated,
            });
        }
        return Ok(serde_json::from_slice(body)?);
    }
    let mut json = Vec::with_capacity(body.len() * 8);
    let limit = u64::try_from(max_inflated).unwrap_or(u64::MAX);
    GzDecoder::new(body)
        .take(limit + 1)
        .read_to_end(&mut json)
        .map_err(CodecError::Gzip)?;
    if json.len() > max_inflated {
        return Err(CodecError::TooLarge {
            limit: max_inflated,
        });
    }
    Ok(serde_json::from_slice(&json)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{AgentIdentity, Frame, PROTOCOL_VERSION};
    use hostpulse_core::Sample;

    fn batch() -> IngestBatch {
        IngestBatch {
            version: PROTOCOL_VERSION,
            agent: AgentIdentity {
                hostname: "web-1".into(),
                display_name: None,
                agent_version: "0.1.0".into(),
                interval_ms: 5000,
                instance_id: "test-instance".into(),
                run_id: "test-run".into(),
                previous_run_id: None,
            },
            seq: 7,
            facts: None,
            frames: vec![Frame {
                ts_ms: 1_700_000_000_000,
                samples: vec![Sample::new("cpu.usage_percent", 12.5).with_label("cpu", "0")],
                ..Frame::default()
            }],
        }
    }

    #[test]
    fn round_trips_through_gzip() {
        let b = batch();
        let bytes = encode_batch(&b);
        assert_eq!(decode_batch(&bytes, true, 1 << 20).unwrap(), b);
    }

    #[test]
    fn truncated_gzip_is_an_error() {
        let bytes = encode_batch(&batch());
        let cut = &bytes[..bytes.len() / 2];
        assert!(decode_batch(cut, true, 1 << 20).is_err());
    }

    #[test]
    fn inflation_bomb_is_refused() {
        let zeros = vec![b' '; 1 << 20];
        let mut enc = GzEncoder::new(Vec::new(), Compression::best());
        enc.write_all(&zeros).unwrap();
        let body = enc.finish().unwrap();
        assert!(matches!(
            decode_batch(&body, true, 1000),
            Err(CodecError::TooLarge { limit: 1000 })
        ));
    }

    #[test]
    fn unknown_fields_are_refused() {
        let json = br#"{"version":1,"agent":{"hostname":"a","agent_version":"1","interval_ms":1000},"seq":1,"frames":[],"extra":1}"#;
        assert!(matches!(
            decode_batch(json, false, 1 << 20),
            Err(CodecError::Json(_))
        ));
    }
}
