//! Label matchers (silences, routes, inhibit rules, the CLI and the bot) through the parser.
#![no_main]

libfuzzer_sys::fuzz_target!(|text: &str| hostpulse_core::matcher::fuzz::parse_matcher_text(text));
