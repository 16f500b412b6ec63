//! Every kept fuzz input, replayed through the entry point its fuzz target calls.

use hostpulse_fuzz_corpus::{CorpusError, replay, replay_text};

#[test]
fn ingest_corpus_decodes_and_validates() -> Result<(), CorpusError> {
    replay("ingest", hostpulse_proto::fuzz::decode_and_validate)
}

#[test]
fn rule_expr_corpus_compiles_and_evaluates() -> Result<(), CorpusError> {
    replay_text("rule_expr", hostpulse_rules::fuzz::compile_and_evaluate)
}

#[test]
fn config_load_corpus_loads() -> Result<(), CorpusError> {
    replay("config_load", hostpulse_config::fuzz::load_config)
}

#[test]
fn matcher_corpus_parses() -> Result<(), CorpusError> {
    replay_text("matcher", hostpulse_core::matcher::fuzz::parse_matcher_text)
}

#[test]
fn chunk_codec_corpus_decodes() -> Result<(), CorpusError> {
    replay("chunk_codec", hostpulse_store::codec::fuzz::decode_chunk)
}

#[test]
fn telegram_update_corpus_parses() -> Result<(), CorpusError> {
    replay("telegram_update", hostpulse_chatops::fuzz::handle_update)
}
