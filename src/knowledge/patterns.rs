//! Regular expressions written by curators: compiled once, with `{name}`
//! placeholders replaced by word lists, ASCII word boundaries, and errors that
//! point at the pattern.
//!
//! A pattern of a folder a curator edits is compiled when the knowledge loads,
//! so a bad one is reported with its file and line. A pattern of the knowledge
//! embedded in the binary, which the test suite compiles whole, is compiled
//! the first time a message needs it: most of the hundreds of patterns are
//! never run by a process that answers one message.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Deref;
use std::sync::OnceLock;

use regex::{Regex, RegexBuilder};

use super::placeholders::expand;
use super::source::SourceFile;
use crate::error::Result;

/// One compiled curated pattern, or one compiled on first use (see the module
/// documentation). It reads as the [`Regex`] it compiles to.
#[derive(Clone)]
pub struct Pattern {
    /// The pattern as compiled, placeholders expanded.
    source: Box<str>,
    regex: OnceLock<Regex>,
}

impl Pattern {
    /// A pattern compiled now.
    fn compiled(source: String) -> std::result::Result<Pattern, regex::Error> {
        let regex = build(&source)?;
        Ok(Pattern { source: source.into_boxed_str(), regex: OnceLock::from(regex) })
    }

    /// A pattern of the embedded knowledge, compiled when first used.
    fn deferred(source: String) -> Pattern {
        Pattern { source: source.into_boxed_str(), regex: OnceLock::new() }
    }

    /// A pattern made from `file`'s data: compiled now, or on first use when
    /// the file is trusted.
    ///
    /// # Errors
    /// The regex error, for the caller to place.
    pub(crate) fn of(file: &SourceFile, source: String) -> std::result::Result<Pattern, regex::Error> {
        if file.trusted { Ok(Pattern::deferred(source)) } else { Pattern::compiled(source) }
    }

    /// The pattern's text, placeholders expanded (never compiles it).
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The compiled pattern, compiled now if it was not yet.
    ///
    /// # Panics
    /// If a deferred pattern does not compile: only the embedded knowledge defers,
    /// and the test suite compiles every one of its patterns.
    pub fn regex(&self) -> &Regex {
        self.regex.get_or_init(|| build(&self.source).expect("the embedded knowledge's patterns compile"))
    }
}

impl Deref for Pattern {
    type Target = Regex;

    fn deref(&self) -> &Regex {
        self.regex()
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}

/// Compiles one curated pattern. `{name}` becomes `(?:w1|w2|…)` from `words`;
/// an unknown name is an error, like a pattern that does not compile.
///
/// # Errors
/// [`crate::Error::Malformed`] at the pattern's line.
pub(crate) fn compile_pattern(
    file: &SourceFile,
    pattern: toml::Spanned<String>,
    words: &BTreeMap<String, Vec<String>>,
) -> Result<Pattern> {
    let offset = pattern.span().start;
    let expanded = expand(pattern.get_ref(), words)
        .map_err(|name| file.malformed_at(offset, format!("unknown word list `{{{name}}}`")))?;
    Pattern::of(file, expanded).map_err(|err| file.malformed_at(offset, format!("bad pattern: {err}")))
}

/// Compiles a list of curated patterns, as [`compile_pattern`] each.
///
/// # Errors
/// As [`compile_pattern`], for the first pattern that fails.
pub(crate) fn compile_patterns(
    file: &SourceFile,
    patterns: Vec<toml::Spanned<String>>,
    words: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<Pattern>> {
    patterns.into_iter().map(|pattern| compile_pattern(file, pattern, words)).collect()
}

/// Compiles a list of plain words and phrases into one pattern that finds any of
/// them as whole words, with an optional plural `s` or `es`.
///
/// # Errors
/// [`crate::Error::Malformed`] when the list is empty or has an empty entry.
pub(crate) fn compile_words(file: &SourceFile, near: &str, list: &[String]) -> Result<Pattern> {
    if list.is_empty() || list.iter().any(|word| word.trim().is_empty()) {
        return Err(file.malformed_near(near, format!("`{near}` needs a list of non-empty words")));
    }
    let alternatives: Vec<String> = list.iter().map(|word| regex::escape(word.trim())).collect();
    let pattern = format!(r"\b(?:{})(?:s|es)?\b", alternatives.join("|"));
    Pattern::of(file, pattern).map_err(|err| file.malformed_near(near, format!("the words do not compile: {err}")))
}

/// Compiles with ASCII word boundaries and classes: the texts these patterns
/// read are lower-case words and spaces, and ASCII `\b` lets the fast engines
/// (and sets of many patterns) run where a Unicode `\b` would not.
fn build(pattern: &str) -> std::result::Result<Regex, regex::Error> {
    RegexBuilder::new(pattern).unicode(false).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_match_whole_words_and_plurals() {
        let file = SourceFile { path: "f.toml".into(), text: "words".into(), trusted: false };
        let regex = compile_words(&file, "words", &["coffee".into(), "red bull".into()]).unwrap();
        assert!(regex.is_match("two coffees a day"));
        assert!(regex.is_match("a red bull"));
        assert!(!regex.is_match("coffeemaker"));
    }

    #[test]
    fn a_trusted_file_compiles_on_first_use_and_another_at_load() {
        let untrusted = SourceFile { path: "f.toml".into(), text: "x".into(), trusted: false };
        let trusted = SourceFile { trusted: true, ..untrusted.clone() };
        assert!(Pattern::of(&untrusted, "(".into()).is_err(), "a curator's bad pattern is reported at load");
        let deferred = Pattern::of(&trusted, r"\bjerks?\b".into()).unwrap();
        assert!(deferred.regex.get().is_none(), "not compiled before it is used");
        assert_eq!(deferred.as_str(), r"\bjerks?\b");
        assert!(deferred.regex.get().is_none(), "its text does not compile it");
        assert!(deferred.is_match("two jerks"));
        assert!(deferred.regex.get().is_some());
    }
}
