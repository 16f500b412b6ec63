//! Telegram updates (JSON) through the bot's update types, command and callback parsing.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hostpulse_chatops::fuzz::handle_update(data));
