//! Encoding and decoding of batches: JSON inside gzip, with a hard cap on inflated size.

use crate::batch::IngestBatch;
use crate::scan::{Budget, Violation, scan};
use crate::version::VersionRange;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::Deserialize;
use std::io::{BufReader, Read};

/// Why a body could not be turned into a batch.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The body claimed to be gzip but does not inflate.
    #[error("body is not valid gzip: {0}")]
    Gzip(std::io::Error),
    /// Inflating stopped at the cap: a gzip bomb or a batch far too large.
    #[error("inflated body exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The cap on inflated bytes.
        limit: usize,
    },
    /// The scan before parsing counted more samples than a batch may carry.
    #[error(
        "batch has more than {limit} samples; the limit is {limit} (ingest.max_samples_per_batch)"
    )]
    TooManySamples {
        /// The most samples a batch may carry.
        limit: usize,
    },
    /// The scan before parsing estimated the decoded batch above the memory cap.
    #[error(
        "batch would take more than {limit} bytes of memory once decoded (ingest.max_decoded_bytes); send fewer samples, labels or list items per batch"
    )]
    TooLargeDecoded {
        /// The cap on the decoded batch's estimated size, bytes.
        limit: usize,
    },
    /// The inflated body is not a batch in JSON.
    #[error("batch JSON is invalid: {0}")]
    Json(#[from] serde_json::Error),
    /// The batch is in a protocol version this build cannot read.
    #[error("batch is in protocol version {version}{}; this hub reads {supported}", readable_from(*.min_version))]
    UnsupportedVersion {
        /// The version the batch is written in.
        version: u64,
        /// The oldest version the batch says can read it, if it said.
        min_version: Option<u64>,
        /// The versions this build reads.
        supported: VersionRange,
    },
}

fn readable_from(min_version: Option<u64>) -> String {
    min_version.map_or_else(String::new, |min| format!(" (readable from {min})"))
}

/// Bounds applied while a body is decoded, before anything of it is materialised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Most bytes of inflated JSON.
    pub max_inflated: usize,
    /// Most samples over all frames.
    pub max_samples: usize,
    /// Most bytes the decoded batch may take in memory (a conservative estimate).
    pub max_decoded: usize,
}

impl DecodeLimits {
    /// Only an inflated-size cap.
    pub fn inflated(max_inflated: usize) -> Self {
        Self {
            max_inflated,
            max_samples: usize::MAX,
            max_decoded: usize::MAX,
        }
    }
}

/// Serialises and gzips a batch.
pub fn encode_batch(batch: &IngestBatch) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::with_capacity(4096), Compression::fast());
    // Writing into a Vec cannot fail, and serialising plain data cannot fail either.
    let _ = serde_json::to_writer(&mut enc, batch);
    enc.finish().unwrap_or_default()
}

/// Decodes a body; `gzip` says whether it is compressed. The inflated JSON may not
/// exceed `max_inflated` bytes (a guard against decompression bombs).
pub fn decode_batch(
    body: &[u8],
    gzip: bool,
    max_inflated: usize,
) -> Result<IngestBatch, CodecError> {
    decode_batch_bounded(body, gzip, &DecodeLimits::inflated(max_inflated))
}

/// Decodes a body within `limits`. A first streaming pass checks the limits and the
/// protocol version without building anything; only then is the batch decoded, streaming
/// again from the body, so no inflated copy of the JSON is ever held. Fields this build
/// does not know are ignored, and the batch's `version` becomes the version it was read
/// as (see [`crate::version`]).
pub fn decode_batch_bounded(
    body: &[u8],
    gzip: bool,
    limits: &DecodeLimits,
) -> Result<IngestBatch, CodecError> {
    if !gzip && body.len() > limits.max_inflated {
        return Err(CodecError::TooLarge {
            limit: limits.max_inflated,
        });
    }
    let mut budget = Budget::new(limits.max_samples, limits.max_decoded);
    let scanned = with_json(body, gzip, limits.max_inflated, ScanPass(&mut budget));
    match (scanned, budget.violation()) {
        (_, Some(Violation::TooManySamples { limit })) => Err(CodecError::TooManySamples { limit }),
        (_, Some(Violation::TooLargeDecoded { limit })) => {
            Err(CodecError::TooLargeDecoded { limit })
        }
        (Err(error), None) => Err(error),
        (Ok(()), None) => {
            let read_as = readable_version(budget.versions())?;
            let mut batch = with_json(body, gzip, limits.max_inflated, DecodePass)?;
            if let Some(version) = read_as {
                batch.version = version;
            }
            Ok(batch)
        }
    }
}

