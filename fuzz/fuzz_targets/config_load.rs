//! Hub and agent YAML through the whole configuration load and validation path.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hostpulse_config::fuzz::load_config(data));
