//! Regular expressions written by curators: compiled once, with `{name}`
//! placeholders replaced by word lists, ASCII word boundaries, and errors that
//! point at the pattern.

use std::collections::BTreeMap;

use regex::{Regex, RegexBuilder};

use super::source::SourceFile;
use crate::error::Result;

/// Compiles one curated pattern. `{name}` becomes `(?:w1|w2|…)` from `words`;
/// an unknown name is an error, like a pattern that does not compile.
///
/// # Errors
/// [`crate::Error::Malformed`] at the pattern's line.
pub(crate) fn compile_pattern(
    file: &SourceFile,
    pattern: toml::Spanned<String>,
    words: &BTreeMap<String, Vec<String>>,
) -> Result<Regex> {
    let located = file.locate(pattern);
    let expanded =
        expand(&located.value, words).map_err(|name| located.error(format!("unknown word list `{{{name}}}`")))?;
    build(&expanded).map_err(|err| located.error(format!("bad pattern: {err}")))
}

/// Compiles a list of curated patterns, as [`compile_pattern`] each.
///
/// # Errors
/// As [`compile_pattern`], for the first pattern that fails.
pub(crate) fn compile_patterns(
    file: &SourceFile,
    patterns: Vec<toml::Spanned<String>>,
    words: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<Regex>> {
    patterns.into_iter().map(|pattern| compile_pattern(file, pattern, words)).collect()
}

/// Compiles a list of plain words and phrases into one pattern that finds any of
/// them as whole words, with an optional plural `s` or `es`.
///
/// # Errors
/// [`crate::Error::Malformed`] when the list is empty or has an empty entry.
pub(crate) fn compile_words(file: &SourceFile, near: &str, list: &[String]) -> Result<Regex> {
    if list.is_empty() || list.iter().any(|word| word.trim().is_empty()) {
        return Err(file.malformed_near(near, format!("`{near}` needs a list of non-empty words")));
    }
    let alternatives: Vec<String> = list.iter().map(|word| regex::escape(word.trim())).collect();
    let pattern = format!(r"\b(?:{})(?:s|es)?\b", alternatives.join("|"));
    build(&pattern).map_err(|err| file.malformed_near(near, format!("the words do not compile: {err}")))
}

/// Compiles with ASCII word boundaries and classes: the texts these patterns
/// read are lower-case words and spaces, and ASCII `\b` lets the fast engines
/// (and sets of many patterns) run where a Unicode `\b` would not.
fn build(pattern: &str) -> std::result::Result<Regex, regex::Error> {
    RegexBuilder::new(pattern).unicode(false).build()
}

/// Replaces every `{name}` by the alternation of its words; `Err(name)` for an
/// unknown name. Regex repetitions like `{0,4}` are left alone.
fn expand(pattern: &str, words: &BTreeMap<String, Vec<String>>) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return Ok(out);
        };
        let name = &after[..close];
        if name.chars().all(|c| c.is_ascii_alphabetic() || c == '_') && !name.is_empty() {
            let list = words.get(name).ok_or_else(|| name.to_string())?;
            out.push_str("(?:");
            out.push_str(&list.join("|"));
            out.push(')');
        } else {
            out.push('{');
            out.push_str(name);
            out.push('}');
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_expand_and_repetitions_stay() {
        let words = BTreeMap::from([("who".to_string(), vec!["he".to_string(), "she".to_string()])]);
        assert_eq!(expand(r"\b{who}( [a-z]+){0,3} fell\b", &words).unwrap(), r"\b(?:he|she)( [a-z]+){0,3} fell\b");
        assert_eq!(expand("{nobody}", &words), Err("nobody".to_string()));
    }

    #[test]
    fn word_lists_match_whole_words_and_plurals() {
        let file = SourceFile { path: "f.toml".into(), text: "words".into() };
        let regex = compile_words(&file, "words", &["coffee".into(), "red bull".into()]).unwrap();
        assert!(regex.is_match("two coffees a day"));
        assert!(regex.is_match("a red bull"));
        assert!(!regex.is_match("coffeemaker"));
    }
}
