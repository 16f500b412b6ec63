//! Entry point shared by the `chunk_codec` fuzz target and the corpus regression test:
//! arbitrary bytes go through the chunk decoder, and whatever it accepts must re-encode
//! and decode to the same points, bit for bit.

use super::{ChunkData, decode, encode};

/// Runs one fuzz input. Panics only on a defect.
#[allow(
    clippy::panic,
    reason = "a fuzz entry reports a broken invariant by panicking; the fuzzer catches it"
)]
pub fn decode_chunk(data: &[u8]) {
    let Ok(chunk) = decode(data) else {
        return;
    };
    assert!(
        chunk.columns.iter().all(|c| c.len() == chunk.len()),
        "decoded columns differ in length from the timestamps"
    );
    let bytes =
        encode(&chunk).unwrap_or_else(|error| panic!("a decoded chunk does not encode: {error}"));
    let again = decode(&bytes)
        .unwrap_or_else(|error| panic!("a re-encoded chunk does not decode: {error}"));
    assert_eq!(again.timestamps, chunk.timestamps, "timestamps changed");
    assert_eq!(bits(&again), bits(&chunk), "values changed");
}

fn bits(chunk: &ChunkData) -> Vec<Vec<u64>> {
    let column = |values: &Vec<f64>| values.iter().map(|v| v.to_bits()).collect();
    chunk.columns.iter().map(column).collect()
}
