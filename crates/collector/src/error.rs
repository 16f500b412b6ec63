//! Errors a collector family can hit in one cycle.

use std::path::{Path, PathBuf};

/// Why one family failed in one cycle; the other families go on.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// A `/proc` or `/sys` file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file that could not be read.
        path: PathBuf,
        /// What the read reported.
        #[source]
        source: std::io::Error,
    },
    /// A file was read but its content is not what the kernel writes there.
    #[error("cannot parse {what}: {detail}")]
    Parse {
        /// The file or value that was being parsed.
        what: String,
        /// What did not parse.
        detail: String,
    },
    /// The netlink (sock_diag) exchange with the kernel failed.
    #[error("{0}")]
    Netlink(String),
    /// The container engine could not be reached or gave a reply that does not parse.
    #[error("container engine {0}")]
    Engine(String),
}

impl CollectError {
    /// An I/O failure on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// A parse failure of `what` (usually a file name).
    pub fn parse(what: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::Parse {
            what: what.into(),
            detail: detail.into(),
        }
    }
}
