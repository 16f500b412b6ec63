//! Reads the fuzz corpora kept in `fuzz/corpus/<target>/` so that `cargo test` replays every
//! input through the same library entry point the fuzz target calls (see docs/fuzzing.md).

use std::path::{Path, PathBuf};

/// The directory of `target`'s corpus: `fuzz/corpus/<target>` at the repository root.
pub fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target)
}

/// Every input of `target`'s corpus, with its file name.
///
/// # Panics
/// When the corpus directory is missing, unreadable or empty: a replay of nothing would
/// pass without testing anything.
pub fn corpus_inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = corpus_dir(target);
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("fuzz corpus {} is missing: {error}", dir.display()));
    let mut inputs: Vec<(String, Vec<u8>)> = entries
        .map(|entry| {
            let path = entry
                .unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()))
                .path();
            let bytes = std::fs::read(&path)
                .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
            (path.display().to_string(), bytes)
        })
        .collect();
    assert!(!inputs.is_empty(), "fuzz corpus {} is empty", dir.display());
    inputs.sort();
    inputs
}

/// Runs `entry` on every input of `target`'s corpus, naming the input that panics.
pub fn replay(target: &str, entry: impl Fn(&[u8])) {
    for (name, bytes) in corpus_inputs(target) {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| entry(&bytes)));
        assert!(outcome.is_ok(), "fuzz input {name} fails");
    }
}

/// [`replay`] for targets that take text: inputs that are not UTF-8 are skipped, as the
/// fuzz target skips them.
pub fn replay_text(target: &str, entry: impl Fn(&str)) {
    replay(target, |bytes| {
        if let Ok(text) = std::str::from_utf8(bytes) {
            entry(text);
        }
    });
}
