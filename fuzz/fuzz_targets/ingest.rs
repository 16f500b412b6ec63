//! Ingest bodies (plain and gzip JSON) through the hub's decode and batch validation.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hostpulse_proto::fuzz::decode_and_validate(data));
