//! The index on disk: [`PassageIndex::build_in`] and [`PassageIndex::open`],
//! which files of a folder belong to an index, readying a folder for a build
//! (never writing over anything else), and the size of an index.
//!
//! A folder is a hypnic index when it holds the manifest and otherwise only
//! the files tantivy writes. The manifest is written before tantivy's files,
//! and tantivy writes its `meta.json` last, so a build cut short leaves a
//! folder that a new build replaces and that opening refuses.

use std::path::Path;

use tantivy::Index;
use tantivy::directory::MmapDirectory;

use super::manifest::{self, Manifest};
use super::{PassageIndex, schema, tokenizers, write};
use crate::cleaning::Passage;
use crate::error::{Error, IndexProblem, Result};

impl PassageIndex {
    /// Indexes `passages` into the folder `dir`, memory-mapped, with a
    /// manifest beside the index, and returns it open. Creates `dir` if
    /// missing; replaces the hypnic index it may hold.
    ///
    /// # Errors
    /// [`Error::IndexFolder`] when `dir` is not a folder, or is not empty and
    /// holds no hypnic index; [`Error::Unwritable`] and [`Error::IndexFiles`]
    /// when its files cannot be written.
    pub fn build_in(passages: &[Passage], dir: &Path) -> Result<PassageIndex> {
        prepare(dir)?;
        // First, so that the folder is known as an index however the build ends.
        Manifest::of(passages).write(dir)?;
        let in_dir = |source| Error::IndexFiles { path: dir.to_path_buf(), source };
        let index = write(passages, directory(dir)?).map_err(in_dir)?;
        PassageIndex::read(&index).map_err(in_dir)
    }

    /// Opens the index that [`PassageIndex::build_in`] wrote into `dir`,
    /// memory-mapped, and checks that it holds exactly `passages`. It then
    /// searches exactly as one built from them.
    ///
    /// # Errors
    /// [`Error::IndexFolder`] when `dir` is missing, holds no hypnic index or
    /// an incomplete one, or one of another format or of other passages;
    /// [`Error::Unreadable`] and [`Error::IndexFiles`] when its files cannot be read.
    pub fn open(dir: &Path, passages: &[Passage]) -> Result<PassageIndex> {
        let refuse = |problem| Error::IndexFolder { path: dir.to_path_buf(), problem };
        check_folder(dir)?;
        let manifest = Manifest::read(dir)?.ok_or_else(|| refuse(IndexProblem::NotAnIndex))?;
        manifest.check(dir, passages)?;
        let in_dir = |source| Error::IndexFiles { path: dir.to_path_buf(), source };
        let directory = directory(dir)?;
        // Without `meta.json` the build was cut short.
        if !Index::exists(&directory).map_err(|err| in_dir(err.into()))? {
            return Err(refuse(IndexProblem::Incomplete));
        }
        let mut index = Index::open(directory).map_err(in_dir)?;
        if index.schema() != schema().0 {
            return Err(refuse(IndexProblem::OtherSchema));
        }
        index.set_tokenizers(tokenizers());
        let opened = PassageIndex::read(&index).map_err(in_dir)?;
        if opened.num_docs() != passages.len() as u64 {
            return Err(refuse(IndexProblem::OtherKnowledge));
        }
        Ok(opened)
    }
}

/// Readies `dir` for a new index: creates it if missing, empties it if it
/// holds a hypnic index, and refuses anything else.
///
/// # Errors
/// [`IndexProblem::NotAFolder`] or [`IndexProblem::Foreign`]; I/O errors with the path.
fn prepare(dir: &Path) -> Result<()> {
    match check_folder(dir) {
        Err(Error::IndexFolder { problem: IndexProblem::Missing, .. }) => {
            let created = std::fs::create_dir_all(dir);
            return created.map_err(|source| Error::Unwritable { path: dir.to_path_buf(), source });
        }
        checked => checked?,
    }
    let names = file_names(dir)?;
    if names.is_empty() {
        return Ok(());
    }
    // Without the manifest, even tantivy's own files are another program's index.
    let foreign = if names.iter().any(|name| name == manifest::FILE_NAME) {
        names.iter().find(|name| !belongs_to_index(name))
    } else {
        names.first()
    };
    if let Some(file) = foreign {
        return Err(Error::IndexFolder {
            path: dir.to_path_buf(),
            problem: IndexProblem::Foreign { file: file.clone() },
        });
    }
    // The manifest goes last, so that a removal cut short still leaves a
    // folder that the next build recognises as an index.
    let (manifests, rest): (Vec<_>, Vec<_>) = names.into_iter().partition(|name| name == manifest::FILE_NAME);
    for name in rest.into_iter().chain(manifests) {
        let path = dir.join(name);
        std::fs::remove_file(&path).map_err(|source| Error::Unwritable { path, source })?;
    }
    Ok(())
}

