//! Loading the knowledge: the articles and the curated TOML files of
//! `knowledge/`, either embedded in the binary or read from a folder.
//!
//! Loading checks everything a curator can get wrong (TOML syntax, unknown
//! topics, bad regexes) and reports it with the file, line and column. Checks
//! that need the cleaned articles (backing passages) happen when the engine is
//! built.

mod article;
mod check;
mod dictionary;
mod factors;
mod helplines;
mod languages;
mod lexicon;
mod patterns;
mod people;
mod placeholders;
mod reassurance;
mod requests;
mod rules;
mod signs;
mod source;
mod texts;
mod topics;
mod voices;

use std::borrow::Cow;
use std::fs;
use std::path::Path;

pub use article::Article;
pub use check::{ButtonLabels, CheckSpec, CheckTexts, MAX_QUESTION_ID_CHARS, QuestionSays, QuestionSpec, TypedWords};
pub use dictionary::Dictionary;
pub use factors::Factor;
pub use helplines::Helpline;
pub use languages::{Language, Languages, fold_accents};
pub use lexicon::{FollowupWords, Lexicon, SmalltalkKind};
pub use patterns::Pattern;
pub use people::Person;
pub use reassurance::Reassurance;
pub use requests::{Request, Requests};
pub use rules::{GluedBrand, JunkRules, RuleSet};
pub use signs::{Guards, Sign, SignKind, Signs};
pub use source::{Located, SourceFile};
pub use texts::{CommandTexts, TelegramTexts, Texts, join_list};
pub use topics::{Shortcut, TopicRole, TopicSpec};
pub use voices::{
    CheckWords, ENGLISH, FactorWords, PersonWords, QuestionWords, SignWords, TopicWords, VOICES_DIR, Voice,
};

use crate::error::{Error, Result};
use crate::learned::Model;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_knowledge.rs"));
}

/// The forward NFA of the English sign patterns of the embedded
/// `signs.toml`, compiled by the build script (see `engine::set_nfa`); empty
/// when it could not compile them. A set of other patterns ignores it.
pub(crate) use embedded::ENGLISH_SIGN_SET;

/// Where articles live inside the knowledge folder.
const ARTICLES_DIR: &str = "articles/";

/// The training corpus inside a knowledge folder: read by training, never
/// loaded as knowledge (`build.rs` skips it too).
pub const CORPUS_DIR: &str = "corpus";

/// The trained reader's model, written by `hypnic train`.
pub const MODEL_FILE: &str = "reader.model";

/// The optional list of real English words.
const DICTIONARY_FILE: &str = "dictionary.txt";

/// All the knowledge the engine is built from.
#[derive(Debug, Clone)]
pub struct Knowledge {
    /// Where it came from: a folder, or "embedded knowledge".
    pub place: String,
    /// The articles, sorted by file name.
    pub articles: Vec<Article>,
    /// How to strip site junk.
    pub junk: JunkRules,
    /// Recognised words.
    pub lexicon: Lexicon,
    /// One spec per answerable topic, in the order of `topics.toml` (which
    /// breaks ties between topics).
    pub topics: Vec<TopicSpec>,
    /// Emergency and warning signs.
    pub signs: Signs,
    /// Kinds of person the articles say little about, in the order they are tried.
    pub people: Vec<Person>,
    /// Factors people ask about, with what the articles say of each.
    pub factors: Vec<Factor>,
    /// Languages other than English.
    pub languages: Languages,
    /// Crisis lines by country, with their sources.
    pub helplines: Vec<Helpline>,
    /// What makes a reply reassuring, and what blocks reassurance.
    pub reassurance: Reassurance,
    /// Medicine requests and requests to break the rules.
    pub requests: Requests,
    /// User-visible texts, in English.
    pub texts: Texts,
    /// The other answered languages (`voices/`), sorted by file name.
    pub voices: Vec<Voice>,
    /// The warning-sign check: its questions and texts.
    pub check: CheckSpec,
    /// Real English words, never spell-corrected (empty without `dictionary.txt`).
    pub dictionary: Dictionary,
    /// The trained reader (`reader.model`), if the knowledge has one: without
    /// it the rules read alone.
    pub model: Option<Model>,
}

