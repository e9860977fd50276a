//! The errors a caller can act on: knowledge that cannot be read or is malformed,
//! a search index that cannot be built, and an on-disk index that cannot be
//! written or opened.

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
    /// A file of an on-disk index could not be written.
    #[error("cannot write {path}")]
    Unwritable {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// tantivy failed on the files of an on-disk index.
    #[error("cannot use the search index in {path}")]
    IndexFiles {
        /// The index folder.
        path: PathBuf,
        /// What tantivy said.
        #[source]
        source: tantivy::TantivyError,
    },
    /// A folder cannot take an on-disk index, or holds none that fits the knowledge.
    #[error("{}", problem.describe(path))]
    IndexFolder {
        /// The folder.
        path: PathBuf,
        /// What is wrong with it.
        problem: IndexProblem,
    },
}

/// What is wrong with a folder given for the on-disk index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexProblem {
    /// The folder does not exist.
    Missing,
    /// The path exists but is not a folder.
    NotAFolder,
    /// The folder holds no hypnic index.
    NotAnIndex,
    /// The folder holds the start of a hypnic index whose build was cut short.
    Incomplete,
    /// The folder holds files that are not a hypnic index, so a build will not write there.
    Foreign {
        /// One of those files.
        file: String,
    },
    /// The index's manifest cannot be read as one.
    BadManifest {
        /// What is wrong with it.
        reason: String,
    },
    /// The index was written in another format than this build of hypnic reads.
    OtherFormat {
        /// The format its manifest names.
        found: u32,
    },
    /// The index's fields are not the ones hypnic indexes, though its manifest says they are.
    OtherSchema,
    /// The index was built from other passages than the knowledge's.
    OtherKnowledge,
}

impl IndexProblem {
    /// The problem as a sentence naming `dir`, with what to do about it.
    fn describe(&self, dir: &std::path::Path) -> String {
        let dir = dir.display();
        let rebuild = format!("rebuild it with `hypnic index --build {dir}`");
        match self {
            IndexProblem::Missing => {
                format!(
                    "there is no index in {dir}: the folder does not exist; build one with `hypnic index --build {dir}`"
                )
            }
            IndexProblem::NotAFolder => format!("{dir} is not a folder"),
            IndexProblem::NotAnIndex => {
                format!(
                    "{dir} holds no hypnic index; build one with `hypnic index --build DIR` into an empty or new folder"
                )
            }
            IndexProblem::Incomplete => {
                format!("the index in {dir} is incomplete (its build was cut short); {rebuild}")
            }
            IndexProblem::Foreign { file } => format!(
                "{dir} is not empty and is not a hypnic index (it holds {file}); build the index in an empty or new folder"
            ),
            IndexProblem::BadManifest { reason } => {
                format!("the index manifest in {dir} is malformed ({reason}); {rebuild}")
            }
            IndexProblem::OtherFormat { found } => format!(
                "the index in {dir} was written in format {found}, and this hypnic reads format {}; {rebuild}",
                crate::index::FORMAT_VERSION
            ),
            IndexProblem::OtherSchema => {
                format!("the index in {dir} does not hold the fields hypnic indexes; {rebuild}")
            }
            IndexProblem::OtherKnowledge => format!("the index in {dir} was built from other knowledge; {rebuild}"),
        }
    }
}

/// A result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
