//! Stored chunk bytes through the chunk decoder, with a re-encode round trip.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hostpulse_store::codec::fuzz::decode_chunk(data));
