//! Entry point shared by the `ingest` fuzz target and the corpus regression test: an
//! ingest body goes through the hub's decode and validation, and what is accepted must
//! survive an encode → decode round trip unchanged.

use crate::{
    DecodeLimits, Limits, decode_batch, decode_batch_bounded, encode_batch, validate_batch,
};

/// The hub's default caps on inflated JSON and on the decoded batch's size.
const MAX_INFLATED: usize = 16 << 20;
const MAX_DECODED: usize = 16 << 20;
/// Inflated-size cap for the re-encoded batch, which may be longer than the input.
const REENCODED_MAX: usize = 1 << 30;
/// The hub's clock during fuzzing; seed inputs carry timestamps near it.
pub const FUZZ_NOW_MS: i64 = 1_700_000_000_000;

/// Runs one fuzz input. The first byte picks the body form: bit 0 clear = plain JSON,
/// bit 0 set and bit 1 clear = the rest is gzipped here first (valid gzip around fuzzed
/// JSON), both bits set = the rest is taken as a raw gzip stream. Panics only on a defect.
pub fn decode_and_validate(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (body, gzip) = match mode & 0b11 {
        0b01 => (gzip_bytes(rest), true),
        0b11 => (rest.to_vec(), true),
        _ => (rest.to_vec(), false),
    };
    let limits = Limits::default();
    let decode_limits = DecodeLimits {
        max_inflated: MAX_INFLATED,
        max_samples: limits.max_samples_per_batch,
        max_decoded: MAX_DECODED,
    };
    let Ok(batch) = decode_batch_bounded(&body, gzip, &decode_limits) else {
        return;
    };
    if validate_batch(&batch, FUZZ_NOW_MS, &limits).is_err() {
        return;
    }
    #[allow(
        clippy::panic,
        reason = "a fuzz entry reports a broken invariant by panicking; the fuzzer catches it"
    )]
    let again = decode_batch(&encode_batch(&batch), true, REENCODED_MAX).unwrap_or_else(|error| {
        panic!("an accepted batch does not decode after encoding: {error}")
    });
    assert_eq!(
        again, batch,
        "an accepted batch changed in an encode/decode round trip"
    );
}

fn gzip_bytes(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}
