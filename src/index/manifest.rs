//! The manifest beside an on-disk index (`hypnic-index.toml`): the format it
//! was written in, how many passages it holds, and a fingerprint of them, so
//! that an index is never searched for passages it was not built from.
//!
//! The fingerprint is FNV-1a (64 bits) over every passage's id, article,
//! heading and text, each length-prefixed. It is written out by hand because
//! std's `DefaultHasher` may change between Rust releases, and a manifest must
//! read the same under every build of hypnic that reads its format.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::cleaning::Passage;
use crate::error::{Error, IndexProblem, Result};

/// The manifest's file name, inside the index folder.
pub(super) const FILE_NAME: &str = "hypnic-index.toml";

/// The format this build writes and reads. Raise it whenever the schema, the
/// analyser or the fingerprint changes, so that older indexes are refused.
pub const FORMAT_VERSION: u32 = 1;

/// What `hypnic-index.toml` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Manifest {
    /// [`FORMAT_VERSION`] when the index was written.
    pub format: u32,
    /// How many passages the index holds.
    pub passages: u64,
    /// [`fingerprint`] of those passages, as 16 hex digits (TOML integers
    /// are signed 64 bits, too small for every hash).
    pub fingerprint: String,
}

impl Manifest {
    /// The manifest of an index of `passages`, in this build's format.
    pub fn of(passages: &[Passage]) -> Manifest {
        Manifest {
            format: FORMAT_VERSION,
            passages: passages.len() as u64,
            fingerprint: format!("{:016x}", fingerprint(passages)),
        }
    }

    /// Reads the manifest in `dir`; `None` when there is none.
    ///
    /// # Errors
    /// [`Error::Unreadable`] when the file cannot be read;
    /// [`IndexProblem::BadManifest`] when it is not a manifest.
    pub fn read(dir: &Path) -> Result<Option<Manifest>> {
        let path = dir.join(FILE_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(Error::Unreadable { path, source }),
        };
        toml::from_str(&text).map(Some).map_err(|err| Error::IndexFolder {
            path: dir.to_path_buf(),
            problem: IndexProblem::BadManifest { reason: err.message().to_string() },
        })
    }

    /// Writes the manifest into `dir`.
    ///
    /// # Errors
    /// [`Error::Unwritable`] when the file cannot be written.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let path = dir.join(FILE_NAME);
        // Serializing three plain fields cannot fail.
        let text = toml::to_string(self).unwrap_or_default();
        let text = format!("# The passage index beside this file, written by `hypnic index --build`.\n{text}");
        std::fs::write(&path, text).map_err(|source| Error::Unwritable { path, source })
    }

    /// Whether this manifest describes an index of exactly `passages`.
    ///
    /// # Errors
    /// [`IndexProblem::OtherFormat`] or [`IndexProblem::OtherKnowledge`], naming `dir`.
    pub fn check(&self, dir: &Path, passages: &[Passage]) -> Result<()> {
        let problem = if self.format != FORMAT_VERSION {
            IndexProblem::OtherFormat { found: self.format }
        } else if *self != Manifest::of(passages) {
            IndexProblem::OtherKnowledge
        } else {
            return Ok(());
        };
        Err(Error::IndexFolder { path: dir.to_path_buf(), problem })
    }
}

/// A stable 64-bit hash of every passage's id, article, heading and text.
pub fn fingerprint(passages: &[Passage]) -> u64 {
    let mut hash = Fnv1a::default();
    hash.write_u64(passages.len() as u64);
    for passage in passages {
        hash.write_u64(passage.id as u64);
        hash.write_u64(passage.article as u64);
        match &passage.heading {
            // A tag byte keeps "no heading" apart from an empty one.
            Some(heading) => {
                hash.write(&[1]);
                hash.write_str(heading);
            }
            None => hash.write(&[0]),
        }
        hash.write_str(&passage.text);
    }
    hash.0
}

/// FNV-1a, 64 bits: <http://www.isthe.com/chongo/tech/comp/fnv/>.
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.write(&value.to_le_bytes());
    }

    /// A string with its length first, so that ("ab", "c") and ("a", "bc") differ.
    fn write_str(&mut self, text: &str) {
        self.write_u64(text.len() as u64);
        self.write(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passage(id: usize, heading: Option<&str>, text: &str) -> Passage {
        Passage { id, article: 0, heading: heading.map(str::to_string), text: text.to_string() }
    }

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        let hash = |text: &str| {
            let mut hash = Fnv1a::default();
            hash.write(text.as_bytes());
            hash.0
        };
        assert_eq!(hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn every_part_of_a_passage_changes_the_fingerprint() {
        let base = vec![passage(0, Some("Why"), "ab"), passage(1, None, "c")];
        let print = fingerprint(&base);
        let mut variants = Vec::new();
        let mut changed = base.clone();
        changed[1].id = 2;
        variants.push(changed);
        let mut changed = base.clone();
        changed[1].article = 1;
        variants.push(changed);
        let mut changed = base.clone();
        changed[0].heading = None;
        variants.push(changed);
        let mut changed = base.clone();
        changed[1].heading = Some(String::new());
        variants.push(changed);
        let mut changed = base.clone();
        changed[0].text = "a".into();
        changed[1].text = "bc".into();
        variants.push(changed);
        variants.push(base[..1].to_vec());
        for variant in variants {
            assert_ne!(fingerprint(&variant), print, "{variant:?}");
        }
        assert_eq!(fingerprint(&base.clone()), print);
    }

    #[test]
    fn a_manifest_reads_back_as_written() {
        let dir = std::env::temp_dir().join(format!("hypnic-manifest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let manifest = Manifest::of(&[passage(0, None, "text")]);
        manifest.write(&dir).unwrap();
        assert_eq!(Manifest::read(&dir).unwrap(), Some(manifest));
        std::fs::write(dir.join(FILE_NAME), "format = \"x\"").unwrap();
        let err = Manifest::read(&dir).unwrap_err().to_string();
        assert!(err.contains("malformed"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(Manifest::read(&dir).unwrap(), None);
    }
}