/// The folder `dir`, which exists, as a memory-mapped tantivy directory.
///
/// # Errors
/// [`Error::IndexFiles`] when tantivy cannot open it.
fn directory(dir: &Path) -> Result<MmapDirectory> {
    MmapDirectory::open(dir)
        .map_err(|err| Error::IndexFiles { path: dir.to_path_buf(), source: tantivy::TantivyError::from(err) })
}

/// Fails unless `dir` is an existing folder.
///
/// # Errors
/// [`IndexProblem::Missing`] or [`IndexProblem::NotAFolder`].
fn check_folder(dir: &Path) -> Result<()> {
    let problem = match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => return Ok(()),
        Ok(_) => IndexProblem::NotAFolder,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => IndexProblem::Missing,
        Err(source) => return Err(Error::Unreadable { path: dir.to_path_buf(), source }),
    };
    Err(Error::IndexFolder { path: dir.to_path_buf(), problem })
}

/// The bytes of every file in `dir` (an index folder has no subfolders).
///
/// # Errors
/// [`Error::Unreadable`] when the folder or a file's metadata cannot be read.
pub fn size_on_disk(dir: &Path) -> Result<u64> {
    let mut bytes = 0;
    for name in file_names(dir)? {
        let path = dir.join(name);
        let meta = std::fs::metadata(&path).map_err(|source| Error::Unreadable { path, source })?;
        bytes += meta.len();
    }
    Ok(bytes)
}

/// The names of the entries of `dir`, sorted.
fn file_names(dir: &Path) -> Result<Vec<String>> {
    let unreadable = |source| Error::Unreadable { path: dir.to_path_buf(), source };
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        names.push(entry.map_err(unreadable)?.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names)
}