/// The version a batch with these top-level `version` and `min_version` is read as, or
/// the refusal of a version out of range; `None` when `version` is missing or not a whole
/// number (decoding then says what is wrong).
fn readable_version(
    (version, min_version): (Option<u64>, Option<u64>),
) -> Result<Option<u32>, CodecError> {
    let Some(version) = version else {
        return Ok(None);
    };
    let supported = VersionRange::supported();
    let narrow = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    let min = min_version.map(narrow);
    match supported.read_as(narrow(version), min) {
        Some(read_as) => Ok(Some(read_as)),
        None => Err(CodecError::UnsupportedVersion {
            version,
            min_version,
            supported,
        }),
    }
}

/// One pass of the JSON parser over a whole document.
trait Pass {
    type Output;
    fn run<'de, R: serde_json::de::Read<'de>>(
        self,
        de: &mut serde_json::Deserializer<R>,
    ) -> Result<Self::Output, serde_json::Error>;
}

/// Checks the limits, building nothing.
struct ScanPass<'b>(&'b mut Budget);

impl Pass for ScanPass<'_> {
    type Output = ();
    fn run<'de, R: serde_json::de::Read<'de>>(
        self,
        de: &mut serde_json::Deserializer<R>,
    ) -> Result<(), serde_json::Error> {
        scan(&mut *de, self.0)?;
        de.end()
    }
}

/// Builds the batch.
struct DecodePass;

impl Pass for DecodePass {
    type Output = IngestBatch;
    fn run<'de, R: serde_json::de::Read<'de>>(
        self,
        de: &mut serde_json::Deserializer<R>,
    ) -> Result<IngestBatch, serde_json::Error> {
        let batch = IngestBatch::deserialize(&mut *de)?;
        de.end()?;
        Ok(batch)
    }
}

/// Runs `pass` over the JSON of `body`, inflated on the fly when `gzip`.
fn with_json<P: Pass>(
    body: &[u8],
    gzip: bool,
    max_inflated: usize,
    pass: P,
) -> Result<P::Output, CodecError> {
    if !gzip {
        return Ok(pass.run(&mut serde_json::Deserializer::from_slice(body))?);
    }
    let mut capped = Capped::new(GzDecoder::new(body), max_inflated);
    let result = {
        let reader = BufReader::with_capacity(READ_BUFFER, &mut capped);
        pass.run(&mut serde_json::Deserializer::from_reader(reader))
    };
    match result {
        _ if capped.exceeded => Err(CodecError::TooLarge {
            limit: max_inflated,
        }),
        Err(error) if error.is_io() => Err(CodecError::Gzip(error.into())),
        other => Ok(other?),
    }
}

/// Size of the buffer between the inflater and the JSON parser.
const READ_BUFFER: usize = 64 << 10;

/// A reader that fails once more than `limit` bytes came through.
struct Capped<R> {
    inner: R,
    remaining: usize,
    exceeded: bool,
}