impl Knowledge {
    /// The default knowledge, compiled into the binary from `knowledge/`.
    ///
    /// # Errors
    /// Only if the embedded files are malformed, which the test suite rules out.
    pub fn embedded() -> Result<Knowledge> {
        let files = embedded::FILES
            .iter()
            .map(|(path, text)| SourceFile { path: (*path).to_string(), text: Cow::Borrowed(*text), trusted: true })
            .collect();
        Knowledge::load("embedded knowledge", files, embedded::MODEL)
    }

    /// Reads every `.toml` file under `dir`, and `dictionary.txt` if it is there.
    ///
    /// # Errors
    /// [`Error::Unreadable`] if the folder or a file cannot be read, and the errors
    /// of [`Knowledge::from_files`].
    pub fn from_dir(dir: &Path) -> Result<Knowledge> {
        let files = read_files(dir)?;
        let model_path = dir.join(MODEL_FILE);
        let model = match fs::read(&model_path) {
            Ok(bytes) => Some(bytes),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => return Err(Error::Unreadable { path: model_path, source }),
        };
        Knowledge::load(&dir.display().to_string(), files, model.as_deref())
    }

    /// [`Knowledge::from_dir`] without the trained reader's model, for
    /// training a new one whatever the old one is.
    ///
    /// # Errors
    /// As [`Knowledge::from_dir`], the model aside.
    pub fn from_dir_untrained(dir: &Path) -> Result<Knowledge> {
        Knowledge::from_files(&dir.display().to_string(), read_files(dir)?)
    }

    /// Builds the knowledge from file texts named by their relative paths.
    ///
    /// # Errors
    /// [`Error::Missing`] when there are no articles or a curated file is absent,
    /// [`Error::Malformed`] when a file is malformed.
    pub fn from_files(place: &str, files: Vec<SourceFile>) -> Result<Knowledge> {
        Knowledge::load(place, files, None)
    }

