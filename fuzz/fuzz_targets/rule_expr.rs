//! Rule expressions through the parser, type checker, compiler and evaluator.
#![no_main]

libfuzzer_sys::fuzz_target!(|text: &str| hostpulse_rules::fuzz::compile_and_evaluate(text));