impl<R: Read> Capped<R> {
    fn new(inner: R, limit: usize) -> Self {
        Self {
            inner,
            remaining: limit,
            exceeded: false,
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > self.remaining {
            self.exceeded = true;
            return Err(std::io::Error::other("inflated body exceeds the limit"));
        }
        self.remaining -= n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{AgentIdentity, Frame};
    use crate::version::PROTOCOL_VERSION;
    use hostpulse_core::Sample;
    use std::io::Write;

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

    /// A batch of a newer agent: version 3, readable as 2, with fields this build lacks.
    const NEWER: &[u8] = br#"{"version":3,"min_version":2,"seq":1,"future":{"a":[1]},
        "agent":{"hostname":"a","agent_version":"9","interval_ms":1000,"instance_id":"i",
        "run_id":"r","zone":"eu"},
        "frames":[{"ts_ms":1,"samples":[{"name":"x.y","value":1.0,"unit":"s"}],"note":"n"}]}"#;

    #[test]
    fn unknown_fields_are_ignored_and_the_version_read_as_is_kept() {
        let batch = decode_batch(NEWER, false, 1 << 20).unwrap();
        assert_eq!(batch.version, PROTOCOL_VERSION);
        assert_eq!(batch.agent.hostname, "a");
        assert_eq!(batch.sample_count(), 1);
    }

    #[test]
    fn versions_out_of_range_are_refused_even_when_the_rest_does_not_decode() {
        let too_new = br#"{"version":9,"frames":"a new shape","agent":7}"#;
        assert!(matches!(
            decode_batch(too_new, false, 1 << 20),
            Err(CodecError::UnsupportedVersion {
                version: 9,
                min_version: None,
                ..
            })
        ));
        let not_readable = br#"{"version":5,"min_version":4,"seq":1}"#;
        let error = decode_batch(not_readable, false, 1 << 20).unwrap_err();
        assert_eq!(
            error.to_string(),
            "batch is in protocol version 5 (readable from 4); this hub reads 2"
        );
        let too_old = br#"{"version":1,"agent":{"hostname":"a","agent_version":"1","interval_ms":1000},"seq":1,"frames":[]}"#;
        assert!(matches!(
            decode_batch(too_old, false, 1 << 20),
            Err(CodecError::UnsupportedVersion { version: 1, .. })
        ));
        let malformed = br#"{"version":2,"frames":"not a list"}"#;
        assert!(matches!(
            decode_batch(malformed, false, 1 << 20),
            Err(CodecError::Json(_))
        ));
    }

    fn many_samples(n: usize) -> IngestBatch {
        let mut b = batch();
        b.frames[0].samples = (0..n)
            .map(|i| Sample::new("x.y", 1.0).with_label("i", i.to_string()))
            .collect();
        b
    }

    #[test]
    fn sample_cap_is_checked_before_decoding() {
        let body = encode_batch(&many_samples(101));
        let limits = DecodeLimits {
            max_samples: 100,
            ..DecodeLimits::inflated(1 << 20)
        };
        assert!(matches!(
            decode_batch_bounded(&body, true, &limits),
            Err(CodecError::TooManySamples { limit: 100 })
        ));
        let body = encode_batch(&many_samples(100));
        assert_eq!(
            decode_batch_bounded(&body, true, &limits)
                .unwrap()
                .sample_count(),
            100
        );
    }

    #[test]
    fn decoded_size_estimate_is_capped() {
        let body = encode_batch(&many_samples(1000));
        let limits = DecodeLimits {
            max_decoded: 100_000,
            ..DecodeLimits::inflated(1 << 20)
        };
        assert!(matches!(
            decode_batch_bounded(&body, true, &limits),
            Err(CodecError::TooLargeDecoded { limit: 100_000 })
        ));
        let roomy = DecodeLimits {
            max_decoded: 4 << 20,
            ..limits
        };
        assert!(decode_batch_bounded(&body, true, &roomy).is_ok());
    }

    #[test]
    fn plain_json_is_scanned_too() {
        let json = serde_json::to_vec(&many_samples(11)).unwrap();
        let limits = DecodeLimits {
            max_samples: 10,
            ..DecodeLimits::inflated(1 << 20)
        };
        assert!(matches!(
            decode_batch_bounded(&json, false, &limits),
            Err(CodecError::TooManySamples { limit: 10 })
        ));
    }

    #[test]
    fn trailing_garbage_is_refused() {
        let mut json = serde_json::to_vec(&batch()).unwrap();
        json.extend_from_slice(b" x");
        assert!(matches!(
            decode_batch(&json, false, 1 << 20),
            Err(CodecError::Json(_))
        ));
    }
}