    /// [`Knowledge::from_files`], with the trained reader's model from its
    /// bytes. The lexicon, the dictionary, the junk rules and the model are
    /// read on a second core while the rest is read on this one; with errors
    /// on both, this one's comes first, as if read in order.
    fn load(place: &str, files: Vec<SourceFile>, model: Option<&[u8]>) -> Result<Knowledge> {
        let find = |name: &str| {
            files
                .iter()
                .find(|f| f.path == name)
                .ok_or_else(|| Error::Missing { place: place.to_string(), what: format!("`{name}`") })
        };
        std::thread::scope(|scope| {
            let second = scope.spawn(|| -> Result<_> {
                let junk = JunkRules::parse(find("junk.toml")?)?;
                let lexicon = Lexicon::parse(find("lexicon.toml")?, find("common_words.toml")?)?;
                let dictionary = match files.iter().find(|f| f.path == DICTIONARY_FILE) {
                    Some(file) => Dictionary::parse(file)?,
                    None => Dictionary::default(),
                };
                Ok((junk, lexicon, dictionary, model.map(parse_model).transpose()?))
            });
            Knowledge::read(place, &files, find, || {
                second.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
        })
    }

    /// Reads the knowledge but for what `second` gives (the part
    /// [`Knowledge::load`] reads on its second core), asked for last.
    fn read<'a>(
        place: &str,
        files: &'a [SourceFile],
        find: impl Fn(&str) -> Result<&'a SourceFile>,
        second: impl FnOnce() -> Result<(JunkRules, Lexicon, Dictionary, Option<Model>)>,
    ) -> Result<Knowledge> {
        let articles = files
            .iter()
            .filter(|f| f.path.starts_with(ARTICLES_DIR))
            .map(Article::parse)
            .collect::<Result<Vec<_>>>()?;
        if articles.is_empty() {
            return Err(Error::Missing { place: place.to_string(), what: format!("articles in `{ARTICLES_DIR}`") });
        }
        let signs = Signs::parse(find("signs.toml")?)?;
        let people = Person::parse_all(find("people.toml")?)?;
        let check = CheckSpec::parse(find("check.toml")?, &signs, &people)?;
        let topics = TopicSpec::parse_all(find("topics.toml")?)?;
        let factors = Factor::parse_all(find("factors.toml")?)?;
        let languages = Languages::parse(find("languages.toml")?)?;
        let mut texts = Texts::parse(find("texts.toml")?)?;
        let speaks = voices::Speaks {
            topics: &topics,
            factors: &factors,
            people: &people,
            signs: &signs,
            check: &check,
            languages: &languages,
        };
        let mut voices = Vec::new();
        for file in files.iter().filter(|f| f.path.starts_with(VOICES_DIR)) {
            let voice = Voice::parse(file, &texts, &speaks)?;
            if voice.language == ENGLISH || voices.iter().any(|known: &Voice| known.language == voice.language) {
                return Err(file.malformed_near("language", format!("a second voice for `{}`", voice.language)));
            }
            voices.push(voice);
        }
        // Voices are checked against the English placeholders before any is filled.
        texts.name_articles(&articles);
        for voice in &mut voices {
            voice.texts.name_articles(&articles);
        }
        let helplines = Helpline::parse_all(find("helplines.toml")?)?;
        let reassurance = Reassurance::parse(find("reassurance.toml")?)?;
        let requests = Requests::parse(find("requests.toml")?)?;
        let (junk, lexicon, dictionary, model) = second()?;
        Ok(Knowledge {
            place: place.to_string(),
            articles,
            junk,
            lexicon,
            topics,
            signs,
            people,
            check,
            factors,
            languages,
            helplines,
            reassurance,
            requests,
            texts,
            voices,
            model,
            dictionary,
        })
    }
}

/// A model file's bytes, read.
fn parse_model(bytes: &[u8]) -> Result<Model> {
    Model::from_bytes(bytes).map_err(|reason| Error::Malformed {
        file: MODEL_FILE.to_string(),
        line: 1,
        column: 1,
        reason,
    })
}

/// The knowledge files under `dir`, sorted by path.
fn read_files(dir: &Path) -> Result<Vec<SourceFile>> {
    let mut files = Vec::new();
    read_toml_files(dir, dir, &mut files)?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn read_toml_files(root: &Path, dir: &Path, files: &mut Vec<SourceFile>) -> Result<()> {
    let unreadable = |source| Error::Unreadable { path: dir.to_path_buf(), source };
    for entry in fs::read_dir(dir).map_err(unreadable)? {
        let path = entry.map_err(unreadable)?.path();
        if path.is_dir() {
            if dir == root && path.file_name().is_some_and(|name| name == CORPUS_DIR) {
                continue;
            }
            read_toml_files(root, &path, files)?;
        } else if path.extension().is_some_and(|ext| ext == "toml")
            || path.file_name().is_some_and(|name| name == DICTIONARY_FILE)
        {
            let text = fs::read_to_string(&path).map_err(|source| Error::Unreadable { path: path.clone(), source })?;
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let parts: Vec<String> =
                relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            files.push(SourceFile { path: parts.join("/"), text: Cow::Owned(text), trusted: false });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded knowledge defers its patterns to their first use, trusting
    /// this test: loaded as a curator's folder would be, every pattern compiles.
    #[test]
    fn every_embedded_pattern_compiles() {
        let files = embedded::FILES
            .iter()
            .map(|(path, text)| SourceFile { path: (*path).to_string(), text: Cow::Borrowed(*text), trusted: false })
            .collect();
        let checked = Knowledge::from_files("embedded knowledge, checked", files);
        assert!(checked.is_ok(), "{:?}", checked.err());
    }
}