/// Whether a file of this name is the manifest or one tantivy writes: its
/// metadata, its lock files, and segment files named by a 32-digit hex id.
fn belongs_to_index(name: &str) -> bool {
    let segment_file =
        name.split_once('.').is_some_and(|(id, _)| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()));
    let lock = name.starts_with(".tantivy-") && name.ends_with(".lock");
    segment_file || lock || matches!(name, "meta.json" | ".managed.json") || name == manifest::FILE_NAME
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::super::tests::passage;
    use super::*;
    use crate::cleaning::Corpus;
    use crate::knowledge::Knowledge;

    /// The passages of the embedded knowledge, cleaned as the engine cleans them.
    fn embedded_passages() -> Vec<Passage> {
        let knowledge = Knowledge::embedded().unwrap();
        Corpus::clean(&knowledge.articles, &knowledge.junk).passages
    }

    /// A fresh folder under the system's temp folder, removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> TempDir {
            let dir = std::env::temp_dir().join(format!("hypnic-index-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn index_files_are_told_from_others() {
        for name in ["meta.json", ".managed.json", ".tantivy-meta.lock", "0123456789abcdef0123456789abcdef.idx"] {
            assert!(belongs_to_index(name), "{name}");
        }
        assert!(belongs_to_index(manifest::FILE_NAME));
        for name in ["notes.txt", "0123.idx", "meta.json.bak", ".git", "0123456789abcdef0123456789abcdeg.idx"] {
            assert!(!belongs_to_index(name), "{name}");
        }
    }

    /// Built on disk, or opened memory-mapped, the index holds the same terms
    /// and gives the same hits, scores included, as the RAM index.
    #[test]
    fn an_index_on_disk_searches_like_the_ram_index() {
        let passages = embedded_passages();
        let dir = TempDir::new("same-hits");
        let in_ram = PassageIndex::build(&passages).unwrap();
        let built = PassageIndex::build_in(&passages, &dir.0).unwrap();
        let opened = PassageIndex::open(&dir.0, &passages).unwrap();
        let queries: [&[&str]; 6] = [
            &["spasm", "danger"],
            &["caffein", "sleep"],
            &["whi", "do", "they", "happen"],
            &["jerk", "fall", "asleep", "stress", "anxieti", "exercis"],
            &["seizur", "epilepsi"],
            &["zzzz", "notaword"],
        ];
        for index in [&built, &opened] {
            assert_eq!(index.num_docs(), in_ram.num_docs());
            assert_eq!(index.num_terms(), in_ram.num_terms());
            assert_eq!(index.text_terms, in_ram.text_terms);
            assert_eq!(index.heading_terms, in_ram.heading_terms);
            for stems in queries {
                let hits = in_ram.search_terms(stems, 8).unwrap();
                assert_eq!(index.search_terms(stems, 8).unwrap(), hits, "{stems:?}");
                assert_eq!(!hits.is_empty(), stems[0] != "zzzz", "{stems:?}");
            }
            assert_eq!(index.search_text("Are sleep spasms dangerous?", 10).unwrap(), {
                in_ram.search_text("Are sleep spasms dangerous?", 10).unwrap()
            });
        }
        assert!(size_on_disk(&dir.0).unwrap() > 0);
    }

    /// Opening an index over passages it was not built from is refused.
    #[test]
    fn an_index_of_other_passages_is_refused() {
        let mut passages = embedded_passages();
        let dir = TempDir::new("other-knowledge");
        PassageIndex::build_in(&passages, &dir.0).unwrap();
        passages[3].text.push_str(" One more sentence.");
        let message = PassageIndex::open(&dir.0, &passages).err().unwrap().to_string();
        let expected = format!(
            "the index in {0} was built from other knowledge; rebuild it with `hypnic index --build {0}`",
            dir.0.display()
        );
        assert_eq!(message, expected);
        passages.pop();
        assert!(PassageIndex::open(&dir.0, &passages).is_err());
    }

    /// A folder that holds anything but a hypnic index is refused, and left as it was.
    #[test]
    fn a_foreign_folder_is_refused_and_left_alone() {
        let dir = TempDir::new("foreign");
        std::fs::create_dir_all(&dir.0).unwrap();
        std::fs::write(dir.0.join("notes.txt"), "mine").unwrap();
        let passages = [passage(0, "Spasms are not dangerous.")];
        let message = PassageIndex::build_in(&passages, &dir.0).err().unwrap().to_string();
        assert!(message.contains(&dir.0.display().to_string()), "{message}");
        assert!(message.contains("is not empty and is not a hypnic index"), "{message}");
        assert_eq!(std::fs::read_to_string(dir.0.join("notes.txt")).unwrap(), "mine");
        assert_eq!(std::fs::read_dir(&dir.0).unwrap().count(), 1);
        // Nor is a file beside a hypnic index ever deleted by a rebuild.
        std::fs::remove_file(dir.0.join("notes.txt")).unwrap();
        PassageIndex::build_in(&passages, &dir.0).unwrap();
        std::fs::write(dir.0.join("notes.txt"), "mine").unwrap();
        assert!(PassageIndex::build_in(&passages, &dir.0).is_err());
        assert!(dir.0.join("notes.txt").exists());
    }

    /// A rebuild replaces the index in the folder, leaving none of its files.
    #[test]
    fn a_rebuild_replaces_the_index() {
        let dir = TempDir::new("rebuild");
        let first = [passage(0, "Spasms are not dangerous.")];
        let second = [passage(0, "Caffeine late in the day."), passage(1, "Stress and sleep loss.")];
        PassageIndex::build_in(&first, &dir.0).unwrap();
        let files = std::fs::read_dir(&dir.0).unwrap().count();
        PassageIndex::build_in(&second, &dir.0).unwrap();
        assert_eq!(std::fs::read_dir(&dir.0).unwrap().count(), files);
        let opened = PassageIndex::open(&dir.0, &second).unwrap();
        assert_eq!(opened.search_terms(&["caffein"], 8).unwrap()[0].passage, 0);
        assert!(PassageIndex::open(&dir.0, &first).is_err());
    }

    /// A missing folder, an empty one and a build cut short are no index.
    #[test]
    fn a_folder_without_a_complete_index_is_refused() {
        let dir = TempDir::new("missing");
        let passages = [passage(0, "Spasms are not dangerous.")];
        let message = PassageIndex::open(&dir.0, &passages).err().unwrap().to_string();
        assert!(message.contains("does not exist") && message.contains("hypnic index --build"), "{message}");
        std::fs::create_dir_all(&dir.0).unwrap();
        let message = PassageIndex::open(&dir.0, &passages).err().unwrap().to_string();
        assert!(message.contains("holds no hypnic index"), "{message}");
        PassageIndex::build_in(&passages, &dir.0).unwrap();
        std::fs::remove_file(dir.0.join("meta.json")).unwrap();
        let message = PassageIndex::open(&dir.0, &passages).err().unwrap().to_string();
        assert!(message.contains("is incomplete"), "{message}");
        // A build cut short is replaced by the next one.
        PassageIndex::build_in(&passages, &dir.0).unwrap();
        assert!(PassageIndex::open(&dir.0, &passages).is_ok());
    }
}
