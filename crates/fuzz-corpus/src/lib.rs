//! Reads the fuzz corpora kept in `fuzz/corpus/<target>/` so that `cargo test` replays every
//! input through the same library entry point the fuzz target calls (see docs/fuzzing.md).

use std::path::{Path, PathBuf};

/// Why a corpus could not be replayed, or which of its inputs failed.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// The corpus directory cannot be listed (missing or unreadable).
    #[error("fuzz corpus {} is missing: {source}", dir.display())]
    Missing {
        /// The corpus directory, `fuzz/corpus/<target>`.
        dir: PathBuf,
        /// Why it cannot be listed.
        source: std::io::Error,
    },
    /// An entry of the corpus directory cannot be listed or read.
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        /// The input file, or the directory when the entry itself cannot be listed.
        path: PathBuf,
        /// Why it cannot be read.
        source: std::io::Error,
    },
    /// The corpus directory holds no input: a replay of nothing would test nothing.
    #[error("fuzz corpus {} is empty", dir.display())]
    Empty {
        /// The corpus directory, `fuzz/corpus/<target>`.
        dir: PathBuf,
    },
    /// The entry point panicked on an input.
    #[error("fuzz input {name} fails")]
    InputFails {
        /// Path of the input file that made the entry point panic.
        name: String,
    },
}

/// The directory of `target`'s corpus: `fuzz/corpus/<target>` at the repository root.
pub fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target)
}

/// Every input of `target`'s corpus with its file name, sorted by name. A missing,
/// unreadable or empty corpus directory is an error.
pub fn corpus_inputs(target: &str) -> Result<Vec<(String, Vec<u8>)>, CorpusError> {
    let dir = corpus_dir(target);
    let entries = std::fs::read_dir(&dir).map_err(|source| CorpusError::Missing {
        dir: dir.clone(),
        source,
    })?;
    let mut inputs = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|source| CorpusError::Unreadable {
                path: dir.clone(),
                source,
            })?
            .path();
        let bytes = std::fs::read(&path).map_err(|source| CorpusError::Unreadable {
            path: path.clone(),
            source,
        })?;
        inputs.push((path.display().to_string(), bytes));
    }
    if inputs.is_empty() {
        return Err(CorpusError::Empty { dir });
    }
    inputs.sort();
    Ok(inputs)
}

/// Runs `entry` on every input of `target`'s corpus; the first input that makes it panic
/// is the error, named by its path.
pub fn replay(target: &str, entry: impl Fn(&[u8])) -> Result<(), CorpusError> {
    for (name, bytes) in corpus_inputs(target)? {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| entry(&bytes)));
        if outcome.is_err() {
            return Err(CorpusError::InputFails { name });
        }
    }
    Ok(())
}

/// [`replay`] for targets that take text: inputs that are not UTF-8 are skipped, as the
/// fuzz target skips them.
pub fn replay_text(target: &str, entry: impl Fn(&str)) -> Result<(), CorpusError> {
    replay(target, |bytes| {
        if let Ok(text) = std::str::from_utf8(bytes) {
            entry(text);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_corpus_is_an_error_not_an_empty_replay() {
        let error = replay("no_such_target", |_| {}).unwrap_err();
        assert!(matches!(error, CorpusError::Missing { .. }), "{error}");
        assert!(error.to_string().contains("no_such_target"), "{error}");
    }

    #[test]
    fn the_first_input_that_panics_is_named() {
        let error = replay("matcher", |_| panic!("entry point fails")).unwrap_err();
        let CorpusError::InputFails { name } = &error else {
            panic!("expected InputFails, got {error}");
        };
        assert!(name.contains("fuzz/corpus/matcher/"), "{name}");
    }
}
