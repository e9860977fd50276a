//! The errors a caller can act on: knowledge that cannot be read or is malformed,
//! and a search index that cannot be built.

use std::path::PathBuf;

/// Why the knowledge could not be loaded or the engine could not be built.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A knowledge file or folder could not be read from disk.
    #[error("cannot read {path}")]
    Unreadable {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A file the knowledge needs is not there (no articles, no `topics.toml`, ...).
    #[error("the knowledge in {place} has no {what}")]
    Missing {
        /// The folder, or "embedded knowledge".
        place: String,
        /// What is missing.
        what: String,
    },
    /// A knowledge file is malformed: bad TOML, an unknown topic, a bad regex, a
    /// backing passage that is not in the articles.
    #[error("{file}:{line}:{column}: {reason}")]
    Malformed {
        /// The file, relative to the knowledge folder.
        file: String,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What is wrong, in words a curator understands.
        reason: String,
    },
    /// tantivy could not build the in-memory index.
    #[error("cannot build the search index")]
    Index(#[from] tantivy::TantivyError),
}

/// A result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
